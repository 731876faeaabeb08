"""Writes about meetings, their minutes and decisions, and chase-ups (督办). One module per
section; this package re-exports their public names (``from meetings import services``).

Every function: permission check (PermissionDenied in the user's language), validation
(ValidationError, nothing changed), one transaction, rows re-read under a row lock, saves with
``update_fields``, one event per state change (root: the meeting, or the request; mirrored on
every request concerned, so the request's timeline shows it), notification rows written in the
same transaction (delivery enqueued after the commit by ``zonehub.notifications``). Nothing is
deleted but the items of a drafted agenda left out when it is convened.

Sections: ``_shared`` (who may, numbers, the timeline) ← ``meetings`` (convene, invitations,
flags, the joint meeting's draft), ``minutes`` (minutes, decisions), ``supervision`` (督办),
``sweep`` (reminders and overdue marks on the zone's deadline sweep).
"""

from meetings.services._shared import (
    can_close_decision,
    can_convene,
    can_manage,
    can_supervise_decision,
    can_supervise_escalation,
    has_steward_capacity,
    next_number,
)
from meetings.services.meetings import (
    can_flag,
    invitation_answer,
    invitation_remind_at,
    joint_flag,
    joint_meeting_draft,
    joint_meeting_draft_due,
    meeting_cancel,
    meeting_convene,
)
from meetings.services.minutes import DecisionDraft, decision_close, minutes_record
from meetings.services.supervision import (
    AT_RISK_WORKING_DAYS,
    decision_chase_state,
    escalation_chase_state,
    supervision_issue,
)
from meetings.services.sweep import meetings_deadline_sweep

__all__ = [
    "AT_RISK_WORKING_DAYS",
    "DecisionDraft",
    "can_close_decision",
    "can_convene",
    "can_flag",
    "can_manage",
    "can_supervise_decision",
    "can_supervise_escalation",
    "decision_chase_state",
    "decision_close",
    "escalation_chase_state",
    "has_steward_capacity",
    "invitation_answer",
    "invitation_remind_at",
    "joint_flag",
    "joint_meeting_draft",
    "joint_meeting_draft_due",
    "meeting_cancel",
    "meeting_convene",
    "meetings_deadline_sweep",
    "minutes_record",
    "next_number",
    "supervision_issue",
]
