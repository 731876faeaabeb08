from celery import shared_task
from django.utils import timezone

from zonehub import audit, phone_login, services, tallies
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
def tallies_refresh_task():
    """Every ZONEHUB_TALLY_SECONDS: the zone-wide tallies the leaders' home page reads."""
    tallies.tallies_refresh()


@shared_task
def login_records_purge_task():
    """Daily: login records past the retention period (ZONEHUB_AUDIT_RETENTION_DAYS, at least 183
    days) are deleted; younger ones never are."""
    audit.login_records_purge()


@shared_task
def login_code_sms_task(code_id, code):
    """Send an enterprise user's login code by SMS, once. The code travels with the task because
    only its hash is stored; it is valid for ZONEHUB_LOGIN_CODE_MINUTES minutes only."""
    phone_login.login_code_deliver(code_id=code_id, code=code)
