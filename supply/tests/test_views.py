"""The supply pages: scoped lists with pinned query counts, an enterprise never shown another
firm's price, bad input answered in Chinese with what was typed kept, exports that keep text as
text, and pages whose queries do not grow with the zone."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from supply import services
from supply.models import MatchCase, Source, Stage, SupplyOffer
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return response.content.decode()


def test_lists_show_each_role_its_own_rows(client, signed, django_assert_max_num_queries):
    z = signed
    client.force_login(z.steward_a.user)
    with django_assert_max_num_queries(14):
        page = _text(client.get(reverse("supply:offer_list")))
    assert z.ent_a2.name in page and z.ent_b2.name not in page
    with django_assert_max_num_queries(14):
        page = _text(client.get(reverse("supply:need_list")))
    assert z.ent_a.name in page and z.ent_b.name not in page
    with django_assert_max_num_queries(14):
        page = _text(client.get(reverse("supply:case_list")))
    assert page.count('data-testid="case-row"') == 1
    client.force_login(z.steward_b.user)
    assert 'data-testid="case-row"' not in _text(client.get(reverse("supply:case_list")))
    assert client.get(reverse("supply:case_detail", args=[z.case.pk])).status_code == 404
    assert client.get(reverse("supply:contract_detail", args=[z.contract.pk])).status_code == 404
    client.force_login(z.ops)
    with django_assert_max_num_queries(14):
        page = _text(client.get(reverse("supply:offer_list")))
    assert page.count('data-testid="offer-row"') == 2
    with django_assert_max_num_queries(14):
        page = _text(client.get(reverse("supply:contract_list")))
    assert page.count('data-testid="contract-row"') == 1


def test_an_enterprise_never_sees_another_firms_price(client, signed):
    z = signed
    services.delivery_record(contract=z.contract, actor=z.ops, delivered_on=z.contract.signed_on, quantity="1000")
    services.payment_record(contract=z.contract, actor=z.ops, direction="company_to_supplier",
                            paid_on=z.contract.signed_on, amount="18600000")
    services.payment_record(contract=z.contract, actor=z.ops, direction="buyer_to_company",
                            paid_on=z.contract.signed_on, amount="18615000")
    # The buyer: its own price (18,615 = 18,600 + 15), never the supplier's, nor the fee, nor the supplier's payment.
    client.force_login(z.ent_user_a)
    page = _text(client.get(reverse("supply:contract_detail", args=[z.contract.pk])))
    assert "18,615" in page and "18,600 " not in page and "18,600,000" not in page
    assert 'data-testid="fee-rate"' not in page and "200" not in page.split('data-testid="arithmetic"')[1].split(
        'data-testid="deliveries"')[0]  # nor the supplier's saving
    case_page = _text(client.get(reverse("supply:case_detail", args=[z.case.pk])))
    assert "18,600" not in case_page and "18600" not in case_page
    # The supplier: its own price and payment, never the buyer's.
    client.force_login(z.ent_user_a2)
    page = _text(client.get(reverse("supply:contract_detail", args=[z.contract.pk])))
    assert "18,600" in page and "18,615" not in page
    mine = _text(client.get(reverse("supply:mine")))
    assert "18,600" in mine and "19,200" not in mine  # its own offer's price, not its buyer's need price
    # The other side's enterprise page and lists are not its to open.
    assert client.get(reverse("supply:enterprise", args=[z.ent_a.pk])).status_code == 404
    assert client.get(reverse("supply:offer_list")).status_code == 403
    # The staff read the whole arithmetic.
    client.force_login(z.steward_a.user)
    page = _text(client.get(reverse("supply:contract_detail", args=[z.contract.pk])))
    assert 'data-testid="fee-rate"' in page and "18,600" in page and "15,000 元" in page


def test_a_declaration_with_bad_input_keeps_what_was_typed(client, supply_zone):
    z = supply_zone
    client.force_login(z.ent_user_a)
    url = reverse("supply:need_create", args=[z.ent_a.pk])
    response = client.post(url, {"product": z.ingot.pk, "yearly_volume": "三万吨", "current_source": Source.ZONE,
                                 "note": "<script>alert(1)</script>"})
    page = _text(response)
    assert response.status_code == 200 and "写数字" in page or "数字" in page
    assert 'value="三万吨"' in page and "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    response = client.post(url, {"product": z.ingot.pk, "yearly_volume": "30,000", "current_source": Source.ZONE})
    assert response.status_code == 302 and response["Location"] == reverse("supply:mine")
    assert z.ent_a.supply_needs.filter(product=z.ingot, yearly_volume=30000).exists()
    # Not for another enterprise.
    assert client.get(reverse("supply:need_create", args=[z.ent_b.pk])).status_code == 404


def test_the_operations_centre_opens_a_case_from_a_suggestion(client, supply_zone, django_assert_max_num_queries):
    z = supply_zone
    client.force_login(z.ops)
    with django_assert_max_num_queries(16):
        page = _text(client.get(reverse("supply:suggestions")))
    assert page.count('data-testid="need-suggestions"') == 2  # A's molten aluminium, B's trays (a gap)
    assert "18,600" in page  # the operations centre sees the prices
    response = client.post(reverse("supply:case_open"), {"need": z.need_a.pk, "offer": z.offer_a.pk})
    case = MatchCase.objects.get()
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    assert f'href="/supply/cases/{case.pk}/"' in _text(client.get(reverse("supply:suggestions")))
    # A steward sees the suggestions without prices.
    client.force_login(z.steward_a.user)
    page = _text(client.get(reverse("supply:suggestions")))
    assert "18,600" not in page and z.ent_a2.name in page


def test_the_case_page_moves_the_case_and_says_why_it_cannot(client, supply_zone):
    z = supply_zone
    case = services.case_open(actor=z.ops, need=z.need_a, offer=z.offer_a)
    client.force_login(z.ops)
    url = reverse("supply:case_stage", args=[case.pk])
    response = client.post(url, {"action": "fail", "note": ""})
    assert response.status_code == 200 and "说明" in _text(response)
    assert MatchCase.objects.get(pk=case.pk).stage == Stage.IDENTIFIED
    assert client.post(url, {"action": "talks"}).status_code == 302
    assert MatchCase.objects.get(pk=case.pk).stage == Stage.TALKS
    response = client.post(reverse("supply:contract_sign", args=[case.pk]), {
        "quantity": "26,000", "unit_price": "18600", "fee_rate": "abc", "signed_on": "2026-11-23",
        "starts_on": "2026-11-23", "ends_on": "2026-11-01"})
    page = _text(response)
    assert response.status_code == 200 and 'value="26,000"' in page
    assert MatchCase.objects.get(pk=case.pk).stage == Stage.TALKS


def test_exports_keep_typed_text_as_text(client, supply_zone):
    z = supply_zone
    services.offer_declare(actor=z.ops, enterprise=z.ent_a, product=z.ingot, yearly_capacity=10,
                           note='=HYPERLINK("http://evil","x")')
    client.force_login(z.ops)
    response = client.get(reverse("supply:offer_list") + "?format=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value == '=HYPERLINK("http://evil","x")']
    assert cells and all(c.data_type == "s" for c in cells)
    assert sheet["A1"].value == "类型"
    response = client.get(reverse("supply:figures") + "?format=xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")


def _many(z, n: int) -> None:
    for i in range(n):
        enterprise = EnterpriseFactory(workstation=z.ws_b)
        SupplyOffer.objects.create(enterprise=enterprise, product=z.molten, link=z.smelting, yearly_capacity=1000 + i,
                                   created_by=z.ops)
        services.need_declare(actor=z.ops, enterprise=enterprise, product=z.ingot, yearly_volume=100 + i,
                              current_source=Source.OUTSIDE)


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_chain_page_and_the_suggestions_do_not_grow_with_the_zone(client, supply_zone):
    z = supply_zone
    client.force_login(z.ops)
    chain, suggestions = reverse("supply:chain_detail", args=[z.chain.pk]), reverse("supply:suggestions")
    _many(z, 22)  # a full page of needs: one query each (``NEEDS_PER_PAGE``)
    small = (_queries(client, chain), _queries(client, suggestions))
    _many(z, 30)
    big = (_queries(client, chain), _queries(client, suggestions))
    assert small == big
    assert _text(client.get(chain)).count('data-testid="supplier"') == 8  # the largest few per link


def test_the_figures_and_the_leaders_panel_link_to_their_rows(client, signed):
    z = signed
    services.delivery_record(contract=z.contract, actor=z.ops, delivered_on=dt.date(2026, 11, 23), quantity="2000")
    client.force_login(z.leader)
    page = _text(client.get(reverse("home")))
    assert 'data-testid="panel-supply"' in page and "30,000 元" in page
    assert reverse("supply:delivery_list") + "?year=2026" in page
    figures = _text(client.get(reverse("supply:figures")))
    assert reverse("supply:delivery_list") + "?month=2026-11" in figures
    deliveries = _text(client.get(reverse("supply:delivery_list") + "?month=2026-11"))
    assert deliveries.count('data-testid="delivery-row"') == 1 and "30,000 元" in deliveries
    client.force_login(z.ops)
    home = _text(client.get(reverse("home")))
    assert 'data-testid="tiles-operations"' in home and 'data-testid="panel-supply"' in home
    assert "账号尚未分配角色" not in home and "no role yet" not in home


def test_a_steward_opens_the_case_form_only_for_its_enterprises(client, supply_zone):
    z = supply_zone
    url = reverse("supply:case_open") + f"?need={z.need_b.pk}&offer={z.offer_b.pk}"
    client.force_login(z.steward_a.user)
    assert client.get(url).status_code == 404
    client.force_login(z.steward_b.user)
    assert client.get(url).status_code == 200
    response = client.post(reverse("supply:case_open"), {"need": z.need_a.pk, "offer": z.offer_b.pk, "note": "建议"})
    case = MatchCase.objects.get()
    assert response.status_code == 302 and case.broker is None and case.suggested_by == z.steward_b.user
