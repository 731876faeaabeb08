from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StewardsConfig(AppConfig):
    name = "stewards"
    verbose_name = _("Stewards and service requests")

    def ready(self):
        from zonehub.notification_settings import register_notice_topics

        # Which notices are deadline warnings and overdue marks (people's channels: 通知设置).
        register_notice_topics({"escalation.reminded": "deadline", "escalation.overdue": "overdue",
                                "escalation.progress_missed": "overdue", "request.accept_late": "overdue"})
        from stewards import events, services  # noqa: F401 - events: the kinds this app records
        from zonehub.services import calendar_changed

        # Deadlines computed on a calendar that changed are computed again (DESIGN.md rule 2).
        calendar_changed.connect(services.on_calendar_changed, dispatch_uid="stewards.deadlines_recompute")

        # Every saved assignment (services, admin, imports) keeps Enterprise.has_steward right.
        from django.db.models.signals import post_delete, post_save

        from stewards.models import StewardAssignment
        from stewards.services.assignments import on_assignment_saved

        post_save.connect(on_assignment_saved, sender=StewardAssignment, dispatch_uid="stewards.has_steward_save")
        post_delete.connect(on_assignment_saved, sender=StewardAssignment, dispatch_uid="stewards.has_steward_delete")

        # Every cadre can serve (issue 16): the steward capacity, beside any role; and a steward
        # whose user moves to another workstation serves in the new one.
        from stewards.models import Steward
        from stewards.services.capacity import on_steward_saved, on_user_saved
        from zonehub.models import User
        from zonehub.scoping import register_capacity

        register_capacity("steward")
        post_save.connect(on_steward_saved, sender=Steward, dispatch_uid="stewards.capacity_save")
        post_delete.connect(on_steward_saved, sender=Steward, dispatch_uid="stewards.capacity_delete")
        post_save.connect(on_user_saved, sender=User, dispatch_uid="stewards.steward_follows_user")

        # The Excel import's enterprise sheet, whose steward column is stewards'.
        from enterprises.imports import register_importer
        from stewards.imports import EnterpriseSheet

        register_importer(EnterpriseSheet())
