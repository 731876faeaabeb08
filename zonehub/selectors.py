"""What the home page of each role shows until the dashboards of later issues replace it."""

from django.db.models import Count, Q
from django.utils import timezone

from enterprises.models import Enterprise
from stewards.models import Steward
from stewards.selectors import enterprise_list_with_steward, uncovered_enterprise_list
from zonehub.models import CalendarYear, Role
from zonehub.services import calendar_years_needing_notice
from zonehub.workdays import local_date


def home_context(user) -> dict:
    role = user.effective_role
    ctx: dict = {"role": role}
    if role in (Role.ADMIN, Role.LEADER, Role.WORKSTATION_HEAD):
        uncovered = uncovered_enterprise_list(user)
        ctx["uncovered"] = list(uncovered[:10])
        ctx["uncovered_count"] = uncovered.count()
        ctx["enterprise_count"] = Enterprise.objects.visible_to(user).filter(is_active=True).count()
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
    return ctx
