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


# --- assessment and pay (issue 19) ---------------------------------------------------------------

def test_three_departments_have_their_own_plans_one_changed_from_july(zone):
    from evaluations.models import AssessmentPlan

    own = AssessmentPlan.objects.filter(year=2026, department__isnull=False).select_related("department")
    assert {p.department.name for p in own} == {"发展改革局", "科技创新局", "国网供电公司"}
    specs = {p.department.name: sorted(i.key for i in p.indicators.all()) for p in own if p.version == 1}
    assert len({tuple(s) for s in specs.values()}) == 3  # three different plans
    power = own.filter(department__name="国网供电公司").order_by("version")
    assert [(p.version, p.effective_from) for p in power] == [(1, dt.date(2026, 1, 1)), (2, dt.date(2026, 7, 1))]
    assert power[1].note


def test_a_year_of_grades_each_by_the_plan_in_force_in_its_month(zone):
    grades = DepartmentMonthlyGrade.objects.select_related("plan", "department")
    power = {g.month: g.plan.version for g in grades.filter(department__name="国网供电公司", month__year=2026)}
    assert power[dt.date(2026, 6, 1)] == 1 and power[dt.date(2026, 7, 1)] == 2
    assert all(g.plan.department_id is None for g in grades.filter(month=dt.date(2025, 12, 1)))
    assert all(g.plan.department_id is None for g in grades.filter(department__name="财政局"))
    # 发展改革局's investment signed was entered each month, with evidence, and scored.
    ndrc = grades.get(department__name="发展改革局", month=dt.date(2026, 10, 1))
    entered = [r for r in ndrc.indicators if r["key"].startswith("entered:")]
    assert entered and entered[0]["value"] is not None and ndrc.detail["actuals"]


def test_recomputing_a_graded_month_gives_the_same_rows(zone):
    from evaluations.services import department_grades_compute

    fields = ["department", "score", "grade", "plan", "detail"]
    month = dt.date(2026, 9, 1)
    before = list(DepartmentMonthlyGrade.objects.filter(month=month).order_by("department").values(*fields))
    department_grades_compute(month=month)
    assert list(DepartmentMonthlyGrade.objects.filter(month=month).order_by("department").values(*fields)) == before


def test_two_approved_pay_sheets_and_the_last_month_left_to_draft(zone):
    from evaluations.models import PaySheet

    sheets = list(PaySheet.objects.order_by("period_start"))
    assert [(s.period_start, s.status) for s in sheets] == [(dt.date(2026, 9, 1), "approved"),
                                                            (dt.date(2026, 10, 1), "approved")]
    for sheet in sheets:
        lines = list(sheet.lines.all())
        assert len(lines) > 50 and sum(line.amount for line in lines) - sheet.pool < 1  # the pool, to the fen
        assert {line.unit_grade for line in lines if line.department_id} - {""}  # graded units
        assert {line.kind for line in lines} == {"performance", "auxiliary"}


def test_steward_grades_a_finding_and_the_rotation_pool(zone):
    from evaluations.models import EffortFinding, RotationCase, StewardYearGrade
    from stewards.models import Steward

    # Every steward, the cadres serving beside their role included (issue 16), has the year's grade.
    stewards = Steward.objects.filter(is_active=True)
    assert stewards.exclude(user__role=Role.STEWARD).exists()
    assert set(StewardYearGrade.objects.filter(year=2026).values_list("steward_id", flat=True)) == set(
        stewards.values_list("pk", flat=True))
    found = StewardYearGrade.objects.filter(findings__gt=0, year=2026)
    assert found and all(g.grade == "D" and not g.eligible for g in found)
    assert EffortFinding.objects.filter(recorded_by__role=Role.WORKSTATION_HEAD).count() == 2
    letters = Counter(StewardYearGrade.objects.filter(year=2026).values_list("grade", flat=True))
    assert {"B", "C", "D"} <= set(letters) and letters[""] < 15, letters  # no data: stewards serving nobody
    # Units graded D two months running are listed once a run; the leader decided all but last month's.
    units = RotationCase.objects.filter(subject="unit")
    assert units.count() >= 3
    assert units.exclude(outcome="").count() >= 2 and all(c.outcome_reason for c in units.exclude(outcome=""))
    assert RotationCase.objects.open().exists()
