from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Major projects and the five-key list")

    def ready(self):
        from zonehub.notification_settings import register_notice_topics

        # A lagging five-key item is an overdue mark (people's channels: 通知设置).
        register_notice_topics({"fivekey.lagging": "overdue", "project.steward_reminder": "deadline",
                                "project.steward_overdue": "overdue"})
        from projects import events, services  # noqa: F401 - events: the kinds this app records
        from zonehub.services import calendar_changed

        calendar_changed.connect(services.on_calendar_changed, dispatch_uid="projects.scores_recompute")

        # Every saved project steward assignment keeps Project.has_steward right (issue 16).
        from django.db.models.signals import post_delete, post_save

        from projects import serving
        from projects.models import ProjectStewardAssignment

        post_save.connect(serving.on_project_assignment_saved, sender=ProjectStewardAssignment,
                          dispatch_uid="projects.has_steward_save")
        post_delete.connect(serving.on_project_assignment_saved, sender=ProjectStewardAssignment,
                            dispatch_uid="projects.has_steward_delete")

        # The Excel import's major-project sheet.
        from enterprises.imports import register_importer
        from projects.imports import ProjectSheet

        register_importer(ProjectSheet())

        # The leaders' panel of projects by stage reads the zone's tally (zonehub.tallies).
        from projects.selectors import tally_projects_by_stage
        from zonehub.tallies import register_tally

        register_tally("projects.by-stage", tally_projects_by_stage)
