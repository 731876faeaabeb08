"""The kinds of event the stewards app records, with their timeline labels (zonehub.events)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from zonehub.events import register_event_kinds, register_event_states


class StewardsEvent(models.TextChoices):
    STEWARD_ASSIGNED = "steward.assigned", _("steward assigned")
    STEWARD_UNASSIGNED = "steward.unassigned", _("steward taken off")
    STEWARD_HANDED_OVER = "steward.handed_over", _("handed over to the new steward")
    REQUEST_SUBMITTED = "request.submitted", _("request submitted")
    REQUEST_LOGGED = "request.logged", _("request logged by the steward")
    REQUEST_ACCEPTED = "request.accepted", _("request accepted")
    REQUEST_ACCEPT_LATE = "request.accept_late", _("not accepted in time: workstation head told")
    REQUEST_COMMENTED = "request.commented", _("message")
    REQUEST_ATTACHED = "request.attached", _("files attached")
    REQUEST_RESOLVED = "request.resolved", _("solved by the steward and reported to the enterprise")
    REQUEST_ESCALATED = "request.escalated", _("escalated to departments")
    REQUEST_REPORTED = "request.reported", _("reported back to the enterprise")
    REQUEST_CONFIRMED = "request.confirmed", _("confirmed by the enterprise and closed")
    REQUEST_REOPENED = "request.reopened", _("reopened by the enterprise")
    REQUEST_AUTO_CLOSED = "request.auto_closed", _("closed automatically (no answer from the enterprise)")
    ESCALATION_SENT = "escalation.sent", _("escalated to a department")
    ESCALATION_REMINDED = "escalation.reminded", _("department reminded: last working day to reply")
    ESCALATION_OVERDUE = "escalation.overdue", _("reply overdue")
    ESCALATION_REPLIED = "escalation.replied", _("department replied")
    ESCALATION_CONSULTATION = "escalation.consultation", _("department marked it as needing joint consultation")
    ESCALATION_PROGRESS = "escalation.progress", _("progress report")
    ESCALATION_PROGRESS_MISSED = "escalation.progress_missed", _("progress report missing")
    ESCALATION_CONCLUDED = "escalation.concluded", _("joint consultation concluded")
    ESCALATION_RETURNED = "escalation.returned", _("returned by the department as not its business")
    ESCALATION_DUE_CHANGED = "escalation.due_changed", _("deadline recomputed after a calendar change")
    VISIT_LOGGED = "visit.logged", _("visit logged")
    LEDGER_RECORDED = "ledger.recorded", _("recorded on the complaint-meeting ledger")
    LEDGER_DISPATCHED = "ledger.dispatched", _("dispatched to a department")
    LEDGER_CLAIMED = "ledger.claimed", _("claimed by a department")
    # Issue 16: every cadre can serve; 一键直达 (a steward raises an item straight to the head).
    STEWARD_CAPACITY_GRANTED = "steward.capacity_granted", _("serves as a steward beside its role")
    STEWARD_CAPACITY_ENDED = "steward.capacity_ended", _("no longer serves as a steward")
    DIRECT_LINE_RAISED = "direct_line.raised", _("raised straight to the workstation head (一键直达)")
    DIRECT_LINE_ACKNOWLEDGED = "direct_line.acknowledged", _("acknowledged by the workstation head")
    DIRECT_LINE_TAKEN_OVER = "direct_line.taken_over", _("taken over by the workstation head")
    DIRECT_LINE_ANSWERED = "direct_line.answered", _("answered by the workstation head")


register_event_kinds(StewardsEvent)
# The sweep marks an escalation overdue: a mark, not one of its statuses.
register_event_states(StewardsEvent.ESCALATION_OVERDUE, {"overdue": _("overdue")})
