"""Celery tasks of the supply app: thin, safe to run twice (a notification's dedupe key)."""

from celery import shared_task


@shared_task
def contracts_sweep_task():
    """Daily: the brokers of contracts fully delivered, or past their term, are told to close the case."""
    from supply.services import contracts_sweep

    return contracts_sweep()
