"""Reads about projects and the five-key list. Every read starts from ``visible_to(user)``."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Case, Count, F, Prefetch, Q, Sum, Value, When, Window
from django.db.models.functions import Coalesce, Concat, NullIf, RowNumber, Trim
from django.urls import reverse
from django.utils import timezone

from projects.models import (
    STAGE_ORDER,
    Approval,
    Category,
    ConstructionNode,
    FiveKeyItem,
    FiveKeyNode,
    FiveKeyProgressDay,
    Project,
    ProjectBlocker,
    ProjectStageChange,
    ProjectStewardAssignment,
    Stage,
    UnitMonthlyScore,
)
from projects.progress import STATUS_ORDER, Progress, Status, item_progress, month_result
from stewards.models import Escalation, Steward
from zonehub import recipients
from zonehub.models import Department, Role
from zonehub.pagination import CappedPaginator, count_cap
from zonehub.tallies import tallies
from zonehub.workdays import WorkCalendar, local_date, month_end, previous_month


def today() -> dt.date:
    return local_date(timezone.now())


def fivekey_weights() -> dict:
    return getattr(settings, "ZONEHUB_FIVEKEY_WEIGHTS", {})


# --------------------------------------------------------------------------------------------
# The monthly assessment
# --------------------------------------------------------------------------------------------


def _unit_month_nodes(department, year: int, month: int):
    first = dt.date(year, month, 1)
    last = month_end(first)
    # The nodes due by the month's end that were not done before it began, and those done before
    # it whose due date may still fall in it: a due date can move up to a couple of weeks past its
    # planned date (Spring Festival, National Day). ``month_result`` decides.
    return FiveKeyNode.objects.filter(
        Q(planned_date__gte=first - dt.timedelta(days=20)) | Q(completed_on__isnull=True) | Q(completed_on__gte=first),
        item__responsible_unit=department, planned_date__lte=last,
    ).only("planned_date", "completed_on", "item_id").order_by("planned_date", "pk")


def _unit_month_claims(department, year: int, month: int) -> int:
    first = dt.date(year, month, 1)
    last = month_end(first)
    return FiveKeyItem.objects.filter(
        responsible_unit=department, claim=FiveKeyItem.Claim.CONFIRMED,
        claim_confirmed_on__gte=first, claim_confirmed_on__lte=last,
    ).count()


def unit_month_compute(*, department, year: int, month: int, calendar: WorkCalendar | None = None):
    """Compute (not store) a unit's five-key result for a month."""
    calendar = calendar or WorkCalendar()
    return month_result(
        _unit_month_nodes(department, year, month), year=year, month=month,
        claimed=_unit_month_claims(department, year, month), calendar=calendar, weights=fivekey_weights(),
    )


def unit_node_results(*, department, year: int, month: int) -> dict:
    """A department's five-key nodes for a month, for the department grades:
    {"on_time", "late", "open", "claimed", "score", "nodes"}. The figures are the stored assessment
    when there is one, otherwise computed now by the same rule (so they never disagree with the
    ranking); "nodes" lists how each counted node counted (``NodeOutcome.as_dict``: id, due date,
    outcome, working days late, carried from an earlier month), computed by that rule."""
    computed = unit_month_compute(department=department, year=year, month=month)
    row = UnitMonthlyScore.objects.filter(department=department, year=year, month=month).first()
    figures = computed.as_dict() if row is None else {
        "on_time": row.on_time, "late": row.late, "open": row.open, "claimed": row.claimed, "score": row.score}
    return {**figures, "nodes": [entry.as_dict() for entry in computed.nodes]}


def fivekey_nodes_by_ids(ids) -> dict[int, FiveKeyNode]:
    """The nodes of ``ids`` with their item and unit (a grade's detail lists the nodes it counted)."""
    return FiveKeyNode.objects.filter(pk__in=list(ids)).select_related("item__responsible_unit").in_bulk()


def is_assessed(row: UnitMonthlyScore) -> bool:
    """A unit had something assessed in a month: a node counted, or an item claimed."""
    return bool(row.on_time or row.late or row.open or row.claimed)


@dataclass
class RankingRow:
    department: Department
    score: UnitMonthlyScore
    previous: Decimal | None
    rank: int | None
    previous_rank: int | None

    @property
    def change(self):
        return None if self.previous is None else self.score.score - self.previous

    @property
    def rank_change(self):
        return None if self.previous_rank is None or self.rank is None else self.previous_rank - self.rank


