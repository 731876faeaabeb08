"""Beat tasks of the evaluations app: thin, safe to run twice."""

from celery import shared_task


@shared_task
def campaign_sweep_task():
    """Hourly: open/close campaigns on their dates, reminders, overdue replacements."""
    from evaluations.services import campaign_sweep

    return campaign_sweep()


@shared_task
def department_grades_task():
    """Daily: from the first working day of a month, compute the month before (idempotent)."""
    from evaluations.services import department_grades_sweep

    month = department_grades_sweep()
    return month.isoformat() if month else None
