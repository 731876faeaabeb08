"""Beat tasks of the five-key list: thin, take nothing, safe to run twice."""

from celery import shared_task

from projects import services


@shared_task(name="projects.tasks.supervision_sweep_task")
def supervision_sweep_task() -> dict:
    return services.supervision_sweep()


@shared_task(name="projects.tasks.monthly_assessment_task")
def monthly_assessment_task() -> int | None:
    rows = services.monthly_assessment_run()
    return None if rows is None else len(rows)
