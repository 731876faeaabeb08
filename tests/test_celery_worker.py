"""Through a real Celery worker on the configured broker (Redis in CI's second run)."""

import pytest
from django.db import transaction

from tests.celery_worker import needs_redis_worker, wait_for
from zonehub.models import Notification
from zonehub.notifications import notify

pytestmark = needs_redis_worker


@pytest.mark.django_db(transaction=True)
def test_a_notification_is_delivered_by_the_worker(zone, mailoutbox, celery_worker):
    with transaction.atomic():
        notify([zone.steward_a.user], kind="test", title="worker test", key="worker-test")
    row = Notification.objects.get(dedupe_key="worker-test")
    assert wait_for(lambda: Notification.objects.get(pk=row.pk).delivery == Notification.Delivery.SENT)
    assert [m.to for m in mailoutbox] == [[zone.steward_a.user.email]]
