"""Reads about stewards and their enterprises."""

from django.db.models import Exists, OuterRef, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from enterprises.models import Enterprise
from stewards.models import Escalation, LedgerItem, RequestAttachment, ServiceRequest, Steward, StewardAssignment, Visit
from zonehub.events import event_list_for
from zonehub.workdays import local_date


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


# --- service requests, escalations, visits, ledger (issue 3, backend) -------------------------
# Every read starts from visible_to(user); each selector owns its select_related so a list costs
# a fixed number of queries however many rows it shows.


def request_list(user):
    return ServiceRequest.objects.visible_to(user).select_related("enterprise", "steward__user")


def request_get(user, pk):
    """One request the user may see, with what its page shows; Http404 when missing or not theirs."""
    return get_object_or_404(
        request_list(user).select_related("created_by", "accepted_by", "reported_by", "visit"), pk=pk
    )


def request_events(request):
    """The request's timeline: its own events and those of its escalations, progress reports and
    comments (all recorded with root = the request). The caller has already scoped ``request``."""
    return event_list_for(request)


def escalation_list(user):
    return Escalation.objects.visible_to(user).select_related(
        "department", "request__enterprise", "request__steward__user", "sent_by", "replied_by"
    )


def attachment_list(user):
    return RequestAttachment.objects.visible_to(user).select_related("uploaded_by")


def visit_list(user):
    return Visit.objects.visible_to(user).select_related("enterprise", "steward__user")


def ledger_item_list(user):
    return LedgerItem.objects.visible_to(user).select_related("enterprise", "department", "recorded_by", "request")


def enterprises_not_visited_this_month(user, *, today=None):
    """The enterprises a steward serves with no visit logged in the current month (走访)."""
    today = today or local_date(timezone.now())
    visited = Visit.objects.filter(enterprise=OuterRef("pk"), visited_on__year=today.year,
                                   visited_on__month=today.month)
    return (
        Enterprise.objects.visible_to(user).filter(is_active=True)
        .filter(Exists(StewardAssignment.objects.active().filter(enterprise=OuterRef("pk"), steward__user=user)))
        .exclude(Exists(visited))
        .select_related("industry", "park", "workstation")
    )
