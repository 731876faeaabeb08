from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zonehub.scoping import ScopedQuerySet


class NotificationQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        # Notifications are personal: not even leaders read other people's.
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A message to one person. The row is written first; e-mail and SMS go out afterwards,
    from the row, so a broker outage delays a message but never loses it."""

    class Delivery(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        SKIPPED = "skipped", _("not needed")

    # No index of its own: the unique constraint below starts with it (one index fewer to write on
    # every notification inserted and every delivery marked).
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE,
        related_name="notifications", db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    # The same effect never notifies twice: e.g. "escalation:12:overdue".
    dedupe_key = models.CharField(_("dedupe key"), max_length=150)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    delivery = models.CharField(
        _("delivery"), max_length=10, choices=Delivery.choices, default=Delivery.PENDING
    )
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    # When a delivery run took the row (delivery "sending"); a run that died leaves it so, and the
    # next run after ZONEHUB_DELIVERY_LEASE_SECONDS sends it again.
    claimed_at = models.DateTimeField(_("taken for sending"), null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # A channel failed for a reason that may pass: the notification is pending again, taken by no
    # delivery run before this (its channels' backoff, zonehub.notifications).
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True, editable=False)
    # The sender marks the notice urgent (an urgent request): it goes by the recipient's channels for
    # urgent notices, SMS among them by default (zonehub.notification_settings).
    sms = models.BooleanField(_("also by SMS"), default=False)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], name="notification_once_per_recipient"
            ),
        ]
        indexes = [
            models.Index(
                fields=["recipient", "created_at"], condition=Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
            # Delivery takes the pending rows in id order: read off this index, not by walking
            # every notification ever sent.
            models.Index(fields=["id"], condition=Q(delivery="pending"), name="notification_pending_id_idx"),
            models.Index(fields=["claimed_at"], condition=Q(delivery="sending"), name="notification_sending_idx"),
        ]

    def __str__(self):
        return self.title
