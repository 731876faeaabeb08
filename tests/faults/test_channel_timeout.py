"""A chat provider that never answers, under a real Celery worker on PostgreSQL and Redis (issue 20):
its channel is tried a bounded number of times, with backoff, then failed with the reason; every
other channel goes out exactly once; a worker killed while the provider hangs loses nothing and
sends again at most the claim that was in flight.

The provider is the fake WeCom server of zonehub/tests/fake_providers.py, started by the test on
127.0.0.1; the worker is pointed at it by ZONEHUB_WECOM_API_URL.
"""

import time
from collections import Counter

import pytest

from tests.factories import UserFactory
from tests.faults.helpers import (
    faults,
    send_task,
    sent_mail,
    start_worker,
    subprocess_env,
    wait_for,
    wait_for_other_sessions_to_end,
)
from zonehub.models import DepartmentRobot, Notification, NotificationDelivery, Role
from zonehub.tests.fake_providers import HANG, WeComFake

pytestmark = faults

DELIVERY = "zonehub.tasks.notifications_send_pending_task"
KEYS = 6  # effects, each told to every member of department A: one group-chat message each
ATTEMPTS = 3


@pytest.fixture
def wecom_fake():
    fake = WeComFake(robot_keys={"robot-key-a"}).start()
    yield fake
    fake.stop()


def department_notices(zone) -> list:
    members = [zone.dept_user_a, *(UserFactory(role=Role.DEPARTMENT, department=zone.dept_a) for _ in range(2))]
    DepartmentRobot.objects.create(department=zone.dept_a, provider="wecom", token="robot-key-a")
    return Notification.objects.bulk_create([
        Notification(recipient=user, kind="escalation.sent", title=f"新的吹哨{k}", dedupe_key=f"faults:group:{k}")
        for k in range(KEYS) for user in members
    ])


def beat_until(redis_url: str, done, seconds: float) -> bool:
    """Beat's minute tick, every half second: the delivery task until ``done()``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if done():
            return True
        send_task(redis_url, DELIVERY)
        time.sleep(0.5)
    return done()


def settled() -> bool:
    return not Notification.objects.filter(delivery__in=["pending", "sending"]).exists()


@pytest.mark.django_db(transaction=True)
def test_a_group_robot_that_never_answers_is_given_up_after_its_attempts_and_nothing_goes_twice(
        zone, processes, redis_server, tmp_path, wecom_fake):
    notes = department_notices(zone)
    wecom_fake.answer_next(*[HANG] * 100)
    mail_dir = tmp_path / "mail"
    env = subprocess_env(broker_url=redis_server.url(), mail_dir=mail_dir, ZONEHUB_WECOM_API_URL=wecom_fake.url,
                         ZONEHUB_CHANNEL_TIMEOUT_SECONDS=0.5, ZONEHUB_DELIVERY_BACKOFF_SECONDS=0.5,
                         ZONEHUB_DELIVERY_BACKOFF_MAX_SECONDS=1, ZONEHUB_DELIVERY_MAX_ATTEMPTS=ATTEMPTS)
    worker = start_worker(processes, env)
    assert beat_until(redis_server.url(), settled, 120), worker.log()

    groups = NotificationDelivery.objects.filter(channel="group")
    # One message per effect, whatever the number of members told; each tried ATTEMPTS times, then failed.
    assert groups.count() == KEYS
    assert set(groups.values_list("status", "attempts")) == {("failed", ATTEMPTS)}
    assert all("no answer within" in error for error in groups.values_list("last_error", flat=True))
    assert len(wecom_fake.calls_to("/cgi-bin/webhook/send")) == KEYS * ATTEMPTS  # bounded: not one more
    # The e-mails went out once each, the hanging robot notwithstanding.
    mail = Counter(sent_mail(mail_dir))
    assert len(mail) == len(notes) and set(mail.values()) == {1}
    assert NotificationDelivery.objects.filter(channel="email", status="sent", attempts=1).count() == len(notes)
    # The notification that carried its department's message is failed (with why), the others sent.
    assert Notification.objects.filter(delivery="failed").count() == KEYS
    assert Notification.objects.filter(delivery="sent").count() == len(notes) - KEYS


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_the_provider_hangs_loses_nothing_and_resends_at_most_its_claim(
        zone, processes, redis_server, tmp_path, wecom_fake):
    notes = department_notices(zone)
    wecom_fake.answer_next(HANG)  # the first robot message hangs for as long as the worker lives
    mail_dir = tmp_path / "mail"
    claim = 6
    env = subprocess_env(broker_url=redis_server.url(), mail_dir=mail_dir, ZONEHUB_WECOM_API_URL=wecom_fake.url,
                         ZONEHUB_CHANNEL_TIMEOUT_SECONDS=20, ZONEHUB_DELIVERY_BATCH=claim, FAULTS_VISIBILITY_TIMEOUT=3,
                         FAULTS_DELIVERY_LEASE=1)
    worker = start_worker(processes, env, name="worker1")
    send_task(redis_server.url(), DELIVERY)
    assert wait_for(lambda: len(wecom_fake.calls_to("/cgi-bin/webhook/send")) == 1, 30, 0.05), worker.log()
    worker.kill()  # while the robot's answer is awaited
    assert wait_for_other_sessions_to_end(), "the killed worker's database session is still there"
    # The claim in flight was committed "sending", its channels too: nothing is lost.
    assert Notification.objects.filter(delivery="sending").count() <= claim
    assert NotificationDelivery.objects.filter(status="sending").exists()

    restarted = start_worker(processes, env, name="worker2")  # the robot answers from now on
    assert beat_until(redis_server.url(), settled, 60), restarted.log()
    assert set(Notification.objects.values_list("delivery", flat=True)) == {"sent"}
    assert set(NotificationDelivery.objects.values_list("status", flat=True)) == {"sent"}
    mail = Counter(sent_mail(mail_dir))
    assert len(mail) == len(notes)  # every e-mail went out
    assert sum(mail.values()) <= len(notes) + claim  # again at most those of the claim in flight
    posts = Counter(c.json["text"]["content"] for c in wecom_fake.calls_to("/cgi-bin/webhook/send"))
    assert len(posts) == KEYS and max(posts.values()) <= 2  # the hung one once more, no other
