"""Celery tasks of the meetings app: thin, safe to run twice. The decisions' and invitations'
deadlines ride the stewards' deadline sweep (``zonehub.deadline_sweeps``); beat drafts the joint
meeting's agenda."""

from celery import shared_task


@shared_task
def joint_meeting_draft_task():
    """Daily: from day ZONEHUB_JOINT_MEETING_DRAFT_DAY of a month, next month's joint meeting agenda
    is drafted, once (the month's unique constraint)."""
    from meetings.services import joint_meeting_draft_due

    meeting = joint_meeting_draft_due()
    return meeting.pk if meeting else None


@shared_task
def meetings_sweep_task():
    """The meetings' reminders and overdue marks alone (the deadline sweep runs them every minute
    already); for an operator to run by hand."""
    from meetings.services import meetings_deadline_sweep

    return meetings_deadline_sweep()
