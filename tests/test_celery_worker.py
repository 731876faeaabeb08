"""Through a real Celery worker on the configured broker (Redis in CI's second run)."""

import os
import time

import pytest
from django.db import transaction

from zonehub.models import Notification
from zonehub.notifications import notify

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(
        not os.environ.get("CELERY_BROKER_URL", "").startswith("redis"),
        reason="runs with CELERY_BROKER_URL=redis://… (CI's PostgreSQL + Redis run)",
    ),
]


@pytest.fixture
def celery_worker_on_broker():
    from celery.contrib.testing.worker import start_worker

    from zonehub.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
            yield worker
    finally:
        app.conf.task_always_eager = eager


def wait_for(predicate, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_notification_is_delivered_by_the_worker(zone, mailoutbox, celery_worker_on_broker):
    with transaction.atomic():
        notify([zone.steward_a.user], kind="test", title="worker test", key="worker-test")
    row = Notification.objects.get(dedupe_key="worker-test")
    assert wait_for(lambda: Notification.objects.get(pk=row.pk).delivery == Notification.Delivery.SENT)
    assert [m.to for m in mailoutbox] == [[zone.steward_a.user.email]]
