"""A real Celery worker, in-process, on the configured broker: for the tests marked ``worker``
(CI's PostgreSQL + Redis run). Use ``pytestmark = needs_redis_worker`` and the ``celery_worker``
fixture from the root conftest."""

import os
import time

import pytest

needs_redis_worker = [
    pytest.mark.worker,
    pytest.mark.skipif(
        not os.environ.get("CELERY_BROKER_URL", "").startswith("redis"),
        reason="runs with CELERY_BROKER_URL=redis://… (CI's PostgreSQL + Redis run)",
    ),
]


def start_celery_worker():
    """Context manager: a solo worker thread consuming from the broker, tasks not eager."""
    import contextlib

    from celery.contrib.testing.worker import start_worker

    from zonehub.celery import app

    @contextlib.contextmanager
    def running():
        eager = app.conf.task_always_eager
        app.conf.task_always_eager = False
        app.control.purge()  # nothing left over from an earlier run on this Redis database
        try:
            with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
                yield worker
        finally:
            app.conf.task_always_eager = eager

    return running()


def wait_for(predicate, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False
