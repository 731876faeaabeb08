"""Reads about stewards and their enterprises."""

from django.db.models import OuterRef, Subquery

from enterprises.models import Enterprise
from stewards.models import Steward, StewardAssignment


def steward_for_enterprise(enterprise: Enterprise) -> Steward | None:
    assignment = (
        StewardAssignment.objects.active().filter(enterprise=enterprise).select_related("steward__user").first()
    )
    return assignment.steward if assignment else None


def enterprise_list_with_steward(user):
    """Enterprises the user may see, each annotated with its active steward's name and phone in
    the same query."""
    active = StewardAssignment.objects.active().filter(enterprise=OuterRef("pk"))
    return (
        Enterprise.objects.visible_to(user)
        .select_related("industry", "park", "workstation")
        .annotate(
            steward_name=Subquery(active.values("steward__user__name")[:1]),
            steward_phone=Subquery(active.values("steward__user__phone")[:1]),
        )
    )


def uncovered_enterprise_list(user):
    """Enterprises with no active steward: full coverage (全覆盖) is the goal."""
    return (
        Enterprise.objects.visible_to(user).filter(is_active=True).without_active_steward()
        .select_related("industry", "park", "workstation")
    )
