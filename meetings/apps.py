"""The steward's powers to convene and to supervise (会议召集权, 事项督办权, issue 16): meetings and
the workstation heads' joint meeting (联席会), their minutes and decisions on the working-day
clock, formal chase-ups (督办), and the official documents (Word) of each. A floor of its own
beside ``policies`` and ``supply`` (pyproject.toml)."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings and supervision")

    def ready(self):
        from meetings import events  # noqa: F401 - the kinds this app records
        from zonehub.deadline_sweeps import register_deadline_sweep
        from zonehub.notification_settings import register_notice_topics

        # A decision's last working day and an unanswered invitation are deadline warnings; a
        # decision overdue and a chase-up (督办) are overdue marks (通知设置).
        register_notice_topics({"decision.reminded": "deadline", "invitation.reminded": "deadline",
                                "decision.overdue": "overdue", "supervision.issued": "overdue",
                                "supervision.escalated": "overdue"})

        # The decisions' and invitations' deadlines ride the zone's one deadline sweep.
        from meetings.services import meetings_deadline_sweep

        register_deadline_sweep("meetings", meetings_deadline_sweep)
