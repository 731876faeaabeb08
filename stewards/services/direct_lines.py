"""一键直达 (issue 16, part 2): a steward raises a request, or one of its escalations, straight to
the head of the workstation; the head acknowledges it, takes it over or answers it."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stewards.events import StewardsEvent
from stewards.models import DirectLine, Escalation, ServiceRequest, Steward
from stewards.services._shared import _lock, _text, request_url
from stewards.transitions import active_steward_user_id
from zonehub import recipients
from zonehub.events import record_event
from zonehub.models import Role
from zonehub.notifications import notify
from zonehub.permissions import require

# What the head may do with an item, the event it records and what the steward is told.
DIRECT_LINE_ACTIONS = {
    "acknowledge": (DirectLine.Status.ACKNOWLEDGED, StewardsEvent.DIRECT_LINE_ACKNOWLEDGED),
    "take_over": (DirectLine.Status.TAKEN_OVER, StewardsEvent.DIRECT_LINE_TAKEN_OVER),
    "answer": (DirectLine.Status.ANSWERED, StewardsEvent.DIRECT_LINE_ANSWERED),
}


def is_request_steward(user, request: ServiceRequest) -> bool:
    """The steward at the time or the enterprise's steward now, whatever its role."""
    if not user.is_authenticated:
        return False
    if request.steward_id and request.steward.user_id == user.pk:
        return True
    return active_steward_user_id(request.enterprise_id) == user.pk


def can_raise_direct_line(user, request: ServiceRequest) -> bool:
    """The request's steward (not the head itself, nor on a closed request)."""
    return (not request.is_closed and user.is_authenticated and user.role != Role.WORKSTATION_HEAD
            and is_request_steward(user, request))


def direct_line_workstation_id(request: ServiceRequest) -> int | None:
    """The head it goes to: of the enterprise's workstation, else of its steward's."""
    if request.enterprise.workstation_id:
        return request.enterprise.workstation_id
    steward = Steward.objects.filter(pk=request.steward_id).values_list("workstation_id", flat=True).first()
    return steward


def can_act_on_direct_line(user, item: DirectLine) -> bool:
    return user.is_authenticated and (user.is_admin or (
        user.role == Role.WORKSTATION_HEAD and user.workstation_id == item.workstation_id))


@transaction.atomic
def direct_line_raise(*, request: ServiceRequest, actor, note: str, escalation: Escalation | None = None) -> DirectLine:
    """The steward raises ``request`` (or ``escalation``, one of its escalations) to the head of
    the workstation with ``note``: one item open per request; the head is told at once and sees
    it on top of the home page until acting on it. On the request's timeline."""
    request = _lock(ServiceRequest, request.pk)
    require(can_raise_direct_line(actor, request) or (actor.is_authenticated and actor.is_admin),
            _("Only the request's steward may raise it to the workstation head."))
    if request.is_closed:
        raise ValidationError(_("This request is closed; nothing more can be done on it."))
    if escalation is not None and escalation.request_id != request.pk:
        raise ValidationError({"escalation": _("Choose one of this request's escalations.")})
    note = _text(note, "note", _("Say what you need from the head."))
    workstation_id = direct_line_workstation_id(request)
    heads = recipients.workstation_heads(workstation_id)
    if not heads:
        raise ValidationError(_("This enterprise's workstation has no head to raise it to: ask a leader."))
    if DirectLine.objects.filter(request=request, status=DirectLine.Status.OPEN).exists():
        raise ValidationError(_("This request is already waiting for the head."))
    item = DirectLine.objects.create(request=request, escalation=escalation, workstation_id=workstation_id, note=note,
                                     raised_by=actor)
    record_event(item, root=request, actor=actor, kind=StewardsEvent.DIRECT_LINE_RAISED, note=note,
                 data={"department": escalation.department.name} if escalation else None)
    about = (_("%(title)s (escalation to %(department)s)") % {"title": request.title,
                                                              "department": escalation.department.name}
             if escalation else request.title)
    notify(heads, kind="direct_line.raised", key=f"direct-line:{item.pk}", url=request_url(request),
           title=_("一键直达 from %(name)s: %(about)s") % {"name": actor.display_name, "about": about}, body=note,
           sms=request.urgency == ServiceRequest.Urgency.URGENT)
    return item


@transaction.atomic
def direct_line_act(*, item: DirectLine, actor, action: str, answer: str = "") -> DirectLine:
    """The head acts on an item raised to it: ``acknowledge`` (noted), ``take_over`` (the head
    handles the request from now on) or ``answer`` (a reply to the steward, required). Once: an
    item acted on leaves the head's list. The steward is told; the request's timeline shows it."""
    item = DirectLine.objects.select_for_update(of=("self",)).select_related("request").get(pk=item.pk)
    require(can_act_on_direct_line(actor, item), _("Only the head of the workstation may act on this."))
    if action not in DIRECT_LINE_ACTIONS:
        raise ValidationError({"action": _("Choose a valid option.")})
    if item.status != DirectLine.Status.OPEN:
        raise ValidationError(_("This item has already been acted on (%(status)s).") % {
            "status": item.get_status_display()})
    answer = (answer or "").strip()
    if action == "answer" and not answer:
        raise ValidationError({"answer": _("Write your answer to the steward.")})
    status, kind = DIRECT_LINE_ACTIONS[action]
    item.status, item.acted_by, item.acted_at, item.answer = status, actor, timezone.now(), answer
    item.save(update_fields=["status", "acted_by", "acted_at", "answer"])
    record_event(item, root=item.request, actor=actor, kind=kind, from_state=DirectLine.Status.OPEN, to_state=status,
                 note=answer)
    notify([item.raised_by], kind=f"direct_line.{action}", key=f"direct-line:{item.pk}:{action}",
           url=request_url(item.request), body=answer,
           title=_("%(name)s: %(status)s — %(title)s") % {"name": actor.display_name, "status": item.get_status_display(),
                                                          "title": item.request.title})
    return item
