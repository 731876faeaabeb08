"""``make bench``: build a synthetic zone at each factor (default F=1 and F=50), measure the pages,
the API, the deadline sweep and the submission form under load, print one table with the
F=large/F=small ratio of every figure and write it to bench/results.md.

The bench runs on its own database, never the developer's: ``zonehub_bench`` on the PostgreSQL
server of DATABASE_URL when that is PostgreSQL, else ``var/bench/bench.sqlite3``. It is dropped
and rebuilt for each factor.
"""

import argparse
import datetime as dt
import functools
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
VAR = ROOT / "var" / "bench"

ANALYZE = """
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
"""

FIRST_VIEW_PROCESSES = 3
BEAT = "from zonehub.tasks import tallies_refresh_task; tallies_refresh_task()"

# Targets of the issue: same query count at both sizes, median at most this much slower.
MAX_RATIO = 1.5


def bench_database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(url)
        return urlunsplit(parts._replace(path="/zonehub_bench"))
    return f"sqlite:///{VAR / 'bench.sqlite3'}"


def reset_database(url: str) -> None:
    if url.startswith("sqlite"):
        for suffix in ("", "-wal", "-shm"):
            Path(urlsplit(url).path + suffix).unlink(missing_ok=True)
        return
    import psycopg2

    parts = urlsplit(url)
    admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("DROP DATABASE IF EXISTS zonehub_bench WITH (FORCE)")
        cursor.execute("CREATE DATABASE zonehub_bench")
    admin.close()


def env_for(url: str) -> dict:
    return {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "zonehub.settings.bench",
            "ZONEHUB_RATELIMIT_ENABLED": "0", "PYTHONUNBUFFERED": "1"}


def run(args: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(args, env=env, cwd=ROOT, check=True)
    return time.perf_counter() - start


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load_test(env: dict, out: Path, threads: int, seconds: float) -> dict:
    """The floor (a logged-in view reading one row), then the submission form, through one gunicorn
    and the same load client: their ratio is the submission's cost beyond what any page pays."""
    port = free_port()
    gunicorn = subprocess.Popen(
        [str(Path(PY).parent / "gunicorn"), "zonehub.wsgi", "-b", f"127.0.0.1:{port}", "-w", "4",
         "--log-level", "warning"],
        env=env, cwd=ROOT, start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=5)
                break
            except OSError:
                time.sleep(0.2)
        results = {}
        for mode in ("floor", "submit"):
            run([PY, "bench/load.py", "--base", base, "--threads", str(threads), "--seconds", str(seconds),
                 "--mode", mode, "--out", str(out)], env)
            results[mode] = json.loads(out.read_text())
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=30)
    return results


def bench_factor(factor: str, url: str, args) -> dict:
    env = env_for(url)
    print(f"\n::: F={factor}: fresh database, migrate, seed", flush=True)
    reset_database(url)
    run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    seed_seconds = run([PY, "manage.py", "seed_scale", "--factor", factor], env)
    # As after any bulk load: statistics for the planner, and no autovacuum of a million fresh
    # rows competing with the measurements.
    run([PY, "manage.py", "shell", "-c", ANALYZE], env)
    print(f"::: F={factor}: pages, API and sweep", flush=True)
    out = VAR / f"measure-{factor}.json"
    run([PY, "bench/measure.py", "--out", str(out), "--repeat", str(args.repeat),
         "--sweep-due", str(args.sweep_due)], env)
    data = json.loads(out.read_text())
    data["seed_seconds"] = seed_seconds
    first = VAR / f"first-view-{factor}.json"
    # What the beat does each minute in production (no worker runs here): count the zone's tallies
    # and build the leaders' home pages, then a fresh process.
    run([PY, "manage.py", "shell", "-c", BEAT], env)
    # One view per process is one sample: the median of FIRST_VIEW_PROCESSES fresh processes.
    views = []
    for _ in range(FIRST_VIEW_PROCESSES):
        run([PY, "bench/measure.py", "--first-view", "--out", str(first)], env)
        views.append(json.loads(first.read_text()))
    data["first_view"] = {key: statistics.median(view[key] for view in views) for key in ("first_ms", "warm_ms")}
    data["first_view"]["runs"] = views
    print(f"  {'leader home, first view':32} {data['first_view']['first_ms']:8.1f} ms "
          f"(warm {data['first_view']['warm_ms']:.1f} ms; median of {len(views)} processes)", flush=True)
    if not args.no_load:
        print(f"::: F={factor}: submission form under load (gunicorn)", flush=True)
        data["load"] = load_test(env, VAR / f"load-{factor}.json", args.threads, args.seconds)
    return data


