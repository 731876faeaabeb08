"""Beat tasks of the five-key list: thin, take nothing, safe to run twice."""

from celery import shared_task

from projects import services, serving


@shared_task(name="projects.tasks.supervision_sweep_task")
def supervision_sweep_task() -> dict:
    return services.supervision_sweep()


@shared_task(name="projects.tasks.monthly_assessment_task")
def monthly_assessment_task() -> int | None:
    rows = services.monthly_assessment_run()
    return None if rows is None else len(rows)


@shared_task(name="projects.tasks.project_steward_sweep_task")
def project_steward_sweep_task() -> dict:
    """A new major project without its project steward: reminded, then told to the head (once)."""
    return serving.project_steward_sweep()
