"""The complaint-meeting ledger (吐槽大会): a leader records items and dispatches them, or a
department claims them; each becomes a request escalated to the department."""


from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stewards.events import StewardsEvent
from stewards.models import LedgerItem, ServiceRequest
from stewards.services._shared import S, _choice, _description, _text, request_url
from stewards.services.escalations import _escalate
from stewards.services.requests import _create_request
from zonehub.db import InsertBatch
from zonehub.events import record_event
from zonehub.models import Role
from zonehub.notifications import notify
from zonehub.permissions import require
from zonehub.workdays import date_in_range, local_date


def _require_leader(actor) -> None:
    require(actor.is_leader or actor.is_admin, _("Only leaders keep the complaint-meeting ledger."))


@transaction.atomic
def ledger_item_record(*, actor, enterprise, title: str, description: str, meeting_date,
                       category: str = "other", department=None, reason: str = "") -> LedgerItem:
    """A leader records an item raised at a complaint meeting (吐槽大会); with ``department`` it is
    dispatched at once (see ledger_item_dispatch)."""
    _require_leader(actor)
    if enterprise is None:
        raise ValidationError({"enterprise": _("Choose the enterprise that raised it.")})
    title = _text(title, "title", _("Give the ledger item a title."))
    # The item becomes a request when dispatched: the request's limit applies from the start.
    description = _description(description, "description", _("Describe the item."))
    category = _choice(category or ServiceRequest.Category.OTHER, ServiceRequest.Category, "category")
    if meeting_date is None:
        raise ValidationError({"meeting_date": _("Give the date of the meeting.")})
    meeting_date = date_in_range(meeting_date, field="meeting_date", latest=local_date(timezone.now()),
                                 too_late=_("The meeting cannot be in the future."))
    item = LedgerItem.objects.create(enterprise=enterprise, title=title[:200], description=description,
                                     category=category, meeting_date=meeting_date, recorded_by=actor)
    record_event(item, actor=actor, kind=StewardsEvent.LEDGER_RECORDED, to_state=LedgerItem.Status.UNASSIGNED)
    if department is not None:
        item = ledger_item_dispatch(item=item, actor=actor, department=department, reason=reason)
    return item


def _ledger_assign(item: LedgerItem, *, actor, department, reason: str, status: str) -> LedgerItem:
    now = timezone.now()
    with InsertBatch() as batch:
        request = _create_request(
            batch=batch, enterprise_id=item.enterprise_id, actor=actor, channel=ServiceRequest.Channel.COMPLAINT_MEETING,
            category=item.category, title=item.title, description=item.description,
            urgency=ServiceRequest.Urgency.NORMAL, now=now, accepted=True, status=S.ESCALATED,
        )
        record_event(request, actor=actor, kind=StewardsEvent.REQUEST_LOGGED, to_state=S.ESCALATED, batch=batch,
                     data={"channel": ServiceRequest.Channel.COMPLAINT_MEETING, "ledger_item": item.pk})
    _escalate(request, actor=actor, departments=[department], reason=reason or item.description, now=now)
    item.status, item.department, item.request = status, department, request
    fields = ["status", "department", "request"]
    if status == LedgerItem.Status.DISPATCHED:
        item.dispatched_at, item.dispatched_by = now, actor
        fields += ["dispatched_at", "dispatched_by"]
    else:
        item.claimed_at, item.claimed_by = now, actor
        fields += ["claimed_at", "claimed_by"]
    item.save(update_fields=fields)
    record_event(item, actor=actor, kind=f"ledger.{status}", from_state=LedgerItem.Status.UNASSIGNED, to_state=status,
                 data={"department": department.name, "request": request.pk})
    if request.steward_id:
        notify([request.steward.user], kind="request.logged", key=f"request:{request.pk}:ledger", url=request_url(request),
               title=_("A complaint-meeting item of %(enterprise)s went to %(department)s: %(title)s") % {
                   "enterprise": item.enterprise.name, "department": department.name, "title": item.title})
    return item


def _lock_unassigned_item(item: LedgerItem) -> LedgerItem:
    item = LedgerItem.objects.select_for_update(of=("self",)).select_related("enterprise").get(pk=item.pk)
    if item.status != LedgerItem.Status.UNASSIGNED:
        raise ValidationError(_("This item already has a department."))
    return item


@transaction.atomic
def ledger_item_dispatch(*, item: LedgerItem, actor, department, reason: str = "") -> LedgerItem:
    """A leader dispatches an unassigned ledger item to a department: a request (channel complaint
    meeting) and an escalation to that department with the usual clock are created."""
    _require_leader(actor)
    item = _lock_unassigned_item(item)
    if department is None:
        raise ValidationError({"department": _("Choose at least one department.")})
    if not department.is_active:
        raise ValidationError({"department": _("%(names)s no longer takes escalations.") % {"names": department.name}})
    return _ledger_assign(item, actor=actor, department=department, reason=(reason or "").strip(),
                          status=LedgerItem.Status.DISPATCHED)


@transaction.atomic
def ledger_item_claim(*, item: LedgerItem, actor) -> LedgerItem:
    """A department user claims (认领) an unassigned ledger item for its department: the same as a
    dispatch to it, with the clock starting now. The leader who recorded it is told."""
    require(actor.role == Role.DEPARTMENT and actor.department_id, _("Only department users claim ledger items."))
    item = _lock_unassigned_item(item)
    item = _ledger_assign(item, actor=actor, department=actor.department, reason="",
                          status=LedgerItem.Status.CLAIMED)
    notify([item.recorded_by], kind="ledger.claimed", key=f"ledger:{item.pk}:claimed",
           title=_("%(department)s claimed “%(title)s”") % {"department": actor.department.name, "title": item.title})
    return item
