"""The issue's "done when" story through a real Celery worker on Redis (CI's PostgreSQL + Redis run):
an enterprise submits, its steward escalates to two departments, one replies on time, the other
lets it run late, and one sweep in the worker marks the late one overdue and tells everyone."""

import datetime as dt

import pytest
import time_machine
from django.db import transaction

from stewards import services
from stewards.models import Escalation
from stewards.tasks import deadline_sweep_task
from tests.celery_worker import needs_redis_worker, wait_for
from zonehub.events import event_list_for
from zonehub.models import Notification

pytestmark = needs_redis_worker

FRIDAY = dt.datetime(2025, 2, 7, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.mark.django_db(transaction=True)
def test_a_late_department_is_marked_overdue_by_the_sweep_in_the_worker(zone, celery_worker, mailoutbox):
    with time_machine.travel(FRIDAY, tick=True):
        with transaction.atomic():
            request = services.request_submit(actor=zone.ent_user_a, category="factors", title="蒸汽管网接入",
                                              description="新车间需要接入园区蒸汽管网。")
        with transaction.atomic():
            on_time, late = services.request_escalate(request=request, actor=zone.steward_a.user,
                                                      departments=[zone.dept_a, zone.dept_b], reason="请两局协同办理")
        with transaction.atomic():
            services.escalation_reply(escalation=on_time, actor=zone.dept_user_a, reply="已安排接入")
    # The steward's new-request notice went out through the worker.
    assert wait_for(lambda: Notification.objects.filter(recipient=zone.steward_a.user, kind="request.submitted",
                                                        delivery="sent").exists())

    with time_machine.travel(late.due_at + dt.timedelta(minutes=1), tick=True):
        deadline_sweep_task.delay()
        assert wait_for(lambda: Escalation.objects.get(pk=late.pk).overdue_at is not None)
        deadline_sweep_task.delay()  # beat fires again a minute later: nothing new
        assert wait_for(lambda: not Notification.objects.filter(delivery="pending").exists())

    late.refresh_from_db()
    on_time.refresh_from_db()
    assert on_time.overdue_at is None and on_time.answered_on_time is True
    assert late.overdue_at is not None and late.answered_on_time is None
    for user in (zone.dept_user_b, zone.steward_a.user, zone.leader):
        assert Notification.objects.filter(recipient=user, kind="escalation.overdue").count() == 1, user
    assert not Notification.objects.filter(recipient=zone.dept_user_a, kind="escalation.overdue").exists()
    kinds = [e.kind for e in event_list_for(request)]
    assert kinds.count("escalation.overdue") == 1
    assert kinds[:5] == ["request.submitted", "escalation.sent", "escalation.sent", "request.escalated",
                         "escalation.replied"]
