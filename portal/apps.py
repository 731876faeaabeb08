from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The top floor: home pages and dashboards, the menu, and the demo zone across all apps."""

    name = "portal"
    verbose_name = _("portal")

    def ready(self):
        # What the leaders' home page counts over the whole zone, counted by the beat (zonehub.tallies).
        from portal.dashboard import TALLIES
        from zonehub.tallies import register_tally

        for name, compute in TALLIES.items():
            register_tally(name, compute)
