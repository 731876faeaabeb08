"""The dashboard panels of issue 6 that no single app owns: "what needs me today" per role.

Every count links to the list behind it, and is computed by that list's own FilterSet with the
very parameters of the link (``_tile``): the number on the dashboard and the rows of the list it
opens cannot drift apart. Charts carry their numbers as a table too (templates/portal/panels/).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict

from django.db.models import Count, F, Q, Value
from django.db.models.query import EmptyQuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from enterprises.models import Enterprise
from evaluations.models import Campaign, DepartmentMonthlyGrade, Rating, ReplacementCase
from projects.models import ProjectStewardAssignment
from stewards.models import ServiceRequest
from stewards.selectors import escalation_list, inbox_for_page, on_time_by_month, request_list
from zonehub.models import Role
from zonehub.tallies import tallies
from zonehub.workdays import local_date, month_bounds, months_before, parse_month


def _json(option: dict) -> str:
    """An ECharts option for a <script type="application/json">: "<" escaped so no name can close it."""
    return json.dumps(option, ensure_ascii=False).replace("<", "\\u003c")


def _url(name: str, **params) -> str:
    query = QueryDict(mutable=True)
    for key, value in params.items():
        query[key] = str(value)
    return f"{reverse(name)}?{query.urlencode()}" if params else reverse(name)


def _tile(label, rows, *, url_name: str, css: str = "", **params) -> dict:
    """One count and its link. ``rows`` are the rows the linked list shows under the link's
    parameters: the list's own queryset narrowed by the very queryset method its filter calls
    (``needing_attention``, ``by_deadline``, ``visited_this_month``…), so the two cannot drift
    apart. The count itself is left to ``_count``, which asks for all of a panel's tiles at once."""
    return {"label": label, "rows": rows, "count": 0, "url": _url(url_name, **params), "css": css}


def _count(tiles: list[dict]) -> list[dict]:
    """Fill in every tile's count in one round trip: a UNION ALL of one COUNT per tile, each over
    exactly the rows its list shows (the list's own queryset, whatever its model)."""
    parts = [
        tile["rows"].order_by().annotate(tile=Value(i)).values("tile")
        .annotate(n=Count("pk", distinct=True)).values_list("tile", "n")
        for i, tile in enumerate(tiles) if "rows" in tile and not isinstance(tile["rows"], EmptyQuerySet)
    ]
    counts = dict(parts[0].union(*parts[1:], all=True)) if parts else {}
    for i, tile in enumerate(tiles):
        if "rows" in tile:
            tile["count"] = counts.get(i, 0)
            del tile["rows"]
    return tiles


def home_panels(user) -> list[dict]:
    role = user.effective_role
    if role in (Role.LEADER, Role.ADMIN):
        return _leader_panels(user)
    if role == Role.WORKSTATION_HEAD:
        return [_head_tiles(user)]
    if role == Role.STEWARD:
        return [_steward_tiles(user)]
    if role == Role.DEPARTMENT and user.department_id:
        return [_department_panel(user)]
    if role == Role.ENTERPRISE and user.enterprise_id:
        return _project_stewards(user)
    return []


def _project_stewards(user) -> list[dict]:
    """Besides its enterprise steward (the "my steward" card), an enterprise investing in a major
    project has that project's steward (项目管家): name and phone, one query."""
    assignments = list(ProjectStewardAssignment.objects.active()
                       .filter(project__investor_id=user.enterprise_id)
                       .select_related("project", "steward__user").order_by("project__name"))
    if not assignments:
        return []
    return [{"template": "portal/panels/project_stewards.html", "order": 8, "css": "col-12 col-lg-6",
             "assignments": assignments}]


# --- tiles: the counts each role acts on ------------------------------------------------------

def _request_tiles(user, *tiles) -> list[dict]:
    return [_tile(label, request_list(user).needing_attention(attention), url_name="stewards:request_list",
                  css=css, attention=attention) for label, css, attention in tiles]


