"""Notifications: a row per recipient first (the bell), e-mail and SMS afterwards from the rows."""

import logging
import re
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from zonehub.models import Notification
from zonehub.tasking import enqueue_on_commit

logger = logging.getLogger(__name__)


class LogSmsBackend:
    """The default SMS backend: writes the message to the log. A real gateway replaces it
    through the ``ZONEHUB_SMS_BACKEND`` setting and needs only a ``send(phone, text)`` method."""

    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", phone, text)


# An e-mail subject is one line: Django refuses a subject with a line break (header injection), and
# that refusal used to cost the department its e-mail for a request titled on two lines.
SUBJECT_MAX = 150
LINE_BREAKS = re.compile(r"\s+")


def one_line(text, *, limit: int | None = None) -> str:
    """``text`` on one line (every run of whitespace, line breaks included, becomes one space),
    at most ``limit`` characters, cut with an ellipsis."""
    text = LINE_BREAKS.sub(" ", str(text)).strip()
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def email_subject(title) -> str:
    """The subject of a notification's e-mail: always sendable, never dropped."""
    return one_line(f"[ZoneHub] {one_line(title)}", limit=SUBJECT_MAX)


def notify(
    recipients: Iterable, *, kind: str, title: str, key: str, body: str = "", url: str = "",
    sms: bool = False,
) -> int:
    """Tell each recipient once. ``key`` names the effect: notifying again with the same key is
    a no-op, which makes every caller safe to run twice. Returns the number of new rows."""
    users = {u.pk: u for u in recipients if u is not None and u.is_active}
    if not users:
        return 0
    existing = set(
        Notification.objects.filter(recipient_id__in=users, dedupe_key=key).values_list(
            "recipient_id", flat=True
        )
    )
    rows = [
        Notification(
            recipient_id=pk, kind=kind, title=one_line(title, limit=200), body=str(body), url=url,
            dedupe_key=key, sms=sms,
        )
        for pk in users
        if pk not in existing
    ]
    # A concurrent caller may insert the same row between the read and the write: the unique
    # constraint keeps exactly one.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    if rows:
        from zonehub.tasks import notifications_send_pending_task

        enqueue_on_commit(notifications_send_pending_task)
    return len(rows)


def notification_mark_read(*, user, notification_ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.visible_to(user).unread()
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())


def notifications_send_pending(*, batch: int = 200) -> int:
    """Deliver pending notifications by e-mail (and SMS when asked). Concurrent runs share the
    work: each row is locked and skipped by the others.

    Each message is sent and marked in a transaction of its own: a worker killed half way through
    a batch has committed every message it sent but the one in flight, so a restart sends that one
    again, not the whole batch (e-mail and SMS cannot be rolled back with the database)."""
    sms_backend = import_string(settings.ZONEHUB_SMS_BACKEND)()
    sent, last_pk = 0, 0
    for _ in range(batch):
        with transaction.atomic():
            row = (
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(delivery=Notification.Delivery.PENDING, pk__gt=last_pk)
                .select_related("recipient")
                .order_by("pk")
                .first()
            )
            if row is None:
                break
            last_pk = row.pk  # a failed row stays pending for the next run, not this one
            row.attempts += 1
            user = row.recipient
            try:
                if user.email:
                    send_mail(
                        subject=email_subject(row.title),
                        message=f"{row.body}\n\n{row.url}".strip(),
                        from_email=settings.DEFAULT_FROM_EMAIL,
                        recipient_list=[user.email],
                    )
                if row.sms and user.phone:
                    sms_backend.send(user.phone, one_line(row.title))
            except Exception:  # noqa: BLE001 - a mail server failure must not stop the batch
                logger.exception("delivering notification %s failed", row.pk)
                row.delivery = (
                    Notification.Delivery.FAILED if row.attempts >= 5 else Notification.Delivery.PENDING
                )
            else:
                row.delivery = (
                    Notification.Delivery.SENT if (user.email or (row.sms and user.phone))
                    else Notification.Delivery.SKIPPED
                )
                row.delivered_at = timezone.now()
                sent += 1
            row.save(update_fields=["attempts", "delivery", "delivered_at"])
    return sent
