from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = _("Ratings, appraisals and grades")

    def ready(self):
        from zonehub.notification_settings import register_notice_topics

        # Which notices are deadline warnings and overdue marks (people's channels: 通知设置).
        register_notice_topics({"campaign.reminder": "deadline", "case.reminder": "deadline",
                                "case.overdue": "overdue"})
        from evaluations import events  # noqa: F401 - the kinds this app records
        from zonehub.services import calendar_changed

        calendar_changed.connect(_recompute, dispatch_uid="evaluations_calendar_changed")


def _recompute(sender, years, **kwargs):
    from evaluations.services import deadlines_recompute

    deadlines_recompute(years=years)