def ratio(big: float, small: float) -> float:
    return big / small if small else float("inf")


def table(small_f: str, big_f: str, small: dict, big: dict) -> tuple[list[str], list[str]]:
    """The markdown table and the list of targets missed."""
    lines = [
        f"| What | median ms F={small_f} | median ms F={big_f} | ratio | p95 ms F={small_f} | p95 ms F={big_f} "
        f"| queries F={small_f} | queries F={big_f} | target |",
        "|---|---:|---:|---:|---:|---:|---:|---:|:-:|",
    ]
    missed = []
    for what, s in small["pages"].items():
        b = big["pages"][what]
        r = ratio(b["median_ms"], s["median_ms"])
        ok = r <= MAX_RATIO and b["queries"] == s["queries"]
        if not ok:
            missed.append(what)
        lines.append(
            f"| {what} (`{s['url']}`) | {s['median_ms']:.1f} | {b['median_ms']:.1f} | {r:.2f} | {s['p95_ms']:.1f} "
            f"| {b['p95_ms']:.1f} | {s['queries']} | {b['queries']} | {'✓' if ok else '✗'} |"
        )
    sweep_s, sweep_b = small["sweep"], big["sweep"]
    if sweep_s.get("runs") and sweep_b.get("runs"):
        r = ratio(sweep_b["median_ms"], sweep_s["median_ms"])
        ok = r <= MAX_RATIO
        if not ok:
            missed.append("deadline sweep")
        lines.append(f"| deadline sweep, {sweep_s['due']} due escalations | {sweep_s['median_ms']:.1f} "
                     f"| {sweep_b['median_ms']:.1f} | {r:.2f} | | | | | {'✓' if ok else '✗'} |")
    if sweep_s.get("runs") and sweep_b.get("runs"):
        lines.append(f"| deadline sweep, ms per due escalation (notifications delivered) "
                     f"| {sweep_s['median_ms'] / sweep_s['due']:.2f} | {sweep_b['median_ms'] / sweep_b['due']:.2f} "
                     f"| | | | | | |")
    first_s, first_b = small["first_view"]["first_ms"], big["first_view"]["first_ms"]
    lines.append(f"| leader's home, first view in a fresh process | {first_s:.1f} | {first_b:.1f} "
                 f"| {ratio(first_b, first_s):.2f} | | | | | |")
    if "load" in small and "load" in big:
        for mode, label in (("floor", "floor: logged-in view reading one row"),
                            ("submit", "submission form (POST, answered by its redirect)")):
            ls, lb = small["load"][mode], big["load"][mode]
            lines.append(f"| {label}, requests/s ({ls['threads']} clients, gunicorn -w 4) | {ls['rps']:.1f} "
                         f"| {lb['rps']:.1f} | {ratio(lb['rps'], ls['rps']):.2f} | | | | | |")
    lines.append(f"| seed_scale, seconds | {small['seed_seconds']:.0f} | {big['seed_seconds']:.0f} "
                 f"| {ratio(big['seed_seconds'], small['seed_seconds']):.1f} | | | | | |")
    return lines, missed


# The targets (bench/results.json), at the large factor.
TARGETS = {
    "submission_vs_floor": 0.5, "sweep_ms_per_due": 3, "leader_home_uncached_ms": 100,
    "steward_home_ms": 50, "steward_home_queries": 12, "first_view_vs_warm": 2,
}


