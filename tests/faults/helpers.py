"""Real processes for the fault tests: a private redis-server, gunicorn and Celery workers on the
test database, an HTTP client that logs in like a browser, and the skip rules.

Every process is started in a session of its own and its whole process group is killed when the
test ends, whatever happened; everything it writes goes under the test's tmp_path.
"""

import contextlib
import http.cookiejar
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from email import message_from_bytes
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent.parent
VENV_BIN = Path(sys.executable).parent
SUBPROCESS_SETTINGS = "tests.faults.settings"
IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
REDIS_SERVER = shutil.which("redis-server") or next((p for p in ["/usr/bin/redis-server"] if Path(p).exists()), None)

# The fault tests run in CI's PostgreSQL + Redis run; on SQLite (CI's first run, a laptop) they are
# skipped, as the row locks, session kills and concurrent sessions they test are PostgreSQL's.
needs_postgres = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="fault tests need PostgreSQL: run with DATABASE_URL=postgres://… (CI's second run)",
)
faults = [pytest.mark.faults, needs_postgres]


def require_redis_server() -> str:
    """The redis-server binary, for a private Redis the test may stop. Missing: a skip on a
    developer's machine, a failure in CI (where the PostgreSQL run must test the broker)."""
    if REDIS_SERVER is None:
        message = "fault tests need the redis-server binary to run a Redis they may stop"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return REDIS_SERVER


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, seconds: float = 30, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


