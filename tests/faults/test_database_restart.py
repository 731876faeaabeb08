"""PostgreSQL restarts under the running web app (gunicorn, persistent connections: CONN_MAX_AGE
with health checks): the app answers again by itself, no restart of its own.

The shared PostgreSQL is never restarted: the first test kills every session of the test
database, which is what the app sees of a restart; the second restarts a private cluster of its
own (initdb in a temporary directory), when this machine lets us run one.
"""

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.db import connection

from stewards.models import ServiceRequest
from tests.faults.helpers import (
    Browser,
    faults,
    free_port,
    start_gunicorn,
    subprocess_env,
)

pytestmark = faults

PAGES = ["/", "/requests/", "/notifications/"]


def gunicorn_workers(master_pid: int) -> set[int]:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    return {int(pid) for pid in children.read_text().split()} if children.exists() else set()


def visit_everything(browsers: list[Browser], rounds: int = 2) -> list[int]:
    """Enough requests that every worker thread's kept connection is used again."""
    return [browser.get(page).status for _ in range(rounds) for browser in browsers for page in PAGES]


def submit(browser: Browser, title: str):
    browser.get("/requests/new/")
    return browser.post("/requests/new/", {"category": "factors", "title": title, "description": "说明",
                                           "urgency": "normal"}, multipart=True)


@pytest.mark.django_db(transaction=True)
def test_every_database_session_killed_the_app_answers_the_next_request(zone, processes, redis_server, tmp_path):
    env = subprocess_env(broker_url=redis_server.url(), mail_dir=tmp_path / "mail", CONN_MAX_AGE=600)
    server, base = start_gunicorn(processes, env, workers=2)
    browsers = [Browser(base).login(u.username) for u in (zone.ent_user_a, zone.steward_a.user, zone.leader)]
    assert set(visit_everything(browsers)) == {200}
    workers = gunicorn_workers(server.pid)
    assert len(workers) == 2

    with connection.cursor() as cursor:  # the test's own session is the one left
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        app_sessions = [pid for (pid,) in cursor.fetchall()]
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    assert app_sessions, "the app keeps its connections (CONN_MAX_AGE): they are what a restart breaks"

    # The very next requests, and a write, succeed: each dead connection is noticed and replaced.
    assert set(visit_everything(browsers)) == {200}
    resp = submit(browsers[0], "数据库重启后的诉求")
    assert resp.status == 200 and ServiceRequest.objects.filter(title="数据库重启后的诉求").exists()
    assert gunicorn_workers(server.pid) == workers, "no worker was restarted"
    assert "Traceback" not in server.log_text(), server.log()


# --- a real restart of a private cluster ---------------------------------------------------------


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class PrivateCluster:
    """initdb + pg_ctl in a temporary directory, as the postgres user (PostgreSQL refuses root)."""

    def __init__(self, bin_dir: Path):
        self.bin = bin_dir
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="zonehub-faults-pg-"))
        self.data = self.dir / "data"
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")

    def run(self, *argv, timeout=30):
        return subprocess.run([*self.as_postgres, *argv], check=True, capture_output=True, timeout=timeout,
                              cwd=self.dir)

    def init(self):
        self.run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                 "--no-sync", "--locale=C.UTF-8")

    def pg_ctl(self, action: str, *extra):
        opts = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run(str(self.bin / "pg_ctl"), action, "-D", str(self.data), "-w", "-t", "20", "-o", opts,
                 "-l", str(self.dir / "postgres.log"), *extra)

    def psql(self, *args):
        return self.run(str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                        "-v", "ON_ERROR_STOP=1", "-q", *args)

    def destroy(self):
        with contextlib.suppress(Exception):
            self.pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


def _can_run_postgres() -> bool:
    """PostgreSQL refuses to run as root: root runs it as the postgres user, anyone else as itself."""
    if os.geteuid() != 0:
        return True
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return False
    return shutil.which("runuser") is not None


@pytest.fixture
def private_cluster():
    bin_dir = _pg_bin()
    if bin_dir is None or not _can_run_postgres():
        pytest.skip("a private PostgreSQL cluster needs initdb, and the postgres user when run as root")
    cluster = PrivateCluster(bin_dir)
    try:
        try:
            cluster.init()
            cluster.pg_ctl("start")
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            # This machine cannot run a second cluster: the test above still covers what the app sees.
            detail = (getattr(exc, "stderr", None) or b"")[-500:].decode(errors="replace")
            pytest.skip(f"could not start a private PostgreSQL cluster: {exc} {detail}")
        yield cluster
    finally:
        cluster.destroy()


@pytest.mark.django_db(transaction=True)
def test_a_real_postgresql_restart_the_app_answers_again_by_itself(zone, processes, redis_server, private_cluster,
                                                                   tmp_path):
    # The private cluster gets a copy of the test database as it is now (schema and the zone's users).
    db = connection.settings_dict
    dump = subprocess.run([str(private_cluster.bin / "pg_dump"), "-h", db["HOST"] or "127.0.0.1",
                           "-p", str(db["PORT"] or 5432), "-U", db["USER"] or "postgres", "--no-owner", db["NAME"]],
                          check=True, capture_output=True, timeout=60, env={**os.environ, "PGPASSWORD": db["PASSWORD"] or ""})
    private_cluster.psql("-c", "CREATE DATABASE zonehub")
    (private_cluster.dir / "dump.sql").write_bytes(dump.stdout)
    private_cluster.psql("-d", "zonehub", "-f", str(private_cluster.dir / "dump.sql"))

    env = subprocess_env(broker_url=redis_server.url(), mail_dir=tmp_path / "mail", CONN_MAX_AGE=600)
    env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:{private_cluster.port}/zonehub"
    server, base = start_gunicorn(processes, env, workers=2)
    browsers = [Browser(base).login(u.username) for u in (zone.ent_user_a, zone.steward_a.user)]
    assert set(visit_everything(browsers)) == {200}
    workers = gunicorn_workers(server.pid)

    private_cluster.pg_ctl("stop", "-m", "fast")
    # Down: the app says so at once (an error page, not a hang)...
    down = browsers[0].get("/requests/")
    assert down.status >= 500 and down.seconds < 10
    private_cluster.pg_ctl("start")
    # ...and up again: it answers, and writes, with the same processes.
    assert set(visit_everything(browsers)) == {200}
    assert submit(browsers[0], "重启之后").status == 200
    assert private_cluster.psql("-d", "zonehub", "-At", "-c",
                                "SELECT count(*) FROM stewards_servicerequest WHERE title = '重启之后'").stdout.strip() == b"1"
    assert gunicorn_workers(server.pid) == workers, "no worker was restarted"
