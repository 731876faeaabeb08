"""What the home page of each role shows.

Each app may add panels: a function ``home_panels(user) -> list[dict]`` in its ``selectors``
module, each dict naming a ``template`` (rendered with the dict as ``panel``) and an ``order``.
"""

import importlib
import importlib.util

from django.db.models import Count, Q
from django.utils import timezone

from enterprises.models import Enterprise
from stewards.models import Steward
from stewards.selectors import enterprise_list_with_steward, uncovered_enterprise_list
from zonehub.dashboard import zone_wide
from zonehub.models import CalendarYear, Role
from zonehub.services import calendar_years_needing_notice
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
        ctx["enterprises"] = list(enterprise_list_with_steward(user)[:50])
    if role == Role.ENTERPRISE:
        ctx["enterprise"] = enterprise_list_with_steward(user).first()
    ctx["panels"] = home_panels(user)
    ctx["has_charts"] = any(panel.get("chart") for panel in ctx["panels"])
    return ctx


def _coverage(user) -> dict:
    """Enterprises without a steward: a workstation's for its head, the zone's (cached) for others."""
    uncovered = uncovered_enterprise_list(user)
    return {"uncovered": list(uncovered[:10]), "uncovered_count": uncovered.count(),
            "enterprise_count": Enterprise.objects.visible_to(user).filter(is_active=True).count()}


def home_panels(user) -> list[dict]:
    """Every app's panels. For those who see the whole zone they are all zone-wide figures, shared
    for ``ZONEHUB_DASHBOARD_CACHE_SECONDS`` (see ``zone_wide``)."""
    return zone_wide(user, "home-panels", lambda: _home_panels(user))


def _home_panels(user) -> list[dict]:
    panels: list[dict] = []
    for app in ("stewards", "projects", "evaluations"):
        module = importlib.import_module(f"{app}.selectors") if _has_selectors(app) else None
        provider = getattr(module, "home_panels", None)
        if provider is not None:
            panels.extend(provider(user))
    from zonehub.dashboard import home_panels as dashboard_panels

    panels.extend(dashboard_panels(user))
    return sorted(panels, key=lambda panel: panel.get("order", 50))


def _has_selectors(app: str) -> bool:
    return importlib.util.find_spec(f"{app}.selectors") is not None
