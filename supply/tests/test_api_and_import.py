"""The API (/api/supply-offers/, /api/supply-needs/ with their suggestions, /api/matchmaking-cases/,
/api/supply-contracts/), scoped like the pages and never showing an enterprise another firm's
price; and the offers-and-needs sheet on the Excel import."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook
from rest_framework.test import APIClient

from enterprises.models import ImportBatch
from supply import services
from supply.imports import COLUMNS
from supply.models import SupplyNeed, SupplyOffer

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_lists_are_scoped(api, signed, django_assert_max_num_queries):
    z = signed
    api.force_authenticate(z.ent_user_b)
    with django_assert_max_num_queries(8):
        offers = api.get("/api/supply-offers/").json()["results"]
    assert offers == []  # B's enterprise sells nothing
    needs = api.get("/api/supply-needs/").json()["results"]
    assert {n["product_name"] for n in needs} == {"铝锭", "电池托盘"}
    assert api.get("/api/matchmaking-cases/").json()["results"] == []
    assert api.get(f"/api/supply-contracts/{z.contract.pk}/").status_code == 404
    api.force_authenticate(z.steward_a.user)
    with django_assert_max_num_queries(8):
        cases = api.get("/api/matchmaking-cases/").json()["results"]
    assert [c["id"] for c in cases] == [z.case.pk] and cases[0]["contract"] == z.contract.pk
    api.force_authenticate(z.dept_user_a)
    assert api.get("/api/supply-offers/").json()["results"] == []


def test_an_enterprise_reads_its_own_side_of_a_contract_only(api, signed):
    z = signed
    services.delivery_record(contract=z.contract, actor=z.ops, delivered_on=z.contract.signed_on, quantity="1000")
    services.payment_record(contract=z.contract, actor=z.ops, direction="company_to_supplier",
                            paid_on=z.contract.signed_on, amount="18600000")
    api.force_authenticate(z.ent_user_a)
    data = api.get(f"/api/supply-contracts/{z.contract.pk}/").json()
    assert data["own_price"] == "18615.00" and data["unit_price"] is None and data["fee_rate"] is None
    assert data["payments"] == [] and data["deliveries"][0]["quantity"] == "1000.00"
    assert data["own_balance"] == "18615000.00"
    api.force_authenticate(z.ent_user_a2)
    data = api.get(f"/api/supply-contracts/{z.contract.pk}/").json()
    assert data["own_price"] == "18600.00" and data["buyer_price"] is None and len(data["payments"]) == 1
    api.force_authenticate(z.ops)
    data = api.get(f"/api/supply-contracts/{z.contract.pk}/").json()
    assert data["unit_price"] == "18600.00" and data["fee_rate"] == "15.00" and data["fee_income"] == "15000.00"
    assert data["own_price"] is None


def test_the_suggestions_of_a_need(api, supply_zone):
    z = supply_zone
    api.force_authenticate(z.ops)
    rows = api.get(f"/api/supply-needs/{z.need_a.pk}/suggestions/").json()
    assert [r["enterprise"] for r in rows] == [z.ent_a2.pk, z.ent_b2.pk] and rows[0]["same_product"]
    assert "unit_price" not in rows[0]
    api.force_authenticate(z.ent_user_a)  # its own need, but not the zone's suppliers
    assert api.get(f"/api/supply-needs/{z.need_a.pk}/suggestions/").json() == []
    api.force_authenticate(z.ent_user_b)
    assert api.get(f"/api/supply-needs/{z.need_a.pk}/suggestions/").status_code == 404


def sheet(rows) -> SimpleUploadedFile:
    book = Workbook()
    ws = book.active
    ws.append([header for _key, header, _required in COLUMNS])
    for row in rows:
        ws.append([row.get(key, "") for key, _header, _required in COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("供需清单.xlsx", buffer.getvalue())


def upload(client, rows):
    response = client.post(reverse("supply:import"), {"file": sheet(rows)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportBatch.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[-1]))


def test_offers_and_needs_from_excel(client, supply_zone):
    z = supply_zone
    client.force_login(z.admin)
    row = {"kind": "供应", "enterprise": z.ent_a.name, "product": "铝锭", "amount": "30,000", "unit_price": "19000"}
    need = {"kind": "需求", "enterprise": z.ent_b2.name, "product": "电池托盘", "amount": "800", "source": "省外"}
    bad = upload(client, [row, dict(need, source=""), dict(row, product="不存在", enterprise="无此企业")])
    assert bad.status == ImportBatch.Status.INVALID
    assert {(e["row"], e["column"]) for e in bad.errors} >= {(3, "当前来源"), (4, "产品"), (4, "企业")}
    assert not SupplyOffer.objects.filter(enterprise=z.ent_a).exists()
    batch = upload(client, [row, need])
    assert batch.status == ImportBatch.Status.VALID and batch.to_create == 2
    client.post(reverse("enterprises:import_confirm", args=[batch.pk]))
    assert SupplyOffer.objects.get(enterprise=z.ent_a, product=z.ingot).yearly_capacity == 30000
    assert SupplyNeed.objects.get(enterprise=z.ent_b2, product=z.tray).current_source == "outside"
    again = upload(client, [row, need])
    assert (again.to_create, again.to_update, again.unchanged_count) == (0, 0, 2)
    assert upload(client, [dict(row, amount="35000")]).to_update == 1


def test_the_exported_offers_import_back_unchanged(client, supply_zone):
    client.force_login(supply_zone.admin)
    response = client.get(reverse("supply:offer_list") + "?format=xlsx")
    client.post(reverse("supply:import"), {"file": SimpleUploadedFile("导出.xlsx", b"".join(response.streaming_content))})
    batch = ImportBatch.objects.latest("pk")
    assert batch.status == ImportBatch.Status.VALID, batch.errors
    assert (batch.to_create, batch.to_update, batch.unchanged_count) == (0, 0, 2)
