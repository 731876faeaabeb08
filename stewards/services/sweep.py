"""The deadline sweep (DESIGN.md rule 3): every due effect applied exactly once."""

import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from stewards.events import StewardsEvent
from stewards.models import Escalation, ServiceRequest, StewardAssignment
from stewards.services._shared import E, S, escalation_url, request_url
from stewards.services.deadlines import _next_period_due
from stewards.services.requests import request_auto_close
from zonehub.db import rows_update
from zonehub.deadline_sweeps import run_deadline_sweeps
from zonehub.events import record_events
from zonehub.models import Notification
from zonehub.notifications import notifications_send_pending, notify_many
from zonehub.recipients import Directory
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


class _Batch:
    """What one batch's effects write, gathered and inserted at once: events and notifications."""

    def __init__(self, directory: Directory):
        self.directory = directory
        self.events: list[dict] = []
        self.notifications: list[Notification] = []

    def event(self, **fields) -> None:
        self.events.append(fields)

    def notify(self, users, **fields) -> None:
        for pk in {u.pk for u in users if u is not None and u.is_active}:
            self.notifications.append(Notification(recipient_id=pk, **fields))

    def flush(self) -> None:
        record_events(self.events)
        notify_many(self.notifications)


def _mark(queryset, rows, **values) -> list:
    """Set ``values`` on those of ``rows`` still matching ``queryset`` (the due condition again),
    in one UPDATE; returns the rows it changed. Under the batch's row locks (PostgreSQL) or write
    lock (SQLite) that is every row; the check stays for safety."""
    ids = [row.pk for row in rows]
    if queryset.filter(pk__in=ids).update(**values) == len(ids):
        return rows
    field, value = next(iter(values.items()))
    changed = set(queryset.model.objects.filter(pk__in=ids, **{field: value}).values_list("pk", flat=True))
    return [row for row in rows if row.pk in changed]


def _stewards_now(enterprise_ids) -> dict[int, object]:
    """Each enterprise's steward now (a user), in one query."""
    return {a.enterprise_id: a.steward.user for a in StewardAssignment.objects.active()
            .filter(enterprise_id__in=set(enterprise_ids)).select_related("steward__user")}


def _steward_users_of(request, stewards_now) -> list:
    """The steward at the time of the request and the enterprise's steward now (the same
    people ``_steward_users`` names, read from the batch)."""
    users = [request.steward.user] if request.steward_id else []
    current = stewards_now.get(request.enterprise_id)
    return [*users, current] if current is not None else users


def _apply(effect, rows, now, directory) -> int:
    """The batch's effect in one savepoint; if it fails, row by row, so that one bad row is rolled
    back alone, logged, and tried again on the next run. A time limit still stops it."""
    if not rows:
        return 0
    try:
        with transaction.atomic():
            batch = _Batch(directory)
            done = effect(rows, now, batch)
            batch.flush()
            return done
    except SoftTimeLimitExceeded:
        raise
    except Exception:  # noqa: BLE001 - logged with its traceback; the sweep goes on
        if len(rows) == 1:
            logger.exception("deadline sweep: %s failed on %s #%s; left for the next run",
                             effect.__name__, rows[0]._meta.model_name, rows[0].pk)
            return 0
    return sum(_apply(effect, [row], now, directory) for row in rows)


def _sweep_rows(queryset, effect, *, now, batch: int, directory: Directory, related=()) -> int:
    """Run ``effect(rows, now, batch)`` on every due row, one transaction per batch of rows taken
    in pk order with SELECT ... FOR UPDATE SKIP LOCKED."""
    done, last_pk = 0, 0
    while True:
        with transaction.atomic():
            rows = list(
                queryset.filter(pk__gt=last_pk).select_for_update(skip_locked=True).order_by("pk")[:batch]
            )
            if related:
                prefetch_related_objects(rows, *related)
            done += _apply(effect, rows, now, directory)
        if len(rows) < batch:
            return done
        last_pk = rows[-1].pk


ESCALATION_RELATED = ("request__enterprise", "request__steward__user", "department")


def _escalations_remind(rows, now, batch: _Batch) -> int:
    rows = _mark(_remind_due(now), rows, reminded_at=now)
    batch.directory.load_departments(e.department_id for e in rows)
    for escalation in rows:
        request = escalation.request
        batch.event(subject=escalation, root=request, kind=StewardsEvent.ESCALATION_REMINDED,
                    data={"department": escalation.department.name, "due_at": escalation.due_at.isoformat()})
        batch.notify(batch.directory.department_users(escalation.department_id), kind="escalation.reminded",
                     dedupe_key=f"escalation:{escalation.pk}:reminder", url=escalation_url(escalation), sms=True,
                     title=_("Today is the last working day to reply to “%(title)s” (%(enterprise)s)") % {
                         "title": request.title, "enterprise": request.enterprise.name})
    return len(rows)


