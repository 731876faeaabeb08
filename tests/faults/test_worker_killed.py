"""The Celery worker is SIGKILLed in the middle of a deadline sweep, then started again: every
reminder and every overdue mark happens exactly once (DESIGN.md rule 3: "dies half way")."""

import datetime as dt
from collections import Counter

import pytest
from django.db.models import Q
from django.utils import timezone

from stewards.models import Escalation, ServiceRequest
from tests.faults.helpers import (
    faults,
    send_task,
    sent_mail,
    sent_sms,
    start_worker,
    subprocess_env,
    task_ids,
    wait_for,
    wait_for_other_sessions_to_end,
)
from zonehub.models import Event, Notification

pytestmark = faults

REMINDERS = OVERDUE = 150  # a sweep of several batches (100 rows each), seconds long: killed half way
SWEEP = "stewards.tasks.deadline_sweep_task"
DELIVERY = "zonehub.tasks.notifications_send_pending_task"


def due_escalations(zone, *, reminders: int, overdue: int) -> list[Escalation]:
    """Escalations whose reminder (department A) or deadline (department B) fell due an hour ago,
    on the real clock: the worker is another process and cannot share a travelled one."""
    now = timezone.now()
    sent = now - dt.timedelta(days=5)
    requests = ServiceRequest.objects.bulk_create([
        ServiceRequest(enterprise=zone.ent_a, category="factors", title=f"故障诉求{i}", description="说明",
                       steward=zone.steward_a, created_by=zone.ent_user_a, created_at=sent, status="escalated",
                       accepted_at=sent, accepted_by=zone.steward_a.user)
        for i in range(reminders + overdue)
    ])
    return Escalation.objects.bulk_create([
        Escalation(request=r, department=zone.dept_a if i < reminders else zone.dept_b, sent_by=zone.steward_a.user,
                   sent_at=sent, reason="请办理",
                   remind_at=now - dt.timedelta(hours=1) if i < reminders else now - dt.timedelta(days=1),
                   due_at=now + dt.timedelta(days=1) if i < reminders else now - dt.timedelta(hours=1))
        for i, r in enumerate(requests)
    ])


def effects_done() -> int:
    return Escalation.objects.filter(Q(reminded_at__isnull=False) | Q(overdue_at__isnull=False)).count()


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_half_way_through_a_sweep_leaves_every_effect_done_exactly_once(
        zone, processes, redis_server, tmp_path):
    escalations = due_escalations(zone, reminders=REMINDERS, overdue=OVERDUE)
    total = len(escalations)
    mail_dir = tmp_path / "mail"
    env = subprocess_env(broker_url=redis_server.url(), mail_dir=mail_dir, FAULTS_VISIBILITY_TIMEOUT=3)

    worker = start_worker(processes, env, name="worker1")
    send_task(redis_server.url(), SWEEP)  # beat's tick
    assert wait_for(lambda: effects_done() > 0, 30, 0.01), worker.log()
    worker.kill()  # SIGKILL to the worker's process group, mid-sweep
    assert wait_for_other_sessions_to_end(), "the killed worker's database session is still there"
    done_at_kill = effects_done()
    assert 0 < done_at_kill < total, "the sweep was to be killed half way"
    # What committed is whole: each effect with its event and notification rows, nothing else.
    assert Event.objects.filter(kind__in=["escalation.reminded", "escalation.overdue"]).count() == done_at_kill
    (killed_sweep,) = task_ids(worker, SWEEP)

    # Started again, the worker gets the killed sweep back (acks_late: it was never acknowledged).
    restarted = start_worker(processes, env, name="worker2")
    assert wait_for(lambda: effects_done() == total, 60, 0.2), restarted.log()
    assert task_ids(restarted, SWEEP) == [killed_sweep]
    assert wait_for(lambda: not Notification.objects.filter(delivery="pending").exists(), 60, 0.2), restarted.log()
    # Beat fires again: nothing is left to do, nothing is done twice.
    send_task(redis_server.url(), SWEEP)
    assert wait_for(lambda: restarted.log_text().count(f"{SWEEP}[") >= 4, 30, 0.2), restarted.log()  # received, done
    # One delivery task per committed batch of the sweep (at most 8 here), not one per notification (600).
    deliveries = sum(len(task_ids(p, DELIVERY)) for p in (worker, restarted))
    assert deliveries <= 8, deliveries

    assert Escalation.objects.filter(reminded_at__isnull=False).count() == REMINDERS
    assert Escalation.objects.filter(overdue_at__isnull=False).count() == OVERDUE
    events = Counter(Event.objects.filter(kind__in=["escalation.reminded", "escalation.overdue"])
                     .values_list("subject_id", "kind"))
    assert len(events) == total and set(events.values()) == {1}
    notes = Counter(Notification.objects.filter(kind__in=["escalation.reminded", "escalation.overdue"])
                    .values_list("recipient_id", "dedupe_key"))
    # Department A's user is reminded once per escalation; department B's head, the steward and the
    # leader are each told once of each overdue one.
    assert len(notes) == REMINDERS + 3 * OVERDUE and set(notes.values()) == {1}
    mail = Counter(sent_mail(mail_dir))
    assert len(mail) == REMINDERS + 3 * OVERDUE and set(mail.values()) == {1}


PENDING = 200
CLAIM = 20  # notifications taken, committed as "sending", then sent over one connection


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_delivering_sends_each_message_once_but_the_claim_in_flight(
        zone, processes, redis_server, tmp_path):
    users = [zone.ent_user_a, zone.ent_user_b, zone.head_a, zone.head_b, zone.dept_user_a, zone.dept_user_b,
             zone.leader, zone.steward_a.user, zone.steward_b.user]
    Notification.objects.bulk_create([
        Notification(recipient=users[i % len(users)], kind="test", title=f"通知{i}", dedupe_key=f"faults:{i}", sms=True)
        for i in range(PENDING)
    ])
    mail_dir = tmp_path / "mail"
    env = subprocess_env(broker_url=redis_server.url(), mail_dir=mail_dir, FAULTS_VISIBILITY_TIMEOUT=3,
                         FAULTS_SMS_SECONDS=0.01, ZONEHUB_DELIVERY_BATCH=CLAIM, FAULTS_DELIVERY_LEASE=1)
    worker = start_worker(processes, env, name="worker1")
    send_task(redis_server.url(), DELIVERY)
    assert wait_for(lambda: len(sent_sms(mail_dir)) >= 30, 30, 0.01), worker.log()
    worker.kill()
    assert wait_for_other_sessions_to_end(), "the killed worker's database session is still there"
    at_kill = len(sent_sms(mail_dir))
    assert at_kill < PENDING, "the delivery was to be killed half way"
    # Every message that went out is marked sent, but those of the claim in flight, left "sending".
    marked = Notification.objects.filter(delivery="sent").count()
    assert at_kill - CLAIM < marked <= at_kill
    assert Notification.objects.filter(delivery="sending").count() <= CLAIM

    restarted = start_worker(processes, env, name="worker2")
    assert wait_for(lambda: not Notification.objects.exclude(delivery="sent").exists(), 60, 0.2), restarted.log()
    assert Notification.objects.filter(delivery="sent", attempts=1).count() >= PENDING - CLAIM
    mail, sms = Counter(sent_mail(mail_dir)), Counter(sent_sms(mail_dir))
    assert len(mail) == len(sms) == PENDING
    # E-mail and SMS cannot join a database transaction: what the claim in flight had sent may go
    # out again, nothing else.
    assert sum(mail.values()) <= PENDING + CLAIM and sum(sms.values()) <= PENDING + CLAIM
