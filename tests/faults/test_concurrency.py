"""Fifty people at once, on PostgreSQL with real row locks: fifty enterprise users submit at the
same instant, then fifty escalations of the same five requests to the same departments race. No
request lost, no escalation twice, no deadlock, and every loser told why in words, not a 500."""

import threading
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from stewards import services
from stewards.models import Escalation, ServiceRequest
from stewards.views import EscalateView
from tests.factories import EnterpriseFactory, UserFactory
from tests.faults.helpers import Browser, faults, start_gunicorn, subprocess_env
from zonehub.models import Event, Notification, Role

pytestmark = faults

THREADS = 50


def at_once(targets) -> list[tuple[str, object]]:
    """Run each target in its own thread (own database connection), released together by a
    barrier. Returns ("ok", result), ("refused", ValidationError) or ("error", exception) each."""
    barrier = threading.Barrier(len(targets))
    outcomes: list = [None] * len(targets)

    def run(i, target):
        try:
            barrier.wait(30)
            outcomes[i] = ("ok", target())
        except ValidationError as exc:
            outcomes[i] = ("refused", exc)
        except Exception as exc:  # noqa: BLE001 - an IntegrityError or a deadlock: the assertions name it
            outcomes[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, t)) for i, t in enumerate(targets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads), "a thread is stuck: a lock never released"
    return outcomes


def deadlocks() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


@pytest.fixture
def crowd(zone):
    """Ten enterprises (five per steward, in the steward's workstation), five users each."""
    enterprises = [EnterpriseFactory(workstation=ws, steward=steward)
                   for ws, steward in [(zone.ws_a, zone.steward_a), (zone.ws_b, zone.steward_b)] for _ in range(5)]
    users = [UserFactory(role=Role.ENTERPRISE, enterprise=e) for e in enterprises for _ in range(5)]
    return enterprises, users


def handlers(zone, request: ServiceRequest):
    """Who may escalate a request: its steward and its workstation's head."""
    if request.steward_id == zone.steward_a.pk:
        return [zone.steward_a.user, zone.head_a]
    return [zone.steward_b.user, zone.head_b]


def submit_all(users) -> list[ServiceRequest]:
    outcomes = at_once([
        (lambda u=u, i=i: services.request_submit(actor=u, category="factors", title=f"并发诉求{i}",
                                                  description="同一时刻提交。"))
        for i, u in enumerate(users)
    ])
    assert [kind for kind, _ in outcomes] == ["ok"] * len(users), [o for o in outcomes if o[0] != "ok"]
    return [request for _, request in outcomes]


