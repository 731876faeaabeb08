"""Meeting decisions and chase-ups (issue 16) count in a department's grade under the default plan,
and its page lists the rows counted; a month with neither scores as the formula before them."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from evaluations.models import DepartmentMonthlyGrade
from evaluations.services import department_grades_compute
from meetings import services as meetings_services
from meetings.tests.conftest import mz, now  # noqa: F401 - the meetings app's zone, reused
from meetings.tests.factories import at, convene, decision, hold
from stewards.services import deadline_sweep

pytestmark = pytest.mark.django_db


def _rows(grade):
    return {row["key"]: row for row in grade.detail["indicators"]}


def test_decisions_and_chase_ups_count_in_the_default_plan(mz, client):  # noqa: F811 - the imported fixture
    z = mz
    meeting = convene(z.steward_a.user, z.esc_a, departments=[z.dept_a, z.dept_c])
    item = meeting.items.get()
    hold(meeting, z.head_a, decision(department=z.dept_c, item=item), decision(department=z.dept_a, item=item))
    d_c, d_a = meeting.decisions.order_by("position")
    with time_machine.travel(at(2026, 11, 30, 10), tick=False):
        meetings_services.decision_close(decision=d_a, actor=z.dept_user_a, evidence="勘察已完成")
    deadline_sweep(now=at(2026, 12, 1, 0, 1))
    with time_machine.travel(at(2026, 12, 1, 10), tick=False):
        notice = meetings_services.supervision_issue(actor=z.steward_a.user, decision=d_c, reason="请尽快完成")
    with time_machine.travel(at(2027, 1, 4, 9), tick=False):
        department_grades_compute(month=dt.date(2026, 11, 1))
        department_grades_compute(month=dt.date(2026, 12, 1))

    november_c = DepartmentMonthlyGrade.objects.get(department=z.dept_c, month=dt.date(2026, 11, 1))
    november_a = DepartmentMonthlyGrade.objects.get(department=z.dept_a, month=dt.date(2026, 11, 1))
    assert (_rows(november_a)["decisions_on_time"]["num"], _rows(november_a)["decisions_on_time"]["den"]) == (1, 1)
    assert _rows(november_a)["decisions_on_time"]["points"] == "20"
    assert (_rows(november_c)["decisions_on_time"]["num"], _rows(november_c)["decisions_on_time"]["den"]) == (0, 1)
    assert _rows(november_c)["decisions_on_time"]["points"] == "0"
    december_c = DepartmentMonthlyGrade.objects.get(department=z.dept_c, month=dt.date(2026, 12, 1))
    assert _rows(december_c)["chase_ups"]["value"] == "1" and _rows(december_c)["chase_ups"]["points"] == "-3"
    # B's department had no decision and no chase-up: both left out, as before meetings existed.
    november_b = DepartmentMonthlyGrade.objects.get(department=z.dept_b, month=dt.date(2026, 11, 1))
    assert not _rows(november_b)["decisions_on_time"]["counted"] and not _rows(november_b)["chase_ups"]["counted"]
    assert "parts" in november_b.detail  # the formula, part by part, as its page always showed it

    client.force_login(z.leader)
    page = client.get(reverse("evaluations:grade_detail", args=[november_c.pk])).content.decode()
    assert d_c.get_absolute_url() in page and d_a.get_absolute_url() not in page
    page = client.get(reverse("evaluations:grade_detail", args=[december_c.pk])).content.decode()
    assert notice.code in page and notice.get_absolute_url() in page


def test_a_stewards_decisions_count_in_its_yearly_grade(mz):  # noqa: F811 - the imported fixture
    from evaluations.appraisals import steward_grades_compute
    from evaluations.models import StewardYearGrade

    z = mz
    meeting = convene(z.steward_a.user, z.esc_a, departments=[z.dept_a, z.dept_c])
    item = meeting.items.get()
    hold(meeting, z.head_a, decision(steward=z.steward_a, item=item), decision(steward=z.steward_b, item=item))
    late, on_time = meeting.decisions.order_by("position")
    with time_machine.travel(at(2026, 11, 27, 10), tick=False):
        meetings_services.decision_close(decision=on_time, actor=z.steward_b.user, evidence="已办结")
    with time_machine.travel(at(2026, 12, 2, 10), tick=False):
        meetings_services.decision_close(decision=late, actor=z.steward_a.user, evidence="已办结，晚了一天")
    with time_machine.travel(at(2026, 12, 20, 10), tick=False):
        steward_grades_compute(year=2026, actor=z.leader, today=dt.date(2026, 12, 20))
    a = StewardYearGrade.objects.get(steward=z.steward_a, year=2026)
    b = StewardYearGrade.objects.get(steward=z.steward_b, year=2026)
    assert (a.figures["decisions"]["num"], a.figures["decisions"]["den"], a.figures["decisions"]["pct"]) == (0, 1, "0.0")
    assert (b.figures["decisions"]["num"], b.figures["decisions"]["den"], b.figures["decisions"]["pct"]) == (1, 1, "100.0")
    assert a.grade_by_thresholds == "D"  # 0 % of its decisions in time: below C's 60 %
