"""The demo's surveys and grades (every floor up to evaluations, as portal.demo.build makes them):
the first half-year's survey closed by the sweep with its unsatisfied ratings replaced by the
heads and reviewed by the leaders, the second half's open with its first ratings, and grades from
the real task for every month, spread as a year's work spreads them. Built once, on a fixed day."""

import datetime as dt
from collections import Counter

import pytest
import time_machine
from django.db import transaction

from enterprises import demo as enterprises_demo
from evaluations import demo
from evaluations.models import Campaign, DepartmentMonthlyGrade, Rating, ReplacementCase
from projects import demo as projects_demo
from stewards import demo as stewards_demo
from stewards.models import ServiceRequest, StewardAssignment
from zonehub import demo as zonehub_demo
from zonehub.models import Role, User
from zonehub.workdays import SHANGHAI, local_date

NOW = dt.datetime(2026, 12, 4, 10, tzinfo=SHANGHAI)  # the second half's survey opened on 1 December
FLOORS = [("enterprises", enterprises_demo.build), ("stewards", stewards_demo.build),
          ("projects", projects_demo.build), ("evaluations", demo.build)]


def build_zone() -> dict:
    return zonehub_demo.build_zone(2026, FLOORS, lived=ServiceRequest.objects.exists)


@pytest.fixture(scope="module")
def zone(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), time_machine.travel(NOW, tick=False), transaction.atomic():
        ctx = build_zone()
        yield ctx
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def test_two_surveys_and_running_it_again_adds_nothing(zone):
    counts = [Campaign.objects.count(), Rating.objects.count(), ReplacementCase.objects.count(),
              DepartmentMonthlyGrade.objects.count()]
    build_zone()
    assert [Campaign.objects.count(), Rating.objects.count(), ReplacementCase.objects.count(),
            DepartmentMonthlyGrade.objects.count()] == counts
    first, second = Campaign.objects.order_by("opened_at")
    assert (first.year, first.half, first.status) == (2026, "H1", "closed") and first.closed_by is None  # the sweep
    assert (second.year, second.half, second.status) == (2026, "H2", "open")
    # Most enterprises rated in June; a few were let down by their steward and said why.
    rated = Rating.objects.filter(campaign=first).values("enterprise").distinct().count()
    assert 0.8 * first.expected_enterprises < rated <= first.expected_enterprises
    unsatisfied = Rating.objects.filter(campaign=first, value="unsatisfied")
    assert 3 <= unsatisfied.count() <= 5 and all(r.reason for r in unsatisfied)
    # The second survey has its first days' ratings; the demo enterprise has not rated yet.
    assert 10 < Rating.objects.filter(campaign=second).count() < rated / 2
    assert not Rating.objects.filter(campaign=second, enterprise__users__username="enterprise").exists()


def test_every_unsatisfied_rating_was_replaced_by_the_head_and_reviewed(zone):
    cases = list(ReplacementCase.objects.filter(campaign__half="H1").select_related(
        "new_steward__user", "replaced_by", "enterprise"))
    assert cases and all(c.status == ReplacementCase.Status.REPLACED for c in cases)
    for case in cases:
        assert case.replaced_by.role == Role.WORKSTATION_HEAD and case.replaced_by.workstation_id == case.workstation_id
        assert case.new_steward.user.role == Role.STEWARD and case.new_steward_id != case.steward_id
        assert StewardAssignment.objects.active().get(enterprise=case.enterprise).steward == case.new_steward
    assert [c for c in cases if c.overdue_at and c.replaced_at > c.overdue_at]  # one head was late
    assert {c.lack_of_effort for c in cases} == {True, False}
    head = User.objects.get(username="head")
    assert ReplacementCase.objects.visible_to(head).exists()


def test_grades_of_every_month_from_the_task_with_a_spread(zone):
    months = set(DepartmentMonthlyGrade.objects.values_list("month", flat=True))
    assert months == {dt.date(2025, 12, 1)} | {dt.date(2026, m, 1) for m in range(1, 12)}
    november = DepartmentMonthlyGrade.objects.filter(month=dt.date(2026, 11, 1))
    letters = Counter(g.grade for g in november if g.grade)
    assert len(letters) >= 3 and letters["A"] < november.count() - 2, letters
    assert {local_date(g.computed_at) for g in november} == {dt.date(2026, 12, 4)}  # this morning's run
    october = DepartmentMonthlyGrade.objects.filter(month=dt.date(2026, 10, 1))
    assert {local_date(g.computed_at) for g in october} == {dt.date(2026, 11, 30)}  # its last computation
    year = Counter(g.grade for g in DepartmentMonthlyGrade.objects.exclude(grade=""))
    assert set(year) == {"A", "B", "C", "D"}
