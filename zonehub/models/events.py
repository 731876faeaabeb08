from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    """One state change: who did what to which object, when, from which state to which.

    Rows are only ever added. ``subject`` is what the change happened to; ``root`` is the object
    whose timeline shows it (an escalation's events appear on its request's page).
    """

    # The type columns have no index of their own: event_subject_idx and event_root_idx start with
    # them (two indexes fewer to write on every state change).
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+", db_index=False)
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    root_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+", db_index=False)
    root_id = models.PositiveBigIntegerField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    kind = models.CharField(_("what"), max_length=60)
    from_state = models.CharField(_("from"), max_length=30, blank=True)
    to_state = models.CharField(_("to"), max_length=30, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["root_type", "root_id", "created_at"], name="event_root_idx"),
            models.Index(fields=["subject_type", "subject_id"], name="event_subject_idx"),
            # The audit page (zonehub/audit_views.py) lists the whole history newest first.
            models.Index(fields=["created_at", "id"], name="event_created_idx"),
        ]

    def __str__(self):
        return f"{self.kind} @ {self.created_at:%Y-%m-%d %H:%M}"
