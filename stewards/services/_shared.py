"""What the stewards services share: who may do what, recipients, links, the row lock.

Private to the package: its sections import it, nothing else should."""

from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stewards.models import Escalation, ServiceRequest, StewardAssignment
from zonehub.events import register_event_labels
from zonehub.models import Role, User

# The timeline labels of the kinds these services record.
register_event_labels({
    "request.submitted": gettext_lazy("request submitted"),
    "request.logged": gettext_lazy("request logged by the steward"),
    "request.accepted": gettext_lazy("request accepted"),
    "request.accept_late": gettext_lazy("not accepted in time: workstation head told"),
    "request.commented": gettext_lazy("message"),
    "request.attached": gettext_lazy("files attached"),
    "request.resolved": gettext_lazy("solved by the steward and reported to the enterprise"),
    "request.escalated": gettext_lazy("escalated to departments"),
    "request.reported": gettext_lazy("reported back to the enterprise"),
    "request.confirmed": gettext_lazy("confirmed by the enterprise and closed"),
    "request.reopened": gettext_lazy("reopened by the enterprise"),
    "request.auto_closed": gettext_lazy("closed automatically (no answer from the enterprise)"),
    "escalation.sent": gettext_lazy("escalated to a department"),
    "escalation.reminded": gettext_lazy("department reminded: last working day to reply"),
    "escalation.overdue": gettext_lazy("reply overdue"),
    "escalation.replied": gettext_lazy("department replied"),
    "escalation.consultation": gettext_lazy("department marked it as needing joint consultation"),
    "escalation.progress": gettext_lazy("progress report"),
    "escalation.progress_missed": gettext_lazy("progress report missing"),
    "escalation.concluded": gettext_lazy("joint consultation concluded"),
    "escalation.returned": gettext_lazy("returned by the department as not its business"),
    "escalation.due_changed": gettext_lazy("deadline recomputed after a calendar change"),
    "visit.logged": gettext_lazy("visit logged"),
    "ledger.recorded": gettext_lazy("recorded on the complaint-meeting ledger"),
    "ledger.dispatched": gettext_lazy("dispatched to a department"),
    "ledger.claimed": gettext_lazy("claimed by a department"),
})

S = ServiceRequest.Status
E = Escalation.Status


# --- who may do what -------------------------------------------------------------------------


def _active_steward_user_id(enterprise) -> int | None:
    return (
        StewardAssignment.objects.active().filter(enterprise=enterprise)
        .values_list("steward__user_id", flat=True).first()
    )


def is_request_enterprise_user(user, request: ServiceRequest) -> bool:
    return user.role == Role.ENTERPRISE and user.enterprise_id == request.enterprise_id


def can_handle_request(user, request: ServiceRequest) -> bool:
    """The steward side of a request: the steward at the time, the enterprise's current steward,
    the head of the enterprise's workstation, or an administrator."""
    if user.is_admin:
        return True
    if user.role == Role.STEWARD:
        if request.steward_id and request.steward.user_id == user.pk:
            return True
        return _active_steward_user_id(request.enterprise_id) == user.pk
    if user.role == Role.WORKSTATION_HEAD:
        return request.enterprise.workstation_id == user.workstation_id
    return False


def can_answer_escalation(user, escalation: Escalation) -> bool:
    return user.is_admin or (user.role == Role.DEPARTMENT and user.department_id == escalation.department_id)


def _can_serve_enterprise(user, enterprise) -> bool:
    if user.is_admin:
        return True
    if user.role == Role.STEWARD:
        return _active_steward_user_id(enterprise.pk) == user.pk
    if user.role == Role.WORKSTATION_HEAD:
        return enterprise.workstation_id == user.workstation_id
    return False


def _text(value, field: str, message) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _choice(value, choices, field: str) -> str:
    if value not in choices.values:
        raise ValidationError({field: _("Choose a valid option.")})
    return value


def _require_open(request: ServiceRequest) -> None:
    if request.status == S.CLOSED:
        raise ValidationError(_("This request is closed; nothing more can be done on it."))


# --- recipients and links --------------------------------------------------------------------


def _users(**filters):
    return list(User.objects.filter(is_active=True, **filters))


def _enterprise_users(request):
    return _users(role=Role.ENTERPRISE, enterprise_id=request.enterprise_id)


def _steward_users(request):
    users = []
    if request.steward_id:
        users.append(request.steward.user)
    current = _active_steward_user_id(request.enterprise_id)
    if current and current not in [u.pk for u in users]:
        users.extend(_users(pk=current))
    return users


def _department_users(department_id):
    return _users(role=Role.DEPARTMENT, department_id=department_id)


def _department_heads(department_id):
    heads = _users(role=Role.DEPARTMENT, department_id=department_id, is_department_head=True)
    return heads or _department_users(department_id)


def _workstation_heads(request):
    if not request.enterprise.workstation_id:
        return []
    return _users(role=Role.WORKSTATION_HEAD, workstation_id=request.enterprise.workstation_id)


def _leaders():
    return _users(role=Role.LEADER)


def request_url(request: ServiceRequest) -> str:
    try:
        return reverse("stewards:request_detail", args=[request.pk])
    except NoReverseMatch:
        return f"/requests/{request.pk}/"


def escalation_url(escalation: Escalation) -> str:
    try:
        return reverse("stewards:escalation_detail", args=[escalation.pk])
    except NoReverseMatch:
        return request_url(escalation.request)


def _lock(model, pk):
    return model.objects.select_for_update().get(pk=pk)