def _escalation_tiles(user, *tiles) -> list[dict]:
    return [_tile(label, escalation_list(user).by_deadline(deadline), url_name="stewards:escalation_list",
                  css=css, deadline=deadline) for label, css, deadline in tiles]


def _unvisited_tile(user, label) -> dict:
    return _tile(label, Enterprise.objects.visible_to(user).visited_this_month(False), url_name="enterprises:list",
                 css="text-warning-emphasis", visited="no")


def _head_tiles(user) -> dict:
    from django.utils.translation import gettext as _

    tiles = _request_tiles(
        user,
        (_("open requests of your stewards"), "", "open"),
        (_("not yet accepted"), "text-danger", "unaccepted"),
    )
    tiles.append(_unvisited_tile(user, _("enterprises without a visit this month")))
    tiles.append({"label": _("replacement cases waiting for you"), "css": "text-danger",
                  "rows": ReplacementCase.objects.visible_to(user).pending(),
                  "url": _url("evaluations:case_list", status=ReplacementCase.Status.PENDING)})
    return {"template": "portal/panels/tiles.html", "order": 1, "css": "col-12", "tiles": _count(tiles),
            "testid": "tiles-head"}


def _steward_tiles(user) -> dict:
    from django.utils.translation import gettext as _

    tiles = _request_tiles(user, (_("requests waiting to be accepted"), "text-danger", "unaccepted"),
                           (_("open requests"), "", "open"))
    tiles += _escalation_tiles(user, (_("escalations waiting for a reply"), "", "open"),
                               (_("escalations overdue"), "text-danger", "overdue"))
    tiles.append(_unvisited_tile(user, _("enterprises to visit this month")))
    return {"template": "portal/panels/tiles.html", "order": 1, "css": "col-12", "tiles": _count(tiles),
            "testid": "tiles-steward"}


def _department_panel(user) -> dict:
    from django.utils.translation import gettext as _

    # The inbox without parameters opens on "waiting for us" (stewards.filters.EscalationFilterSet).
    tiles = _count([
        _tile(_("escalations waiting for your reply"), inbox_for_page(user).open(), url_name="stewards:inbox"),
        _tile(_("overdue"), inbox_for_page(user).overdue(), url_name="stewards:inbox", css="text-danger",
              state="overdue"),
    ])
    grade = (DepartmentMonthlyGrade.objects.visible_to(user).filter(department_id=user.department_id).defer("detail")
             .order_by("-month").first())
    return {"template": "portal/panels/tiles.html", "order": 1, "css": "col-12", "tiles": tiles,
            "grade": grade, "testid": "tiles-department"}


# --- the leader's panels ------------------------------------------------------------------------

def _leader_panels(user) -> list[dict]:
    """The leader's charts: every request of the month, every escalation of six months, every
    rating of the campaign. Shared with the rest of the home page (portal.selectors, "the zone-wide
    half"), so they say when they were computed."""
    # The zone's tallies for those who see the whole zone; the figures are as old as the oldest.
    counted = tallies("portal.requests-month", "portal.campaign-rate") if user.sees_everything else {}
    as_of = min((t.computed_at for t in counted.values()), default=timezone.now())
    data = {name: t.data for name, t in counted.items()}
    panels = [_requests_this_month(user, tally=data.get("portal.requests-month")), _on_time_by_department(user),
              _ratings_and_grades(user, tally=data.get("portal.campaign-rate")), _policies(user),
              _meetings(user), _supply(user)]
    for panel in panels:
        panel["as_of"] = as_of
    return panels


# --- zone tallies: what the leader's panels count over the whole zone (zonehub.tallies) -----------

def _month_counts(queryset, month: str) -> list[list]:
    """Requests of ``queryset`` submitted in ``month`` ("2026-12"), by category and status: the
    request list's own month filter, so each count is the rows its link opens."""
    start, end = month_bounds(parse_month(month))  # as the list's month filter (zonehub.filters.MonthFilter)
    rows = queryset.filter(created_at__gte=start, created_at__lt=end)
    return [[r["category"], r["status"], r["n"]] for r in
            rows.order_by().values("category", "status").annotate(n=Count("id"))]


