from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = _("Ratings, appraisals and grades")

    def ready(self):
        from django.db.models.signals import pre_save

        from evaluations.adapters import refuse_barred_assignment
        from zonehub.services import calendar_changed

        # A guard, not business flow: stewards.services.steward_assign does not know about
        # ratings, so the bar on going back is checked on every new assignment row.
        pre_save.connect(refuse_barred_assignment, sender="stewards.StewardAssignment",
                         dispatch_uid="evaluations_refuse_barred_assignment")
        calendar_changed.connect(_recompute, dispatch_uid="evaluations_calendar_changed")


def _recompute(sender, years, **kwargs):
    from evaluations.services import deadlines_recompute

    deadlines_recompute(years=years)
