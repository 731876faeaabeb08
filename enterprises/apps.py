from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "enterprises"
    verbose_name = _("Enterprises")

    def ready(self):
        # Importing the services registers the timeline labels of the import's events. The kinds
        # of import sheet are registered by the apps above (stewards, projects) in their ready().
        from enterprises import services  # noqa: F401
