"""What may happen to a request and to an escalation: one table each, read by the services (which
refuse anything else) and by the pages (which show a button exactly when its service would accept).

Each row: the action, the states it may start from, and the party that may take it. Who belongs to
which party (the request's enterprise, its steward side, the department an escalation was sent to)
is decided once, in ``request_party`` and ``escalation_party``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stewards.models import Escalation, ServiceRequest, StewardAssignment
from zonehub.models import Role
from zonehub.scoping import has_capacity

S = ServiceRequest.Status
E = Escalation.Status

ENTERPRISE = "enterprise"
STEWARD_SIDE = "steward"
DEPARTMENT = "department"


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    party: str
    # What the party is told when the state is not one of ``sources``: by state, or for any (None).
    refusals: dict


def _t(sources, party, refusal, **by_state) -> Transition:
    return Transition(frozenset(sources), party, {None: refusal, **{getattr(S, k, None) or getattr(E, k): v
                                                                   for k, v in by_state.items()}})


_OPEN_REQUEST = set(S) - {S.CLOSED}
_REPORTED = gettext_lazy("This request has already been reported back; the enterprise has to answer first.")

# action: the states it may start from, who may take it, what is said otherwise.
REQUEST_TRANSITIONS: dict[str, Transition] = {
    "comment": _t(_OPEN_REQUEST, "any", None),
    "attach": _t(_OPEN_REQUEST, "any", None),
    "accept": _t({S.SUBMITTED}, STEWARD_SIDE, gettext_lazy("This request has already been accepted.")),
    "escalate": _t(_OPEN_REQUEST - {S.REPORTED}, STEWARD_SIDE, gettext_lazy(
        "This request has been reported back; the enterprise has to confirm or reopen it first.")),
    "resolve": _t(_OPEN_REQUEST - {S.REPORTED}, STEWARD_SIDE, _REPORTED),
    "report": _t({S.ESCALATED, S.REOPENED}, STEWARD_SIDE, gettext_lazy(
        "Report back once the departments have answered; to solve it yourself, use “resolve”."), REPORTED=_REPORTED),
    "confirm": _t({S.REPORTED}, ENTERPRISE, gettext_lazy(
        "There is nothing to confirm yet: the steward has not reported back.")),
    "reopen": _t({S.REPORTED}, ENTERPRISE, gettext_lazy(
        "Only a request the steward has reported back on can be reopened.")),
}

_ANSWERED = gettext_lazy("This escalation has already been answered.")

ESCALATION_TRANSITIONS: dict[str, Transition] = {
    "reply": _t({E.OPEN}, DEPARTMENT, _ANSWERED, CONSULTATION=gettext_lazy(
        "This escalation is under joint consultation: post progress or conclude it.")),
    "consult": _t({E.OPEN}, DEPARTMENT, gettext_lazy(
        "Only an escalation awaiting its reply can be marked for joint consultation.")),
    "progress": _t({E.CONSULTATION}, DEPARTMENT, gettext_lazy(
        "Progress reports are for escalations under joint consultation.")),
    "conclude": _t({E.CONSULTATION}, DEPARTMENT, gettext_lazy(
        "Only an escalation under joint consultation can be concluded.")),
    "return": _t({E.OPEN, E.CONSULTATION}, DEPARTMENT, _ANSWERED),
}


def active_steward_user_id(enterprise_id) -> int | None:
    """The user id of the enterprise's steward now, if it has one."""
    return (StewardAssignment.objects.active().filter(enterprise_id=enterprise_id)
            .values_list("steward__user_id", flat=True).first())


def request_party(user, request: ServiceRequest) -> str | None:
    """The enterprise that raised it; the steward side (the steward at the time, the enterprise's
    current steward — whatever their role —, the head of its workstation, an administrator); or
    nobody."""
    if user is None or not user.is_authenticated:
        return None
    if user.role == Role.ENTERPRISE:
        return ENTERPRISE if user.enterprise_id == request.enterprise_id else None
    if user.is_admin:
        return STEWARD_SIDE
    if user.role == Role.WORKSTATION_HEAD and request.enterprise.workstation_id == user.workstation_id:
        return STEWARD_SIDE
    # The steward at the time or the enterprise's steward now, whatever its role (issue 16: a
    # leader or a department user serving as a steward acts as one on its enterprises' requests).
    if has_capacity(user, Role.STEWARD):
        if request.steward_id and request.steward.user_id == user.pk:
            return STEWARD_SIDE
        return STEWARD_SIDE if active_steward_user_id(request.enterprise_id) == user.pk else None
    return None