def unit_ranking(*, user, year: int, month: int) -> dict:
    """The units' scores of a month: {"rows": the units that had something assessed, best first,
    with last month's score and rank when they were assessed then too; "unassessed": the units
    with no node counted and no claim that month (no score, not ranked)}. Two queries."""
    from projects.progress import ranking

    before_month = previous_month(dt.date(year, month, 1))
    stored = list(UnitMonthlyScore.objects.visible_to(user)
                  .filter(Q(year=year, month=month) | Q(year=before_month.year, month=before_month.month))
                  .select_related("department"))
    rows = {row.department: row for row in stored if (row.year, row.month) == (year, month) and is_assessed(row)}
    before = {row.department: row.score for row in stored
              if (row.year, row.month) == (before_month.year, before_month.month) and is_assessed(row)}
    ranked = ranking({dept: row.score for dept, row in rows.items()}, before)
    unassessed = sorted((row for row in stored if (row.year, row.month) == (year, month) and not is_assessed(row)),
                        key=lambda row: row.department.name)
    return {
        "rows": [RankingRow(department=r.department, score=rows[r.department], previous=r.previous, rank=r.rank,
                            previous_rank=r.previous_rank) for r in ranked],
        "unassessed": unassessed,
    }


# --------------------------------------------------------------------------------------------
# The five-key board
# --------------------------------------------------------------------------------------------


def fivekey_item_queryset(user):
    return (
        FiveKeyItem.objects.visible_to(user)
        .select_related("lead_leader", "responsible_unit", "claim_unit")
        .prefetch_related(
            Prefetch("nodes", queryset=FiveKeyNode.objects.order_by("planned_date", "id")),
            Prefetch("cooperating_units", queryset=Department.objects.order_by("name")),
        )
    )


@dataclass(frozen=True)
class StoredLateNode:
    node: FiveKeyNode
    workdays_late: int


@dataclass(frozen=True)
class StoredProgress:
    """An item's progress as stored on it (``FiveKeyItem.progress_*``), with the attributes of
    ``progress.Progress`` the board's templates read."""

    status: str
    completed: int
    total: int
    workdays_late: int
    worst: StoredLateNode | None

    @classmethod
    def of(cls, item: FiveKeyItem) -> StoredProgress:
        late = item.progress_late_node if item.progress_late_node_id else None
        return cls(status=item.progress_status, completed=item.progress_done, total=item.progress_total,
                   workdays_late=item.progress_late_days,
                   worst=StoredLateNode(node=late, workdays_late=item.progress_late_days) if late else None)

    def get_status_display(self) -> str:
        return str(Status(self.status).label) if self.status else ""


@dataclass
class BoardRow:
    item: FiveKeyItem
    progress: Progress | StoredProgress


def with_progress(items, *, on: dt.date | None = None, calendar: WorkCalendar | None = None) -> list[BoardRow]:
    on = on or today()
    calendar = calendar or WorkCalendar.for_years({on.year, on.year - 1, on.year + 1})
    return [BoardRow(item=item, progress=item_progress(item.nodes.all(), today=on, calendar=calendar)) for item in items]


def fivekey_board(*, user, year: int, unit=None, leader=None, status: str = "", category: str = "",
                  on: dt.date | None = None) -> dict:
    """The director's board: the items of a year, lagging first within each category, with counts.
    A fixed number of queries whatever the number of items: one for the items, one per prefetch,
    and the calendar."""
    qs = fivekey_item_queryset(user).filter(year=year)
    if unit is not None:
        qs = qs.filter(responsible_unit=unit)
    if leader is not None:
        qs = qs.filter(lead_leader=leader)
    if category:
        qs = qs.filter(category=category)
    rows = with_progress(qs, on=on)
    counts = {c.value: Counter() for c in Category}
    for row in rows:
        counts[row.item.category][row.progress.status] += 1
    if status:
        rows = [row for row in rows if row.progress.status == status]
    rows.sort(key=lambda row: (STATUS_ORDER[row.progress.status], -row.progress.workdays_late, row.item.pk))
    groups = []
    for cat in Category:
        cat_rows = [row for row in rows if row.item.category == cat.value]
        if cat_rows or not (status or category):
            groups.append({"category": cat, "rows": cat_rows,
                           "counts": {s.value: counts[cat.value][s.value] for s in Status},
                           "total": sum(counts[cat.value].values())})
    return {"groups": groups, "rows": rows, **_board_counts(counts)}


