"""Page, API and sweep timings on the bench database, as JSON (run by bench/run.py).

Each page is asked for as its role's bench login (made by ``seed_scale``) through Django's test
client: a few warm-up requests, then ``--repeat`` timed ones (median and 95th percentile), and
one more with the queries counted. The sweep is timed with the same number of due escalations
whatever the size of the zone.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zonehub.settings.bench")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from stewards.models import Escalation  # noqa: E402
from stewards.services import deadline_sweep  # noqa: E402
from zonehub.models import User  # noqa: E402

# (what, login, url): each role's home dashboard, the lists the issue names, the main API lists.
PAGES = [
    ("dashboard: enterprise", "scale-enterprise", "/"),
    ("dashboard: steward", "scale-steward", "/"),
    ("dashboard: workstation head", "scale-head", "/"),
    ("dashboard: department", "scale-dept", "/"),
    ("dashboard: department head", "scale-dept-head", "/"),
    ("dashboard: leader", "scale-leader", "/"),
    ("dashboard: leader, cache off", "scale-leader", "/", {"ZONEHUB_DASHBOARD_CACHE_SECONDS": 0}),
    ("requests, filtered (leader)", "scale-leader", "/requests/?status=accepted"),
    ("requests, filtered (head)", "scale-head", "/requests/?status=closed"),
    ("requests, filtered (steward)", "scale-steward", "/requests/?category=policy"),
    ("department inbox", "scale-dept", "/requests/inbox/"),
    ("five-key board", "scale-leader", "/projects/fivekey/"),
    ("five-key ranking", "scale-leader", "/projects/fivekey/ranking/"),
    ("API requests", "scale-leader", "/api/requests/?status=closed"),
    ("API escalations", "scale-leader", "/api/escalations/"),
    ("API enterprises", "scale-leader", "/api/enterprises/"),
    ("API projects", "scale-leader", "/api/projects/"),
    ("API five-key items", "scale-leader", "/api/fivekey-items/"),
    ("API ratings", "scale-leader", "/api/ratings/"),
    # Supply matchmaking: the chain map of the first chain (the same five links at every F) and the
    # suggestions (one query per need on the page).
    ("supply chain page", "scale-operations", "/supply/chains/1/"),
    ("supply suggestions", "scale-operations", "/supply/suggestions/"),
    ("supply suggestions (steward)", "scale-steward", "/supply/suggestions/"),
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def measure_pages(repeat: int, warmup: int) -> dict:
    clients: dict[str, Client] = {}
    results = {}
    for what, login, url, *overrides in PAGES:
        client = clients.get(login)
        if client is None:
            client = clients[login] = Client()
            client.force_login(User.objects.get(username=login))
        with override_settings(**(overrides[0] if overrides else {})):
            results[what] = measure_page(client, what, login, url, repeat, warmup)
    return results


def measure_page(client, what: str, login: str, url: str, repeat: int, warmup: int) -> dict:
    for _ in range(warmup):
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{what}: {url} as {login} answered {response.status_code}")
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    result = {
        "url": url, "login": login, "median_ms": statistics.median(times),
        "p95_ms": percentile(times, 0.95), "queries": len(queries),
    }
    print(f"  {what:32} {result['median_ms']:8.1f} ms  {len(queries):3} queries", flush=True)
    return result


def measure_first_view() -> dict:
    """The leader's home page as the first request of a fresh process (nothing cached, nothing
    imported lazily yet), then warm: run in a process of its own (``--first-view``), started
    as a web process starts (``zonehub.wsgi`` runs ``zonehub.warmup.warm_up``)."""
    from zonehub.warmup import warm_up

    warm_up()
    cache.clear()
    client = Client()
    # A web process's handler loads the middleware when it is made (WSGIHandler.__init__, before
    # the warm-up); the test client's waits for its first request.
    client.handler.load_middleware()
    client.force_login(User.objects.get(username="scale-leader"))
    start = time.perf_counter()
    response = client.get("/")
    first = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, response.status_code
    warm = []
    for _ in range(5):
        start = time.perf_counter()
        client.get("/")
        warm.append((time.perf_counter() - start) * 1000)
    return {"first_ms": first, "warm_ms": statistics.median(warm)}


def measure_sweep(due: int, runs: int) -> dict:
    """Make ``due`` escalations due (their reminder time and deadline just passed, clock
    running), sweep, and again with others. The seeded zone has nothing due, so each run's work is
    exactly ``due`` reminders and ``due`` overdue marks, whatever the size of the zone. They are
    taken among answered escalations of closed requests, put back to "awaiting reply"."""
    reverse("home")  # the URLconf is loaded by the pages already; not a cost of the sweep
    deadline_sweep()  # whatever the pages left pending (notifications) is not this sweep's work
    times = []
    effects = []
    for _ in range(runs):
        now = timezone.now()
        pks = list(
            Escalation.objects.filter(status__in=Escalation.DONE_STATUSES, request__status="closed")
            .order_by("pk").values_list("pk", flat=True)[:due]
        )
        if len(pks) < due:
            break
        Escalation.objects.filter(pk__in=pks).update(
            status=Escalation.Status.OPEN, clock_stopped_at=None, answered_on_time=None, reminded_at=None,
            overdue_at=None, replied_at=None, needs_consultation=False, next_progress_due_at=None,
            remind_at=now - timezone.timedelta(hours=2), due_at=now - timezone.timedelta(minutes=1),
        )
        start = time.perf_counter()
        counts = deadline_sweep()
        times.append((time.perf_counter() - start) * 1000)
        effects.append(counts["reminded"] + counts["overdue"])
    if not times:
        return {"due": due, "runs": 0}
    return {"due": due, "runs": len(times), "median_ms": statistics.median(times), "effects": effects}


def database_description() -> str:
    if connection.vendor == "postgresql":
        version = connection.cursor().connection.server_version
        return f"PostgreSQL {version // 10000}.{version % 10000}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"


def django_speed() -> float:
    """Milliseconds this machine takes to compile one list query's SQL and render one small template
    500 times each, best of three, without the database: the kind of work a page does, which a
    Python loop does not tell (two machines with the same loop time ran the pages 2.7x apart)."""
    from django.template import Context, Template

    from stewards.models import ServiceRequest

    template = Template("{% for r in rows %}<tr><td>{{ r.title }}</td><td>{{ r.n|floatformat:1 }}</td></tr>{% endfor %}")
    context = Context({"rows": [{"title": f"诉求 {i} <b>", "n": i / 3} for i in range(20)]})
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(500):
            query = (ServiceRequest.objects.filter(status="submitted", category="policy")
                     .select_related("enterprise", "steward__user").order_by("-created_at")[:20]).query
            query.get_compiler("default").as_sql()
            template.render(context)
        best = min(best, time.perf_counter() - start)
    return round(best * 1000, 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--sweep-due", type=int, default=100)
    parser.add_argument("--sweep-runs", type=int, default=3)
    parser.add_argument("--first-view", action="store_true", help="only the leader's first page, as JSON")
    args = parser.parse_args()
    if args.first_view:
        Path(args.out).write_text(json.dumps(measure_first_view()))
        return
    data = {"database": database_description(), "django_speed_ms": django_speed(),
            "pages": measure_pages(args.repeat, args.warmup),
            "sweep": measure_sweep(args.sweep_due, args.sweep_runs)}
    print(f"  {'deadline sweep':32} {data['sweep'].get('median_ms', float('nan')):8.1f} ms "
          f"for {args.sweep_due} due escalations", flush=True)
    Path(args.out).write_text(json.dumps(data, indent=1))


if __name__ == "__main__":
    main()
