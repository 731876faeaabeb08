from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The top floor: home pages and dashboards, the menu, and the demo zone across all apps."""

    name = "portal"
    verbose_name = _("portal")

    def ready(self):
        # What the leaders' home page counts over the whole zone, counted by the beat (zonehub.tallies).
        from portal.dashboard import TALLIES
        from portal.selectors import zone_home_tallies
        from zonehub.tallies import register_tally

        # The built halves of their home page last: the beat builds them from the counts above.
        for name, compute in {**TALLIES, **zone_home_tallies()}.items():
            register_tally(name, compute)
