"""Notifications: a row per recipient first (the bell), then each channel (e-mail, SMS, WeCom, the
department's group chat) from the rows, in claims (zonehub.delivery sends each channel)."""

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from zonehub.channels import backends as channel_backends
from zonehub.channels.email import email_subject, one_line  # noqa: F401 - where callers have imported them
from zonehub.channels.sms import LogSmsBackend  # noqa: F401 - the path ZONEHUB_SMS_BACKEND may name
from zonehub.db import InsertBatch
from zonehub.delivery import deliveries_claim, deliveries_send, notifications_outcome
from zonehub.models import Notification, NotificationDelivery
from zonehub.tasking import enqueue_coalesced_on_commit

logger = logging.getLogger(__name__)


def notify(
    recipients: Iterable, *, kind: str, title: str, key: str, body: str = "", url: str = "",
    sms: bool = False, batch: InsertBatch | None = None,
) -> int:
    """Tell each recipient once. ``key`` names the effect: notifying again with the same key is
    a no-op, which makes every caller safe to run twice. Returns the number of recipients
    (a repeated key inserts nothing for them). With ``batch`` the notices are written with the
    batch's other rows."""
    users = {u.pk for u in recipients if u is not None and u.is_active}
    return notify_many([
        Notification(recipient_id=pk, kind=kind, title=title, body=str(body), url=url, dedupe_key=key, sms=sms)
        for pk in users
    ], batch=batch)


def notify_many(rows: list[Notification], *, batch: InsertBatch | None = None) -> int:
    """Insert many notifications in one statement (a sweep's whole batch): the unique constraint
    on (recipient, dedupe_key) drops the repeated ones, so no prior read is needed. Delivery runs
    a second after the commit, one run for everything written meanwhile. With ``batch`` they
    are written with the batch's other rows."""
    if not rows:
        return 0
    for row in rows:
        row.title = one_line(row.title, limit=200)
    from zonehub.tasks import notifications_send_pending_task

    if batch is not None:
        batch.add(*rows, ignore_conflicts=True)
        batch.then(lambda: enqueue_coalesced_on_commit(notifications_send_pending_task))
        return len(rows)
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    enqueue_coalesced_on_commit(notifications_send_pending_task)
    return len(rows)


def notification_mark_read(*, user, notification_ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.visible_to(user).unread()
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())


def _claim(*, size: int, now) -> list[int]:
    """Take up to ``size`` pending rows for this run (in the caller's transaction: concurrent runs
    skip them). A row waiting for a channel's retry is taken once its time has come."""
    ids = list(
        Notification.objects.select_for_update(skip_locked=True)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now), delivery=Notification.Delivery.PENDING)
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


def notifications_send_pending(*, batch: int = 200) -> int:
    """Deliver up to ``batch`` pending notifications by each of their channels (e-mail, SMS, WeCom,
    the department's group chat: zonehub.delivery); returns how many are done (went out, or
    needed nothing).

    Rows go out in claims of ``ZONEHUB_DELIVERY_BATCH``: a claim is marked "sending", its channel
    deliveries planned and marked "sending", and all of it committed before anything is sent; its
    messages go out (the e-mails over one mail connection), then each channel and the claim are
    marked in a few statements. Concurrent runs share the work (each claim is skipped by
    the others). Each channel is delivered once: one that went out is never sent again because
    another is retried, and a retry waits for its backoff (the notification is taken again only
    then). Nothing sent can be rolled back: a worker killed while sending leaves its claim
    "sending", and the first run after ``ZONEHUB_DELIVERY_LEASE_SECONDS`` sends its unmarked
    channels again, so a crash re-sends at most the one claim that was in flight, and loses
    nothing."""
    backends = channel_backends()
    tripped: set = set()  # channels that failed in this run for a reason that may pass
    delivered, left = 0, batch
    _release_stale_claims(timezone.now())
    while left > 0:
        now = timezone.now()
        with transaction.atomic():
            ids = _claim(size=min(left, settings.ZONEHUB_DELIVERY_BATCH), now=now)
            if not ids:
                break
            rows = list(
                Notification.objects.filter(pk__in=ids)
                .select_related("recipient__notification_settings", "recipient__department__chat_robot")
                .order_by("pk")
            )
            deliveries, due = deliveries_claim(rows, channels=set(backends), now=now)
        left -= len(ids)
        deliveries_send(rows, due, backends=backends, tripped=tripped, now=timezone.now())
        delivered += _mark_claim(notifications_outcome(ids, deliveries), now=timezone.now())
    return delivered


def _mark_claim(outcome: dict[int, tuple[str, object]], *, now) -> int:
    """Mark the claim as its channels left it (``notifications_outcome``), a few statements for the
    whole claim; returns how many notifications are done (sent, or needing nothing)."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for nid, (state, next_at) in outcome.items():
        groups[(state, next_at)].append(nid)
    claim = Notification.objects.filter(delivery=Notification.Delivery.SENDING)
    done = 0
    with transaction.atomic():  # one commit for the claim
        for (state, next_at), group in groups.items():
            if state == Notification.Delivery.PENDING:
                claim.filter(pk__in=group).update(delivery=state, next_attempt_at=next_at)
            else:
                claim.filter(pk__in=group).update(delivery=state, delivered_at=now, next_attempt_at=None)
                if state in (Notification.Delivery.SENT, Notification.Delivery.SKIPPED):
                    done += len(group)
    return done


def deliveries_for(notifications) -> dict[int, list[NotificationDelivery]]:
    """Each notification's channel deliveries, in one query (the notification page)."""
    found: dict[int, list[NotificationDelivery]] = defaultdict(list)
    ids = [n.pk for n in notifications]
    for delivery in NotificationDelivery.objects.filter(notification_id__in=ids).order_by("pk"):
        found[delivery.notification_id].append(delivery)
    return found
