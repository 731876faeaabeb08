"""Deadlines of escalations and requests, counted in working days, and their recomputation
when the working-day calendar changes."""

import datetime as dt

from django.conf import settings
from django.db import transaction

from stewards.events import StewardsEvent
from stewards.models import Escalation, ServiceRequest
from stewards.services._shared import E, S
from zonehub.events import record_event
from zonehub.workdays import WorkCalendar, due_at, last_workday, start_of_day

# --- deadlines -------------------------------------------------------------------------------


def _reply_days() -> int:
    return settings.ZONEHUB_REPLY_WORKING_DAYS


def reminder_at(due: dt.datetime) -> dt.datetime:
    """The morning (ZONEHUB_REMINDER_HOUR) of the last working day of a period ending at ``due``."""
    return start_of_day(last_workday(due)) + dt.timedelta(hours=settings.ZONEHUB_REMINDER_HOUR)


def _next_period_due(previous_due: dt.datetime, calendar: WorkCalendar | None = None) -> dt.datetime:
    # Periods follow each other: the next one counts from the last working day of the previous.
    return due_at(start_of_day(last_workday(previous_due)), _reply_days(), calendar=calendar)


# --- the calendar changed --------------------------------------------------------------------


def _touches_years(qs, start_field: str, end_field: str, years: list[int]):
    first, last = min(years), max(years)
    return qs.filter(**{f"{start_field}__lt": start_of_day(dt.date(last + 1, 1, 1)),
                        f"{end_field}__gte": start_of_day(dt.date(first, 1, 1))})


@transaction.atomic
def deadlines_recompute(*, years: list[int]) -> int:
    """The calendar of ``years`` changed: recompute the deadlines still running that were computed
    across those years — due_at/remind_at of escalations whose clock runs (not yet overdue: an
    effect done stays done), next progress due times, request accept and auto-close due times.
    Returns the number of rows changed."""
    years = [int(y) for y in years or []]
    if not years:
        return 0
    calendar = WorkCalendar()
    changed = 0
    running = Escalation.objects.filter(clock_stopped_at__isnull=True, overdue_at__isnull=True)
    for escalation in _touches_years(running, "sent_at", "due_at", years).select_for_update().order_by("pk"):
        new_due = due_at(escalation.sent_at, _reply_days(), calendar=calendar)
        if new_due == escalation.due_at:
            continue
        old_due = escalation.due_at
        escalation.due_at, escalation.remind_at = new_due, reminder_at(new_due)
        escalation.save(update_fields=["due_at", "remind_at"])
        record_event(escalation, root=escalation.request, actor=None, kind=StewardsEvent.ESCALATION_DUE_CHANGED,
                     data={"department": escalation.department.name, "from": old_due.isoformat(),
                           "to": new_due.isoformat()})
        changed += 1
    consulting = Escalation.objects.filter(status=E.CONSULTATION)
    for escalation in _touches_years(consulting, "consultation_marked_at", "next_progress_due_at", years) \
            .select_for_update().order_by("pk"):
        last_report = escalation.progress_reports.order_by("-reported_at").values_list("reported_at", flat=True).first()
        start = max(filter(None, [escalation.consultation_marked_at, last_report]))
        if escalation.last_progress_overdue_at and escalation.last_progress_overdue_at > start:
            continue  # periods were already counted as missed since the last report: leave them
        new_due = due_at(start, _reply_days(), calendar=calendar)
        if new_due != escalation.next_progress_due_at:
            escalation.next_progress_due_at = new_due
            escalation.save(update_fields=["next_progress_due_at"])
            changed += 1
    waiting = ServiceRequest.objects.filter(status=S.SUBMITTED, accept_flagged_at__isnull=True,
                                            accept_due_at__isnull=False)
    for request in _touches_years(waiting, "created_at", "accept_due_at", years).select_for_update().order_by("pk"):
        new_due = due_at(request.created_at, settings.ZONEHUB_ACCEPT_WORKING_DAYS, calendar=calendar)
        if new_due != request.accept_due_at:
            request.accept_due_at = new_due
            request.save(update_fields=["accept_due_at"])
            changed += 1
    reported = ServiceRequest.objects.filter(status=S.REPORTED, auto_close_due_at__isnull=False)
    for request in _touches_years(reported, "reported_at", "auto_close_due_at", years).select_for_update().order_by("pk"):
        new_due = due_at(request.reported_at, settings.ZONEHUB_AUTO_CLOSE_WORKING_DAYS, calendar=calendar)
        if new_due != request.auto_close_due_at:
            request.auto_close_due_at = new_due
            request.save(update_fields=["auto_close_due_at"])
            changed += 1
    return changed


def on_calendar_changed(sender, years=(), **kwargs) -> None:
    """Receiver of zonehub.services.calendar_changed (connected in StewardsConfig.ready)."""
    deadlines_recompute(years=list(years))
