"""Enqueueing that never loses what the user submitted.

Work is enqueued only after the transaction commits. If the broker cannot be reached the error is
logged and swallowed: whatever the task was to do is also recorded in the database (a pending
notification, a due deadline) and the periodic sweep does it once the broker is back.
"""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Enqueue ``task`` once the current transaction commits; the same task with the same
    arguments is enqueued once per transaction (a sweep that notifies a thousand people sends one
    delivery task, not a thousand)."""
    key = (task.name, args, kwargs)
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        getattr(callback, "enqueues", None) == key and not callback.sent
        for _, callback, _ in connection.run_on_commit
    ):
        return

    def send():
        send.sent = True
        try:
            task.apply_async(args=args, kwargs=kwargs, retry=False)
        except Exception:  # noqa: BLE001 - any broker failure; the sweep catches up
            logger.warning("broker unavailable, %s left for the sweep", task.name, exc_info=True)

    send.enqueues, send.sent = key, False
    transaction.on_commit(send)


def enqueue_coalesced_on_commit(task, *, seconds: float = 1.0) -> None:
    """Enqueue ``task`` (no arguments) once the transaction commits, at most once per ``seconds``
    across every process: the first caller publishes it to run ``seconds`` later, and callers
    meanwhile rely on that run, which starts after their commit (the mark outlives none of
    them). A busy form costs one broker message per second, not one per submission. When the
    mark cannot be kept (cache down) or the broker refuses, every caller publishes as before."""
    from django.conf import settings
    from django.core.cache import cache

    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        enqueue_on_commit(task)
        return
    key = f"zonehub:coalesce:{task.name}"

    def send():
        if not cache.add(key, 1, timeout=seconds):
            return  # a run is due within ``seconds``, after this commit: it sends what we wrote
        try:
            # A margin over the mark's life, so that clocks a little apart still run it after.
            task.apply_async(countdown=seconds * 1.5, retry=False)
        except Exception:  # noqa: BLE001 - any broker failure; the sweep catches up
            cache.delete(key)
            logger.warning("broker unavailable, %s left for the sweep", task.name, exc_info=True)

    transaction.on_commit(send)
