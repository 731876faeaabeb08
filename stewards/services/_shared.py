"""What the stewards services share: who may do what, recipients, links, the row lock.

Private to the package: its sections import it, nothing else should."""

from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from stewards.models import Escalation, ServiceRequest
from stewards.transitions import active_steward_user_id
from zonehub import recipients
from zonehub.models import Role, User
from zonehub.scoping import has_capacity

S = ServiceRequest.Status
E = Escalation.Status


# --- who may do what -------------------------------------------------------------------------


def _can_serve_enterprise(user, enterprise) -> bool:
    """An administrator; the head of the enterprise's workstation; its steward now, whatever its
    role (issue 16: every cadre can serve)."""
    if user.is_admin:
        return True
    if user.role == Role.WORKSTATION_HEAD and enterprise.workstation_id == user.workstation_id:
        return True
    if has_capacity(user, Role.STEWARD):
        return active_steward_user_id(enterprise.pk) == user.pk
    return False


def _text(value, field: str, message) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


# Issue 12: a 20,000-character description was accepted. The form, the API and the services
# refuse more than this, with one message; longer material goes in attachments.
DESCRIPTION_MAX_LENGTH = 2000


def description_too_long_message(length: int) -> str:
    """The one message for a description over the limit (the form's ``max_length`` error uses the
    same text and parameters)."""
    return _("The description has %(show_value)d characters; keep it within %(limit_value)d and attach "
             "longer material as files.") % {"show_value": length, "limit_value": DESCRIPTION_MAX_LENGTH}


def _description(value, field: str, message) -> str:
    """A required description within DESCRIPTION_MAX_LENGTH characters. Line breaks count as one
    character (a browser sends CRLF, and counts LF in its text box)."""
    value = _text((value or "").replace("\r\n", "\n"), field, message)
    if len(value) > DESCRIPTION_MAX_LENGTH:
        raise ValidationError({field: description_too_long_message(len(value))})
    return value


def _choice(value, choices, field: str) -> str:
    if value not in choices.values:
        raise ValidationError({field: _("Choose a valid option.")})
    return value


# --- recipients and links --------------------------------------------------------------------


def _enterprise_users(request):
    return recipients.enterprise_users(request.enterprise_id)


def _steward_users(request):
    users = []
    if request.steward_id:
        users.append(request.steward.user)
    current = active_steward_user_id(request.enterprise_id)
    if current and current not in [u.pk for u in users]:
        users.extend(User.objects.filter(pk=current, is_active=True))
    return users


def _department_users(department_id):
    return recipients.department_users(department_id)


def _workstation_heads(request):
    return recipients.workstation_heads(request.enterprise.workstation_id)


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
