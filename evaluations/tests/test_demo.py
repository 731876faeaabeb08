import datetime as dt
import random

import pytest
import time_machine

from enterprises import demo as enterprises_demo
from evaluations import demo
from evaluations.models import Campaign, DepartmentMonthlyGrade, Rating, ReplacementCase
from stewards.demo import build_stewards
from zonehub.demo import build_organisation
from zonehub.workdays import SHANGHAI

pytestmark = pytest.mark.django_db


def build_organisation_and_stewards(rng) -> dict:
    """What ratings rest on: the enterprises, their logins, and who serves them (no requests)."""
    ctx = build_organisation(rng)
    enterprises_demo.build(ctx, rng)
    build_stewards(ctx)
    return ctx


def test_demo_builds_a_closed_campaign_with_cases_in_every_state_and_is_idempotent():
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, tzinfo=SHANGHAI), tick=False):
        ctx = build_organisation_and_stewards(random.Random(1))
        demo.build(ctx, random.Random(2))
        counts = [Campaign.objects.count(), Rating.objects.count(), ReplacementCase.objects.count(),
                  DepartmentMonthlyGrade.objects.count()]
        demo.build(ctx, random.Random(2))
    assert [Campaign.objects.count(), Rating.objects.count(), ReplacementCase.objects.count(),
            DepartmentMonthlyGrade.objects.count()] == counts
    campaign = Campaign.objects.get()
    assert (campaign.year, campaign.half, campaign.status) == (2026, "H1", "closed")  # H2 is for the leader to open
    assert Rating.objects.filter(value="unsatisfied").count() == 4 < Rating.objects.filter(value="satisfied").count()
    states = {(c.status, c.lack_of_effort, c.overdue_at is not None) for c in ReplacementCase.objects.all()}
    assert ("replaced", True, False) in states and ("replaced", False, False) in states
    assert ("pending", None, True) in states
    assert DepartmentMonthlyGrade.objects.filter(month=dt.date(2026, 10, 1)).count() == 12


def test_demo_opens_the_current_campaign_when_today_is_in_its_period():
    with time_machine.travel(dt.datetime(2026, 12, 2, 9, tzinfo=SHANGHAI), tick=False):
        ctx = build_organisation_and_stewards(random.Random(1))
        demo.build(ctx, random.Random(2))
        assert Campaign.objects.get(year=2026, half="H2").is_open
