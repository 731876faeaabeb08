"""The audit trail (等保2.0 level 3): the event history and the login records.

The audit administrator reads both on the audit pages (zonehub/audit_views.py) and changes
nothing; nobody deletes them from any page (the admin offers no deletion of events nor of
django-axes' records, zonehub/admin.py). Login records are kept at least
``ZONEHUB_AUDIT_RETENTION_DAYS`` days — never fewer than the six months the Cybersecurity Law asks
for — and a daily task purges what is older. Events are never purged: they are also the
timelines of requests, projects and every other object.

Login records are django-axes' tables: ``AccessLog`` (one row per successful sign-in, with the
sign-out time) and ``AccessFailureLog`` (one row per refused one; ``locked_out`` when the
username+address pair was locked at the time).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.db import models, transaction
from django.db.models import Case, CharField, DateTimeField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zonehub.events import CoreEvent, record_event
from zonehub.models import Event, Role
from zonehub.permissions import require_role
from zonehub.workdays import local_date, start_of_day

# Six months (Cybersecurity Law, art. 21): a smaller setting is read as this.
LEGAL_MINIMUM_DAYS = 183


class LoginResult(models.TextChoices):
    SUCCESS = "success", _("signed in")
    FAILURE = "failure", _("refused")
    LOCKOUT = "lockout", _("refused: locked out")


# The columns both kinds of login record share, in the order the union lists them.
LOGIN_COLUMNS = ("attempt_time", "username", "ip_address", "user_agent", "path_info", "logout_time", "result")


def audit_retention_days() -> int:
    return max(int(getattr(settings, "ZONEHUB_AUDIT_RETENTION_DAYS", LEGAL_MINIMUM_DAYS)), LEGAL_MINIMUM_DAYS)


# --- reads -----------------------------------------------------------------------------------


def event_list() -> QuerySet[Event]:
    """The whole event history, newest first (index ``event_created_idx``), with who and on what."""
    return Event.objects.select_related("actor", "subject_type").order_by("-created_at", "-id")


def login_record_sources() -> tuple[QuerySet, QuerySet]:
    """Successful and refused sign-ins, each annotated with its ``result``, so one FilterSet
    narrows both the same way before ``login_record_list`` puts them together."""
    successes = AccessLog.objects.annotate(result=Value(LoginResult.SUCCESS.value, output_field=CharField()))
    failures = AccessFailureLog.objects.annotate(
        result=Case(When(locked_out=True, then=Value(LoginResult.LOCKOUT.value)),
                    default=Value(LoginResult.FAILURE.value), output_field=CharField()),
        logout_time=Value(None, output_field=DateTimeField()),
    )
    return successes, failures


def login_record_list(successes: QuerySet | None = None, failures: QuerySet | None = None) -> QuerySet:
    """Both kinds of login record in one list of dicts (``LOGIN_COLUMNS``), newest first."""
    if successes is None or failures is None:
        successes, failures = login_record_sources()
    return (
        successes.order_by().values(*LOGIN_COLUMNS)
        .union(failures.order_by().values(*LOGIN_COLUMNS), all=True)
        .order_by("-attempt_time")
    )


def locked_out_attempts() -> QuerySet[AccessAttempt]:
    """Username+address pairs locked out now (django-axes' counters at the limit)."""
    return AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)


def audit_summary(*, now: dt.datetime | None = None) -> dict:
    """Today (Beijing time) at a glance, for the audit administrator's home page: the same counts
    as the audit pages filtered from today on."""
    since = start_of_day(local_date(now or timezone.now()))
    failures = AccessFailureLog.objects.filter(attempt_time__gte=since).aggregate(
        failures=models.Count("pk", filter=Q(locked_out=False)), lockouts=models.Count("pk", filter=Q(locked_out=True)))
    return {
        "events": Event.objects.filter(created_at__gte=since).count(),
        "sign_ins": AccessLog.objects.filter(attempt_time__gte=since).count(),
        **failures,
    }


# --- writes ----------------------------------------------------------------------------------


@transaction.atomic
def login_lockout_lift(*, attempts: Iterable[AccessAttempt], actor) -> int:
    """The security administrator lets locked-out username+address pairs sign in again. The
    refused sign-ins stay in the login records; the lifting is an event."""
    require_role(actor, Role.SECURITY_ADMIN)
    rows = list(AccessAttempt.objects.select_for_update().filter(pk__in=[a.pk for a in attempts]).order_by("pk"))
    for attempt in rows:
        record_event(attempt, actor=actor, kind=CoreEvent.LOGIN_LOCKOUT_LIFTED,
                     data={"username": attempt.username, "ip_address": attempt.ip_address,
                           "failures": attempt.failures_since_start})
    AccessAttempt.objects.filter(pk__in=[a.pk for a in rows]).delete()
    return len(rows)


def login_records_purge(*, now: dt.datetime | None = None) -> int:
    """Delete login records older than the retention period, and never a younger one."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=audit_retention_days())
    deleted = 0
    for model in (AccessLog, AccessFailureLog):
        count, _by_model = model.objects.filter(attempt_time__lt=cutoff).delete()
        deleted += count
    return deleted