def results_json(small_f: str, big_f: str, small: dict, big: dict, machine_text: str) -> dict:
    """The figures the issue names, as numbers, for programs and for the README."""
    pages = [{
        "name": what, "url": s["url"],
        f"median_ms_f{small_f}": round(s["median_ms"], 2), f"median_ms_f{big_f}": round(big["pages"][what]["median_ms"], 2),
        f"queries_f{small_f}": s["queries"], f"queries_f{big_f}": big["pages"][what]["queries"],
    } for what, s in small["pages"].items()]
    leader = big["pages"]["dashboard: leader, cache off"]
    steward = big["pages"]["dashboard: steward"]
    out = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine_text,
        "factors": [small_f, big_f],
        "python_loop_s": python_speed(),
        "django_speed_ms": big.get("django_speed_ms"),
        "leader_home_uncached_ms": round(leader["median_ms"], 2),
        "leader_home_uncached_queries": leader["queries"],
        "steward_home_ms": round(steward["median_ms"], 2),
        "steward_home_queries": steward["queries"],
        "first_view_ms": round(big["first_view"]["first_ms"], 2),
        "first_view_warm_ms": round(big["first_view"]["warm_ms"], 2),
        "pages": pages,
    }
    if big["sweep"].get("runs"):
        out["sweep_ms_per_due"] = round(big["sweep"]["median_ms"] / big["sweep"]["due"], 3)
    if "load" in big:
        out["floor_logged_in_per_s"] = round(big["load"]["floor"]["rps"], 1)
        out["submission_per_s"] = round(big["load"]["submit"]["rps"], 1)
    checks = {
        "submission_vs_floor": (out.get("submission_per_s", 0) / out["floor_logged_in_per_s"]
                                if out.get("floor_logged_in_per_s") else None, ">="),
        "sweep_ms_per_due": (out.get("sweep_ms_per_due"), "<="),
        "leader_home_uncached_ms": (out["leader_home_uncached_ms"], "<="),
        "steward_home_ms": (out["steward_home_ms"], "<="),
        "steward_home_queries": (out["steward_home_queries"], "<="),
        "first_view_vs_warm": (out["first_view_ms"] / out["first_view_warm_ms"], "<="),
    }
    out["targets"] = {
        name: {"value": None if value is None else round(value, 3), "target": f"{op} {TARGETS[name]}",
               "met": value is not None and (value >= TARGETS[name] if op == ">=" else value <= TARGETS[name])}
        for name, (value, op) in checks.items()
    }
    return out


@functools.cache
def python_speed() -> float:
    """Seconds this machine takes for ten million iterations of a Python loop, best of three: what
    the milliseconds of two runs on different machines are to be read against (the ratios are not)."""
    best = float("inf")
    for _ in range(3):
        start, x = time.perf_counter(), 0
        for i in range(10_000_000):
            x += i
        best = min(best, time.perf_counter() - start)
    return round(best, 2)


def machine(database: str) -> str:
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor() or "unknown CPU"
    return (f"{platform.system()} {platform.release()}, {os.cpu_count()} cores ({cpu}), "
            f"Python {platform.python_version()}, {database}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--factors", nargs=2, default=["1", "50"], metavar=("SMALL", "LARGE"))
    parser.add_argument("--repeat", type=int, default=15, help="timed requests per page")
    parser.add_argument("--sweep-due", type=int, default=100)
    parser.add_argument("--threads", type=int, default=8, help="concurrent clients of the load test")
    parser.add_argument("--seconds", type=float, default=15, help="length of the load test")
    parser.add_argument("--no-load", action="store_true", help="skip the gunicorn load test")
    parser.add_argument("--results", default=str(ROOT / "bench" / "results.md"))
    args = parser.parse_args()
    VAR.mkdir(parents=True, exist_ok=True)
    url = bench_database_url()
    small_f, big_f = args.factors
    small = bench_factor(small_f, url, args)
    big = bench_factor(big_f, url, args)
    lines, missed = table(small_f, big_f, small, big)
    verdict = ("All targets met." if not missed else "Targets missed: " + ", ".join(missed) + ".")
    report = "\n".join([
        "# Benchmark results",
        "",
        f"Run {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} with `make bench` "
        f"(`python bench/run.py --factors {small_f} {big_f}`).",
        "",
        f"Machine: {machine(small['database'])}; ten million iterations of a Python loop take "
        f"{python_speed()} s on it, and compiling a list query's SQL and rendering a small template 500 "
        f"times each {big.get('django_speed_ms')} ms (read the milliseconds against those; the ratios "
        f"need not).",
        "",
        f"Targets: each page's query count is the same at both sizes and its median time at F={big_f} "
        f"is at most {MAX_RATIO}× its time at F={small_f}; the sweep's time depends on the due escalations "
        f"({args.sweep_due} at both sizes), not the total. {verdict}",
        "",
        *lines,
        "",
    ])
    print("\n" + report)
    Path(args.results).write_text(report)
    figures = results_json(small_f, big_f, small, big, machine(small["database"]))
    json_path = Path(args.results).with_suffix(".json")
    json_path.write_text(json.dumps(figures, indent=1, ensure_ascii=False) + "\n")
    for name, target in figures["targets"].items():
        print(f"  {name:28} {target['value']!s:>10}  target {target['target']:>6}  {'✓' if target['met'] else '✗'}")
    print(f"Written to {args.results} and {json_path}")
    missed += [name for name, target in figures["targets"].items() if not target["met"]]
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
