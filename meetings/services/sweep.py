"""The meetings' deadlines on the zone's one deadline sweep (registered in ``MeetingsConfig.ready``
through ``zonehub.deadline_sweeps``; the stewards app runs it every minute):

- a decision is reminded on the morning of its last working day (``reminded_at``), and marked
  overdue once its ``due_at`` has passed (``overdue_at``);
- an invitation not answered is reminded on the morning of the working day before its meeting
  (``reminded_at``).

Each kind is one queryset whose filter is the condition of a partial index (the sweep reads only
due rows); rows are taken in batches in pk order with SELECT ... FOR UPDATE SKIP LOCKED, and each
effect is a conditional UPDATE whose WHERE repeats the due condition, committed with its events
and notification rows: once, however many sweeps run, at once or after one died half way. A
reminder whose moment has passed with its deadline is skipped (the overdue mark says it instead).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.events import MeetingEvent
from meetings.models import Decision, Invitation, Meeting
from meetings.services._shared import D, decision_url, meeting_url
from zonehub.dates import cn_datetime, cn_deadline
from zonehub.events import record_events
from zonehub.models import Notification
from zonehub.notifications import notify_many
from zonehub.recipients import Directory

BATCH = 100


def decisions_remind_due(now):
    return Decision.objects.filter(status=D.OPEN, reminded_at__isnull=True, overdue_at__isnull=True,
                                   remind_at__lte=now, due_at__gt=now)


def decisions_overdue_due(now):
    return Decision.objects.filter(status=D.OPEN, overdue_at__isnull=True, due_at__lte=now)


def invitations_remind_due(now):
    return Invitation.objects.filter(status=Invitation.Status.PENDING, reminded_at__isnull=True, remind_at__lte=now,
                                     meeting__status=Meeting.Status.SCHEDULED, meeting__starts_at__gt=now)


class _Batch:
    def __init__(self, directory: Directory):
        self.directory = directory
        self.events: list[dict] = []
        self.notifications: list[Notification] = []

    def notify(self, users, **fields) -> None:
        for pk in {u.pk for u in users if u is not None and u.is_active}:
            self.notifications.append(Notification(recipient_id=pk, **fields))

    def event(self, subject, *, roots, **fields) -> None:
        seen = set()
        for root in roots:
            if root is not None and (type(root), root.pk) not in seen:
                seen.add((type(root), root.pk))
                self.events.append({"subject": subject, "root": root, "actor": None, **fields})

    def flush(self) -> None:
        record_events(self.events)
        notify_many(self.notifications)


def _mark(due, rows, **values) -> list:
    """Set ``values`` on those of ``rows`` still due (the due condition again), in one UPDATE."""
    ids = [row.pk for row in rows]
    if due.filter(pk__in=ids).update(**values) == len(ids):
        return rows
    field, value = next(iter(values.items()))
    changed = set(due.model.objects.filter(pk__in=ids, **{field: value}).values_list("pk", flat=True))
    return [row for row in rows if row.pk in changed]


def _sweep(due, effect, *, now, directory: Directory, related=()) -> int:
    done, last = 0, 0
    while True:
        with transaction.atomic():
            rows = list(due(now).filter(pk__gt=last).select_for_update(skip_locked=True, of=("self",))
                        .select_related(*related).order_by("pk")[:BATCH])
            if rows:
                batch = _Batch(directory)
                done += effect(rows, now, batch)
                batch.flush()
        if len(rows) < BATCH:
            return done
        last = rows[-1].pk


def _owners(decision: Decision, directory: Directory, *, heads_only: bool = False) -> list:
    if decision.department_id:
        return (directory.department_heads(decision.department_id) if heads_only
                else directory.department_users(decision.department_id))
    steward_user = decision.steward.user
    return [steward_user, *directory.workstation_heads(steward_user.workstation_id)] if heads_only else [steward_user]


DECISION_RELATED = ("meeting__convened_by", "department", "steward__user", "request")


def _decisions_remind(rows, now, batch: _Batch) -> int:
    rows = _mark(decisions_remind_due(now), rows, reminded_at=now)
    batch.directory.load_departments(d.department_id for d in rows if d.department_id)
    for decision in rows:
        batch.event(decision, roots=[decision.meeting, decision.request], kind=MeetingEvent.DECISION_REMINDED,
                    data={"department": decision.owner_name, "due_at": decision.due_at.isoformat()})
        batch.notify(_owners(decision, batch.directory), kind="decision.reminded", sms=True,
                     dedupe_key=f"decision:{decision.pk}:reminder", url=decision_url(decision),
                     title=_("Today is the last working day for a meeting decision: %(text)s") % {
                         "text": decision.text[:60]})
    return len(rows)


def _decisions_overdue(rows, now, batch: _Batch) -> int:
    rows = _mark(decisions_overdue_due(now), rows, overdue_at=now)
    batch.directory.load_departments(d.department_id for d in rows if d.department_id)
    leaders = batch.directory.leaders()
    for decision in rows:
        batch.event(decision, roots=[decision.meeting, decision.request], kind=MeetingEvent.DECISION_OVERDUE,
                    from_state=D.OPEN, to_state="overdue",
                    data={"department": decision.owner_name, "due_at": decision.due_at.isoformat()})
        batch.notify([*_owners(decision, batch.directory, heads_only=True), decision.meeting.convened_by, *leaders],
                     kind="decision.overdue", sms=True, dedupe_key=f"decision:{decision.pk}:overdue",
                     url=decision_url(decision),
                     title=_("Overdue: %(owner)s has not carried out a decision of %(meeting)s (due by %(due)s)") % {
                         "owner": decision.owner_name, "meeting": decision.meeting.title,
                         "due": cn_deadline(decision.due_at)})
    return len(rows)


def _invitations_remind(rows, now, batch: _Batch) -> int:
    rows = _mark(invitations_remind_due(now), rows, reminded_at=now)
    batch.directory.load_departments(i.department_id for i in rows)
    for invitation in rows:
        meeting = invitation.meeting
        batch.event(invitation, roots=[meeting], kind=MeetingEvent.INVITATION_REMINDED,
                    data={"department": invitation.department.name})
        batch.notify(batch.directory.department_users(invitation.department_id), kind="invitation.reminded",
                     dedupe_key=f"invitation:{invitation.pk}:reminder", url=meeting_url(meeting),
                     title=_("Not answered yet: %(title)s, %(when)s. Confirm who attends, or decline.") % {
                         "title": meeting.title, "when": cn_datetime(meeting.starts_at)})
    return len(rows)


def meetings_deadline_sweep(*, now=None) -> dict[str, int]:
    """Every due reminder and overdue mark of the meetings app, each exactly once. Returns counts."""
    now = now or timezone.now()
    directory = Directory()
    return {
        "decisions_reminded": _sweep(decisions_remind_due, _decisions_remind, now=now, directory=directory,
                                     related=DECISION_RELATED),
        "decisions_overdue": _sweep(decisions_overdue_due, _decisions_overdue, now=now, directory=directory,
                                    related=DECISION_RELATED),
        "invitations_reminded": _sweep(invitations_remind_due, _invitations_remind, now=now, directory=directory,
                                       related=("meeting", "department")),
    }
