"""The kinds of event the meetings app records, with their timeline labels (zonehub.events).

A meeting's events have the meeting as their root (its own timeline); each is recorded once more
with every request it concerns as the root, so the request's timeline shows the meeting, its
decisions and the chase-ups with no change to the stewards app."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from zonehub.events import register_event_kinds, register_event_states


class MeetingEvent(models.TextChoices):
    MEETING_DRAFTED = "meeting.drafted", _("joint meeting agenda drafted")
    MEETING_CONVENED = "meeting.convened", _("meeting convened")
    MEETING_CANCELLED = "meeting.cancelled", _("meeting cancelled")
    MEETING_HELD = "meeting.held", _("meeting held: minutes recorded")
    INVITATION_CONFIRMED = "invitation.confirmed", _("department confirmed who attends")
    INVITATION_DECLINED = "invitation.declined", _("department declined the invitation")
    INVITATION_REMINDED = "invitation.reminded", _("department reminded to answer the invitation")
    JOINT_FLAGGED = "joint.flagged", _("flagged for the joint meeting")
    DECISION_MADE = "decision.made", _("meeting decision: due by")
    DECISION_REMINDED = "decision.reminded", _("reminded: last working day for a meeting decision")
    DECISION_OVERDUE = "decision.overdue", _("meeting decision overdue")
    DECISION_CLOSED = "decision.closed", _("meeting decision carried out")
    SUPERVISION_ISSUED = "supervision.issued", _("formal chase-up issued")


register_event_kinds(MeetingEvent)
register_event_states(MeetingEvent.DECISION_OVERDUE, {"overdue": _("overdue")})
register_event_states(MeetingEvent.DECISION_CLOSED, {"on_time": _("on time"), "late": _("late")})
