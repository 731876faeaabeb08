"""Each channel's delivery of the notifications one delivery run has claimed (zonehub.notifications).

A claimed notification first gets its delivery rows (NotificationDelivery), one per channel its
recipient hears by for its topic (zonehub.notification_settings), and one for the recipient's
department group chat; the unique constraints make planning twice, or for two members of one
department, add nothing. Then the rows due are sent, each on its own: a channel that went out is
marked sent with the provider's answer and never sent again; one that failed for a reason that may
pass is tried again after a backoff, at most ZONEHUB_DELIVERY_MAX_ATTEMPTS times; one that cannot
pass is failed at once. The notification's own ``delivery`` sums its channels up: pending while
one waits for a retry (``next_attempt_at``: no run takes it before), else failed if one failed,
sent if one went out, "not needed" if it had no channel at all.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.conf import settings

from zonehub.channels import Backend, ChannelError, Message
from zonehub.db import rows_update
from zonehub.models import Channel, Notification, NotificationDelivery, Role
from zonehub.notification_settings import channels_for, notice_topic

logger = logging.getLogger(__name__)

D = NotificationDelivery.Status
N = Notification.Delivery


def backoff(attempts: int) -> dt.timedelta:
    """The wait before attempt ``attempts + 1``: BACKOFF, doubling each time, at most BACKOFF_MAX."""
    seconds = settings.ZONEHUB_DELIVERY_BACKOFF_SECONDS * 2 ** max(0, attempts - 1)
    return dt.timedelta(seconds=min(seconds, settings.ZONEHUB_DELIVERY_BACKOFF_MAX_SECONDS))


def absolute(url: str) -> str:
    if url and url.startswith("/") and settings.ZONEHUB_SITE_URL:
        return settings.ZONEHUB_SITE_URL + url
    return url


def message_for(notification: Notification) -> Message:
    return Message(title=notification.title, body=notification.body, link=absolute(notification.url),
                   kind=notification.kind)


def _settings_of(user):
    try:
        return user.notification_settings
    except user._meta.model.notification_settings.RelatedObjectDoesNotExist:
        return None


def _robot_of(user):
    if user.role != Role.DEPARTMENT or user.department_id is None:
        return None
    try:
        robot = user.department.chat_robot
    except user.department._meta.model.chat_robot.RelatedObjectDoesNotExist:
        return None
    return robot if robot.is_active else None


def deliveries_plan(notifications, *, channels: set[str], now) -> None:
    """The delivery rows of ``notifications`` (recipient, its settings and its department's robot
    selected), for the configured ``channels``; rows that exist already are kept as they are."""
    rows, group_rows = [], []
    for notification in notifications:
        user = notification.recipient
        own = _settings_of(user)
        chosen = channels_for(own, notice_topic(notification.kind, urgent=notification.sms))
        addresses = {
            Channel.EMAIL: user.email,
            Channel.SMS: user.phone,
            Channel.WECOM: own.wecom_userid if own is not None else "",
        }
        for channel in (Channel.EMAIL, Channel.SMS, Channel.WECOM):
            if channel in chosen and channel in channels and addresses[channel]:
                rows.append(NotificationDelivery(notification=notification, channel=channel,
                                                 address=addresses[channel][:200], next_attempt_at=now, created_at=now))
        robot = _robot_of(user) if Channel.GROUP in channels else None
        if robot is not None:
            group_rows.append(NotificationDelivery(notification=notification, channel=Channel.GROUP, robot=robot,
                                                   address=str(robot)[:200], dedupe_key=notification.dedupe_key,
                                                   next_attempt_at=now, created_at=now))
    # Two runs planning one department's messages wait on each other's uncommitted rows: they insert
    # them in one order, so neither waits for the other in turn (no deadlock).
    rows += sorted(group_rows, key=lambda d: (d.robot_id, d.dedupe_key))
    if rows:
        NotificationDelivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)


def _circuit_keys(delivery: NotificationDelivery) -> tuple[tuple, tuple]:
    """What one failure that may pass says about the next sends of this run: (the key a provider's
    own refusal trips, the key an unreachable provider trips). The mail server, the SMS provider and
    WeCom's application are each one for everyone; a robot's rate limit is its own group's, but a
    provider that does not answer fails every robot of that provider."""
    if delivery.channel == Channel.GROUP:
        provider = delivery.robot.provider if delivery.robot is not None else ""
        return (Channel.GROUP, delivery.robot_id), (Channel.GROUP, provider)
    return (delivery.channel,), (delivery.channel,)


def _send_one(delivery: NotificationDelivery, backend: Backend | None, message: Message, now) -> tuple | None:
    """Send one delivery and set its outcome on the row (not saved). When it failed for a reason
    that may pass: the circuit key that failure trips for the rest of the run, else None."""
    delivery.attempts += 1
    address = delivery.robot if delivery.channel == Channel.GROUP else delivery.address
    own, provider = _circuit_keys(delivery)
    try:
        if backend is None or address is None:
            raise ChannelError("channel not configured any more") from None
        sent = backend.send(message, address)
    except ChannelError as exc:
        retryable = exc.retryable and backend is not None and address is not None
        trips = provider if exc.transport else own
        delivery.last_error = exc.answer
    except Exception as exc:  # noqa: BLE001 - a provider's library failing in its own way: retried, bounded
        logger.exception("delivery %s (%s) failed", delivery.pk, delivery.channel)
        retryable, trips, delivery.last_error = True, provider, f"{type(exc).__name__}: {exc}"[:1000]
    else:
        delivery.status, delivery.sent_at, delivery.answer = D.SENT, now, sent.answer[:500]
        return None
    if retryable and delivery.attempts < settings.ZONEHUB_DELIVERY_MAX_ATTEMPTS:
        delivery.status, delivery.next_attempt_at = D.PENDING, now + backoff(delivery.attempts)
        logger.warning("delivery %s (%s) failed, attempt %s, again at %s: %s", delivery.pk, delivery.channel,
                       delivery.attempts, delivery.next_attempt_at, delivery.last_error)
    else:
        delivery.status = D.FAILED
        logger.warning("delivery %s (%s) given up after %s attempt(s): %s", delivery.pk, delivery.channel,
                       delivery.attempts, delivery.last_error)
    return trips if retryable else None


def deliveries_claim(notifications, *, channels: set[str], now) -> tuple[list, list]:
    """Inside the claim's transaction: plan the channels of ``notifications`` (recipient, its
    settings and its department's robot selected), read every delivery row they have, and mark the
    due ones "sending". Returns (every row, the due rows), committed with the claim before anything
    is sent: a run that dies while sending leaves them for the next run after the lease."""
    deliveries_plan(notifications, channels=channels, now=now)
    rows = list(NotificationDelivery.objects.select_related("robot")
                .filter(notification_id__in=[n.pk for n in notifications]).order_by("pk"))
    due = [d for d in rows if d.status in (D.PENDING, D.SENDING) and d.next_attempt_at <= now]
    if due:
        NotificationDelivery.objects.filter(pk__in=[d.pk for d in due]).update(status=D.SENDING)
    return rows, due


def deliveries_send(notifications, due: list, *, backends: dict[str, Backend], tripped: set, now) -> None:
    """Send every ``due`` channel of the claimed ``notifications`` (``deliveries_claim``), and save
    how each went. ``tripped`` holds, for the whole run, what failed for a reason that may pass:
    the rest of the run leaves those channels for later (no attempt counted) rather than meet the
    same failure."""
    by_id = {n.pk: n for n in notifications}
    opened = set()
    try:
        for delivery in due:
            if tripped.intersection(_circuit_keys(delivery)):
                delivery.status, delivery.next_attempt_at = D.PENDING, now + backoff(1)
                continue
            backend = backends.get(delivery.channel)
            if backend is not None and delivery.channel not in opened:
                opened.add(delivery.channel)
                backend.open()
            trips = _send_one(delivery, backend, message_for(by_id[delivery.notification_id]), now)
            if trips is not None:
                tripped.add(trips)
    finally:
        for channel in opened:
            backends[channel].close()
        rows_update(due, ["status", "attempts", "next_attempt_at", "last_error", "answer", "sent_at"])


def notifications_outcome(ids: list[int], deliveries) -> dict[int, tuple[str, object]]:
    """Each claimed notification's delivery as its channels (``deliveries``, every row of the claim
    as the run left them) sum it up: (state, next attempt)."""
    channels: dict[int, list[tuple[str, object]]] = defaultdict(list)
    for delivery in deliveries:
        channels[delivery.notification_id].append((delivery.status, delivery.next_attempt_at))
    outcome = {}
    for nid in ids:
        rows = channels.get(nid, [])
        waiting = [next_at for status, next_at in rows if status in (D.PENDING, D.SENDING)]
        if waiting:
            outcome[nid] = (N.PENDING, min(waiting))
        elif any(status == D.FAILED for status, _ in rows):
            outcome[nid] = (N.FAILED, None)
        elif rows:
            outcome[nid] = (N.SENT, None)
        else:
            outcome[nid] = (N.SKIPPED, None)
    return outcome


def robot_test_send(*, department) -> tuple[bool, str]:
    """Post a test message to a department's group chat now (the admin's check of a new robot):
    whether it went, and the provider's answer or why not."""
    from django.utils.translation import gettext as _

    from zonehub.channels import GroupChat

    robot = getattr(department, "chat_robot", None)
    if robot is None or not robot.is_active:
        return False, _("no active group robot")
    backend = GroupChat()
    if not backend.configured():
        return False, _("group robots are turned off (ZONEHUB_CHAT_ROBOTS_ENABLED)")
    message = Message(title=_("ZoneHub test message"),
                      body=_("Notices to %(department)s will be posted in this group.") % {"department": department.name})
    try:
        sent = backend.send(message, robot)
    except ChannelError as exc:
        return False, exc.answer
    return True, sent.answer