# The order of STATUS_ORDER (lagging, done late, on schedule, ahead), the most working days late
# first within each, then by pk: from the stored columns, so that an index (fivekey_board_rank_idx)
# serves it.
BOARD_ORDER = ("progress_rank", "-progress_late_days", "pk")

# User.display_name in SQL: the name, else the full name, else the username.
_LEADER_NAME = Coalesce(
    NullIf("lead_leader__name", Value("")),
    NullIf(Trim(Concat("lead_leader__first_name", Value(" "), "lead_leader__last_name")), Value("")),
    "lead_leader__username",
)

# The board's other sorts (views.BOARD_SORTS, in SQL); items without a unit come first.
BOARD_SORT_ORDERS = {
    "title": ("title", "pk"),
    "unit": (F("responsible_unit__name").asc(nulls_first=True), "pk"),
    "leader": (_LEADER_NAME.asc(), "pk"),
    "progress": ("progress_done", "pk"),
}

BOARD_PAGE_SIZE = 50
# The rows each category shows when the board shows every category; the rest behind a link.
BOARD_GROUP_SIZE = 25


class _CountedPaginator(CappedPaginator):
    """The board knows how many rows match from the summary it shows: no second COUNT. The pages
    stop at the list cap as on every other list."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.__dict__["count"] = min(count, count_cap() + 1)


def fivekey_board_items(*, user, year: int, unit=None, leader=None, category: str = ""):
    items = FiveKeyItem.objects.visible_to(user).filter(year=year)
    if unit is not None:
        items = items.filter(responsible_unit=unit)
    if leader is not None:
        items = items.filter(lead_leader=leader)
    if category:
        items = items.filter(category=category)
    return items


def fivekey_board_summary(items) -> dict:
    """How many of ``items`` are in each category and status, from the stored progress: one
    grouped COUNT that the (year, category, progress_status) index answers alone."""
    counts = {c.value: Counter() for c in Category}
    for row in items.order_by().values("category", "progress_status").annotate(n=Count("*")):
        if row["category"] in counts and row["progress_status"]:
            counts[row["category"]][row["progress_status"]] += row["n"]
    return {"counts": counts, **_board_counts(counts)}


def fivekey_board_counts(*, user, year: int, unit=None, leader=None, category: str = "") -> dict:
    """The board's summary (``fivekey_board_summary``) of the items the filters keep. The whole
    board of a year, or one category of it, for a user who sees every item: read from the year's
    stored counts (``FiveKeyProgressDay.counts``, one row whatever the zone holds, kept by
    ``services``), which the caller made today's (``services.fivekey_progress_refresh_stale``).
    A unit's or a leader's items, or a year not counted yet, are counted."""
    visible = FiveKeyItem.objects.visible_to(user)
    stored = None
    if unit is None and leader is None and not visible.query.is_empty() and not visible.query.where:
        stored = next(iter(FiveKeyProgressDay.objects.filter(year=year).values_list("counts", flat=True)[:1]), None)
    if stored is None:
        return fivekey_board_summary(fivekey_board_items(user=user, year=year, unit=unit, leader=leader,
                                                         category=category))
    counts = {c.value: Counter() if category and c.value != category else
              Counter({status: n for status, n in stored.get(c.value, {}).items() if n})
              for c in Category}
    return {"counts": counts, **_board_counts(counts)}


def _board_counts(counts: dict[str, Counter]) -> dict:
    """The board's summary from {category: Counter(status)}: per status, per category, in all.
    Shared by the paged board (stored progress) and the full one (print, export)."""
    status_totals = Counter()
    for by_status in counts.values():
        status_totals.update(by_status)
    return {
        "status_totals": {s.value: status_totals[s.value] for s in Status},
        "category_counts": [
            {"category": cat, "counts": {s.value: counts[cat.value][s.value] for s in Status},
             "total": sum(counts[cat.value].values())}
            for cat in Category
        ],
        "total": sum(status_totals.values()),
    }


def fivekey_board_page(*, user, year: int, unit=None, leader=None, status: str = "", category: str = "",
                       sort: str = "", page=1, per_page: int | None = None, group_size: int | None = None) -> dict:
    """The director's board from the progress stored on the items (which must be today's:
    ``services.fivekey_progress_refresh_stale``): the counts by category and status, and the rows,
    lagging first (or by ``sort``), under their category as on the wall chart.

    Every category at once shows its first ``group_size`` rows (``BOARD_GROUP_SIZE``) and says how
    many more it has (``more``): one query, a row number per category. One category (``category``)
    shows all its rows, a page at a time. Either way a category is never cut off without saying
    so, and the cost is the same for 600 items as for 30,000."""
    items = fivekey_board_items(user=user, year=year, unit=unit, leader=leader, category=category)
    summary = fivekey_board_counts(user=user, year=year, unit=unit, leader=leader, category=category)
    counts = summary.pop("counts")
    if status:
        items = items.with_status(status)
    order = BOARD_SORT_ORDERS.get(sort, BOARD_ORDER)
    items = items.select_related("lead_leader", "responsible_unit", "claim_unit", "progress_late_node")
    matching = summary["status_totals"].get(status, 0) if status else summary["total"]
    paginator = page_obj = None
    if category:
        paginator = _CountedPaginator(items.order_by(*order), per_page or BOARD_PAGE_SIZE, count=matching)
        page_obj = paginator.get_page(page)
        rows = [BoardRow(item=item, progress=StoredProgress.of(item)) for item in page_obj.object_list]
    else:
        limit = group_size or BOARD_GROUP_SIZE
        position = {value: index for index, value in enumerate(Category.values)}
        rows = sorted((BoardRow(item=item, progress=StoredProgress.of(item))
                       for item in items.filter(pk__in=_board_firsts(items, order, limit, counts, status))
                       .order_by(*order)),
                      key=lambda row: position.get(row.item.category, len(position)))  # stable: keeps the order
    groups = []
    for cat in Category:
        cat_rows = [row for row in rows if row.item.category == cat.value]
        in_all = counts[cat.value][status] if status else sum(counts[cat.value].values())
        if category and cat.value != category:
            continue
        # Every category is named, even one with no item (unless the list is filtered).
        if cat_rows or in_all or not status:
            first = page_obj.start_index() if page_obj is not None and cat_rows else 1
            groups.append({"category": cat, "rows": cat_rows, "count": in_all,
                           "from": first, "to": first + len(cat_rows) - 1,
                           "more": 0 if category else max(in_all - len(cat_rows), 0),
                           "counts": {s.value: counts[cat.value][s.value] for s in Status},
                           "total": sum(counts[cat.value].values())})
    return {**summary, "groups": groups, "rows": rows, "page_obj": page_obj, "paginator": paginator,
            "matching": matching}


def _board_firsts(items, order, limit: int, counts: dict, status: str):
    """The ids of the first ``limit`` rows of each category that has any, as one subquery. Where
    the database takes a LIMIT in each arm of a UNION (PostgreSQL), each arm is the first rows of
    the (year, category, rank…) index: the cost of a page whatever the year holds. Elsewhere
    (SQLite: the tests' small zones) a row number per category over the year's items."""
    bare = items.select_related(None)
    if not connection.features.supports_slicing_ordering_in_compound:
        return (bare.annotate(position=Window(RowNumber(), partition_by=[F("category")], order_by=list(order)))
                .filter(position__lte=limit).values("pk"))
    arms = [bare.filter(category=cat.value).order_by(*order).values("pk")[:limit] for cat in Category
            if (counts[cat.value][status] if status else sum(counts[cat.value].values()))]
    if not arms:
        return bare.none().values("pk")
    return arms[0].union(*arms[1:], all=True) if len(arms) > 1 else arms[0]


# The print and the export read the board this many items at a time (with their nodes).
BOARD_STREAM_CHUNK = 500


def fivekey_board_stream(*, user, year: int, unit=None, leader=None, status: str = "", category: str = "",
                         sort: str = "", on: dt.date | None = None) -> dict:
    """The whole board for the wall chart's print and its Excel export, as a stream: the summary
    from the stored progress (which must be today's: ``services.fivekey_progress_refresh_stale``),
    the categories to show, and ``rows``, a generator of the items in the board's order (category,
    then lagging first or ``sort``), ``BOARD_STREAM_CHUNK`` at a time with their nodes, each with
    its progress computed from the nodes as on its own page. However many items the year holds,
    memory holds one chunk, and the first rows go out before the last are read."""
    on = on or today()
    items = fivekey_board_items(user=user, year=year, unit=unit, leader=leader, category=category)
    summary = fivekey_board_counts(user=user, year=year, unit=unit, leader=leader, category=category)
    counts = summary.pop("counts")
    if status:
        items = items.with_status(status)
    position = Case(*(When(category=cat.value, then=Value(index)) for index, cat in enumerate(Category)),
                    default=Value(len(Category)))
    items = (fivekey_item_queryset(user).filter(pk__in=items.values("pk"))
             .order_by(position, *BOARD_SORT_ORDERS.get(sort, BOARD_ORDER)))
    calendar = WorkCalendar.for_years({on.year - 1, on.year, on.year + 1})

    def rows():
        for item in items.iterator(chunk_size=BOARD_STREAM_CHUNK):
            yield BoardRow(item=item, progress=item_progress(item.nodes.all(), today=on, calendar=calendar))

    groups = []
    for cat in Category:
        in_all = counts[cat.value][status] if status else sum(counts[cat.value].values())
        # Every category is named, even one with no item (unless the list is filtered).
        if (cat.value == category) if category else (in_all or not status):
            groups.append({"category": cat, "count": in_all, "counts": {s.value: counts[cat.value][s.value] for s in Status},
                           "total": sum(counts[cat.value].values())})
    return {**summary, "groups": groups, "rows": rows()}


def fivekey_lagging(*, user, year: int, limit: int = 8) -> list[BoardRow]:
    """The most lagging items of a year, from the stored progress: the first rows of the board's index."""
    items = (FiveKeyItem.objects.visible_to(user).filter(year=year).with_status(Status.LAGGING)
             .select_related("responsible_unit", "progress_late_node").order_by(*BOARD_ORDER)[:limit])
    return [BoardRow(item=item, progress=StoredProgress.of(item)) for item in items]


def fivekey_item_get(*, user, pk: int) -> FiveKeyItem:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(fivekey_item_queryset(user).select_related("enterprise", "project"), pk=pk)


def fivekey_years(user) -> list[int]:
    """The years from the first item's to the last's, and this year: two look-ups in an index
    that starts with the year, not a pass over the items."""
    items = FiveKeyItem.objects.visible_to(user).values_list("year", flat=True)
    first, last = items.order_by("year").first(), items.order_by("-year").first()
    years = set(range(first, last + 1)) if first is not None else set()
    years.add(today().year)
    return sorted(years, reverse=True)


# --------------------------------------------------------------------------------------------
# Projects
# --------------------------------------------------------------------------------------------


def project_list(user):
    return (
        Project.objects.visible_to(user)
        .select_related("industry", "investor")
        .annotate(
            approvals_open=Count("approvals", filter=~Q(approvals__status=Approval.Status.APPROVED), distinct=True),
            approvals_blocked=Count("approvals", filter=Q(approvals__status=Approval.Status.BLOCKED), distinct=True),
        )
        .prefetch_related(
            Prefetch("steward_assignments", queryset=ProjectStewardAssignment.objects.active()
                     .select_related("steward__user"), to_attr="active_stewards"),
        )
    )


def project_get(*, user, pk: int) -> Project:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        Project.objects.visible_to(user).select_related("industry", "investor").prefetch_related(
            Prefetch("approvals", queryset=Approval.objects.select_related("department").order_by("kind", "id")),
            "construction_nodes",
            Prefetch("stage_changes", queryset=ProjectStageChange.objects.select_related("changed_by")),
            Prefetch("steward_assignments", queryset=ProjectStewardAssignment.objects.select_related(
                "steward__user", "assigned_by")),
        ),
        pk=pk,
    )


