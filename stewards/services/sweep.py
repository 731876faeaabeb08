"""The deadline sweep (DESIGN.md rule 3): every due effect applied exactly once."""

import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.db import transaction
from django.db.models import F, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from stewards.events import StewardsEvent
from stewards.models import Escalation, ServiceRequest
from stewards.services._shared import (
    E,
    S,
    _department_heads,
    _department_users,
    _leaders,
    _steward_users,
    _workstation_heads,
    escalation_url,
    request_url,
)
from stewards.services.deadlines import _next_period_due
from stewards.services.requests import request_auto_close
from zonehub.events import record_event
from zonehub.notifications import notifications_send_pending, notify
from zonehub.workdays import WorkCalendar

logger = logging.getLogger(__name__)


# --- the sweep (DESIGN.md rule 3) ------------------------------------------------------------
#
# Each kind of due work is one queryset whose filter is exactly the condition of a partial
# index, so the sweep reads only due rows. Rows are taken in batches, in pk order, with
# SELECT ... FOR UPDATE SKIP LOCKED (concurrent sweeps share the work; SQLite, which has no row
# locks, serialises writers instead), and every effect is a conditional UPDATE whose WHERE
# repeats the due condition (reminded_at IS NULL, overdue_at IS NULL AND clock_stopped_at IS
# NULL, ...): the effect, its event and its notification rows commit together, once, however
# many sweeps run, twice, at once, or after one died half way (its batch rolled back).
#
# Catching up after downtime: everything due is done on the next run. A reminder whose deadline
# has already passed is skipped (the department gets the overdue notice instead: a "last day"
# reminder after the last day would be wrong); missed consultation periods are all counted in
# one step, with one notice.


def _remind_due(now):
    return Escalation.objects.filter(clock_stopped_at__isnull=True, reminded_at__isnull=True,
                                     overdue_at__isnull=True, remind_at__lte=now, due_at__gt=now)


def _overdue_due(now):
    # Clocks still running: a consultation asked after the deadline stamps its own mark.
    return Escalation.objects.overdue(now).filter(overdue_at__isnull=True, clock_stopped_at__isnull=True)


def _progress_due(now):
    return Escalation.objects.filter(status=E.CONSULTATION, next_progress_due_at__lte=now)


def _accept_due(now):
    return ServiceRequest.objects.filter(status=S.SUBMITTED, accept_flagged_at__isnull=True, accept_due_at__lte=now)


def _auto_close_due(now):
    return ServiceRequest.objects.filter(status=S.REPORTED, auto_close_due_at__lte=now)


def _sweep_rows(queryset, apply, *, now, batch: int, related=()) -> int:
    """Run ``apply(row, now)`` on every row of ``queryset``, one transaction per batch."""
    done, last_pk = 0, 0
    while True:
        with transaction.atomic():
            rows = list(
                queryset.filter(pk__gt=last_pk).select_for_update(skip_locked=True).order_by("pk")[:batch]
            )
            if related:
                prefetch_related_objects(rows, *related)
            for row in rows:
                # One bad row must not stop every deadline: its effect is rolled back to the
                # savepoint, logged, and tried again on the next run. A time limit still stops it.
                try:
                    with transaction.atomic():
                        done += bool(apply(row, now))
                except SoftTimeLimitExceeded:
                    raise
                except Exception:  # noqa: BLE001 - logged with its traceback; the sweep goes on
                    logger.exception("deadline sweep: %s failed on %s #%s; left for the next run",
                                     getattr(apply, "__name__", apply), row._meta.model_name, row.pk)
        if len(rows) < batch:
            return done
        last_pk = rows[-1].pk


ESCALATION_RELATED = ("request__enterprise", "request__steward__user", "department")


def _escalation_remind(escalation: Escalation, now) -> bool:
    if not Escalation.objects.filter(
        pk=escalation.pk, clock_stopped_at__isnull=True, reminded_at__isnull=True, overdue_at__isnull=True,
        due_at__gt=now,
    ).update(reminded_at=now):
        return False
    request = escalation.request
    record_event(escalation, root=request, actor=None, kind=StewardsEvent.ESCALATION_REMINDED,
                 data={"department": escalation.department.name, "due_at": escalation.due_at.isoformat()})
    notify(_department_users(escalation.department_id), kind="escalation.reminded",
           key=f"escalation:{escalation.pk}:reminder", url=escalation_url(escalation), sms=True,
           title=_("Today is the last working day to reply to “%(title)s” (%(enterprise)s)") % {
               "title": request.title, "enterprise": request.enterprise.name})
    return True