def escalation_party(user, escalation: Escalation) -> str | None:
    """Only the department it was sent to answers it."""
    if user is None or not user.is_authenticated:
        return None
    if user.role == Role.DEPARTMENT and user.department_id == escalation.department_id:
        return DEPARTMENT
    return None


def _allowed(table, action: str, party: str | None, status: str) -> bool:
    t = table[action]
    return party is not None and (t.party == "any" or t.party == party) and status in t.sources


def _after_escalations(actions: set[str], *, status: str, escalated: bool, holding: bool) -> set[str]:
    """The rules beyond the request's state, on its escalations: nothing is reported or resolved
    while a department holds it; once the departments have answered an escalated request, the
    steward reports back on their answers rather than "resolving directly" (a request the
    enterprise reopened may be either); with none ever escalated there is nothing to report back
    on (the steward resolves it)."""
    if holding:
        return actions - {"report", "resolve"}
    if not escalated:
        return actions - {"report"}
    if status == S.ESCALATED:
        return actions - {"resolve"}
    return actions


_AFTER_ESCALATIONS_REFUSALS = {
    ("resolve", True): gettext_lazy("A department still holds this request: wait for its reply."),
    ("report", True): gettext_lazy("Not every department has answered yet."),
    ("resolve", False): gettext_lazy("Departments have answered this request: report their answers back to the enterprise."),
    ("report", False): REQUEST_TRANSITIONS["report"].refusals[None],
}


def request_actions(user, request: ServiceRequest, *, escalations: list) -> set[str]:
    """Every action the table lets ``user`` take on ``request`` now, given its ``escalations``."""
    party = request_party(user, request)
    actions = {a for a in REQUEST_TRANSITIONS if _allowed(REQUEST_TRANSITIONS, a, party, request.status)}
    return _after_escalations(actions, status=request.status, escalated=bool(escalations),
                              holding=any(e.is_open for e in escalations))


def escalation_actions(user, escalation: Escalation) -> set[str]:
    party = escalation_party(user, escalation)
    return {a for a in ESCALATION_TRANSITIONS if _allowed(ESCALATION_TRANSITIONS, a, party, escalation.status)}


def _require(table, action, party, status, *, who_message, closed: bool) -> None:
    t = table[action]
    if party is None or (t.party != "any" and t.party != party):
        raise PermissionDenied(who_message or _("You are not allowed to do this."))
    if closed:
        raise ValidationError(_("This request is closed; nothing more can be done on it."))
    if status not in t.sources:
        raise ValidationError(str(t.refusals.get(status) or t.refusals[None]))


def require_request_action(user, request: ServiceRequest, action: str, *, message: str | None = None) -> str:
    """PermissionDenied for the wrong party, ValidationError (translated) for the wrong state or
    escalations. Returns the user's party."""
    party = request_party(user, request)
    _require(REQUEST_TRANSITIONS, action, party, request.status, who_message=message,
             closed=request.status == S.CLOSED)
    if action in ("report", "resolve"):
        holding = request.escalations.filter(status__in=Escalation.OPEN_STATUSES).exists()
        escalated = holding or request.escalations.exists()
        possible = {a for a in ("report", "resolve") if _allowed(REQUEST_TRANSITIONS, a, party, request.status)}
        if action not in _after_escalations(possible, status=request.status, escalated=escalated, holding=holding):
            raise ValidationError(_AFTER_ESCALATIONS_REFUSALS[(action, holding)])
    return party


def require_escalation_action(user, escalation: Escalation, action: str, *, message: str | None = None) -> None:
    _require(ESCALATION_TRANSITIONS, action, escalation_party(user, escalation), escalation.status,
             who_message=message, closed=False)
