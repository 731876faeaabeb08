"""The rules of progress against time, on fixed dates of the real 2026 calendar (seeded from the
State Council's notice: National Day 1–7 October off, Saturday 10 October worked; New Year 1–3
January off, Sunday 4 January worked)."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace as Node

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from projects.progress import Status, item_progress, month_result, node_due_date, ranking
from zonehub.workdays import WorkCalendar

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def cal():
    return WorkCalendar.for_years({2025, 2026})


def n(planned, done=None, name="节点"):
    return Node(planned_date=planned, completed_on=done, name=name)


def test_a_node_due_on_a_holiday_is_due_on_the_next_working_day(cal):
    assert node_due_date(D(2026, 10, 1), cal) == D(2026, 10, 8)
    assert node_due_date(D(2026, 11, 21), cal) == D(2026, 11, 23)  # a Saturday
    assert node_due_date(D(2026, 1, 1), cal) == D(2026, 1, 4)  # the make-up Sunday
    assert node_due_date(D(2026, 11, 20), cal) == D(2026, 11, 20)


def test_a_node_planned_for_national_day_is_not_late_until_after_the_holiday(cal):
    nodes = [n(D(2026, 10, 1))]
    assert item_progress(nodes, today=D(2026, 10, 7), calendar=cal).status == Status.ON_SCHEDULE
    assert item_progress(nodes, today=D(2026, 10, 8), calendar=cal).status == Status.ON_SCHEDULE
    late = item_progress(nodes, today=D(2026, 10, 9), calendar=cal)
    assert late.status == Status.LAGGING and late.workdays_late == 1
    # Fri 9, the make-up Saturday 10, Mon 12: three working days late.
    assert item_progress(nodes, today=D(2026, 10, 12), calendar=cal).workdays_late == 3


def test_working_days_late_skip_weekends(cal):
    nodes = [n(D(2026, 11, 13), name="土地挂牌")]  # a Friday
    progress = item_progress(nodes, today=D(2026, 11, 23), calendar=cal)
    assert progress.status == Status.LAGGING
    assert progress.workdays_late == 6  # 16-20 and 23 November
    assert progress.worst.node.name == "土地挂牌"
    # On the Saturday right after, it is late by at least one working day.
    assert item_progress(nodes, today=D(2026, 11, 14), calendar=cal).workdays_late == 1


def test_status_of_an_item_on_a_given_day(cal):
    nodes = [n(D(2026, 3, 31), D(2026, 3, 30)), n(D(2026, 6, 30), D(2026, 5, 1)), n(D(2026, 9, 30))]
    # On 15 May: one node due and done, one more done early → ahead.
    assert item_progress(nodes, today=D(2026, 5, 15), calendar=cal).status == Status.AHEAD
    # On 15 April: the second was not yet done (completions after the day do not count).
    assert item_progress(nodes, today=D(2026, 4, 15), calendar=cal).status == Status.ON_SCHEDULE
    # On 15 October the third is late: Oct 8, 9, 12, 13, 14, 15 minus the due day → 5.
    progress = item_progress(nodes, today=D(2026, 10, 15), calendar=cal)
    assert progress.status == Status.LAGGING
    assert (progress.completed, progress.due, progress.total) == (2, 3, 3)
    # Done late: no longer lagging, but done late (逾期完成), never "on schedule": Oct 8, 9, the
    # make-up Saturday 10, 12-16 → 8 working days after its due date.
    nodes[2].completed_on = D(2026, 10, 16)
    done = item_progress(nodes, today=D(2026, 10, 16), calendar=cal)
    assert done.status == Status.DONE_LATE and done.workdays_late == 8 and done.worst.node is nodes[2]
    assert done.lagging_since is None


def test_a_node_due_today_is_not_yet_late(cal):
    nodes = [n(D(2026, 11, 23))]
    assert item_progress(nodes, today=D(2026, 11, 23), calendar=cal).status == Status.ON_SCHEDULE
    assert item_progress([], today=D(2026, 11, 23), calendar=cal).status == Status.ON_SCHEDULE


def test_month_scores_judge_each_node_against_its_due_date(cal):
    nodes = [
        n(D(2026, 9, 10), D(2026, 9, 10)),   # on time
        n(D(2026, 9, 15), D(2026, 9, 20)),   # late, within the month
        n(D(2026, 9, 25)),                   # still open
        n(D(2026, 9, 28), D(2026, 10, 2)),   # done after the month: open for September
        n(D(2026, 8, 30), D(2026, 8, 31)),   # a Sunday in August: due 31 August, not September
        n(D(2026, 10, 1), D(2026, 10, 8)),   # National Day: due 8 October, not September
    ]
    result = month_result(nodes, year=2026, month=9, claimed=1, calendar=cal,
                          weights={"on_time": 1, "late": 0.5, "open": 0, "claimed": 5})
    assert (result.on_time, result.late, result.open, result.claimed) == (1, 1, 2, 1)
    assert result.score == Decimal("42.50")  # 100 × (1 + 0.5) / 4 + 5


def test_a_month_that_starts_on_a_holiday_counts_the_holiday_nodes_on_their_due_day(cal):
    nodes = [n(D(2026, 10, 1), D(2026, 10, 8)), n(D(2026, 10, 3), D(2026, 10, 9))]
    result = month_result(nodes, year=2026, month=10, claimed=0, calendar=cal)
    assert (result.on_time, result.late, result.open) == (1, 1, 0)
    assert result.score == Decimal("75.00")
    nothing = month_result([], year=2026, month=10, claimed=0, calendar=cal)
    assert nothing.score == Decimal("100.00")


def test_a_late_node_counts_in_every_month_until_it_is_done(cal):
    """Due 15 June and done 4 September: open in June, July and August (lag as of each month's
    last day), late in September, then no more. A node done early counts in its due month only."""
    late = n(D(2026, 6, 15), D(2026, 9, 4))
    early = n(D(2026, 8, 20), D(2026, 6, 1))

    def counted(month):
        result = month_result([late, early], year=2026, month=month, claimed=0, calendar=cal)
        return (result.on_time, result.late, result.open, result.carried,
                [(entry.outcome, entry.workdays_late) for entry in result.nodes])

    assert counted(5) == (0, 0, 0, 0, [])
    assert counted(6) == (0, 0, 1, 0, [("open", 10)])
    assert counted(7) == (0, 0, 1, 1, [("open", 33)])
    assert counted(8) == (1, 0, 1, 1, [("open", 54), ("on_time", 0)])
    assert counted(9) == (0, 1, 0, 1, [("late", 58)])
    assert counted(10) == (0, 0, 0, 0, [])
    nothing = month_result([late], year=2026, month=10, claimed=0, calendar=cal)
    assert nothing.counted == 0 and nothing.score == Decimal("100.00")  # not ranked (nothing assessed)


def test_a_node_due_on_the_months_last_day_and_open_has_no_lag_yet(cal):
    result = month_result([n(D(2026, 9, 30))], year=2026, month=9, claimed=0, calendar=cal)
    assert [(entry.outcome, entry.workdays_late) for entry in result.nodes] == [("open", 0)]
    result = month_result([n(D(2026, 9, 30))], year=2026, month=10, claimed=0, calendar=cal)
    assert [(entry.outcome, entry.carried) for entry in result.nodes] == [("open", True)]


def test_ranking_shares_ranks_on_ties_and_shows_the_change():
    rows = ranking({"甲": Decimal(90), "乙": Decimal(95), "丙": Decimal(90)},
                   {"甲": Decimal(80), "乙": Decimal(99)})
    assert [(r.department, r.rank) for r in rows] == [("乙", 1), ("丙", 2), ("甲", 2)]
    first = rows[0]
    assert first.change == Decimal(-4) and first.rank_change == 0
    jia = rows[2]
    assert jia.change == Decimal(10) and jia.previous_rank == 2 and jia.rank_change == 0
    assert rows[1].previous is None and rows[1].change is None


days = st.dates(min_value=D(2026, 1, 1), max_value=D(2026, 12, 31))


@pytest.mark.django_db
@settings(max_examples=60, deadline=None)
@given(plan=st.lists(st.tuples(days, st.one_of(st.none(), days)), min_size=0, max_size=6), today=days)
def test_status_rules_hold_for_any_nodes(plan, today):
    cal = WorkCalendar.for_years({2026, 2027})
    nodes = [n(planned, done) for planned, done in plan]
    progress = item_progress(nodes, today=today, calendar=cal)
    assert (progress.status == Status.LAGGING) == bool(progress.late)
    assert all(late.workdays_late >= 1 and late.due < today for late in progress.late)
    if progress.status == Status.AHEAD:
        assert progress.completed > progress.due
    # Finishing every node today ends any lag.
    for node in nodes:
        node.completed_on = node.completed_on if node.completed_on and node.completed_on <= today else today
    assert item_progress(nodes, today=today, calendar=cal).status != Status.LAGGING
