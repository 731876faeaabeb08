from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = _("Ratings, appraisals and grades")

    def ready(self):
        from evaluations import events  # noqa: F401 - the kinds this app records
        from zonehub.services import calendar_changed

        calendar_changed.connect(_recompute, dispatch_uid="evaluations_calendar_changed")


def _recompute(sender, years, **kwargs):
    from evaluations.services import deadlines_recompute

    deadlines_recompute(years=years)
