"""Redis stops while enterprises submit requests through the real web app (gunicorn): every
request is saved and the user is told so, quickly; once Redis is back the notifications go out,
each exactly once (DESIGN.md: "Nothing a user submitted is ever lost")."""

import json
import signal
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.utils import translation
from django.utils.html import escape

from stewards.models import ServiceRequest
from stewards.views import RequestCreateView
from tests.factories import UserFactory
from tests.faults.helpers import (
    Browser,
    faults,
    send_task,
    sent_mail,
    start_gunicorn,
    start_worker,
    subprocess_env,
    wait_for,
)
from zonehub.models import Notification, Role

pytestmark = faults

# The broker gives up after socket_connect_timeout (2 s) or socket_timeout (5 s): a submission
# with the broker gone must still answer well within that.
SUBMIT_SECONDS = 8


def submit(browser: Browser, title: str):
    browser.get("/requests/new/")
    return browser.post("/requests/new/", {
        "category": "factors", "title": title, "description": "新车间需要接入园区蒸汽管网。", "urgency": "normal",
    }, multipart=True)


def assert_saved_and_told(resp, title: str):
    with translation.override("zh-hans"):
        told = escape(str(RequestCreateView.success_message))
    assert resp.status == 200, (resp.status, resp.text[:2000])
    request = ServiceRequest.objects.get(title=title)
    assert resp.url.endswith(f"/requests/{request.pk}/"), resp.url  # the request's own page
    assert told in resp.text and escape(title) in resp.text
    assert resp.seconds < SUBMIT_SECONDS, f"{title}: {resp.seconds:.1f}s"
    return request


def submit_at_once(browsers: list[Browser], titles: list[str]) -> None:
    """Several enterprises submit at the same moment (the server has 4 sync workers, as README runs it)."""
    with ThreadPoolExecutor(len(browsers)) as pool:
        responses = list(pool.map(submit, browsers, titles))
    for resp, title in zip(responses, titles, strict=True):
        assert_saved_and_told(resp, title)


def broker_health(browser: Browser) -> str:
    return json.loads(browser.get("/healthz").text)["broker"]


# Where the rate limits count. Production puts its cache on the broker's Redis (production.py:
# CACHE_URL=redis://host:6379/1): the cache fails open (zonehub.cache), so a Redis outage neither
# stops the rate-limited form nor loses the submission.
CACHES = [
    pytest.param("", id="cache-per-process"),
    pytest.param("same-redis", id="cache-on-the-broker-redis"),
]


@pytest.mark.parametrize("cache", CACHES)
@pytest.mark.django_db(transaction=True)
def test_with_redis_stopped_submissions_are_saved_and_their_notifications_go_out_once_it_is_back(
        zone, processes, redis_server, tmp_path, cache):
    users = [zone.ent_user_a, zone.ent_user_b,
             *(UserFactory(role=Role.ENTERPRISE, enterprise=e) for e in (zone.ent_a, zone.ent_b))]
    mail_dir = tmp_path / "mail"
    env = subprocess_env(broker_url=redis_server.url(), mail_dir=mail_dir,
                         CACHE_URL=redis_server.url(1) if cache == "same-redis" else "")
    _, base = start_gunicorn(processes, env)
    browsers = [Browser(base).login(u.username) for u in users]

    # Redis up, no worker yet: the submission is saved and its delivery task waits in Redis.
    assert_saved_and_told(submit(browsers[0], "上线前的诉求"), "上线前的诉求")
    assert broker_health(browsers[0]) == "ok"

    # Redis killed: connections refused.
    redis_server.kill()
    submit_at_once(browsers, [f"Redis停止时的诉求{i}" for i in range(len(browsers))])
    assert broker_health(browsers[0]) == "error"

    # Redis hung (the process frozen, the port still open): the socket timeouts answer for it.
    redis_server.start()
    redis_server.proc.signal_group(signal.SIGSTOP)
    submit_at_once(browsers[:3], [f"Redis无响应时的诉求{i}" for i in range(3)])
    redis_server.proc.signal_group(signal.SIGCONT)
    redis_server.kill()

    # Nothing was lost: every request saved, its steward's notification waiting to be sent.
    requests = ServiceRequest.objects.all()
    assert requests.count() == 1 + len(users) + 3
    pending = Notification.objects.filter(kind="request.submitted", delivery="pending")
    assert pending.count() == requests.count()
    assert sent_mail(mail_dir) == []

    # Redis is back, empty (no persistence: the delivery task sent before the outage is gone too);
    # a worker starts, beat fires the delivery task of every minute.
    redis_server.start()
    worker = start_worker(processes, env)
    assert wait_for(lambda: broker_health(browsers[0]) == "ok", 15, 0.5)
    send_task(redis_server.url(), "zonehub.tasks.notifications_send_pending_task")
    assert wait_for(lambda: not pending.exists(), 30, 0.2), worker.log()
    # A submission now is delivered by its own task, without waiting for beat.
    assert_saved_and_told(submit(browsers[1], "恢复后的诉求"), "恢复后的诉求")
    assert wait_for(lambda: Notification.objects.filter(kind="request.submitted", delivery="sent").count()
                    == requests.count(), 30, 0.2), worker.log()

    sent = Counter(sent_mail(mail_dir))
    assert sum(sent.values()) == len(sent) == requests.count()  # one e-mail each, none twice
    stewards = {zone.steward_a.user.email, zone.steward_b.user.email}
    assert {to for to, _ in sent} == stewards