def project_stewards_of(*, enterprise) -> list:
    """The active project stewards of the projects ``enterprise`` invests in, as Steward objects
    (an enterprise rates them alongside its own steward)."""
    ids = ProjectStewardAssignment.objects.active().filter(project__investor=enterprise).values("steward_id")
    return list(Steward.objects.filter(pk__in=ids).select_related("user"))


def active_project_steward(project):
    return (ProjectStewardAssignment.objects.active().filter(project=project)
            .select_related("steward__user").first())


def _stage_rows(projects) -> dict:
    return {r["stage"]: r for r in projects.values("stage")
            .annotate(n=Count("id"), investment=Sum("total_investment")).order_by()}


def tally_projects_by_stage() -> dict:
    """The zone's projects by stage, with their investment (``zonehub.tallies``: counted by the
    beat, read in one query by the leaders' home page and the project list's header)."""
    return {stage: {"n": row["n"], "investment": str(row["investment"] or 0)}
            for stage, row in _stage_rows(Project.objects.all()).items()}


def projects_by_stage(user) -> list[dict]:
    """How many projects ``user`` sees at each stage, and their investment: for those who see
    the whole zone from its tally (one row, however many projects), else counted in their scope."""
    counted = tallies("projects.by-stage") if user.sees_everything else {}
    if counted:
        rows = {stage: {"n": row["n"], "investment": Decimal(row["investment"])}
                for stage, row in counted["projects.by-stage"].data.items()}
    else:
        rows = _stage_rows(Project.objects.visible_to(user))
    return [{"stage": stage, "label": stage.label, "count": rows.get(stage.value, {}).get("n", 0),
             "investment": rows.get(stage.value, {}).get("investment") or 0} for stage in Stage]


