"""Celery tasks of the stewards app: thin, safe to run twice, no deadline ever scheduled as an ETA.

Deadlines live in the database (``due_at``, ``remind_at``, ...) and the beat-scheduled sweep
(every ZONEHUB_SWEEP_SECONDS, see CELERY_BEAT_SCHEDULE) applies whatever has fallen due.
"""

from celery import shared_task

from stewards import services


@shared_task
def deadline_sweep_task():
    """Reminders, overdue marks, missing progress reports, late acceptance, auto-close, then
    pending notifications. Exactly once per effect however many run at once."""
    return services.deadline_sweep()


@shared_task
def reply_months_task():
    """The leader's on-time chart, rolled up nightly for its months (safe to run twice)."""
    return services.reply_months_refresh()



@shared_task
def visits_missed_task():
    """On the first working day of a month: each steward and head hears once which of their
    enterprises had no visit last month (idempotent: one notice per person and month)."""
    return services.visits_missed_notify()
