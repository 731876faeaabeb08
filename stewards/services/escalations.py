"""Escalations (吹哨): a department answers, marks a case for joint consultation, reports
progress, concludes, or returns it."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stewards.events import StewardsEvent
from stewards.models import Escalation, EscalationProgress, ServiceRequest
from stewards.services._shared import (
    E,
    _department_users,
    _steward_users,
    _text,
    escalation_url,
    request_url,
)
from stewards.services.deadlines import _reply_days, reminder_at
from stewards.transitions import require_escalation_action
from zonehub.dates import cn_deadline
from zonehub.events import record_event
from zonehub.notifications import notify
from zonehub.workdays import WorkCalendar, due_at


def _escalate(request: ServiceRequest, *, actor, departments, reason: str, now) -> list[Escalation]:
    calendar = WorkCalendar()
    due = due_at(now, _reply_days(), calendar=calendar)
    remind = reminder_at(due)
    created = []
    for department in departments:
        escalation = Escalation.objects.create(
            request=request, department=department, sent_by=actor, sent_at=now, reason=reason,
            due_at=due, remind_at=remind,
        )
        record_event(escalation, root=request, actor=actor, kind=StewardsEvent.ESCALATION_SENT, to_state=E.OPEN, note=reason,
                     data={"department": department.name, "due_at": due.isoformat()})
        notify(_department_users(department.pk), kind="escalation.sent", key=f"escalation:{escalation.pk}:sent",
               url=escalation_url(escalation), sms=request.urgency == ServiceRequest.Urgency.URGENT,
               title=_("New escalation from %(enterprise)s: %(title)s (reply by %(due)s)") % {
                   "enterprise": request.enterprise.name, "title": request.title,
                   "due": cn_deadline(due)},
               body=reason)
        created.append(escalation)
    return created


def _lock_escalation(escalation: Escalation, actor, action: str) -> Escalation:
    """The row, locked, once the table of transitions allows ``action`` to ``actor`` on it."""
    escalation = Escalation.objects.select_for_update(of=("self",)).select_related(
        "request__enterprise", "request__steward__user", "department").get(pk=escalation.pk)
    require_escalation_action(actor, escalation, action, message=_("Only the department it was sent to may answer it."))
    return escalation


def _stop_clock(escalation: Escalation, now) -> list[str]:
    if escalation.clock_stopped_at is not None:
        return []
    escalation.clock_stopped_at = now
    escalation.answered_on_time = now < escalation.due_at
    return ["clock_stopped_at", "answered_on_time"]


def _tell_steward(escalation: Escalation, *, kind: str, key: str, title: str, body: str = "") -> None:
    notify(_steward_users(escalation.request), kind=kind, key=key, url=request_url(escalation.request),
           title=title, body=body)
    request = escalation.request
    if not request.escalations.open().exists():
        notify(_steward_users(request), kind="request.all_answered", url=request_url(request),
               key=f"request:{request.pk}:all_answered:{escalation.pk}:{escalation.status}",
               title=_("Every department has answered “%(title)s”: report back to the enterprise") % {
                   "title": request.title})


@transaction.atomic
def escalation_reply(*, escalation: Escalation, actor, reply: str) -> Escalation:
    """The department replies (答复): the clock stops; on time iff replied_at < due_at.

    The reply's time is taken once the row is locked, so a reply and the sweep are ordered by the
    lock: a reply counted on time is never marked overdue, and one marked overdue is late."""
    escalation = _lock_escalation(escalation, actor, "reply")
    reply = _text(reply, "reply", _("Write the reply."))
    now = timezone.now()
    escalation.status, escalation.reply, escalation.replied_at, escalation.replied_by = E.REPLIED, reply, now, actor
    fields = ["status", "reply", "replied_at", "replied_by", *_stop_clock(escalation, now)]
    escalation.save(update_fields=fields)
    record_event(escalation, root=escalation.request, actor=actor, kind=StewardsEvent.ESCALATION_REPLIED, from_state=E.OPEN,
                 to_state=E.REPLIED, note=reply,
                 data={"department": escalation.department.name, "on_time": escalation.answered_on_time})
    _tell_steward(escalation, kind="escalation.replied", key=f"escalation:{escalation.pk}:replied",
                  title=_("%(department)s replied on “%(title)s”") % {"department": escalation.department.name,
                                                                      "title": escalation.request.title}, body=reply)
    return escalation


@transaction.atomic
def escalation_mark_consultation(*, escalation: Escalation, actor, reason: str) -> Escalation:
    """The department marks it as needing joint consultation (需会商): the reply clock stops and a
    progress report is due every ZONEHUB_REPLY_WORKING_DAYS working days until it concludes."""
    escalation = _lock_escalation(escalation, actor, "consult")
    reason = _text(reason, "reason", _("Say why joint consultation is needed."))
    now = timezone.now()
    escalation.status, escalation.needs_consultation = E.CONSULTATION, True
    escalation.consultation_reason, escalation.consultation_marked_at = reason, now
    escalation.next_progress_due_at = due_at(now, _reply_days())
    fields = ["status", "needs_consultation", "consultation_reason", "consultation_marked_at",
              "next_progress_due_at", *_stop_clock(escalation, now)]
    if escalation.answered_on_time is False and escalation.overdue_at is None:
        # Asked after the deadline, before the sweep came by: the overdue mark is not lifted by
        # the consultation (issue 13); it is stamped now, as the sweep would have done.
        escalation.overdue_at = now
        fields.append("overdue_at")
    escalation.save(update_fields=fields)
    record_event(escalation, root=escalation.request, actor=actor, kind=StewardsEvent.ESCALATION_CONSULTATION, from_state=E.OPEN,
                 to_state=E.CONSULTATION, note=reason,
                 data={"department": escalation.department.name, "on_time": escalation.answered_on_time,
                       "next_progress_due_at": escalation.next_progress_due_at.isoformat()})
    notify(_steward_users(escalation.request), kind="escalation.consultation",
           key=f"escalation:{escalation.pk}:consultation", url=request_url(escalation.request),
           title=_("%(department)s needs joint consultation on “%(title)s”") % {
               "department": escalation.department.name, "title": escalation.request.title}, body=reason)
    return escalation


@transaction.atomic
def escalation_progress_report(*, escalation: Escalation, actor, text: str) -> EscalationProgress:
    """A progress report on a consultation case: the next period starts now."""
    escalation = _lock_escalation(escalation, actor, "progress")
    text = _text(text, "text", _("Write the progress."))
    now = timezone.now()
    was_due = escalation.next_progress_due_at
    progress = EscalationProgress.objects.create(
        escalation=escalation, text=text, reported_by=actor, reported_at=now, was_due_at=was_due,
        on_time=bool(was_due and now < was_due),
    )
    escalation.next_progress_due_at = due_at(now, _reply_days())
    escalation.save(update_fields=["next_progress_due_at"])
    record_event(progress, root=escalation.request, actor=actor, kind=StewardsEvent.ESCALATION_PROGRESS, note=text,
                 data={"department": escalation.department.name, "escalation": escalation.pk,
                       "on_time": progress.on_time})
    notify(_steward_users(escalation.request), kind="escalation.progress", key=f"progress:{progress.pk}",
           url=request_url(escalation.request),
           title=_("%(department)s reported progress on “%(title)s”") % {
               "department": escalation.department.name, "title": escalation.request.title}, body=text)
    return progress


@transaction.atomic
def escalation_conclude(*, escalation: Escalation, actor, conclusion: str) -> Escalation:
    """The department concludes a consultation case."""
    escalation = _lock_escalation(escalation, actor, "conclude")
    conclusion = _text(conclusion, "conclusion", _("Write the conclusion."))
    now = timezone.now()
    escalation.status, escalation.conclusion = E.CONCLUDED, conclusion
    escalation.concluded_at, escalation.concluded_by = now, actor
    escalation.save(update_fields=["status", "conclusion", "concluded_at", "concluded_by"])
    record_event(escalation, root=escalation.request, actor=actor, kind=StewardsEvent.ESCALATION_CONCLUDED,
                 from_state=E.CONSULTATION, to_state=E.CONCLUDED, note=conclusion,
                 data={"department": escalation.department.name})
    _tell_steward(escalation, kind="escalation.concluded", key=f"escalation:{escalation.pk}:concluded",
                  title=_("%(department)s concluded “%(title)s”") % {
                      "department": escalation.department.name, "title": escalation.request.title}, body=conclusion)
    return escalation


@transaction.atomic
def escalation_return(*, escalation: Escalation, actor, reason: str) -> Escalation:
    """Not the department's business: returned to the steward with a reason; the clock stops and
    the steward may escalate elsewhere."""
    escalation = _lock_escalation(escalation, actor, "return")
    reason = _text(reason, "reason", _("Say why this is not your department's business."))
    now = timezone.now()
    from_state = escalation.status
    escalation.status, escalation.return_reason = E.RETURNED, reason
    escalation.returned_at, escalation.returned_by = now, actor
    fields = ["status", "return_reason", "returned_at", "returned_by", *_stop_clock(escalation, now)]
    escalation.save(update_fields=fields)
    record_event(escalation, root=escalation.request, actor=actor, kind=StewardsEvent.ESCALATION_RETURNED, from_state=from_state,
                 to_state=E.RETURNED, note=reason, data={"department": escalation.department.name})
    _tell_steward(escalation, kind="escalation.returned", key=f"escalation:{escalation.pk}:returned",
                  title=_("%(department)s returned “%(title)s” as not its business") % {
                      "department": escalation.department.name, "title": escalation.request.title}, body=reason)
    return escalation
