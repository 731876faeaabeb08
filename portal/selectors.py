"""What the home page of each role shows.

Each app adds panels through a function ``home_panels(user) -> list[dict]`` in its ``selectors``
module, each dict naming a ``template`` (rendered with the dict as ``panel``) and an ``order``.
The portal stands above every app, so it imports each one's panels directly (``_PROVIDERS``): an
app with panels to show is added there, by name.
"""

import functools
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from enterprises.models import Enterprise
from enterprises.selectors import enterprise_list, uncovered_enterprise_list
from evaluations import selectors as evaluations_selectors
from meetings import selectors as meetings_selectors
from portal import dashboard
from projects import selectors as projects_selectors
from stewards import selectors as stewards_selectors
from stewards.coverage import capacity_panels
from stewards.models import Steward, served_enterprise_ids
from supply import selectors as supply_selectors
from zonehub import audit
from zonehub.cache import DASHBOARD_GENERATION_KEY, dashboard_generation
from zonehub.models import CalendarYear, Role, User
from zonehub.services import calendar_years_needing_notice
from zonehub.tallies import tallies
from zonehub.workdays import local_date


def home_context(user) -> dict:
    role = user.effective_role
    ctx: dict = {"role": role}
    if user.sees_everything:
        zone = _zone_home(user)
        panels = zone.pop("panels")
        ctx.update(zone)
    else:
        panels = _home_panels(user)
    if role == Role.WORKSTATION_HEAD:
        ctx.update(_coverage(user))
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
    ctx["panels"] = sorted([*panels, *capacity_panels(user)], key=lambda panel: panel.get("order", 50))
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


# --- the zone-wide half of the home page, built and shared ---------------------------------------
# Those who see the whole zone (leaders, administrators) share what their home page aggregates:
# every app's panels and the coverage card, the same for everyone of a role. It is *built*: each
# panel rendered to HTML (rendering is most of the page's cost), per role and language, and kept
#
# - in the cache for ``ZONEHUB_DASHBOARD_CACHE_SECONDS`` under the dashboards' generation, which
#   every committed state change bumps (``zonehub.cache``): a user's own change shows on their next
#   page;
# - in the tally table, built again by the beat each ``ZONEHUB_TALLY_SECONDS``
#   (``portal.home.<role>.<language>``, registered in ``PortalConfig.ready``): so a web process's
#   first page reads it in one query instead of computing it (issue 15). A stored build is used
#   when no change is known after it: its generation is the cache's, or the cache knows none (a
#   fresh cache, or Redis down), and then the cache takes the build's.
#
# With ``ZONEHUB_DASHBOARD_CACHE_SECONDS = 0`` nothing is shared: the panels are computed and
# rendered with the page on every view (the tests; the bench's "cache off").

ZONE_HOME_ROLES = (Role.LEADER, Role.ADMIN)


def _zone_home(user) -> dict:
    """The panels and the coverage card (``coverage_html``) of the zone-wide home page."""
    seconds = settings.ZONEHUB_DASHBOARD_CACHE_SECONDS
    if not seconds:
        return {"panels": _home_panels(user), "coverage_html": _coverage_html(user)}
    built = _zone_home_built(user, seconds)
    # Our own templates rendered it, autoescaping what users wrote: safe to insert as it is.
    return {"panels": [{**panel, "html": mark_safe(panel["html"])} for panel in built["panels"]],  # noqa: S308
            "coverage_html": mark_safe(built["coverage"])}  # noqa: S308


def _zone_home_built(user, seconds: int) -> dict:
    role, language = user.effective_role, translation.get_language()
    today = f"{local_date(timezone.now()):%Y-%m-%d}"
    token = cache.get(DASHBOARD_GENERATION_KEY)
    if token is not None:
        built = cache.get(_zone_home_key(role, language, today, token))
        if built is not None:
            return built
    name = zone_home_tally_name(role, language)
    stored = tallies(name).get(name)
    built = stored.data if stored else None
    if not (built and built["date"] == today and (token is None or built["generation"] == str(token))):
        built = zone_home_build(user)
    elif token is None:
        cache.add(DASHBOARD_GENERATION_KEY, built["generation"], None)
    cache.set(_zone_home_key(role, language, today, built["generation"]), built, seconds)
    return built


def _zone_home_key(role: str, language: str, today: str, generation) -> str:
    return f"zonehub:zone-home:{role}:{language}:{today}:{generation}"


def zone_home_tally_name(role: str, language: str) -> str:
    return f"portal.home.{role}.{language}"


def zone_home_build(user) -> dict:
    """``user``'s zone-wide panels and coverage card rendered, with the generation they include
    (read first: a change committed meanwhile makes a newer one) and the day they are of."""
    generation = dashboard_generation()
    today = f"{local_date(timezone.now()):%Y-%m-%d}"
    panels = [{"order": panel.get("order", 50), "css": panel.get("css", ""), "chart": bool(panel.get("chart")),
               "html": render_to_string(panel["template"], {"panel": panel})} for panel in _home_panels(user)]
    return {"generation": generation, "date": today, "panels": panels, "coverage": _coverage_html(user)}


def _coverage_html(user) -> str:
    return render_to_string("portal/home/coverage.html", _coverage(user))


def _zone_home_for_role(role: str, language: str) -> dict:
    """The beat's build for ``role``: as the first active user of the role sees it (all of them see
    the same); nothing when the zone has no such user."""
    users = User.objects.filter(is_active=True).order_by("pk")
    if role == Role.ADMIN:
        user = users.filter(Q(role=Role.ADMIN) | Q(is_superuser=True)).first()
    else:
        user = users.filter(role=role, is_superuser=False).first()
    if user is None:
        return {}
    with translation.override(language):
        return zone_home_build(user)


def zone_home_tallies() -> dict[str, Callable[[], dict]]:
    """The builds the beat keeps, one per role and language (``PortalConfig.ready``)."""
    return {zone_home_tally_name(role, code): functools.partial(_zone_home_for_role, role, code)
            for role in ZONE_HOME_ROLES for code, _name in settings.LANGUAGES}
