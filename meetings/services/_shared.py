"""What the meetings services share: who may do what, document numbers, the timeline's events,
recipients and links. Private to the package: its sections import it, nothing else should."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _

from meetings.models import Decision, DocumentCounter, Meeting
from stewards.models import Escalation, ServiceRequest
from stewards.transitions import STEWARD_SIDE, request_party
from zonehub.events import record_event, record_events
from zonehub.models import Role
from zonehub.scoping import has_capacity

M = Meeting.Status
K = Meeting.Kind
D = Decision.Status

TITLE_MAX = 200
TEXT_MAX = 2000


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def has_steward_capacity(user) -> bool:
    """A cadre serving as a steward whatever its role (issue 16 part 4: every cadre may serve)."""
    return has_capacity(user, Role.STEWARD)


def can_convene(user, kind: str = K.ORDINARY) -> bool:
    """A steward (or any cadre serving as one), a workstation head, a leader convenes a meeting;
    the joint meeting is the workstation heads' (and the leaders')."""
    if not _active(user):
        return False
    role = user.effective_role
    if kind == K.JOINT:
        return role in (Role.WORKSTATION_HEAD, Role.LEADER, Role.ADMIN)
    return role in (Role.STEWARD, Role.WORKSTATION_HEAD, Role.LEADER, Role.ADMIN) or has_steward_capacity(user)


def can_manage(user, meeting: Meeting) -> bool:
    """Who runs a meeting (convenes a drafted one, cancels it, records its minutes): leaders and
    administrators, its convener, the head of its workstation, and any head for a joint meeting."""
    if not _active(user):
        return False
    role = user.effective_role
    if role in (Role.LEADER, Role.ADMIN):
        return True
    if meeting.convened_by_id and meeting.convened_by_id == user.pk:
        return True
    if role == Role.WORKSTATION_HEAD:
        return meeting.kind == K.JOINT or (meeting.workstation_id is not None
                                          and meeting.workstation_id == user.workstation_id)
    return False


def can_supervise_escalation(user, escalation: Escalation) -> bool:
    """The request's steward side (its steward, its workstation's head) and the leaders."""
    if not _active(user):
        return False
    if user.effective_role in (Role.LEADER, Role.ADMIN):
        return True
    return request_party(user, escalation.request) == STEWARD_SIDE


def can_supervise_decision(user, decision: Decision) -> bool:
    """Who runs the meeting, and the steward side of the decision's request."""
    if can_manage(user, decision.meeting):
        return True
    return bool(_active(user) and decision.request_id and request_party(user, decision.request) == STEWARD_SIDE)


def can_close_decision(user, decision: Decision) -> bool:
    """The department that owns it (any of its users), or the steward who owns it."""
    if not _active(user):
        return False
    if decision.department_id:
        return user.role == Role.DEPARTMENT and user.department_id == decision.department_id
    return bool(decision.steward_id and decision.steward.user_id == user.pk)


# --- text ------------------------------------------------------------------------------------


def _text(value, field: str, message, *, limit: int = TEXT_MAX) -> str:
    value = (value or "").replace("\r\n", "\n").strip()
    if not value:
        raise ValidationError({field: message})
    if len(value) > limit:
        raise ValidationError({field: _("Keep it within %(limit)d characters (now %(n)d).") % {
            "limit": limit, "n": len(value)}})
    return value


# --- document numbers ------------------------------------------------------------------------


def next_number(series: str, year: int) -> int:
    """The next number of ``series`` in ``year``: an UPDATE ... SET last = last + 1 on the
    counter's row, which concurrent callers queue on (PostgreSQL's row lock; SQLite's write lock),
    read back in the same transaction. The first of a year creates the row; a concurrent first is
    caught by the unique constraint and takes the UPDATE path. Call inside the transaction that
    uses the number: a rollback gives it back."""
    counters = DocumentCounter.objects.filter(series=series, year=year)
    for _attempt in range(3):
        # In a transaction of its own if the caller has none: the row stays locked from the UPDATE
        # to the read, so no other caller's increment comes between (autocommit would let it).
        with transaction.atomic():
            if counters.update(last=F("last") + 1):
                return counters.values_list("last", flat=True).get()
        try:
            with transaction.atomic():
                DocumentCounter.objects.create(series=series, year=year, last=1)
            return 1
        except IntegrityError:
            continue
    raise RuntimeError(f"no number could be taken in {series} {year}")


# --- the timeline ----------------------------------------------------------------------------


def record(subject, *, root, actor, kind: str, requests=(), **fields) -> None:
    """One state change, on ``root``'s timeline and on the timeline of each request it concerns
    (so the request page shows it: its timeline reads the events whose root is the request)."""
    record_event(subject, root=root, actor=actor, kind=kind, **fields)
    seen = {root.pk} if isinstance(root, ServiceRequest) else set()
    mirrored = []
    for request in requests:
        if request is None or request.pk in seen:
            continue
        seen.add(request.pk)
        mirrored.append({"subject": subject, "root": request, "actor": actor, "kind": kind, **fields})
    record_events(mirrored)


def meeting_requests(meeting: Meeting) -> list[ServiceRequest]:
    """The requests a meeting is about, each once, in agenda order."""
    seen: dict[int, ServiceRequest] = {}
    for item in meeting.items.select_related("request").order_by("position", "pk"):
        if item.request_id and item.request_id not in seen:
            seen[item.request_id] = item.request
    return list(seen.values())


# --- links -----------------------------------------------------------------------------------


def meeting_url(meeting: Meeting) -> str:
    return reverse("meetings:detail", args=[meeting.pk])


def decision_url(decision: Decision) -> str:
    return reverse("meetings:decision_detail", args=[decision.pk])
