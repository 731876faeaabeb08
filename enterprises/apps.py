from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "enterprises"
    verbose_name = _("Enterprises")

    def ready(self):
        # The kinds of event this app records. The kinds of import sheet are registered by the
        # apps above (stewards, projects) in their ready().
        from enterprises import events  # noqa: F401