def _escalations_overdue(rows, now, batch: _Batch) -> int:
    # replied_at IS NULL and clock_stopped_at IS NULL: a reply committed meanwhile wins.
    rows = _mark(_overdue_due(now).filter(replied_at__isnull=True), rows, overdue_at=now)
    batch.directory.load_departments(e.department_id for e in rows)
    stewards_now = _stewards_now(e.request.enterprise_id for e in rows)
    leaders = batch.directory.leaders()
    for escalation in rows:
        request = escalation.request
        batch.event(subject=escalation, root=request, kind=StewardsEvent.ESCALATION_OVERDUE,
                    from_state=escalation.status, to_state="overdue",
                    data={"department": escalation.department.name, "due_at": escalation.due_at.isoformat()})
        batch.notify(
            [*batch.directory.department_heads(escalation.department_id), *_steward_users_of(request, stewards_now),
             *leaders],
            kind="escalation.overdue", dedupe_key=f"escalation:{escalation.pk}:overdue", url=escalation_url(escalation),
            sms=True, title=_("Overdue: %(department)s has not replied to “%(title)s” (%(enterprise)s)") % {
                "department": escalation.department.name, "title": request.title,
                "enterprise": request.enterprise.name})
    return len(rows)


def _escalations_progress_missed(rows, now, batch: _Batch) -> int:
    # The rows are locked with the due condition: each moves on by the periods it missed (after
    # downtime, every missed period counts, with one notice).
    calendar = WorkCalendar()
    batch.directory.load_departments(e.department_id for e in rows)
    stewards_now = _stewards_now(e.request.enterprise_id for e in rows)
    for escalation in rows:
        was_due = next_due = escalation.next_progress_due_at
        missed = 0
        while next_due <= now:
            missed += 1
            next_due = _next_period_due(next_due, calendar)
        escalation.next_progress_due_at = next_due
        escalation.progress_overdue_count += missed
        escalation.last_progress_overdue_at = now
        request = escalation.request
        batch.event(subject=escalation, root=request, kind=StewardsEvent.ESCALATION_PROGRESS_MISSED,
                    data={"department": escalation.department.name, "was_due_at": was_due.isoformat(),
                          "missed": missed, "next_due_at": next_due.isoformat()})
        batch.notify(
            [*batch.directory.department_users(escalation.department_id), *_steward_users_of(request, stewards_now)],
            kind="escalation.progress_missed", dedupe_key=f"escalation:{escalation.pk}:progress_missed:{was_due.isoformat()}",
            url=escalation_url(escalation),
            title=_("Progress report missing: %(department)s on “%(title)s”") % {
                "department": escalation.department.name, "title": request.title})
    rows_update(rows, ["next_progress_due_at", "progress_overdue_count", "last_progress_overdue_at"])
    return len(rows)


def _requests_accept_late(rows, now, batch: _Batch) -> int:
    rows = _mark(_accept_due(now), rows, accept_flagged_at=now)
    batch.directory.load_workstations(r.enterprise.workstation_id for r in rows)
    stewards_now = _stewards_now(r.enterprise_id for r in rows)
    for request in rows:
        batch.event(subject=request, kind=StewardsEvent.REQUEST_ACCEPT_LATE,
                    data={"due_at": request.accept_due_at.isoformat()})
        batch.notify(
            [*batch.directory.workstation_heads(request.enterprise.workstation_id),
             *_steward_users_of(request, stewards_now)],
            kind="request.accept_late", dedupe_key=f"request:{request.pk}:accept_late", url=request_url(request),
            title=_("Not accepted in time: “%(title)s” from %(enterprise)s") % {
                "title": request.title, "enterprise": request.enterprise.name})
    return len(rows)


def _requests_auto_close(rows, now, batch: _Batch) -> int:
    return sum(request_auto_close(request=request, now=now) for request in rows)


def deadline_sweep(*, now=None, batch: int = 100, send_notifications: bool = True) -> dict[str, int]:
    """Apply every due effect exactly once: reminders, overdue marks, missed progress reports,
    late acceptance flags, auto-closes; then send pending notifications. Returns counts."""
    now = now or timezone.now()
    directory = Directory()  # recipients read once per sweep
    kinds = {
        "reminded": (_remind_due, _escalations_remind, ESCALATION_RELATED),
        "overdue": (_overdue_due, _escalations_overdue, ESCALATION_RELATED),
        "progress_missed": (_progress_due, _escalations_progress_missed, ESCALATION_RELATED),
        "accept_late": (_accept_due, _requests_accept_late, ("enterprise", "steward__user")),
        "auto_closed": (_auto_close_due, _requests_auto_close, ()),
    }
    counts = {
        name: _sweep_rows(due(now), effect, now=now, batch=batch, directory=directory, related=related)
        for name, (due, effect, related) in kinds.items()
    }
    # Other apps' deadlines (a meeting's decisions...) ride the same sweep (zonehub.deadline_sweeps).
    counts.update(run_deadline_sweeps(now=now))
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
