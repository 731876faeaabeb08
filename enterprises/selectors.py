"""Reads about enterprises: every list starts from ``visible_to(user)`` and owns its
``select_related``, so a page costs a fixed number of queries however many rows it shows.

The current steward is read through the reverse relation of the stewards' assignments
(``Enterprise.steward_assignments``): stewards builds on enterprises, so enterprises never imports
its models. The database allows one open assignment per enterprise, so the join repeats no row.
"""

from django.db.models import F, FilteredRelation, Q
from django.shortcuts import get_object_or_404

from enterprises.models import Enterprise


def enterprise_list(user):
    """Enterprises the user may see, each annotated with its active steward's name and phone
    (``steward_name``, ``steward_phone``; empty when it has none) in the same query."""
    return (
        Enterprise.objects.visible_to(user)
        .select_related("industry", "park", "workstation")
        .annotate(current_assignment=FilteredRelation(
            "steward_assignments", condition=Q(steward_assignments__ended_at__isnull=True)))
        .annotate(
            steward_name=F("current_assignment__steward__user__name"),
            steward_phone=F("current_assignment__steward__user__phone"),
        )
    )


def enterprise_get(user, pk):
    """One enterprise the user may see, with its steward and what its page shows; Http404 when
    missing or not theirs."""
    return get_object_or_404(enterprise_list(user).prefetch_related("tags", "contacts", "indicators"), pk=pk)


def uncovered_enterprise_list(user):
    """Enterprises in the zone with no active steward: full coverage (全覆盖) is the goal."""
    return (
        Enterprise.objects.visible_to(user).filter(is_active=True).without_active_steward()
        .select_related("industry", "park", "workstation")
    )


def enterprise_assignment_list(enterprise: Enterprise):
    """The history of who served the enterprise, newest first (the assignments' own ordering).
    The caller has already scoped ``enterprise``."""
    return enterprise.steward_assignments.select_related("steward__user", "assigned_by")
