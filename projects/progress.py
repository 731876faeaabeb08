"""Progress against time (时序进度, DESIGN.md rule 5), as pure functions of dates.

Nothing here reads the database except through the ``WorkCalendar`` passed in, so the rules can be
tested on fixed dates and thousands of items computed from their node dates alone (the progress the
board reads is stored on each item by ``services.items_progress_refresh``).

The rules:

* A node is due at the end of its planned date. When that date is not a working day (a weekend or
  a holiday) the period runs on to the end of the next working day (Civil Code art. 203), so a node
  planned for 1 October is due on the first working day after National Day.
* On a given day, a node is *late* when it is due before that day and was not completed on or
  before that day. Its working days late are the working days after its due date up to that day
  (at least 1), counted by the shared calendar.
* A node completed after its due date is *done late* (逾期完成), by the working days after its due
  date up to its completion (as the monthly assessment counts it); one completed by its due date
  is done on time.
* An item is *lagging* when any of its nodes is late; else *done late* when a node due by that
  day was done late (its lateness stays on the record, 逾期完成, never "on schedule"); else
  *ahead* when it has completed more nodes than were due by that day; otherwise *on schedule*.
* An item lagging on a day has been lagging since the first day of that spell (滞后起始日): the
  day after the due date of the node that made it late, or of an earlier node whose lateness ran
  on into this one's without a day between. Never the day somebody happened to look.

A node's dates are shown by one rule everywhere (pages, notifications, the wall chart, the Excel
sheet): its planned date, and, when that date is a day off, the working day it runs on to
(``node_dates_text``), in the Chinese form (zonehub.dates.cn_date).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from zonehub.dates import cn_date
from zonehub.workdays import ONE_DAY, WorkCalendar, month_end


class Status(models.TextChoices):
    LAGGING = "lagging", _("lagging")
    DONE_LATE = "done_late", _("done late")
    ON_SCHEDULE = "on_schedule", _("on schedule")
    AHEAD = "ahead", _("ahead")


# Lagging first on the board, then the items with a node done late.
STATUS_ORDER = {Status.LAGGING: 0, Status.DONE_LATE: 1, Status.ON_SCHEDULE: 2, Status.AHEAD: 3}


class NodeState(models.TextChoices):
    NOT_DUE = "not_due", _("not yet due")
    ON_TIME = "on_time", _("on time")
    DONE_LATE = "done_late", _("done late")
    LATE = "late", _("lagging")


@dataclass(frozen=True)
class NodeProgress:
    """One node as judged on a day: its due date (the planned date moved past days off), its
    state, and its working days late (as of that day while open, as of its completion once done;
    0 when not late)."""

    node: object
    due: dt.date
    workdays_late: int
    state: str = NodeState.LATE

    @property
    def late_since(self) -> dt.date | None:
        """The first day it was late: the day after its due date (None when never late)."""
        return self.due + ONE_DAY if self.state in (NodeState.LATE, NodeState.DONE_LATE) else None

    @property
    def is_late(self) -> bool:
        return self.state == NodeState.LATE

    @property
    def is_done_late(self) -> bool:
        return self.state == NodeState.DONE_LATE

    @property
    def dates_text(self) -> str:
        return node_dates_text(self.node.planned_date, self.due)


@dataclass(frozen=True)
class Progress:
    status: str
    total: int
    completed: int
    due: int
    late: tuple[NodeProgress, ...]
    done_late: tuple[NodeProgress, ...] = ()
    nodes: tuple[NodeProgress, ...] = ()
    lagging_since: dt.date | None = None

    @property
    def worst(self) -> NodeProgress | None:
        """The node an item's status names: the most working days late of the late nodes, or, for
        an item done late, of the nodes done late."""
        for entries in (self.late, self.done_late):
            if entries:
                return max(entries, key=lambda late: late.workdays_late)
        return None

    @property
    def workdays_late(self) -> int:
        worst = self.worst
        return worst.workdays_late if worst else 0

    @property
    def is_complete(self) -> bool:
        return self.total > 0 and self.completed == self.total

    def get_status_display(self) -> str:
        return str(Status(self.status).label)


def node_due_date(planned: dt.date, calendar: WorkCalendar) -> dt.date:
    """The last day of a node's period: its planned date, moved to the next working day if that
    date is a day off."""
    return calendar.first_workday_on_or_after(planned)


def node_dates_text(planned: dt.date, due: dt.date) -> str:
    """A node's date as every page, notification and sheet writes it: 2026年6月30日, or, for a
    planned date that is a day off, 2026年6月28日（逢休息日顺延至2026年6月29日）."""
    if due == planned:
        return cn_date(planned)
    return f"{cn_date(planned)}（逢休息日顺延至{cn_date(due)}）"


def workdays_late(due: dt.date, today: dt.date, calendar: WorkCalendar) -> int:
    return max(calendar.workdays_between(due, today), 1)


def _spell_start(spans: list[tuple[dt.date, dt.date | None]], today: dt.date) -> dt.date | None:
    """The first day of the run of days up to ``today`` covered by ``spans`` ([first, last] days a
    node was late, last None while it still is), or None when ``today`` is not covered."""
    covered = [(first, last) for first, last in spans if first <= today and (last is None or last >= today)]
    if not covered:
        return None
    start = min(first for first, _last in covered)
    moved = True
    while moved:
        moved = False
        for first, last in spans:
            if first < start and last is not None and last + ONE_DAY >= start:
                start, moved = first, True
    return start


def item_progress(nodes, *, today: dt.date, calendar: WorkCalendar) -> Progress:
    """The status of one item on ``today`` from its nodes (anything with ``planned_date`` and
    ``completed_on``). Completions after ``today`` do not count yet, so past days can be replayed."""
    total = completed = due = 0
    late: list[NodeProgress] = []
    done_late: list[NodeProgress] = []
    states: list[NodeProgress] = []
    spans: list[tuple[dt.date, dt.date | None]] = []
    for node in nodes:
        total += 1
        done = node.completed_on is not None and node.completed_on <= today
        completed += done
        node_due = node_due_date(node.planned_date, calendar)
        if done and node.completed_on > node_due:
            entry = NodeProgress(node=node, due=node_due, state=NodeState.DONE_LATE,
                                 workdays_late=workdays_late(node_due, node.completed_on, calendar))
            done_late.append(entry)
            # Late from the day after its due date to the day before its completion.
            if node.completed_on > node_due + ONE_DAY:
                spans.append((node_due + ONE_DAY, node.completed_on - ONE_DAY))
        elif done:
            entry = NodeProgress(node=node, due=node_due, state=NodeState.ON_TIME, workdays_late=0)
        elif node_due < today:
            entry = NodeProgress(node=node, due=node_due, workdays_late=workdays_late(node_due, today, calendar))
            late.append(entry)
            spans.append((node_due + ONE_DAY, None))
        else:
            entry = NodeProgress(node=node, due=node_due, state=NodeState.NOT_DUE, workdays_late=0)
        states.append(entry)
        if node_due < today:
            due += 1
    if late:
        status = Status.LAGGING
    elif done_late:
        status = Status.DONE_LATE
    elif completed > due:
        status = Status.AHEAD
    else:
        status = Status.ON_SCHEDULE
    late.sort(key=lambda entry: (-entry.workdays_late, entry.due))
    done_late.sort(key=lambda entry: (-entry.workdays_late, entry.due))
    return Progress(status=status, total=total, completed=completed, due=due, late=tuple(late),
                    done_late=tuple(done_late), nodes=tuple(states),
                    lagging_since=_spell_start(spans, today) if late else None)


# --------------------------------------------------------------------------------------------
# The monthly assessment (五重考核)
# --------------------------------------------------------------------------------------------

DEFAULT_WEIGHTS = {"on_time": 1.0, "late": 0.5, "open": 0.0, "claimed": 5.0, "nothing_due": 100.0}


class Outcome(models.TextChoices):
    ON_TIME = "on_time", _("on time")
    LATE = "late", _("done late")
    OPEN = "open", _("still open")


@dataclass(frozen=True)
class NodeOutcome:
    """How one node counted in a month: ``carried`` when it fell due in an earlier month and was
    still open when this one began; ``workdays_late`` as of its completion, or of the month's last
    day when it is still open (0 for a node done on time, or due on the month's last day)."""

    node: object
    due: dt.date
    outcome: str
    workdays_late: int
    carried: bool

    def as_dict(self) -> dict:
        return {"id": getattr(self.node, "pk", None), "due": self.due.isoformat(), "outcome": str(self.outcome),
                "workdays_late": self.workdays_late, "carried": self.carried}


@dataclass(frozen=True)
class MonthResult:
    on_time: int
    late: int
    open: int
    claimed: int
    score: Decimal
    nodes: tuple[NodeOutcome, ...] = ()

    @property
    def counted(self) -> int:
        """The nodes the month judged: due in it, or late and still open when it began."""
        return self.on_time + self.late + self.open

    @property
    def carried(self) -> int:
        return sum(1 for entry in self.nodes if entry.carried)

    def as_dict(self) -> dict:
        return {"on_time": self.on_time, "late": self.late, "open": self.open, "claimed": self.claimed,
                "score": self.score}


def node_outcome(node, *, first: dt.date, last: dt.date, calendar: WorkCalendar) -> NodeOutcome | None:
    """How ``node`` counts in the month ``first``..``last``, or None when it does not.

    A node counts in the month of its due date, and, while it stays open past that date, in every
    later month until the month it is done: done by its due date → on time; done after it, in
    this month → late; not done by the month's last day → still open."""
    due = node_due_date(node.planned_date, calendar)
    done = node.completed_on
    if due > last:
        return None
    carried = due < first
    if carried and done is not None and done < first:
        return None  # done in an earlier month: counted there
    if done is None or done > last:
        lag = workdays_late(due, last, calendar) if due < last else 0
        return NodeOutcome(node=node, due=due, outcome=Outcome.OPEN, workdays_late=lag, carried=carried)
    if done <= due:
        return NodeOutcome(node=node, due=due, outcome=Outcome.ON_TIME, workdays_late=0, carried=False)
    return NodeOutcome(node=node, due=due, outcome=Outcome.LATE, workdays_late=workdays_late(due, done, calendar),
                       carried=carried)


def month_result(nodes, *, year: int, month: int, claimed: int, calendar: WorkCalendar,
                 weights: dict | None = None) -> MonthResult:
    """Score one unit for one month from its nodes.

    The nodes *counted in the month* are those whose due date (planned date moved past days off)
    falls in it, and those due earlier that were still open when it began (a late node counts
    against its unit in every month until it is done). Each is judged as of the month's last day,
    so recomputing later gives the same result: done by its due date → on time; done after it but
    within the month → late; not done by the month's end → still open. The score is the weighted
    share of the counted nodes, out of 100 (``nothing_due`` when none was counted: such a month is
    not ranked), plus ``claimed`` points per item the unit claimed (认领) and had confirmed in the
    month.
    """
    w = {**DEFAULT_WEIGHTS, **(weights or {})}
    first = dt.date(year, month, 1)
    last = month_end(first)
    outcomes = [entry for node in nodes
                if (entry := node_outcome(node, first=first, last=last, calendar=calendar)) is not None]
    # Still open first, the most working days late first, then by due date (and node, for a fixed order).
    outcomes.sort(key=lambda entry: (entry.outcome != Outcome.OPEN, -entry.workdays_late, entry.due,
                                     getattr(entry.node, "pk", None) or 0))
    on_time = sum(entry.outcome == Outcome.ON_TIME for entry in outcomes)
    late = sum(entry.outcome == Outcome.LATE for entry in outcomes)
    still_open = sum(entry.outcome == Outcome.OPEN for entry in outcomes)
    counted = on_time + late + still_open
    if counted:
        base = Decimal(str(w["on_time"])) * on_time + Decimal(str(w["late"])) * late + Decimal(str(w["open"])) * still_open
        score = Decimal(100) * base / counted
    else:
        score = Decimal(str(w["nothing_due"]))
    score += Decimal(str(w["claimed"])) * claimed
    return MonthResult(on_time=on_time, late=late, open=still_open, claimed=claimed,
                       score=score.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), nodes=tuple(outcomes))