def _escalation_overdue(escalation: Escalation, now) -> bool:
    # replied_at IS NULL and clock_stopped_at IS NULL: a reply committed meanwhile wins.
    if not Escalation.objects.overdue(now).filter(
        pk=escalation.pk, replied_at__isnull=True, overdue_at__isnull=True,
    ).update(overdue_at=now):
        return False
    request = escalation.request
    record_event(escalation, root=request, actor=None, kind=StewardsEvent.ESCALATION_OVERDUE, from_state=escalation.status,
                 to_state="overdue", data={"department": escalation.department.name,
                                           "due_at": escalation.due_at.isoformat()})
    title = _("Overdue: %(department)s has not replied to “%(title)s” (%(enterprise)s)") % {
        "department": escalation.department.name, "title": request.title, "enterprise": request.enterprise.name}
    recipients = {u.pk: u for u in [*_department_heads(escalation.department_id), *_steward_users(request), *_leaders()]}
    notify(recipients.values(), kind="escalation.overdue", key=f"escalation:{escalation.pk}:overdue",
           url=escalation_url(escalation), title=title, sms=True)
    return True


def _escalation_progress_missed(escalation: Escalation, now) -> bool:
    was_due = escalation.next_progress_due_at
    calendar = WorkCalendar()
    missed, next_due = 0, was_due
    while next_due <= now:  # after downtime, every missed period counts
        missed += 1
        next_due = _next_period_due(next_due, calendar)
    if not Escalation.objects.filter(
        pk=escalation.pk, status=E.CONSULTATION, next_progress_due_at=was_due,
    ).update(next_progress_due_at=next_due, progress_overdue_count=F("progress_overdue_count") + missed,
             last_progress_overdue_at=now):
        return False
    request = escalation.request
    record_event(escalation, root=request, actor=None, kind=StewardsEvent.ESCALATION_PROGRESS_MISSED,
                 data={"department": escalation.department.name, "was_due_at": was_due.isoformat(),
                       "missed": missed, "next_due_at": next_due.isoformat()})
    notify([*_department_users(escalation.department_id), *_steward_users(request)],
           kind="escalation.progress_missed", key=f"escalation:{escalation.pk}:progress_missed:{was_due.isoformat()}",
           url=escalation_url(escalation),
           title=_("Progress report missing: %(department)s on “%(title)s”") % {
               "department": escalation.department.name, "title": request.title})
    return True


def _request_accept_late(request: ServiceRequest, now) -> bool:
    if not ServiceRequest.objects.filter(
        pk=request.pk, status=S.SUBMITTED, accept_flagged_at__isnull=True, accept_due_at__lte=now,
    ).update(accept_flagged_at=now):
        return False
    record_event(request, actor=None, kind=StewardsEvent.REQUEST_ACCEPT_LATE, data={"due_at": request.accept_due_at.isoformat()})
    notify([*_workstation_heads(request), *_steward_users(request)], kind="request.accept_late",
           key=f"request:{request.pk}:accept_late", url=request_url(request),
           title=_("Not accepted in time: “%(title)s” from %(enterprise)s") % {
               "title": request.title, "enterprise": request.enterprise.name})
    return True


def _request_auto_close(request: ServiceRequest, now) -> bool:
    return request_auto_close(request=request, now=now)


def deadline_sweep(*, now=None, batch: int = 100, send_notifications: bool = True) -> dict[str, int]:
    """Apply every due effect exactly once: reminders, overdue marks, missed progress reports,
    late acceptance flags, auto-closes; then send pending notifications. Returns counts."""
    now = now or timezone.now()
    counts = {
        "reminded": _sweep_rows(_remind_due(now), _escalation_remind, now=now, batch=batch,
                                related=ESCALATION_RELATED),
        "overdue": _sweep_rows(_overdue_due(now), _escalation_overdue, now=now, batch=batch,
                               related=ESCALATION_RELATED),
        "progress_missed": _sweep_rows(_progress_due(now), _escalation_progress_missed, now=now, batch=batch,
                                       related=ESCALATION_RELATED),
        "accept_late": _sweep_rows(_accept_due(now), _request_accept_late, now=now, batch=batch,
                                   related=("enterprise", "steward__user")),
        "auto_closed": _sweep_rows(_auto_close_due(now), _request_auto_close, now=now, batch=batch),
    }
    # A notification whose delivery task was lost (broker down) goes out now.
    sent = 0
    while send_notifications:
        n = notifications_send_pending(batch=200)
        sent += n
        if n < 200:
            break
    counts["notifications_sent"] = sent
    if any(counts.values()):
        logger.info("deadline sweep: %s", counts)
    return counts
