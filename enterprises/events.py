"""The kinds of event the enterprises app records, with their timeline labels (zonehub.events)."""

from django.db import models
from django.utils.translation import gettext_lazy

from zonehub.events import register_event_kinds


class EnterpriseEvent(models.TextChoices):
    IMPORTED = "enterprise.imported", gettext_lazy("created by Excel import")
    IMPORT_UPDATED = "enterprise.import_updated", gettext_lazy("updated by Excel import")
    IMPORT_DONE = "import.done", gettext_lazy("Excel import completed")


register_event_kinds(EnterpriseEvent)