@dataclass(frozen=True)
class RankRow:
    department: object
    score: Decimal
    previous: Decimal | None
    rank: int
    previous_rank: int | None

    @property
    def change(self) -> Decimal | None:
        return None if self.previous is None else self.score - self.previous

    @property
    def rank_change(self) -> int | None:
        # Positive = moved up the ranking.
        return None if self.previous_rank is None else self.previous_rank - self.rank


def ranking(current: dict, previous: dict) -> list[RankRow]:
    """Rank units by score (ties share a rank, then by name), with last month's score and rank.
    ``current``/``previous`` map a department to its score."""

    def ranks(scores: dict) -> dict:
        ordered = sorted(scores.items(), key=lambda kv: (-kv[1], str(kv[0])))
        result, last_score, last_rank = {}, None, 0
        for position, (dept, score) in enumerate(ordered, start=1):
            if score != last_score:
                last_rank, last_score = position, score
            result[dept] = last_rank
        return result

    now_ranks, then_ranks = ranks(current), ranks(previous)
    rows = [
        RankRow(department=dept, score=score, previous=previous.get(dept), rank=now_ranks[dept],
                previous_rank=then_ranks.get(dept))
        for dept, score in current.items()
    ]
    return sorted(rows, key=lambda row: (row.rank, str(row.department)))