def tally_requests_month() -> dict:
    month = f"{local_date(timezone.now()):%Y-%m}"
    return {"month": month, "counts": _month_counts(ServiceRequest.objects.all(), month)}


def tally_enterprises() -> dict:
    return {"active": Enterprise.objects.filter(is_active=True).count()}


def tally_campaign_rate() -> dict:
    """The latest campaign's satisfied and unsatisfied ratings (none: no campaign yet)."""
    campaign = Campaign.objects.order_by("-opened_at").values_list("pk", flat=True).first()
    if campaign is None:
        return {"campaign": None}
    return {"campaign": campaign, **Rating.objects.filter(campaign_id=campaign).aggregate(
        satisfied=Count("id", filter=Q(value=Rating.Value.SATISFIED)),
        unsatisfied=Count("id", filter=Q(value=Rating.Value.UNSATISFIED)))}


TALLIES = {"portal.requests-month": tally_requests_month, "portal.enterprises": tally_enterprises,
           "portal.campaign-rate": tally_campaign_rate}


def _requests_this_month(user, *, today: dt.date | None = None, tally: dict | None = None) -> dict:
    """Requests submitted this month (Beijing time), by category and status: a stacked bar chart
    and the same numbers as a table, each cell linking to the request list filtered to it. From
    the zone's tally when it is of this month (``tally``, for those who see the whole zone)."""
    today = today or local_date(timezone.now())
    month = f"{today:%Y-%m}"
    if tally is None or tally["month"] != month:
        tally = {"counts": _month_counts(request_list(user), month)}
    counts = {(category, status): n for category, status, n in tally["counts"]}
    statuses = [s for s in ServiceRequest.Status if any(k[1] == s.value for k in counts)]
    rows = []
    for category in ServiceRequest.Category:
        cells = [{"count": counts.get((category.value, s.value), 0),
                  "url": _url("stewards:request_list", month=month, category=category.value, status=s.value)}
                 for s in statuses]
        total = sum(c["count"] for c in cells)
        rows.append({"label": str(category.label), "cells": cells, "total": total,
                     "url": _url("stewards:request_list", month=month, category=category.value)})
    chart = {
        "tooltip": {"trigger": "axis"}, "legend": {"type": "scroll"},
        "grid": {"left": 10, "right": 10, "top": 40, "bottom": 10, "containLabel": True},
        "xAxis": {"type": "category", "data": [str(r["label"]) for r in rows], "axisLabel": {"rotate": 30, "interval": 0}},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [{"name": str(s.label), "type": "bar", "stack": "all",
                    "data": [r["cells"][i]["count"] for r in rows]} for i, s in enumerate(statuses)],
    }
    total = sum(r["total"] for r in rows)
    return {"template": "portal/panels/requests_month.html", "order": 6, "css": "col-12 col-xl-6", "chart": bool(total),
            "month": today, "statuses": statuses, "rows": rows, "total": total,
            "url": _url("stewards:request_list", month=month), "chart_json": _json(chart)}


# A trend drawn from fewer points than this is no trend: the panel says so instead of drawing it.
MIN_POINTS_FOR_A_LINE = 2


