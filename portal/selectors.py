"""What the home page of each role shows.

Each app adds panels through a function ``home_panels(user) -> list[dict]`` in its ``selectors``
module, each dict naming a ``template`` (rendered with the dict as ``panel``) and an ``order``.
The portal stands above every app, so it imports each one's panels directly (``_PROVIDERS``): an
app with panels to show is added there, by name.
"""

from django.db.models import Count, Q
from django.utils import timezone

from enterprises.models import Enterprise
from enterprises.selectors import enterprise_list, uncovered_enterprise_list
from evaluations import selectors as evaluations_selectors
from meetings import selectors as meetings_selectors
from portal import dashboard
from portal.dashboard import zone_wide
from projects import selectors as projects_selectors
from stewards import selectors as stewards_selectors
from stewards.coverage import capacity_panels
from stewards.models import Steward, served_enterprise_ids
from supply import selectors as supply_selectors
from zonehub import audit
from zonehub.models import CalendarYear, Role
from zonehub.services import calendar_years_needing_notice
from zonehub.tallies import tallies
from zonehub.workdays import local_date


def home_context(user) -> dict:
    role = user.effective_role
    ctx: dict = {"role": role}
    if role in (Role.ADMIN, Role.LEADER, Role.WORKSTATION_HEAD):
        ctx.update(zone_wide(user, "coverage", lambda: _coverage(user)))
    if role == Role.ADMIN:
        ctx["calendar_years"] = list(CalendarYear.objects.order_by("-year")[:4])
        ctx["years_needing_notice"] = calendar_years_needing_notice(today=local_date(timezone.now()))
    if role == Role.WORKSTATION_HEAD:
        ctx["stewards"] = list(
            Steward.objects.visible_to(user).select_related("user").annotate(
                enterprise_count=Count("assignments", filter=Q(assignments__ended_at__isnull=True))
            )
        )
    if role == Role.STEWARD:
        # Every list of the page is scoped by the steward's enterprises: read them first, once.
        served_enterprise_ids(user)
        ctx["enterprises"] = list(enterprise_list(user)[:50])
    if role == Role.ENTERPRISE:
        ctx["enterprise"] = enterprise_list(user).first()
    # The separation of duties: the security and audit administrators see no business, only
    # what their own work needs, with the links to it.
    if role == Role.SECURITY_ADMIN:
        locked = audit.locked_out_attempts().order_by("-attempt_time")
        ctx["locked_out"] = list(locked[:10])
        ctx["locked_out_count"] = len(ctx["locked_out"]) if len(ctx["locked_out"]) < 10 else locked.count()
    if role == Role.AUDIT_ADMIN:
        ctx["audit_summary"] = audit.audit_summary()
    # A cadre serving as a steward beside its role (issue 16) sees the steward's worklist too: its
    # own, never in the panels leaders share.
    ctx["panels"] = sorted([*home_panels(user), *capacity_panels(user)], key=lambda panel: panel.get("order", 50))
    ctx["has_charts"] = any(panel.get("chart") for panel in ctx["panels"])
    return ctx


def _coverage(user) -> dict:
    """Enterprises without a steward: a workstation's for its head, the zone's for others (the
    zone's number of enterprises from its tally, ``portal.enterprises``)."""
    uncovered = uncovered_enterprise_list(user)
    counted = tallies("portal.enterprises") if user.sees_everything else {}
    if counted:
        enterprise_count = counted["portal.enterprises"].data["active"]
    else:
        enterprise_count = Enterprise.objects.visible_to(user).filter(is_active=True).count()
    return {"uncovered": list(uncovered[:10]), "uncovered_count": uncovered.count(),
            "enterprise_count": enterprise_count}


def home_panels(user) -> list[dict]:
    """Every app's panels. For those who see the whole zone they are all zone-wide figures, shared
    for ``ZONEHUB_DASHBOARD_CACHE_SECONDS`` (see ``zone_wide``)."""
    return zone_wide(user, "home-panels", lambda: _home_panels(user))


# Each app's panels, in floor order, then the portal's own (the dashboards no single app owns).
_PROVIDERS = (
    stewards_selectors.home_panels,
    projects_selectors.home_panels,
    evaluations_selectors.home_panels,
    supply_selectors.home_panels,
    meetings_selectors.home_panels,
    dashboard.home_panels,
)


def _home_panels(user) -> list[dict]:
    panels: list[dict] = []
    for provider in _PROVIDERS:
        panels.extend(provider(user))
    return sorted(panels, key=lambda panel: panel.get("order", 50))