@pytest.mark.django_db(transaction=True)
def test_fifty_submissions_then_fifty_escalations_of_the_same_requests_at_once(zone, crowd, mailoutbox):
    _, users = crowd
    deadlocks_before = deadlocks()

    # Fifty submissions in the same instant: each saved once, its steward told once.
    requests = submit_all(users)
    assert ServiceRequest.objects.count() == THREADS
    assert sorted(ServiceRequest.objects.values_list("title", flat=True)) == sorted(f"并发诉求{i}" for i in range(THREADS))
    assert Event.objects.filter(kind="request.submitted").count() == THREADS
    assert Notification.objects.filter(kind="request.submitted").count() == THREADS

    # Fifty escalations: ten each for five requests, to the same two departments (in either order),
    # by the steward or the workstation head.
    targets = requests[::10]  # five requests, of both stewards
    departments = [zone.dept_a, zone.dept_b]
    outcomes = at_once([
        (lambda r=r, k=k: services.request_escalate(
            request=r, actor=handlers(zone, r)[k % 2], departments=departments[:: 1 if k % 2 else -1],
            reason=f"第{k}次吹哨"))
        for r in targets for k in range(THREADS // len(targets))
    ])
    kinds = Counter(kind for kind, _ in outcomes)
    assert kinds == {"ok": len(targets), "refused": THREADS - len(targets)}, [o for o in outcomes if o[0] == "error"]
    # Each loser is told, on the departments field, that they already hold it.
    for _, exc in (o for o in outcomes if o[0] == "refused"):
        assert list(exc.message_dict) == ["departments"]
        assert zone.dept_a.name in str(exc) or zone.dept_b.name in str(exc)

    pairs = Counter(Escalation.objects.values_list("request_id", "department_id"))
    assert pairs == {(r.pk, d.pk): 1 for r in targets for d in departments}
    assert Escalation.objects.filter(status="open").count() == 2 * len(targets)
    assert Event.objects.filter(kind="escalation.sent").count() == 2 * len(targets)
    assert Event.objects.filter(kind="request.escalated").count() == len(targets)
    assert ServiceRequest.objects.filter(status="escalated").count() == len(targets)
    for user in (zone.dept_user_a, zone.dept_user_b):
        assert Notification.objects.filter(recipient=user, kind="escalation.sent").count() == len(targets)

    # Delivery ran in all those threads at once (tasks are eager here): each message sent once.
    assert not Notification.objects.filter(delivery="pending").exists()
    sent = Counter((tuple(m.to), m.subject) for m in mailoutbox)
    assert set(sent.values()) == {1}
    assert len(sent) == Notification.objects.filter(delivery="sent").count()
    assert deadlocks() == deadlocks_before


@pytest.mark.django_db(transaction=True)
def test_fifty_escalation_forms_posted_at_once_to_gunicorn(zone, crowd, processes, redis_server, tmp_path):
    """The same race through the web form, on gunicorn with fifty threads (one database connection
    each): one page per request says "escalated", every other one shows the form again with the
    reason, none a 500."""
    _, users = crowd
    requests = [services.request_submit(actor=u, category="factors", title=f"表单吹哨{i}", description="说明")
                for i, u in enumerate(users[::10])]
    env = subprocess_env(broker_url=redis_server.url(), mail_dir=tmp_path / "mail", CONN_MAX_AGE=0)
    server, base = start_gunicorn(processes, env, workers=2, threads=THREADS // 2)
    logged_in = {u.pk: Browser(base).login(u.username) for u in (zone.steward_a.user, zone.head_a,
                                                                 zone.steward_b.user, zone.head_b)}
    browsers = []
    for k in range(THREADS):
        request = requests[k % len(requests)]
        actor = handlers(zone, request)[k // len(requests) % 2]
        # One browser per post, sharing its user's session cookie, as tabs do.
        browser = Browser(base)
        for cookie in logged_in[actor.pk].cookies:
            browser.cookies.set_cookie(cookie)
        browsers.append((browser, request))
    deadlocks_before = deadlocks()

    outcomes = at_once([
        (lambda b=b, r=r: b.post(f"/requests/{r.pk}/escalate/",
                                 {"departments": [zone.dept_a.pk, zone.dept_b.pk], "reason": "请两局办理"}))
        for b, r in browsers
    ])
    responses = [resp for kind, resp in outcomes if kind == "ok"]
    assert len(responses) == THREADS, [o for o in outcomes if o[0] != "ok"]
    assert Counter(r.status for r in responses) == {200: THREADS}, [r.text[:300] for r in responses if r.status != 200]

    with translation.override("zh-hans"):
        done = escape(str(EscalateView.success_message))
        holds = escape(gettext("%(names)s already holds an open escalation of this request.").split("%(names)s")[1])
    winners = [r for r in responses if done in r.text]
    losers = [r for r in responses if done not in r.text]
    assert len(winners) == len(requests)
    assert {r.url.rsplit("/requests/", 1)[1] for r in winners} == {f"{x.pk}/" for x in requests}  # each request's page
    for resp in losers:  # the form again, the departments field saying who already holds it
        assert resp.url.endswith("/escalate/") and "invalid-feedback" in resp.text, (resp.url, resp.text[:500])
        assert holds in resp.text and escape(zone.dept_a.name) in resp.text
    assert Counter(Escalation.objects.values_list("request_id", "department_id")) == {
        (r.pk, d.pk): 1 for r in requests for d in (zone.dept_a, zone.dept_b)}
    assert deadlocks() == deadlocks_before