def _pct_change(now: Decimal, before: Decimal):
    if not before:
        return None
    return ((Decimal(now) - Decimal(before)) * 100 / Decimal(before)).quantize(Decimal("0.1"))


def investment_figures(*, user, year: int) -> dict:
    """Investment attraction (招商) from the projects themselves: the projects signed in a year,
    their agreed investment, funds in place and agreed annual output, by industry chain, against
    the year before."""

    def by_chain(y):
        rows = (
            Project.objects.visible_to(user).filter(signed_on__year=y)
            .values("industry_id", "industry__name", "industry__order")
            .annotate(count=Count("id"), investment=Sum("total_investment"), funds=Sum("funds_in_place"),
                      output=Sum("agreed_annual_output"))
            .order_by("industry__order", "industry__name")
        )
        return {r["industry_id"]: r for r in rows}

    now, before = by_chain(year), by_chain(year - 1)
    chains = []
    zero = Decimal(0)
    for chain_id in list(now) + [c for c in before if c not in now]:
        cur, prev = now.get(chain_id, {}), before.get(chain_id, {})
        name = (cur or prev)["industry__name"]
        chains.append({
            "industry": name,
            "count": cur.get("count", 0), "count_before": prev.get("count", 0),
            "investment": cur.get("investment") or zero, "investment_before": prev.get("investment") or zero,
            "funds": cur.get("funds") or zero, "funds_before": prev.get("funds") or zero,
            "output": cur.get("output") or zero, "output_before": prev.get("output") or zero,
        })
    for row in chains:
        row["investment_change"] = _pct_change(row["investment"], row["investment_before"])
        row["funds_change"] = _pct_change(row["funds"], row["funds_before"])
        row["output_change"] = _pct_change(row["output"], row["output_before"])
        row["count_change"] = _pct_change(row["count"], row["count_before"])
    total = {key: sum((row[key] for row in chains), zero if key not in ("count", "count_before") else 0)
             for key in ("count", "count_before", "investment", "investment_before", "funds", "funds_before",
                         "output", "output_before")}
    total["investment_change"] = _pct_change(total["investment"], total["investment_before"])
    total["funds_change"] = _pct_change(total["funds"], total["funds_before"])
    total["output_change"] = _pct_change(total["output"], total["output_before"])
    total["count_change"] = _pct_change(total["count"], total["count_before"])
    return {"year": year, "chains": chains, "total": total}