def _on_time_by_department(user, *, today: dt.date | None = None) -> dict:
    """On-time reply rate of each department over the last six whole months: of the escalations
    whose reply was due in a month (Beijing time) and are decided (answered, or marked overdue),
    the share answered before the deadline. From the nightly roll-up (``on_time_by_month``): one
    small query however many escalations the half year had."""
    today = today or local_date(timezone.now())
    months = months_before(today, 6)
    by_dept: dict = defaultdict(dict)
    names = {}
    for row in on_time_by_month(user, months):
        by_dept[row["department_id"]][row["month"]] = row
        names[row["department_id"]] = row["department__short_name"] or row["department__name"]
    rows = []
    for dept_id in sorted(by_dept, key=lambda d: names[d]):
        cells = []
        for m in months:
            r = by_dept[dept_id].get(m)
            decided = r["decided"] if r else 0
            cells.append({"rate": round(100 * r["on_time"] / decided, 1) if decided else None,
                          "due": decided, "on_time": r["on_time"] if r else 0})
        rows.append({"name": names[dept_id], "cells": cells,
                     "url": _url("stewards:escalation_list", department=dept_id, deadline="done")})
    # A line needs two months: with fewer, the panel says so and shows the table alone.
    months_with_data = sum(1 for i in range(len(months)) if any(r["cells"][i]["due"] for r in rows))
    chart = {
        "tooltip": {"trigger": "axis"}, "legend": {"type": "scroll"},
        "grid": {"left": 10, "right": 10, "top": 40, "bottom": 10, "containLabel": True},
        "xAxis": {"type": "category", "data": [f"{m.year}年{m.month}月" for m in months]},
        "yAxis": {"type": "value", "min": 0, "max": 100, "axisLabel": {"formatter": "{value}%"}},
        "series": [{"name": r["name"], "type": "line", "connectNulls": True, "showSymbol": True, "symbolSize": 7,
                    "data": [c["rate"] for c in r["cells"]]} for r in rows],
    }
    enough = months_with_data >= MIN_POINTS_FOR_A_LINE
    return {"template": "portal/panels/on_time.html", "order": 7, "css": "col-12 col-xl-6", "chart": enough,
            "months": months, "rows": rows, "months_with_data": months_with_data,
            "chart_json": _json(chart) if enough else ""}


def _ratings_and_grades(user, *, today: dt.date | None = None, tally: dict | None = None) -> dict:
    """The latest campaign's satisfaction rate (from the zone's tally, ``tally``, when it is of
    that campaign), and last month's department grades."""
    today = today or local_date(timezone.now())
    campaign = Campaign.objects.visible_to(user).order_by("-opened_at").first()
    rate = None
    if campaign is not None:
        if tally and tally["campaign"] == campaign.pk:
            counts = {"satisfied": tally["satisfied"], "unsatisfied": tally["unsatisfied"]}
        else:
            counts = Rating.objects.visible_to(user).filter(campaign=campaign).aggregate(
                satisfied=Count("id", filter=Q(value=Rating.Value.SATISFIED)),
                unsatisfied=Count("id", filter=Q(value=Rating.Value.UNSATISFIED)))
        total = counts["satisfied"] + counts["unsatisfied"]
        rate = {**counts, "total": total, "pct": round(100 * counts["satisfied"] / total, 1) if total else None}
    last_month = months_before(today, 1)[0]
    # Not ``detail``: each grade's rows behind it, read on the grade's own page (it grows with the zone).
    grades = list(DepartmentMonthlyGrade.objects.visible_to(user).filter(month=last_month).defer("detail")
                  .select_related("department").order_by(F("score").desc(nulls_last=True), "department__name"))
    return {"template": "portal/panels/ratings_grades.html", "order": 41, "css": "col-12 col-xl-6",
            "campaign": campaign, "rate": rate, "grades": grades, "grade_month": last_month,
            "grades_url": _url("evaluations:grade_list", month=f"{last_month:%Y-%m}")}


def _meetings(user) -> dict:
    """Meeting decisions open per department, overdue, and the year's chase-ups (督办, issue 16);
    the meetings app computes it, each figure a link to its rows."""
    from meetings.selectors import leader_decision_panel

    return leader_decision_panel(user)


def _supply(user) -> dict:
    """Supply matchmaking (产业链撮合, issue 18): this year's fee income and deliveries, the local
    supply ratio, open cases, and fee income with the ratio by month; the supply app computes it,
    each figure a link to its rows."""
    from supply.selectors import leader_supply_panel

    return leader_supply_panel(user)


def _policies(user) -> dict:
    """Policy push (精准滴灌, issue 17): qualifying, pushed, viewed, applied and redeemed for the
    policies of the last twelve months, as a chart and its table; the policies app computes it."""
    from policies.selectors import leader_policy_panel

    return leader_policy_panel(user)
