"""Celery tasks of the enterprises app: thin, they take a batch id and call the import services,
whose state guard on the batch makes a second delivery harmless."""

from celery import shared_task

from enterprises.services import imports

# A large sheet whose rows all name a steward makes one assignment (with its history and
# notifications) per row: longer than the default task limits, so imports get their own.
IMPORT_LIMITS = {"soft_time_limit": 25 * 60, "time_limit": 30 * 60}


@shared_task(**IMPORT_LIMITS)
def import_validate_task(batch_id: int) -> None:
    imports.import_validate(batch_id=batch_id)


@shared_task(**IMPORT_LIMITS)
def import_run_task(batch_id: int) -> None:
    imports.import_run(batch_id=batch_id)