# --------------------------------------------------------------------------------------------
# Home panels
# --------------------------------------------------------------------------------------------


def home_panels(user) -> list[dict]:
    role = user.effective_role
    now = today()
    panels: list[dict] = []
    if role in (Role.LEADER, Role.ADMIN):
        # The panel counts like the board, from the stored progress: the caller makes it today's
        # first (``services.fivekey_progress_refresh_stale``, a write; a selector never writes).
        summary = fivekey_board_counts(user=user, year=now.year)
        panels.append({
            "template": "projects/panels/leader_fivekey.html", "order": 20, "board_url": reverse("projects:board"),
            "status_totals": summary["status_totals"], "total": summary["total"], "year": now.year,
            "category_counts": summary["category_counts"],
            "lagging": fivekey_lagging(user=user, year=now.year),
        })
        panels.append({"template": "projects/panels/projects_by_stage.html", "order": 21,
                       "list_url": reverse("projects:project_list"),
                       "stages": projects_by_stage(user)})
    elif role == Role.DEPARTMENT and user.department_id:
        horizon = now + dt.timedelta(days=30)
        nodes = list(
            FiveKeyNode.objects.filter(item__responsible_unit_id=user.department_id, completed_on__isnull=True,
                                       planned_date__lte=horizon)
            .select_related("item").order_by("planned_date")[:12]
        )
        calendar = WorkCalendar.for_years({now.year, horizon.year})
        from projects.progress import node_dates_text, node_due_date, workdays_late

        for node in nodes:
            due = node_due_date(node.planned_date, calendar)
            node.dates_text = node_dates_text(node.planned_date, due)
            node.is_late = due < now
            node.workdays_late = workdays_late(due, now, calendar) if node.is_late else 0
        panels.append({"template": "projects/panels/department_nodes.html", "order": 20, "nodes": nodes})
    elif role in (Role.STEWARD, Role.WORKSTATION_HEAD):
        panels.append({"template": "projects/panels/steward_projects.html", "order": 25,
                       **projects_holding_up(user, today=now)})
    return panels


