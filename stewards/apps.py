from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StewardsConfig(AppConfig):
    name = "stewards"
    verbose_name = _("Stewards and service requests")
