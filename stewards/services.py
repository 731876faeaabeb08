"""Writes about stewards and their enterprises."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises.models import Enterprise
from stewards.models import (
    Escalation,
    EscalationProgress,
    LedgerItem,
    RequestAttachment,
    RequestComment,
    ServiceRequest,
    Steward,
    StewardAssignment,
    Visit,
)
from zonehub.events import record_event
from zonehub.models import Role
from zonehub.notifications import notify
from zonehub.permissions import require


def can_assign_steward(user, enterprise: Enterprise) -> bool:
    return user.is_admin or (
        user.role == Role.WORKSTATION_HEAD and enterprise.workstation_id == user.workstation_id
    )


@transaction.atomic
def steward_assign(
    *, enterprise: Enterprise, steward: Steward, actor,
    reason: str = StewardAssignment.EndReason.REASSIGNED, note: str = "",
) -> StewardAssignment:
    """Make ``steward`` the enterprise's one active steward, ending the current assignment (with
    its reason) in the same transaction. The enterprise and both stewards are told."""
    require(can_assign_steward(actor, enterprise),
            _("Only the head of the enterprise's workstation or an administrator may assign its steward."))
    if not steward.is_active or not steward.user.is_active:
        raise ValidationError(_("%(name)s is no longer an active steward.") % {"name": steward.name})
    # Lock the enterprise row so two heads assigning at once queue up instead of colliding.
    Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
    current = StewardAssignment.objects.active().filter(enterprise=enterprise).select_related("steward__user").first()
    if current and current.steward_id == steward.pk:
        raise ValidationError(_("%(name)s is already this enterprise's steward.") % {"name": steward.name})
    now = timezone.now()
    if current:
        current.ended_at = now
        current.end_reason = reason
        current.end_note = note[:200]
        current.save(update_fields=["ended_at", "end_reason", "end_note"])
        record_event(current, root=enterprise, actor=actor, kind="steward.unassigned",
                     from_state=current.steward.name, note=note, data={"reason": reason})
    assignment = StewardAssignment.objects.create(
        enterprise=enterprise, steward=steward, started_at=now, assigned_by=actor
    )
    record_event(assignment, root=enterprise, actor=actor, kind="steward.assigned",
                 from_state=current.steward.name if current else "", to_state=steward.name, note=note)
    key = f"assignment:{assignment.pk}"
    notify(
        enterprise.users.all(), kind="steward.assigned", key=key,
        title=_("Your steward is now %(name)s (%(phone)s)") % {"name": steward.name, "phone": steward.phone},
    )
    notify([steward.user], kind="steward.assigned", key=key,
           title=_("You now serve %(enterprise)s") % {"enterprise": enterprise.name})
    if current:
        notify([current.steward.user], kind="steward.unassigned", key=f"{key}:previous",
               title=_("You no longer serve %(enterprise)s") % {"enterprise": enterprise.name})
    return assignment


@transaction.atomic
def steward_unassign(*, enterprise: Enterprise, actor, reason: str, note: str = "") -> StewardAssignment:
    require(can_assign_steward(actor, enterprise))
    current = StewardAssignment.objects.active().select_for_update().filter(enterprise=enterprise).first()
    if current is None:
        raise ValidationError(_("This enterprise has no active steward."))
    current.ended_at = timezone.now()
    current.end_reason = reason
    current.end_note = note[:200]
    current.save(update_fields=["ended_at", "end_reason", "end_note"])
    record_event(current, root=enterprise, actor=actor, kind="steward.unassigned",
                 from_state=current.steward.name, note=note, data={"reason": reason})
    return current


# =============================================================================================
# Service requests, escalations, visits and the ledger (issue 3).
# Every function: permission check, validation (ValidationError with a translated message),
# one transaction, save(update_fields=...), one Event per state change (root = the request),
# notifications after commit. Keyword-only arguments; ``actor`` is the user acting.
# =============================================================================================


def attachment_validate(*, file) -> None:
    """Raise ValidationError unless ``file`` (an UploadedFile) is an allowed type — PDF, image
    (JPEG/PNG/GIF/WebP) or Office document — checked by extension AND by its first bytes, and
    no larger than ``settings.ZONEHUB_ATTACHMENT_MAX_MB`` (default 10). Forms and the API call
    it to show the message next to the field; ``request_attach`` calls it again."""
    raise NotImplementedError


def request_submit(*, actor, category: str, title: str, description: str, urgency: str = "normal",
                   files: list | None = None) -> ServiceRequest:
    """An enterprise user submits a request (channel web form) for its own enterprise. The
    enterprise's active steward is attached and notified; acceptance is due within
    ZONEHUB_ACCEPT_WORKING_DAYS working days. ``files``: uploaded files (validated)."""
    raise NotImplementedError


def request_log_on_behalf(*, actor, enterprise, channel: str, category: str, title: str, description: str,
                          urgency: str = "normal", files: list | None = None, visit=None) -> ServiceRequest:
    """A steward logs a request for an enterprise it serves (channel phone, visit or complaint
    meeting). It is accepted at once (the steward is the one who took it)."""
    raise NotImplementedError


def request_attach(*, request: ServiceRequest, actor, files: list) -> list[RequestAttachment]:
    """Add files to a request (enterprise user of the request or its steward; not when closed)."""
    raise NotImplementedError


def request_accept(*, request: ServiceRequest, actor) -> ServiceRequest:
    """The steward accepts a submitted request."""
    raise NotImplementedError


def request_comment(*, request: ServiceRequest, actor, body: str) -> RequestComment:
    """A message between the enterprise and the steward; the other side is notified."""
    raise NotImplementedError


def request_resolve_directly(*, request: ServiceRequest, actor, report: str) -> ServiceRequest:
    """The steward solved it itself (能自己解决的立即解决) and reports to the enterprise:
    status → reported, auto-close clock starts."""
    raise NotImplementedError


def request_escalate(*, request: ServiceRequest, actor, departments: list, reason: str) -> list[Escalation]:
    """The steward blows the whistle (吹哨): one Escalation per department, each with its own
    clock. Refused with no department, for a department already holding an open escalation of
    this request, without a reason, and on a closed or not yet accepted request."""
    raise NotImplementedError


def escalation_reply(*, escalation: Escalation, actor, reply: str) -> Escalation:
    """The department replies (答复): the clock stops; on time iff replied_at < due_at."""
    raise NotImplementedError


def escalation_mark_consultation(*, escalation: Escalation, actor, reason: str) -> Escalation:
    """The department marks it as needing joint consultation (需会商): the reply clock stops and a
    progress report is due every ZONEHUB_REPLY_WORKING_DAYS working days until it concludes."""
    raise NotImplementedError


def escalation_progress_report(*, escalation: Escalation, actor, text: str) -> EscalationProgress:
    """A progress report on a consultation case: the next period starts now."""
    raise NotImplementedError


def escalation_conclude(*, escalation: Escalation, actor, conclusion: str) -> Escalation:
    """The department concludes a consultation case."""
    raise NotImplementedError


def escalation_return(*, escalation: Escalation, actor, reason: str) -> Escalation:
    """Not the department's business: returned to the steward with a reason; the clock stops and
    the steward may escalate elsewhere."""
    raise NotImplementedError


def request_report_back(*, request: ServiceRequest, actor, report: str) -> ServiceRequest:
    """The steward reports back to the enterprise once every escalation is replied, concluded or
    returned: status → reported, auto-close due in ZONEHUB_AUTO_CLOSE_WORKING_DAYS working days."""
    raise NotImplementedError


def request_confirm(*, request: ServiceRequest, actor) -> ServiceRequest:
    """The enterprise confirms the outcome: closed (confirmed by the enterprise)."""
    raise NotImplementedError


def request_reopen(*, request: ServiceRequest, actor, reason: str) -> ServiceRequest:
    """The enterprise is not satisfied with the report: back to the steward (status reopened)."""
    raise NotImplementedError


def request_auto_close(*, request: ServiceRequest, now=None) -> bool:
    """Close a reported request whose auto_close_due_at passed (closed automatically). Guarded:
    True only for the call that closed it. Used by the sweep."""
    raise NotImplementedError


def visit_log(*, actor, enterprise, visited_on, findings: str = "", requests: list[dict] | None = None) -> Visit:
    """A steward logs a visit to an enterprise it serves. Each dict in ``requests`` (category,
    title, description, urgency) becomes a request logged on the enterprise's behalf (channel
    visit) linked to the visit."""
    raise NotImplementedError


def ledger_item_record(*, actor, enterprise, title: str, description: str, meeting_date,
                       category: str = "other", department=None, reason: str = "") -> LedgerItem:
    """A leader records an item raised at a complaint meeting (吐槽大会); with ``department`` it is
    dispatched at once (see ledger_item_dispatch)."""
    raise NotImplementedError


def ledger_item_dispatch(*, item: LedgerItem, actor, department, reason: str = "") -> LedgerItem:
    """A leader dispatches an unassigned ledger item to a department: a request (channel complaint
    meeting) and an escalation to that department with the usual clock are created."""
    raise NotImplementedError


def ledger_item_claim(*, item: LedgerItem, actor) -> LedgerItem:
    """A department user claims (认领) an unassigned ledger item for its department: same as a
    dispatch to it, clock starting now."""
    raise NotImplementedError


# --- the sweep (DESIGN.md rule 3) ------------------------------------------------------------


def deadline_sweep(*, now=None, batch: int = 100) -> dict[str, int]:
    """Apply every due effect exactly once: reminders, overdue marks, missed progress reports,
    late acceptance flags, auto-closes; then send pending notifications. Returns counts."""
    raise NotImplementedError


def deadlines_recompute(*, years: list[int]) -> int:
    """The calendar of ``years`` changed: recompute due_at/remind_at of escalations whose clock
    is running, next progress due times, and request accept/auto-close due times that fall in
    (or were computed across) those years. Returns the number of rows changed."""
    raise NotImplementedError
