from django.db import models
from django.utils.translation import gettext_lazy as _


class Tally(models.Model):
    """A zone-wide figure the home pages read instead of counting every row on every view
    (``zonehub.tallies``): its counts as JSON, and when they were counted."""

    name = models.CharField(_("name"), max_length=100, primary_key=True)
    data = models.JSONField(_("counts"), default=dict)
    computed_at = models.DateTimeField(_("counted"))

    class Meta:
        verbose_name = _("zone tally")
        verbose_name_plural = _("zone tallies")

    def __str__(self):
        return self.name
