"""Notifications: a row per recipient first (the bell), e-mail and SMS afterwards from the rows."""

import datetime as dt
import logging
import re
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.module_loading import import_string

from zonehub.models import Notification
from zonehub.tasking import enqueue_coalesced_on_commit

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
    a no-op, which makes every caller safe to run twice. Returns the number of recipients
    (a repeated key inserts nothing for them)."""
    users = {u.pk for u in recipients if u is not None and u.is_active}
    return notify_many([
        Notification(recipient_id=pk, kind=kind, title=title, body=str(body), url=url, dedupe_key=key, sms=sms)
        for pk in users
    ])


def notify_many(rows: list[Notification]) -> int:
    """Insert many notifications in one statement (a sweep's whole batch): the unique constraint
    on (recipient, dedupe_key) drops the repeated ones, so no prior read is needed. Delivery runs
    a second after the commit, one run for everything written meanwhile."""
    if not rows:
        return 0
    for row in rows:
        row.title = one_line(row.title, limit=200)
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    from zonehub.tasks import notifications_send_pending_task

    enqueue_coalesced_on_commit(notifications_send_pending_task)
    return len(rows)


def notification_mark_read(*, user, notification_ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.visible_to(user).unread()
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())


def _claim(*, size: int, now) -> list[int]:
    """Take up to ``size`` pending rows for this run and commit: concurrent runs skip them."""
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(delivery=Notification.Delivery.PENDING)
            .order_by("pk").values_list("pk", flat=True)[:size]
        )
        if ids:
            Notification.objects.filter(pk__in=ids).update(
                delivery=Notification.Delivery.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    return ids


def _release_stale_claims(now) -> int:
    """Rows a run took and never marked (the worker died while sending) are pending again."""
    lease = dt.timedelta(seconds=settings.ZONEHUB_DELIVERY_LEASE_SECONDS)
    return Notification.objects.filter(
        delivery=Notification.Delivery.SENDING, claimed_at__lt=now - lease,
    ).update(delivery=Notification.Delivery.PENDING)


def _deliver(rows, *, mail, sms_backend) -> tuple[list[int], list[int], list[int]]:
    """Send each row's e-mail (over the one open connection) and SMS: (sent, skipped, failed) ids."""
    sent, skipped, failed = [], [], []
    for row in rows:
        user = row.recipient
        try:
            if user.email:
                EmailMessage(
                    subject=email_subject(row.title), body=f"{row.body}\n\n{row.url}".strip(),
                    from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email], connection=mail,
                ).send()
            if row.sms and user.phone:
                sms_backend.send(user.phone, one_line(row.title))
        except Exception:  # noqa: BLE001 - a mail server failure must not stop the batch
            logger.exception("delivering notification %s failed", row.pk)
            failed.append(row.pk)
        else:
            (sent if (user.email or (row.sms and user.phone)) else skipped).append(row.pk)
    return sent, skipped, failed


def notifications_send_pending(*, batch: int = 200) -> int:
    """Deliver up to ``batch`` pending notifications by e-mail (and SMS when asked); returns how
    many went out (or needed nothing).

    Rows go out in claims of ``ZONEHUB_DELIVERY_BATCH``: a claim is marked "sending" and committed
    before anything is sent, its messages go out over one mail connection, then the claim is
    marked in two or three statements. Concurrent runs share the work (each claim is skipped by
    the others). E-mail and SMS cannot be rolled back: a worker killed while sending leaves its
    claim "sending", and the first run after ``ZONEHUB_DELIVERY_LEASE_SECONDS`` sends it again, so a
    crash re-sends at most the one claim that was in flight, and loses nothing."""
    sms_backend = import_string(settings.ZONEHUB_SMS_BACKEND)()
    delivered, left = 0, batch
    _release_stale_claims(timezone.now())
    while left > 0:
        ids = _claim(size=min(left, settings.ZONEHUB_DELIVERY_BATCH), now=timezone.now())
        if not ids:
            break
        left -= len(ids)
        rows = Notification.objects.filter(pk__in=ids).select_related("recipient").order_by("pk")
        mail = get_connection()
        try:
            mail.open()
        except Exception:  # noqa: BLE001 - the mail server is down: each message says so below
            logger.exception("could not connect to the mail server")
        try:
            sent, skipped, failed = _deliver(rows, mail=mail, sms_backend=sms_backend)
        finally:
            mail.close()
        now = timezone.now()
        claim = Notification.objects.filter(delivery=Notification.Delivery.SENDING)
        if sent:
            claim.filter(pk__in=sent).update(delivery=Notification.Delivery.SENT, delivered_at=now)
        if skipped:
            claim.filter(pk__in=skipped).update(delivery=Notification.Delivery.SKIPPED, delivered_at=now)
        if failed:
            claim.filter(pk__in=failed).update(delivery=Case(
                When(attempts__gte=5, then=Value(Notification.Delivery.FAILED)),
                default=Value(Notification.Delivery.PENDING)))
        delivered += len(sent) + len(skipped)
        if failed:  # the rest waits for the next run rather than meet the same failure
            break
    return delivered
