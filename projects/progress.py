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
* An item is *lagging* when any of its nodes is late; *ahead* when it is not lagging and has
  completed more nodes than were due by that day; otherwise *on schedule*.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from zonehub.workdays import WorkCalendar, month_end


class Status(models.TextChoices):
    LAGGING = "lagging", _("lagging")
    ON_SCHEDULE = "on_schedule", _("on schedule")
    AHEAD = "ahead", _("ahead")


# Lagging first on the board.
STATUS_ORDER = {Status.LAGGING: 0, Status.ON_SCHEDULE: 1, Status.AHEAD: 2}


@dataclass(frozen=True)
class LateNode:
    node: object
    due: dt.date
    workdays_late: int


@dataclass(frozen=True)
class Progress:
    status: str
    total: int
    completed: int
    due: int
    late: tuple[LateNode, ...]

    @property
    def worst(self) -> LateNode | None:
        return max(self.late, key=lambda late: late.workdays_late) if self.late else None

    @property
    def workdays_late(self) -> int:
        return self.worst.workdays_late if self.late else 0

    @property
    def is_complete(self) -> bool:
        return self.total > 0 and self.completed == self.total

    def get_status_display(self) -> str:
        return str(Status(self.status).label)


def node_due_date(planned: dt.date, calendar: WorkCalendar) -> dt.date:
    """The last day of a node's period: its planned date, moved to the next working day if that
    date is a day off."""
    return calendar.first_workday_on_or_after(planned)


def workdays_late(due: dt.date, today: dt.date, calendar: WorkCalendar) -> int:
    return max(calendar.workdays_between(due, today), 1)


def item_progress(nodes, *, today: dt.date, calendar: WorkCalendar) -> Progress:
    """The status of one item on ``today`` from its nodes (anything with ``planned_date`` and
    ``completed_on``). Completions after ``today`` do not count yet, so past days can be replayed."""
    total = completed = due = 0
    late: list[LateNode] = []
    for node in nodes:
        total += 1
        done = node.completed_on is not None and node.completed_on <= today
        completed += done
        node_due = node_due_date(node.planned_date, calendar)
        if node_due < today:
            due += 1
            if not done:
                late.append(LateNode(node=node, due=node_due, workdays_late=workdays_late(node_due, today, calendar)))
    if late:
        status = Status.LAGGING
    elif completed > due:
        status = Status.AHEAD
    else:
        status = Status.ON_SCHEDULE
    late.sort(key=lambda entry: (-entry.workdays_late, entry.due))
    return Progress(status=status, total=total, completed=completed, due=due, late=tuple(late))


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
