"""Reads of issue 16 (every enterprise served, every cadre serving): the visits page's coverage,
the name plates (电话名牌), the items raised straight to a head (一键直达), and the home panel of a
cadre serving as a steward beside its role. Each starts from ``visible_to(user)`` and costs a
fixed number of queries however many rows it shows."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from enterprises.models import Enterprise
from stewards.models import DirectLine, ServiceRequest, StewardAssignment, Visit
from stewards.selectors import steward_worklist
from zonehub.models import Role, Workstation
from zonehub.scoping import has_capacity
from zonehub.workdays import local_date, month_start, next_month_start

# --- visits (走访) ----------------------------------------------------------------------------


def _visited_in(month: dt.date, enterprise_ref: str = "pk"):
    return Exists(Visit.objects.filter(enterprise=OuterRef(enterprise_ref), visited_on__gte=month,
                                       visited_on__lt=next_month_start(month)))


def _rate(done: int, total: int) -> float | None:
    """A share in per cent, or None when there is nothing to assess (never shown as 100%)."""
    return round(100 * done / total, 1) if total else None


def visit_coverage(user, *, month: dt.date, workstation_id: int | None = None) -> dict:
    """Coverage of ``month``: per steward, the enterprises it serves now and how many of them had
    a visit in the month (by anyone); per workstation, its active enterprises, how many have a
    steward, and how many had a visit. Two grouped queries."""
    assignments = (StewardAssignment.objects.visible_to(user).active().filter(enterprise__is_active=True)
                   .annotate(visited=_visited_in(month, "enterprise_id")))
    enterprises = Enterprise.objects.visible_to(user).filter(is_active=True).annotate(visited=_visited_in(month))
    if workstation_id:
        assignments = assignments.filter(enterprise__workstation_id=workstation_id)
        enterprises = enterprises.filter(workstation_id=workstation_id)
    by_steward = [
        {**row, "rate": _rate(row["visited_count"], row["served"]), "missed": row["served"] - row["visited_count"]}
        for row in assignments.values("steward_id", "steward__user__name", "steward__user__username",
                                      "steward__user__role", "steward__workstation__name")
        .annotate(served=Count("pk"), visited_count=Count("pk", filter=Q(visited=True)))
        .order_by("steward__workstation__name", "steward__user__name", "steward_id")
    ]
    by_workstation = [
        {**row, "rate": _rate(row["visited_count"], row["total"]), "missed": row["total"] - row["visited_count"]}
        for row in enterprises.values("workstation_id", "workstation__name")
        .annotate(total=Count("pk"), covered=Count("pk", filter=Q(has_steward=True)),
                  visited_count=Count("pk", filter=Q(visited=True)))
        .order_by("workstation__name")
    ]
    total = sum(r["total"] for r in by_workstation)
    visited = sum(r["visited_count"] for r in by_workstation)
    return {"by_steward": by_steward, "by_workstation": by_workstation, "total": total, "visited": visited,
            "rate": _rate(visited, total)}


def visit_list_for_month(user, *, month: dt.date, workstation_id: int | None = None, steward_id: int | None = None):
    """The visits of ``month`` the user may see, newest first, each with the requests its
    findings became (one prefetch for the page)."""
    visits = (Visit.objects.visible_to(user).filter(visited_on__gte=month, visited_on__lt=next_month_start(month))
              .select_related("enterprise", "steward__user", "steward__workstation")
              .prefetch_related(Prefetch("service_requests", queryset=ServiceRequest.objects.order_by("pk")
                                         .only("pk", "title", "status", "visit_id")))
              .order_by("-visited_on", "-id"))
    if workstation_id:
        visits = visits.filter(enterprise__workstation_id=workstation_id)
    if steward_id:
        visits = visits.filter(steward_id=steward_id)
    return visits


def unvisited_enterprises(user, *, month: dt.date, workstation_id: int | None = None, steward_id: int | None = None):
    """The active enterprises with no visit in ``month``, with their steward now (the rows behind
    each "not visited" figure)."""
    rows = (Enterprise.objects.visible_to(user).filter(is_active=True).exclude(_visited_in(month))
            .select_related("workstation").order_by("name"))
    if workstation_id:
        rows = rows.filter(workstation_id=workstation_id)
    if steward_id:
        rows = rows.filter(pk__in=StewardAssignment.objects.active().filter(steward_id=steward_id)
                           .values("enterprise_id"))
    return rows.prefetch_related(Prefetch(
        "steward_assignments", queryset=StewardAssignment.objects.active().select_related("steward__user"),
        to_attr="current_assignments"))


def workstations_for(user):
    return Workstation.objects.visible_to(user).order_by("name")


# --- name plates (电话名牌) --------------------------------------------------------------------


def can_print_nameplates(user) -> bool:
    """The steward (of its enterprises), the workstation heads, leaders and administrators."""
    return user.is_authenticated and (user.sees_everything or user.role == Role.WORKSTATION_HEAD
                                      or has_capacity(user, Role.STEWARD))


def nameplate_enterprises(user, *, workstation_id: int | None = None, enterprise_id: int | None = None):
    """The enterprises whose plates ``user`` may print: a steward those it serves, a head those
    of its workstation, a leader any; each with its steward now (name, phone, workstation)."""
    if user.sees_everything or user.role == Role.WORKSTATION_HEAD:
        rows = Enterprise.objects.visible_to(user)
    else:
        rows = Enterprise.objects.visible_as(user, Role.STEWARD)
    rows = rows.filter(is_active=True).select_related("workstation").order_by("name")
    if workstation_id:
        rows = rows.filter(workstation_id=workstation_id)
    if enterprise_id:
        rows = rows.filter(pk=enterprise_id)
    return rows.prefetch_related(Prefetch(
        "steward_assignments",
        queryset=StewardAssignment.objects.active().select_related("steward__user", "steward__workstation"),
        to_attr="current_assignments"))


def request_form_url(request, enterprise: Enterprise) -> str:
    """Where the plate's QR code leads: the request form, for that enterprise (the login page
    comes first for whoever is not signed in). ZONEHUB_SITE_URL when set (the address people reach
    the intranet by), else the address of this page."""
    path = f"{reverse('stewards:request_create')}?enterprise={enterprise.pk}"
    base = settings.ZONEHUB_SITE_URL
    return f"{base}{path}" if base else request.build_absolute_uri(path)


def qr_svg(text: str) -> str:
    """The QR code of ``text`` as inline SVG (segno: no image file, no internet)."""
    import segno

    return segno.make(text, error="m").svg_inline(scale=4, border=2, dark="#000", light="#fff")


def nameplate_cards(request, enterprises) -> list[dict]:
    cards = []
    for enterprise in enterprises:
        assignment = enterprise.current_assignments[0] if enterprise.current_assignments else None
        steward = assignment.steward if assignment else None
        url = request_form_url(request, enterprise)
        cards.append({"enterprise": enterprise, "steward": steward,
                      "workstation": (steward.workstation if steward and steward.workstation_id
                                      else enterprise.workstation),
                      "url": url, "qr": qr_svg(url)})
    return cards


# --- 一键直达 ---------------------------------------------------------------------------------


def direct_lines_of_request(user, request: ServiceRequest) -> list[DirectLine]:
    return list(DirectLine.objects.visible_to(user).filter(request=request)
                .select_related("raised_by", "acted_by", "escalation__department").order_by("raised_at", "id"))


# --- home panels -----------------------------------------------------------------------------


def capacity_panels(user) -> list[dict]:
    """A cadre serving as a steward beside another role (issue 16) sees the steward's worklist
    on its home page too, below what its role shows (never in the leaders' shared panels)."""
    if user.role in (Role.STEWARD, Role.ENTERPRISE) or not has_capacity(user, Role.STEWARD):
        return []
    return [{"template": "stewards/panels/steward_work.html", "order": 4, "css": "col-12", "capacity": True,
             **steward_worklist(user, now=timezone.now(), limit=10)}]


def this_month() -> dt.date:
    return month_start(local_date(timezone.now()))
