from celery import shared_task
from django.utils import timezone

from zonehub import audit, services
from zonehub.notifications import notifications_send_pending
from zonehub.workdays import local_date


@shared_task
def calendar_ensure_years_task():
    """Daily: the current and next year exist, provisional if no notice is known yet."""
    year = local_date(timezone.now()).year
    for y in (year, year + 1):
        services.calendar_ensure_year(year=y)


@shared_task
def notifications_send_pending_task():
    """Deliver pending notifications; the beat runs it every minute so none waits for long."""
    while notifications_send_pending(batch=200) == 200:
        pass


@shared_task
def login_records_purge_task():
    """Daily: login records past the retention period (ZONEHUB_AUDIT_RETENTION_DAYS, at least 183
    days) are deleted; younger ones never are."""
    audit.login_records_purge()
