"""Celery tasks of the enterprises app: thin, they take a batch id and call the import services,
whose state guard on the batch makes a second delivery harmless."""

from celery import shared_task

from enterprises import imports


@shared_task
def import_validate_task(batch_id: int) -> None:
    imports.import_validate(batch_id=batch_id)


@shared_task
def import_run_task(batch_id: int) -> None:
    imports.import_run(batch_id=batch_id)
