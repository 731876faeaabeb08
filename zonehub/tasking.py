"""Enqueueing that never loses what the user submitted.

Work is enqueued only after the transaction commits. If the broker cannot be reached the error is
logged and swallowed: whatever the task was to do is also recorded in the database (a pending
notification, a due deadline) and the periodic sweep does it once the broker is back.
"""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args, **kwargs) -> None:
    def send():
        try:
            task.apply_async(args=args, kwargs=kwargs, retry=False)
        except Exception:  # noqa: BLE001 - any broker failure; the sweep catches up
            logger.warning("broker unavailable, %s left for the sweep", task.name, exc_info=True)

    transaction.on_commit(send)
