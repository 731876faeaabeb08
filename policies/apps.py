from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = _("Policies")

    def ready(self):
        from zonehub.notification_settings import register_notice_topics

        # The reminder before a policy's window closes is a deadline warning (通知设置).
        register_notice_topics({"policy.reminder": "deadline"})
        from policies import events, receivers  # noqa: F401 - the kinds this app records; who hears of changes

        receivers.connect()

        # The Excel import's policy sheet, on enterprises' import machinery.
        from enterprises.imports import register_importer
        from policies.imports import PolicySheet

        register_importer(PolicySheet())
