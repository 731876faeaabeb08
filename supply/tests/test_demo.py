"""The demo's supply story (the floors it stands on, and its own), built once on a fixed day: two
chains mapped with a gap each, the firms' offers and needs, seed 000's molten aluminium case with
its obstacle answered and its 26,000 t contract at 15 元/t delivered month after month, and the
cases around it in every stage."""

import datetime as dt
from collections import Counter

import pytest
import time_machine
from django.db import transaction

from enterprises import demo as enterprises_demo
from projects.models import Category, FiveKeyItem
from stewards import demo as stewards_demo
from stewards.models import ServiceRequest
from supply import demo, selectors
from supply.models import ChainLink, Delivery, MatchCase, Payment, Stage, SupplyContract, SupplyNeed, SupplyOffer
from zonehub import demo as zonehub_demo
from zonehub.workdays import SHANGHAI

NOW = dt.datetime(2026, 12, 4, 10, tzinfo=SHANGHAI)
FLOORS = [("enterprises", enterprises_demo.build), ("stewards", stewards_demo.build), ("supply", demo.build)]


def build_zone() -> dict:
    return zonehub_demo.build_zone(2026, FLOORS, lived=ServiceRequest.objects.exists)


@pytest.fixture(scope="module")
def zone(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), time_machine.travel(NOW, tick=False), transaction.atomic():
        ctx = build_zone()
        yield ctx
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def test_two_chains_each_with_a_gap(zone):
    chains = {c.chain.name: c for c in selectors.chain_list_figures() if c.links}
    assert set(chains) == {"新材料", "新能源"}
    gaps = {name: [(f.link.name, f.gap) for f in c.gaps] for name, c in chains.items()}
    assert gaps == {"新材料": [("汽车轻量化部件", "unfilled")], "新能源": [("电解液", "unfilled")]}
    target = ChainLink.objects.get(name="汽车轻量化部件").target
    assert target is not None and target.category == Category.INVESTMENT
    assert FiveKeyItem.objects.filter(category=Category.INVESTMENT, pk=target.pk).exists()
    assert SupplyOffer.objects.count() >= 10 and SupplyNeed.objects.count() >= 10
    for chain in chains.values():
        assert chain.ratio is not None and 0 < chain.ratio < 100


def test_the_molten_aluminium_contract(zone):
    home = zone["enterprises"][0]
    contract = SupplyContract.objects.get(buyer=home, product__name="铝液")
    assert contract.quantity == 26_000 and contract.fee_rate == 15 and contract.buyer_saving == 320
    case = contract.case
    assert case.stage == Stage.SUPPLYING and case.opened_at.date() <= contract.signed_on
    assert (contract.signed_on - case.opened_at.date()).days <= 31  # signed within a month
    obstacle = case.obstacles.select_related("request").get()
    escalation = obstacle.request.escalations.get()
    assert escalation.department.name == "规划建设局" and escalation.answered_on_time
    deliveries = list(Delivery.objects.filter(contract=contract))
    assert len(deliveries) >= 6 and contract.delivered == sum(d.quantity for d in deliveries)
    assert len({d.delivered_on.month for d in deliveries}) >= 6  # month after month
    assert Payment.objects.filter(contract=contract, direction="buyer_to_company").count() >= 5
    assert contract.fee_income == contract.delivered * 15
    # The company pays the smelter ahead: the smelter was paid before it delivered.
    assert contract.supplier_balance < 0


def test_cases_in_every_stage_and_the_figures_mean_something(zone):
    stages = Counter(MatchCase.objects.values_list("stage", flat=True))
    assert stages[Stage.DONE] == 1 and stages[Stage.FAILED] == 1 and stages[Stage.TALKS] == 1
    assert stages[Stage.SUPPLYING] == 2 and stages[Stage.IDENTIFIED] == 1
    assert MatchCase.objects.get(stage=Stage.IDENTIFIED).broker is None  # suggested by a steward
    months = selectors.monthly(selectors.months_to(NOW.date()))
    assert sum(1 for m in months if m.fee) >= 6
    ratios = [m.ratio for m in months if m.ratio is not None]
    assert len(set(ratios)) > 3  # the ratio moves over time


def test_running_it_again_adds_nothing(zone):
    counts = (SupplyOffer.objects.count(), MatchCase.objects.count(), Delivery.objects.count())
    build_zone()
    assert (SupplyOffer.objects.count(), MatchCase.objects.count(), Delivery.objects.count()) == counts


def test_the_roll_ups_equal_the_declared_rows(zone):
    """The demo declares through the services, which keep the roll-ups the home pages read."""
    from django.db.models import Count, Sum

    from supply.models import NeedTally, OfferTally

    needs = SupplyNeed.objects.filter(is_active=True).aggregate(v=Sum("yearly_volume"), n=Count("id"))
    assert needs["n"] and NeedTally.objects.filter(withdrawn__isnull=True).aggregate(
        v=Sum("volume"), n=Sum("needs")) == needs
    offers = SupplyOffer.objects.filter(is_active=True).aggregate(c=Sum("yearly_capacity"), n=Count("id"))
    assert offers["n"] and OfferTally.objects.aggregate(c=Sum("capacity"), n=Sum("offers")) == offers
