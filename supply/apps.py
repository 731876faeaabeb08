"""Industry chains and in-zone supply matchmaking (产业链撮合, 三方购销, issue 18): the operations
centre's work. A floor of its own beside ``policies`` (pyproject.toml)."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupplyConfig(AppConfig):
    name = "supply"
    verbose_name = _("Supply matchmaking")

    def ready(self):
        # The offers-and-needs sheet, on enterprises' import machinery.
        from enterprises.imports import register_importer
        from supply import events  # noqa: F401 - the kinds this app records
        from supply.imports import SupplySheet

        register_importer(SupplySheet())
