"""Notifications go out in claims over one mail connection; a claim left by a dead worker goes out
again after its lease; a failing message is retried, then given up, without holding back the rest."""

import datetime as dt

import pytest
from django.utils import timezone

from zonehub.models import Notification
from zonehub.notifications import notifications_send_pending, notify

pytestmark = pytest.mark.django_db


def pending(user, n, **kwargs):
    return Notification.objects.bulk_create([
        Notification(recipient=user, kind="test", title=f"通知{i}", dedupe_key=f"t:{i}", **kwargs) for i in range(n)
    ])


def test_pending_notifications_go_out_in_claims_over_one_connection(zone, mailoutbox, settings, monkeypatch):
    settings.ZONEHUB_DELIVERY_BATCH = 4
    opened = []
    from django.core.mail.backends.locmem import EmailBackend

    monkeypatch.setattr(EmailBackend, "open", lambda self: opened.append(self) or True, raising=False)
    zone.leader.email = "leader@zone.test"
    zone.leader.save(update_fields=["email"])
    pending(zone.leader, 10)
    assert notifications_send_pending(batch=200) == 10
    assert len(mailoutbox) == 10 and len(opened) == 3  # three claims: 4 + 4 + 2
    assert set(Notification.objects.values_list("delivery", "attempts")) == {("sent", 1)}
    assert notifications_send_pending() == 0 and len(mailoutbox) == 10


def test_a_claim_left_sending_goes_out_again_only_after_its_lease(zone, mailoutbox, settings):
    settings.ZONEHUB_DELIVERY_LEASE_SECONDS = 600
    zone.leader.email = "leader@zone.test"
    zone.leader.save(update_fields=["email"])
    rows = pending(zone.leader, 3)
    Notification.objects.filter(pk__in=[r.pk for r in rows]).update(
        delivery="sending", claimed_at=timezone.now() - dt.timedelta(minutes=5), attempts=1)
    assert notifications_send_pending() == 0 and not mailoutbox  # the other run may still be sending
    Notification.objects.update(claimed_at=timezone.now() - dt.timedelta(minutes=11))
    assert notifications_send_pending() == 3 and len(mailoutbox) == 3
    assert set(Notification.objects.values_list("delivery", "attempts")) == {("sent", 2)}


def test_a_failing_message_is_retried_with_backoff_then_given_up(zone, settings, monkeypatch):
    import time_machine
    from django.core.mail.backends.locmem import EmailBackend

    def refuse(self, messages):
        raise OSError("mail server refuses")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    settings.ZONEHUB_DELIVERY_BACKOFF_SECONDS = 60
    zone.leader.email = "leader@zone.test"
    zone.leader.save(update_fields=["email"])
    (row,) = pending(zone.leader, 1)
    waits = []
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for attempt in range(1, 6):
            assert notifications_send_pending() == 0
            row.refresh_from_db()
            (channel,) = row.deliveries.all()
            assert (row.attempts, row.delivery) == (attempt, "pending" if attempt < 5 else "failed")
            assert channel.attempts == attempt and "mail server refuses" in channel.last_error
            if attempt < 5:
                waits.append((channel.next_attempt_at - timezone.now()).total_seconds())
                assert notifications_send_pending() == 0  # not before its time
                assert row.deliveries.get().attempts == attempt
                clock.move_to(channel.next_attempt_at)
    assert waits == [60, 120, 240, 480]  # doubling each time
    assert channel.status == "failed"


def test_notifying_twice_with_one_key_adds_nothing(zone):
    assert notify([zone.leader], kind="t", title="一次", key="k:1") == 1
    notify([zone.leader], kind="t", title="一次", key="k:1")
    assert Notification.objects.filter(recipient=zone.leader, dedupe_key="k:1").count() == 1


def test_busy_submissions_publish_one_delivery_task_a_second(zone, settings, monkeypatch,
                                                               django_capture_on_commit_callbacks):
    from django.core.cache import cache

    from zonehub.tasks import notifications_send_pending_task

    settings.CELERY_TASK_ALWAYS_EAGER = False
    cache.clear()
    published = []
    monkeypatch.setattr(notifications_send_pending_task, "apply_async",
                        lambda **kwargs: published.append(kwargs))
    for i in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            notify([zone.leader], kind="t", title="诉求", key=f"busy:{i}")
    # One run, due after the mark expires: it sends all three.
    assert len(published) == 1 and published[0]["countdown"] > 1
    cache.clear()  # a second later
    with django_capture_on_commit_callbacks(execute=True):
        notify([zone.leader], kind="t", title="诉求", key="busy:later")
    assert len(published) == 2


def test_a_refused_publish_leaves_the_next_submission_to_publish_again(zone, settings, monkeypatch,
                                                                         django_capture_on_commit_callbacks):
    from django.core.cache import cache

    from zonehub.tasks import notifications_send_pending_task

    settings.CELERY_TASK_ALWAYS_EAGER = False
    cache.clear()
    attempts = []

    def refuse(**kwargs):
        attempts.append(kwargs)
        raise ConnectionError("broker down")

    monkeypatch.setattr(notifications_send_pending_task, "apply_async", refuse)
    for i in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            notify([zone.leader], kind="t", title="诉求", key=f"down:{i}")
    assert len(attempts) == 2  # the failed one did not silence the next
    assert Notification.objects.filter(dedupe_key__startswith="down:", delivery="pending").count() == 2
