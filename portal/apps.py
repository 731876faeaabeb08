from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The top floor: home pages and dashboards, the menu, and the demo zone across all apps."""

    name = "portal"
    verbose_name = _("portal")