class Proc:
    """A subprocess in its own session (so its children die with it), output to a log file."""

    def __init__(self, name: str, argv: list[str], *, env: dict, log_dir: Path):
        self.name = name
        self.log_path = log_dir / f"{name}-{uuid.uuid4().hex[:6]}.log"
        with self.log_path.open("wb") as log:
            self.popen = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                          start_new_session=True)

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def signal_group(self, sig) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)

    def kill(self) -> None:
        """SIGKILL the whole process group, as the OOM killer or a pulled plug would."""
        self.signal_group(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(10)

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def log(self) -> str:
        """The end of the output, for an assertion's message."""
        return self.log_text()[-6000:]


class Processes:
    """Everything a test started; ``close()`` kills each process group, in reverse order."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.started: list[Proc] = []

    def start(self, name: str, argv: list[str], *, env: dict) -> Proc:
        proc = Proc(name, argv, env=env, log_dir=self.tmp_path)
        self.started.append(proc)
        return proc

    def close(self) -> None:
        for proc in reversed(self.started):
            proc.kill()


class RedisServer:
    """A private redis-server on a free port, no persistence: it may be killed, frozen, restarted."""

    def __init__(self, processes: Processes, binary: str):
        self.processes, self.binary = processes, binary
        self.port = free_port()
        self.dir = processes.tmp_path / "redis"
        self.dir.mkdir(exist_ok=True)
        self.proc: Proc | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> "RedisServer":
        self.proc = self.processes.start("redis", [
            self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
            "--dir", str(self.dir), "--daemonize", "no",
        ], env=os.environ.copy())
        if not wait_for(lambda: port_open(self.port), 10):
            raise RuntimeError(f"redis-server did not start:\n{self.proc.log()}")
        return self

    def kill(self) -> None:
        self.proc.kill()
        assert wait_for(lambda: not port_open(self.port), 5)


def subprocess_env(*, broker_url: str, mail_dir: Path, **extra) -> dict:
    """The environment of a gunicorn or worker on the test database (the test's own, whose name
    pytest-django chose) and the given broker."""
    db = connection.settings_dict
    user = urllib.parse.quote(db["USER"] or "postgres")
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or 5432
    mail_dir.mkdir(parents=True, exist_ok=True)
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith(("PYTEST_", "DJANGO_", "CELERY_")) and k not in {"DATABASE_URL", "CONN_MAX_AGE", "CACHE_URL"}
    }
    env.update({
        "DJANGO_SETTINGS_MODULE": SUBPROCESS_SETTINGS,
        "DATABASE_URL": f"postgres://{user}{password}@{host}:{port}/{db['NAME']}",
        "CELERY_BROKER_URL": broker_url,
        "FAULTS_MAIL_DIR": str(mail_dir),
        "FAULTS_SMS_FILE": str(mail_dir / "sms.txt"),
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
        "LOG_LEVEL": "INFO",
    })
    env.update({k: str(v) for k, v in extra.items()})
    return env


def start_worker(processes: Processes, env: dict, *, name: str = "worker", pool: str = "solo") -> Proc:
    proc = processes.start(name, [
        str(VENV_BIN / "celery"), "-A", "zonehub", "worker", "-P", pool, "-c", "1", "--loglevel=INFO",
        "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"{name}-{uuid.uuid4().hex[:6]}@%h",
    ], env=env)
    if not wait_for(lambda: " ready." in proc.log_text() or not proc.alive(), 30, 0.1):
        raise RuntimeError(f"the worker did not start:\n{proc.log()}")
    assert proc.alive(), proc.log()
    return proc


def start_gunicorn(processes: Processes, env: dict, *, workers: int = 4, threads: int = 1) -> tuple[Proc, str]:
    """gunicorn as README runs it in production (sync workers; threaded if ``threads`` > 1), on a
    free port. ``--preload`` only so the workers fork from one loaded app instead of each loading
    it on a busy CI machine; Django opens no connection at import, so none is shared."""
    port = free_port()
    proc = processes.start("gunicorn", [
        str(VENV_BIN / "gunicorn"), "zonehub.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        "--threads", str(threads), "--timeout", "60", "--graceful-timeout", "2", "--preload",
        "--access-logfile", "-",
    ], env=env)
    base = f"http://127.0.0.1:{port}"

    def ready():
        if not proc.alive():
            return True
        try:
            return port_open(port) and Browser(base, timeout=10).get("/accounts/login/").status == 200
        except OSError:  # refused, reset or timed out while the workers boot
            return False

    if not wait_for(ready, 60, 0.2) or not proc.alive():
        raise RuntimeError(f"gunicorn did not start:\n{proc.log()}")
    return proc, base


def send_task(broker_url: str, name: str) -> None:
    """Publish a task by name on ``broker_url``, as beat does, from a Celery app of our own (the
    test process's app is eager and bound to the configured broker)."""
    from celery import Celery

    app = Celery("faults-beat", set_as_current=False)
    app.conf.task_serializer = "json"
    # The URL is passed to the connection itself: Celery would prefer $CELERY_BROKER_URL (the shared Redis).
    with app.connection_for_write(url=broker_url) as conn:
        assert conn.as_uri(include_password=True) == broker_url, conn.as_uri()
        app.send_task(name, connection=conn)


def wait_for_other_sessions_to_end(seconds: float = 10) -> bool:
    """After a SIGKILL: PostgreSQL has ended the killed process's session (rolling back what it had
    not committed) once no other session is left on the test database."""

    def alone():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND pid <> pg_backend_pid()")
            return cursor.fetchone()[0] == 0

    return wait_for(alone, seconds, 0.1)


def task_ids(proc: Proc, name: str) -> list[str]:
    """Ids of the tasks called ``name`` the worker received, from its log."""
    marker = f"Task {name}["
    return [line.split(marker, 1)[1].split("]", 1)[0] for line in proc.log_text().splitlines()
            if marker in line and line.rstrip().endswith("received")]


# --- HTTP as a browser does it -----------------------------------------------------------------


class Response:
    def __init__(self, status: int, url: str, body: bytes, seconds: float):
        self.status, self.url, self.seconds = status, url, seconds
        self.text = body.decode("utf-8", errors="replace")


class Browser:
    """Cookies, CSRF token, redirects followed; errors returned as responses, not raised."""

    def __init__(self, base: str, timeout: float = 30):
        self.base, self.timeout = base, timeout
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def csrf(self) -> str:
        return next((c.value for c in self.cookies if c.name == "csrftoken"), "")

    def _open(self, req) -> Response:
        started = time.monotonic()
        try:
            with self.opener.open(req, timeout=self.timeout) as resp:
                return Response(resp.status, resp.geturl(), resp.read(), time.monotonic() - started)
        except urllib.error.HTTPError as exc:
            return Response(exc.code, exc.geturl(), exc.read(), time.monotonic() - started)

    def get(self, path: str) -> Response:
        return self._open(urllib.request.Request(self.base + path, headers={"Accept-Language": "zh-hans"}))

    def post(self, path: str, fields: dict, *, multipart: bool = False) -> Response:
        fields = {"csrfmiddlewaretoken": self.csrf(), **fields}
        headers = {"Referer": self.base + path, "Accept-Language": "zh-hans", "X-CSRFToken": self.csrf()}
        if multipart:
            boundary = uuid.uuid4().hex
            parts = [
                f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                for k, v in fields.items()
            ]
            data = b"".join(parts) + f"--{boundary}--\r\n".encode()
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        else:
            data = urllib.parse.urlencode(fields, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return self._open(urllib.request.Request(self.base + path, data=data, headers=headers, method="POST"))

    def login(self, username: str, password: str = "pw") -> "Browser":
        self.get("/accounts/login/")
        resp = self.post("/accounts/login/", {"username": username, "password": password})
        assert resp.status == 200 and "/accounts/login/" not in resp.url, (resp.status, resp.url, resp.text[:500])
        return self


# --- e-mail and SMS sent by the subprocesses -----------------------------------------------------


def sent_mail(mail_dir: Path) -> list[tuple[str, str]]:
    """(recipient, subject) of every message the file e-mail backend wrote."""
    out = []
    for path in sorted(mail_dir.glob("*.log")):  # the file backend's names; SMS go to sms.txt
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if not chunk.strip():
                continue
            msg = message_from_bytes(chunk.lstrip(b"\n"))
            out.append((msg["To"], str(make_header(decode_header(msg["Subject"])))))
    return out


def sent_sms(mail_dir: Path) -> list[tuple[str, str]]:
    """(phone, text) of every SMS the subprocesses sent (tests.faults.sms)."""
    path = mail_dir / "sms.txt"
    if not path.exists():
        return []
    return [tuple(line.split("\t", 1)) for line in path.read_text(encoding="utf-8").splitlines() if line]