def projects_holding_up(user, *, today: dt.date) -> dict:
    """The user's projects and what holds each up now: approvals blocked or past their due date
    (``Approval.is_holding_up``), construction nodes past their date and not reached. One query:
    the approvals, the nodes and the count of projects as one UNION ALL."""
    mine = Project.objects.visible_to(user).values("pk")
    held = (Approval.objects.filter(project__in=mine).exclude(status=Approval.Status.APPROVED)
            .filter(Q(status=Approval.Status.BLOCKED) | Q(due_on__lt=today))
            .order_by().values_list(Value(1), "project_id", "project__name", "kind"))
    late = (ConstructionNode.objects.filter(project__in=mine, actual_date__isnull=True, planned_date__lt=today)
            .order_by().values_list(Value(2), "project_id", "project__name", "name"))
    count = (Project.objects.visible_to(user).order_by().annotate(part=Value(0)).values("part")
             .annotate(n=Count("pk")).values_list("part", "n", Value(""), Value("")))
    total, by_project = 0, {}
    for part, project_id, name, label in held.union(late, count, all=True):
        if part == 0:
            total = project_id
            continue
        entry = by_project.setdefault(project_id, {
            "project": {"name": name, "url": reverse("projects:project_detail", args=[project_id])},
            "approvals": [], "nodes": []})
        if part == 1:
            entry["approvals"].append(Approval.Kind(label).label if label in Approval.Kind.values else label)
        else:
            entry["nodes"].append(label)
    attention = sorted(by_project.values(), key=lambda entry: entry["project"]["name"])
    return {"count": total, "attention": attention}


def stage_label(stage: str) -> str:
    return str(Stage(stage).label) if stage in STAGE_ORDER else stage


def unit_users(department_ids) -> list:
    return recipients.department_users(department_ids)


def project_blockers(user, project: Project) -> list[ProjectBlocker]:
    """The project's blockers ``user`` may see, each with its request and escalations (a read
    kept beside the write for the project page: three queries)."""
    return list(ProjectBlocker.objects.visible_to(user).filter(project=project)
                .select_related("request", "raised_by", "approval")
                .prefetch_related(Prefetch("request__escalations", queryset=Escalation.objects.visible_to(user)
                                           .select_related("department").order_by("sent_at", "pk"),
                                           to_attr="visible_escalations"))
                .order_by("-raised_at", "-id"))


def uncovered_project_list(user):
    """The projects without a project steward the user may see (issue 16: every major project is
    served), the longest waiting first; flagged overdue once their period has passed."""
    return (Project.objects.visible_to(user).without_steward()
            .select_related("investor", "industry", "investor__workstation")
            .order_by(F("steward_due_at").asc(nulls_first=True), "created_at", "id"))
