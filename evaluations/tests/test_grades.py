"""Department grades on fixed data, against values computed by hand."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from evaluations import services
from evaluations.models import DepartmentMonthlyGrade, GradePolicy
from evaluations.tasks import department_grades_task
from stewards.tests.factories import EscalationFactory, ServiceRequestFactory
from zonehub.workdays import SHANGHAI

pytestmark = pytest.mark.django_db


def at(*args):
    return dt.datetime(*args, tzinfo=SHANGHAI)


NODES = {"on_time": 3, "late": 1, "open": 0, "claimed": 1, "score": None}


@pytest.fixture
def october(zone, monkeypatch):
    """Department A in October 2026: four replies due (three on time, one late that also went
    overdue), one escalation returned; five-key nodes 3 on time, 1 late, 1 item claimed.
    Department B: nothing due, no nodes."""
    def nodes(*, department, year, month):
        return NODES if department == zone.dept_a and (year, month) == (2026, 10) else \
            {"on_time": 0, "late": 0, "open": 0, "claimed": 0, "score": None}
    monkeypatch.setattr(services, "unit_node_results", nodes)
    def request():
        return ServiceRequestFactory(enterprise=zone.ent_a)
    esc = {}
    # due_at is 00:00 after the last working day: 10-13 00:00 → last day 12 October.
    for key, due, stopped in [
        ("early", at(2026, 10, 13), at(2026, 10, 12, 17)),
        ("last_minute", at(2026, 10, 21), at(2026, 10, 20, 23, 59)),
        ("month_end", at(2026, 10, 31), at(2026, 10, 30, 9)),  # last day Friday 30 Oct
        ("late", at(2026, 10, 16), at(2026, 10, 19, 10)),
    ]:
        esc[key] = EscalationFactory(request=request(), status="replied", department=zone.dept_a, due_at=due,
                                     remind_at=due, clock_stopped_at=stopped, replied_at=stopped)
    esc["late"].overdue_at = at(2026, 10, 16, 0, 1)
    esc["late"].save(update_fields=["overdue_at"])
    esc["returned"] = EscalationFactory(request=request(), status="returned", department=zone.dept_a,
                                        due_at=at(2026, 10, 23), remind_at=at(2026, 10, 22), returned_at=at(2026, 10, 20, 9),
                                        clock_stopped_at=at(2026, 10, 20, 9))
    # Due at 00:00 on 1 October: its last day was 30 September — not October's.
    esc["september"] = EscalationFactory(request=request(), status="replied", department=zone.dept_a,
                                         due_at=at(2026, 10, 1), remind_at=at(2026, 9, 30), clock_stopped_at=at(2026, 10, 1, 9))
    return esc


def test_score_formula_by_hand():
    # (50×3/4 + 50×3/4) / 100 × 100 + 2×1 − (5×1 + 2×1) = 75 + 2 − 7 = 70.0
    assert services.department_score(escalations_due=4, replied_on_time=3, overdue=1, returned=1, nodes_on_time=3,
                                      nodes_late=1, nodes_open=0, nodes_claimed=1) == Decimal("70.0")
    # Nothing due: no score (无考核事项), whatever was claimed or returned.
    for claimed, returned in ((0, 0), (9, 0), (0, 2)):
        assert services.department_score(escalations_due=0, replied_on_time=0, overdue=0, returned=returned,
                                          nodes_on_time=0, nodes_late=0, nodes_open=0, nodes_claimed=claimed) is None
    # Only replies due: the reply part alone, out of its own 50 points. 37.5/50 × 100 = 75.0.
    assert services.department_score(escalations_due=4, replied_on_time=3, overdue=0, returned=0, nodes_on_time=0,
                                      nodes_late=0, nodes_open=0, nodes_claimed=0) == Decimal("75.0")
    # Only nodes: 50×1/3 / 50 × 100 = 33.3; a bonus capped at 10.
    assert services.department_score(escalations_due=0, replied_on_time=0, overdue=0, returned=0, nodes_on_time=1,
                                      nodes_late=1, nodes_open=1, nodes_claimed=9) == Decimal("43.3")
    # 50×1/3 = 16.666… + 0 − 5×8 → below zero → 0.
    assert services.department_score(escalations_due=3, replied_on_time=1, overdue=8, returned=0, nodes_on_time=0,
                                      nodes_late=2, nodes_open=0, nodes_claimed=0) == Decimal("0.0")
    # 50×2/3 + 50×1/2 = 33.333… + 25 = 58.3 (rounded half up to one decimal)
    assert services.department_score(escalations_due=3, replied_on_time=2, overdue=0, returned=0, nodes_on_time=1,
                                      nodes_late=0, nodes_open=1, nodes_claimed=0) == Decimal("58.3")
    # Every figure is kept, to be shown.
    parts = services.department_score_parts(escalations_due=4, replied_on_time=3, overdue=1, returned=1,
                                            nodes_on_time=0, nodes_late=0, nodes_open=0, nodes_claimed=1)
    assert [(p["part"], p["due"], p["done"], p["counted"], p["points"], p["max"]) for p in parts["parts"]] == [
        ("replies", 4, 3, True, "37.5", "50"), ("nodes", 0, 0, False, None, None)]
    assert (parts["base"], parts["bonus"], parts["overdue_penalty"], parts["returned_penalty"], parts["score"]) == (
        "75.0", "2", "5", "2", Decimal("70.0"))


def test_month_is_scored_and_graded_by_hand(zone, october):
    services.department_grades_compute(month=dt.date(2026, 10, 1))
    a = DepartmentMonthlyGrade.objects.get(department=zone.dept_a, month=dt.date(2026, 10, 1))
    # September's escalation, answered at 09:00 on 1 October, was still overdue when October began:
    # it is due (and not on time) in October too. (50×3/5 + 50×3/4) = 30 + 37.5 = 67.5 + 2 − 7 = 62.5.
    assert (a.escalations_due, a.escalations_carried, a.replied_on_time, a.overdue, a.returned) == (5, 1, 3, 1, 1)
    assert (a.nodes_on_time, a.nodes_late, a.nodes_open, a.nodes_claimed) == (3, 1, 0, 1)
    assert (a.score, a.grade) == (Decimal("62.5"), "C")
    assert a.detail["late"] == [october["late"].pk] and a.detail["carried"] == [october["september"].pk]
    assert a.detail["overdue"] == [october["late"].pk] and a.detail["returned"] == [october["returned"].pk]
    b = DepartmentMonthlyGrade.objects.get(department=zone.dept_b, month=dt.date(2026, 10, 1))
    assert (b.score, b.grade, b.assessed) == (None, "", False)


def test_recomputing_a_month_gives_the_same_result(zone, october):
    first = services.department_grades_compute(month=dt.date(2026, 10, 1))
    again = services.department_grades_compute(month=dt.date(2026, 10, 1))
    assert [(r.pk, r.score, r.grade) for r in first] == [(r.pk, r.score, r.grade) for r in again]
    assert DepartmentMonthlyGrade.objects.count() == 2


def test_thresholds_set_by_the_admin_decide_the_grade(zone, october):
    policy = GradePolicy.current()
    policy.c_min = Decimal("75")
    policy.b_min = Decimal("85")
    policy.save()
    services.department_grades_compute(month=dt.date(2026, 10, 1))
    assert DepartmentMonthlyGrade.objects.get(department=zone.dept_a).grade == "D"  # 62.5 < 75


def test_task_computes_the_previous_month_from_the_first_working_day(zone, october):
    # 1 November 2026 is a Sunday: the first working day is Monday 2 November.
    with time_machine.travel(at(2026, 11, 1, 6, 30), tick=False):
        department_grades_task()
    assert not DepartmentMonthlyGrade.objects.exists()
    with time_machine.travel(at(2026, 11, 2, 6, 30), tick=False):
        department_grades_task()
        department_grades_task()
    assert DepartmentMonthlyGrade.objects.filter(month=dt.date(2026, 10, 1)).count() == 2


def test_ranking_shows_the_change_from_the_month_before(zone, october):
    from evaluations.selectors import grade_ranking

    services.department_grades_compute(month=dt.date(2026, 9, 1))
    services.department_grades_compute(month=dt.date(2026, 10, 1))
    rows = grade_ranking(user=zone.leader, month=dt.date(2026, 10, 1))
    # B had nothing to assess either month: listed last, with no rank and no change.
    assert [(r.grade.department, r.rank) for r in rows] == [(zone.dept_a, 1), (zone.dept_b, None)]
    a, b = rows
    # September for A: the one escalation due (30 Sept) was answered on 1 October → late: 0 of 50 → 0.0.
    assert a.previous_score == Decimal("0.0") and a.change == Decimal("62.5")
    assert a.previous_rank == 1 and a.rank_change == 0
    assert (b.change, b.rank_change, b.previous_grade) == (None, None, None)
