"""The supply services: who may do what, what is refused (and that nothing changes), the case
table, obstacles on the stewards' clock, the contract's arithmetic, and the figures evaluations
reads."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count

from projects.models import Category, FiveKeyItem
from stewards import services as stewards_services
from stewards.models import Escalation, ServiceRequest
from supply import selectors, services
from supply.events import SupplyEvent
from supply.models import Delivery, MatchCase, Source, Stage, SupplyContract, SupplyNeed, SupplyOffer
from supply.tests.conftest import NOW
from tests.factories import UserFactory
from zonehub.models import Event, Notification, Role
from zonehub.workdays import SHANGHAI

pytestmark = pytest.mark.django_db
TODAY = NOW.date()


# --- offers and needs ---------------------------------------------------------------------------

def test_an_enterprise_declares_its_own_lines_and_no_one_elses(supply_zone):
    z = supply_zone
    offer = services.offer_declare(actor=z.ent_user_a, enterprise=z.ent_a, product=z.ingot, yearly_capacity="30,000",
                                   unit_price="19,000")
    assert offer.yearly_capacity == 30000 and offer.link == z.smelting and offer.unit_price == 19000
    assert Event.objects.filter(kind=SupplyEvent.OFFER_DECLARED, root_id=z.ent_a.pk).exists()
    with pytest.raises(PermissionDenied):
        services.offer_declare(actor=z.ent_user_a, enterprise=z.ent_b, product=z.ingot, yearly_capacity=1)
    with pytest.raises(PermissionDenied):  # leaders read
        services.need_declare(actor=z.leader, enterprise=z.ent_a, product=z.ingot, yearly_volume=1,
                              current_source=Source.ZONE)
    # A steward declares for the enterprises it serves (during a visit), not for others.
    services.need_declare(actor=z.steward_a.user, enterprise=z.ent_a2, product=z.ingot, yearly_volume=100,
                          current_source=Source.PROVINCE)
    with pytest.raises(PermissionDenied):
        services.need_declare(actor=z.steward_a.user, enterprise=z.ent_b2, product=z.ingot, yearly_volume=100,
                              current_source=Source.PROVINCE)


@pytest.mark.parametrize("amount, message", [("abc", "数字"), ("-5", "大于0"), ("0", "大于0"), ("1e30", "过大")])
def test_bad_quantities_are_refused_in_chinese_and_nothing_changes(supply_zone, amount, message):
    from django.utils import translation

    z = supply_zone
    before = SupplyOffer.objects.count()
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        services.offer_declare(actor=z.ops, enterprise=z.ent_a, product=z.ingot, yearly_capacity=amount)
    assert message in " ".join(caught.value.message_dict["yearly_capacity"])
    assert SupplyOffer.objects.count() == before


def test_one_active_line_per_product_and_withdrawing_is_kept(supply_zone):
    z = supply_zone
    with pytest.raises(ValidationError) as caught:
        services.offer_declare(actor=z.ops, enterprise=z.ent_a2, product=z.molten, yearly_capacity=5)
    assert "product" in caught.value.message_dict
    services.offer_withdraw(offer=z.offer_a, actor=z.ent_user_a2)
    z.offer_a.refresh_from_db()
    assert not z.offer_a.is_active and z.offer_a.withdrawn_at is not None
    again = services.offer_declare(actor=z.ops, enterprise=z.ent_a2, product=z.molten, yearly_capacity=5)
    assert again.pk != z.offer_a.pk  # the withdrawn line stays as it was


def test_a_line_with_an_open_case_cannot_be_withdrawn(signed):
    z = signed
    with pytest.raises(ValidationError):
        services.need_withdraw(need=z.need_a, actor=z.ent_user_a)
    with pytest.raises(ValidationError):
        services.offer_update(offer=z.offer_a, actor=z.ops, product=z.ingot)
    services.offer_update(offer=z.offer_a, actor=z.ent_user_a2, yearly_capacity="250000", note="扩产")
    z.offer_a.refresh_from_db()
    assert z.offer_a.yearly_capacity == 250000 and z.offer_a.note == "扩产"


# --- suggestions and cases ------------------------------------------------------------------------

def test_suggestions_rank_the_same_product_then_the_link_by_capacity_against_volume(supply_zone, django_assert_num_queries):
    z = supply_zone
    services.offer_declare(actor=z.ops, enterprise=z.ent_b, product=z.ingot, yearly_capacity=900000)
    with django_assert_num_queries(1):  # one indexed query per need
        rows = selectors.need_suggestions(z.need_a)
    assert [(r.enterprise_id, r.same_product) for r in rows] == [
        (z.ent_a2.pk, True), (z.ent_b2.pk, True), (z.ent_b.pk, False)]
    assert rows[0].covers and rows[0].coverage == pytest.approx(333.3)
    assert not rows[1].covers and rows[1].coverage == pytest.approx(83.3)
    # Never its own offers; a steward's view of another firm's need shows only its own suppliers.
    assert all(r.enterprise_id != z.ent_a.pk for r in rows)
    only = selectors.need_suggestions(z.need_a, only_enterprises=[z.ent_b2.pk])
    assert [r.enterprise_id for r in only] == [z.ent_b2.pk]


def test_the_operations_centre_opens_a_case_and_a_steward_suggests_one(supply_zone, django_capture_on_commit_callbacks):
    z = supply_zone
    case = services.case_open(actor=z.ops, need=z.need_a, offer=z.offer_a)
    assert case.broker == z.ops and case.stage == Stage.IDENTIFIED and case.buyer == z.ent_a
    assert Notification.objects.filter(recipient=z.ent_user_a, kind="supply.case_opened").exists()
    with pytest.raises(ValidationError):  # once
        services.case_open(actor=z.ops, need=z.need_a, offer=z.offer_a)
    suggested = services.case_open(actor=z.steward_b.user, need=z.need_a, offer=z.offer_b, note="走访发现")
    assert suggested.broker is None and suggested.suggested_by == z.steward_b.user
    assert Notification.objects.filter(recipient=z.ops, kind="supply.case_suggested").exists()
    with pytest.raises(PermissionDenied):  # a steward of neither side
        services.case_open(actor=UserFactory(role=Role.STEWARD, workstation=z.ws_a), need=z.need_b, offer=z.offer_b)
    with pytest.raises(ValidationError):  # not with itself
        services.case_open(actor=z.ops, need=services.need_declare(
            actor=z.ops, enterprise=z.ent_a2, product=z.ingot, yearly_volume=1, current_source=Source.ZONE),
            offer=services.offer_declare(actor=z.ops, enterprise=z.ent_a2, product=z.ingot, yearly_capacity=1))
    with pytest.raises(ValidationError):  # not across links
        services.case_open(actor=z.ops, need=z.need_tray, offer=z.offer_a)


def test_the_case_table_is_enforced_and_read_by_the_pages(supply_zone):
    z = supply_zone
    case = services.case_open(actor=z.steward_a.user, need=z.need_a, offer=z.offer_a)
    assert services.case_can(z.ops, case, "take") and not services.case_can(z.ops, case, "done")
    assert not services.case_can(z.leader, case, "talks")  # leaders read
    with pytest.raises(ValidationError):
        services.case_advance(case=case, actor=z.ops, action="done")
    with pytest.raises(PermissionDenied):
        services.case_advance(case=case, actor=z.steward_a.user, action="talks")
    case = services.case_take(case=case, actor=z.ops)
    assert case.broker == z.ops and not services.case_can(z.ops, case, "take")
    case = services.case_advance(case=case, actor=z.ops, action="talks")
    assert case.stage == Stage.TALKS
    with pytest.raises(ValidationError) as caught:
        services.case_fail(case=case, actor=z.ops, reason="  ")
    assert "reason" in caught.value.message_dict
    case = services.case_fail(case=case, actor=z.ops, reason="价格谈不拢")
    assert case.stage == Stage.FAILED and case.closed_at is not None and case.failure_reason == "价格谈不拢"
    # A failed case frees the pair for another try.
    assert services.case_open(actor=z.ops, need=z.need_a, offer=z.offer_a).stage == Stage.IDENTIFIED


def test_an_obstacle_is_a_request_escalated_on_the_three_working_day_clock(supply_zone,
                                                                            django_capture_on_commit_callbacks):
    z = supply_zone
    case = services.case_open(actor=z.ops, need=z.need_a, offer=z.offer_a)
    with pytest.raises(PermissionDenied):  # the operations centre links requests; stewards raise them
        services.obstacle_raise(case=case, actor=z.ops, party="buyer", category="infrastructure", title="道路",
                                description="绕行", departments=[z.dept_a], reason="协调")
    with pytest.raises(ValidationError):  # escalating needs a word for the department
        services.obstacle_raise(case=case, actor=z.steward_a.user, party="buyer", category="infrastructure",
                                title="道路", description="绕行", departments=[z.dept_a], reason="")
    assert not ServiceRequest.objects.filter(title="道路").exists()
    with django_capture_on_commit_callbacks(execute=True):
        obstacle = services.obstacle_raise(case=case, actor=z.steward_a.user, party="buyer",
                                           category="infrastructure", title="两厂之间道路", description="罐车绕行8公里",
                                           departments=[z.dept_a], reason="请协调打通道路")
    request = ServiceRequest.objects.get(pk=obstacle.request_id)
    assert request.enterprise == z.ent_a and request.status == ServiceRequest.Status.ESCALATED
    escalation = request.escalations.get()
    # Escalated Monday 23 November: the reply is due before 00:00 after Thursday 26 November.
    assert escalation.due_at == dt.datetime(2026, 11, 27, tzinfo=SHANGHAI)
    stewards_services.escalation_reply(escalation=escalation, actor=z.dept_user_a, reply="同意打通，月底完工")
    obstacles = selectors.case_obstacles(z.ops, case)
    kinds = [e.kind for e in selectors.case_timeline(z.ops, case, obstacles)]
    assert kinds[0] == SupplyEvent.CASE_OPENED and SupplyEvent.OBSTACLE_RAISED in kinds
    assert "escalation.sent" in kinds and "escalation.replied" in kinds
    assert Escalation.objects.get(pk=escalation.pk).answered_on_time
    # The supplier's user does not read the buyer's request on the case.
    assert selectors.case_obstacles(z.ent_user_a2, case) == []
    linked = services.obstacle_link(case=case, actor=z.ops, request=stewards_services.request_submit(
        actor=z.ent_user_a2, category="factors", title="付款方式", description="要求先款后货"))
    assert linked.request.enterprise == z.ent_a2
    with pytest.raises(ValidationError):  # a request of neither party
        services.obstacle_link(case=case, actor=z.ops, request=stewards_services.request_submit(
            actor=z.ent_user_b, category="factors", title="别家", description="无关"))


# --- contracts -----------------------------------------------------------------------------------

def test_the_three_party_contract_and_its_arithmetic(signed, django_capture_on_commit_callbacks):
    z = signed
    contract = z.contract
    assert contract.number == "SG2026-0001" and contract.quantity == 26000 and contract.fee_rate == 15
    assert contract.buyer_price == Decimal("18615") and MatchCase.objects.get(pk=z.case.pk).stage == Stage.SIGNED
    assert Notification.objects.filter(recipient=z.ent_user_a2, kind="supply.contract_signed").exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.payment_record(contract=contract, actor=z.ops, direction="company_to_supplier", paid_on=TODAY,
                                amount="70,000,000")
        services.delivery_record(contract=contract, actor=z.ops, delivered_on=TODAY, quantity="2,000", batch="B-1")
        services.delivery_record(contract=contract, actor=z.ops, delivered_on=TODAY, quantity="1500")
        services.payment_record(contract=contract, actor=z.ops, direction="buyer_to_company", paid_on=TODAY,
                                amount="37230000")
    contract.refresh_from_db()
    assert contract.delivered == 3500 and contract.remaining == 22500
    assert MatchCase.objects.get(pk=z.case.pk).stage == Stage.SUPPLYING
    assert contract.fee_income == 3500 * 15 == 52500
    assert contract.buyer_due == 3500 * Decimal("18615") and contract.buyer_balance == 3500 * Decimal("18615") - 37230000
    assert contract.supplier_due == 3500 * 18600 and contract.supplier_balance == 3500 * 18600 - 70000000 < 0
    assert contract.saving_to_date == 3500 * 500
    with pytest.raises(ValidationError) as caught:  # never more than contracted
        services.delivery_record(contract=contract, actor=z.ops, delivered_on=TODAY, quantity="22501")
    assert "quantity" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:  # not in the future
        services.delivery_record(contract=contract, actor=z.ops, delivered_on=TODAY + dt.timedelta(days=1), quantity=1)
    assert "delivered_on" in caught.value.message_dict
    with pytest.raises(PermissionDenied):
        services.delivery_record(contract=contract, actor=z.leader, delivered_on=TODAY, quantity=1)
    assert Delivery.objects.filter(contract=contract).count() == 2


def test_each_side_reports_its_own_saving(signed):
    z = signed
    services.saving_report(contract=z.contract, actor=z.ent_user_a, side="buyer", amount="320")
    with pytest.raises(PermissionDenied):
        services.saving_report(contract=z.contract, actor=z.ent_user_a, side="supplier", amount="1")
    with pytest.raises(PermissionDenied):
        services.saving_report(contract=z.contract, actor=z.ent_user_b, side="buyer", amount="1")
    services.saving_report(contract=z.contract, actor=z.ops, side="supplier", amount="180")
    contract = SupplyContract.objects.get(pk=z.contract.pk)
    assert (contract.buyer_saving, contract.supplier_saving) == (320, 180)


def test_the_sweep_tells_the_broker_once(signed, django_capture_on_commit_callbacks):
    z = signed
    services.delivery_record(contract=z.contract, actor=z.ops, delivered_on=TODAY, quantity="26000")
    assert services.contracts_sweep() == 1
    services.contracts_sweep()
    assert Notification.objects.filter(recipient=z.ops, kind="supply.contract_ended").count() == 1
    services.case_advance(case=z.case, actor=z.ops, action="done")
    assert MatchCase.objects.get(pk=z.case.pk).stage == Stage.DONE


# --- the chain map and the figures ------------------------------------------------------------

def test_gaps_and_the_local_supply_ratio_move_with_deliveries(signed):
    z = signed
    figures = selectors.chain_map(z.chain)
    by_name = {f.link.name: f for f in figures.links}
    assert by_name["汽车轻量化部件"].gap == "unfilled"
    smelting = by_name["电解铝"]
    # 60,000 t bought outside the province, 20,000 t in the zone (B's ingots), 250,000 t offered.
    assert (smelting.demand, smelting.demand_in_zone, smelting.supply) == (80000, 20000, 250000)
    assert smelting.ratio == 25.0 and smelting.gap == ""
    services.delivery_record(contract=z.contract, actor=z.ops, delivered_on=TODAY, quantity="4000")
    smelting = {f.link.name: f for f in selectors.chain_map(z.chain).links}["电解铝"]
    assert smelting.delivered == 4000 and smelting.ratio == 30.0
    ratio, demand, local = selectors.zone_ratio()
    assert demand == 92000 and local == 24000 and ratio == pytest.approx(26.1)


def test_a_gap_becomes_an_investment_target_in_one_step(supply_zone):
    z = supply_zone
    with pytest.raises(PermissionDenied):
        services.gap_target_create(actor=z.ops, link=z.parts, year=2026, lead_leader=z.leader)
    item = services.gap_target_create(actor=z.leader, link=z.parts, year=2026, lead_leader=z.leader,
                                      responsible_unit=z.dept_a)
    assert item.category == Category.INVESTMENT and "汽车轻量化部件" in item.title
    z.parts.refresh_from_db()
    assert z.parts.target == item
    with pytest.raises(ValidationError):
        services.gap_target_create(actor=z.leader, link=z.parts, year=2026, lead_leader=z.leader)
    assert FiveKeyItem.objects.filter(category=Category.INVESTMENT).count() == 1


def test_the_months_figures_for_the_brokers_and_the_zone(signed):
    z = signed
    other = UserFactory(role=Role.OPERATIONS)
    services.delivery_record(contract=z.contract, actor=z.ops, delivered_on=TODAY, quantity="2000")
    case = services.case_open(actor=other, need=z.need_tray, offer=services.offer_declare(
        actor=other, enterprise=z.ent_a, product=z.tray, yearly_capacity=5000))
    services.contract_sign(case=case, actor=other, quantity=1000, unit_price=40000, fee_rate=20, starts_on=TODAY,
                           ends_on=TODAY + dt.timedelta(days=90))
    figures = selectors.broker_month_figures(2026, 11)
    assert figures[z.ops.pk] == {"cases_signed": 1, "volume": Decimal(2000), "fee_income": Decimal(30000)}
    assert figures[other.pk] == {"cases_signed": 1, "volume": Decimal(0), "fee_income": Decimal(0)}
    assert selectors.broker_month_figures(2026, 10) == {}
    zone = selectors.zone_month_figures(2026, 11)
    assert zone["cases_signed"] == 2 and zone["contracted_volume"] == 27000 and zone["delivered_volume"] == 2000
    assert zone["fee_income"] == 30000 and zone["savings"] == 2000 * 500
    assert zone["local_supply_ratio"] is not None
    assert selectors.zone_month_figures(2020, 1)["local_supply_ratio"] is None  # nothing declared: no ratio


def test_needs_bought_in_the_zone_are_not_matched_by_the_operations_centre(supply_zone):
    z = supply_zone
    needs = selectors.needs_loaded([pk for pk, _v in selectors.suggestion_needs(z.ops, sees_zone=True)])
    assert z.need_b not in needs and needs[0] == z.need_a  # the largest bought outside first
    keys = selectors.suggestion_needs(z.steward_b.user, sees_zone=False, served_ids=[z.ent_b.pk, z.ent_b2.pk])
    steward_needs = selectors.needs_loaded([pk for pk, _v in keys])
    # B's own needs, and A's need that B's supplier could supply.
    assert set(steward_needs) == {z.need_b, z.need_tray, z.need_a}
    assert SupplyNeed.objects.count() == 3


def _rolled_up(**filters) -> tuple:
    """What the roll-ups say of the active needs and offers, against the rows themselves."""
    from django.db.models import Sum

    from supply.models import NeedTally, OfferTally

    tally = NeedTally.objects.filter(withdrawn__isnull=True, **filters).aggregate(v=Sum("volume"), n=Sum("needs"))
    rows = SupplyNeed.objects.filter(is_active=True, **filters).aggregate(v=Sum("yearly_volume"), n=Count("id"))
    offers = OfferTally.objects.aggregate(c=Sum("capacity"), n=Sum("offers"))
    offer_rows = SupplyOffer.objects.filter(is_active=True).aggregate(c=Sum("yearly_capacity"), n=Count("id"))
    return (tally["v"] or 0, tally["n"] or 0, offers["c"] or 0, offers["n"] or 0), \
        (rows["v"] or 0, rows["n"] or 0, offer_rows["c"] or 0, offer_rows["n"] or 0)


def test_the_roll_ups_follow_every_declaration_change(supply_zone, now):
    """The panel, the operations centre's home and the chain map read the roll-ups: after each
    declaration, change, move to another link and withdrawal they still equal the rows."""
    z = supply_zone
    tally, rows = _rolled_up()
    assert tally == rows and rows[1] == 3
    services.need_update(need=z.need_a, actor=z.ops, yearly_volume="70000", current_source=Source.ZONE)
    services.need_update(need=z.need_tray, actor=z.ops, product=z.molten)
    services.offer_update(offer=z.offer_b, actor=z.ops, yearly_capacity="55000")
    now.shift(dt.timedelta(days=40))  # withdrawn next month: still counted in this month's demand
    services.need_withdraw(need=z.need_b, actor=z.ops)
    services.offer_withdraw(offer=z.offer_a, actor=z.ops)
    tally, rows = _rolled_up()
    assert tally == rows == (Decimal("82000"), 2, Decimal("55000"), 1)
    assert _rolled_up(link=z.parts)[0][:2] == (0, 0)  # the tray need moved to the smelting link
    # The ratio and the months read the roll-up; the month before the withdrawal still has B's need.
    assert selectors.zone_ratio()[1] == Decimal("82000")
    month = selectors.monthly([NOW.date().replace(day=1)], contracts=False)[0]
    assert month.demand == (Decimal("70000") + 20000 + 12000) / 12
    assert selectors.link_figures([z.smelting])[z.smelting.pk].suppliers == 1


def test_the_leader_panel_reads_the_roll_ups_in_a_few_queries(supply_zone, django_assert_max_num_queries):
    z = supply_zone
    leader = UserFactory(role=Role.LEADER)
    with django_assert_max_num_queries(5):  # however many needs and offers the zone declares
        panel = selectors.leader_supply_panel(leader)
    assert panel["demand"] == Decimal("92000")  # 60,000 + 20,000 + 12,000 active
    with django_assert_max_num_queries(9):
        tiles = selectors.home_panels(z.ops)[0]["tiles"]
    assert tiles[3]["count"] == 2  # A's molten aluminium and B's trays are bought outside the zone
