from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ZonehubConfig(AppConfig):
    name = "zonehub"
    verbose_name = _("Zone administration")
