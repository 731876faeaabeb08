from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Major projects and the five-key list")

    def ready(self):
        from zonehub.notification_settings import register_notice_topics

        # A lagging five-key item is an overdue mark (people's channels: 通知设置).
        register_notice_topics({"fivekey.lagging": "overdue"})
        from projects import events, services  # noqa: F401 - events: the kinds this app records
        from zonehub.services import calendar_changed

        calendar_changed.connect(services.on_calendar_changed, dispatch_uid="projects.scores_recompute")

        # The Excel import's major-project sheet.
        from enterprises.imports import register_importer
        from projects.imports import ProjectSheet

        register_importer(ProjectSheet())
