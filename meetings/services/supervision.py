"""Formal chase-ups (督办): on an escalation or a meeting decision that is late or at risk, a
numbered notice (督办〔2026〕12号) to the department and its head; the second and later on the
same item also go to the leaders."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.events import MeetingEvent
from meetings.models import Decision, SupervisionNotice
from meetings.services._shared import (
    D,
    _text,
    can_supervise_decision,
    can_supervise_escalation,
    next_number,
    record,
)
from stewards.models import Escalation
from zonehub import recipients
from zonehub.dates import cn_deadline
from zonehub.notifications import notify
from zonehub.permissions import require
from zonehub.workdays import WorkCalendar, due_at, local_date, workdays_left

# A deadline this many working days away, or nearer, is "at risk": a chase-up may be issued.
AT_RISK_WORKING_DAYS = 1


def escalation_chase_state(escalation: Escalation, *, now: dt.datetime | None = None) -> str | None:
    """Why an escalation may be chased up now: "overdue", "at_risk" (its last working day is at
    most ``AT_RISK_WORKING_DAYS`` away, or it is under joint consultation and has missed a progress
    report), or None (answered, or on track)."""
    now = now or timezone.now()
    if escalation.status not in Escalation.OPEN_STATUSES:
        return None
    if escalation.overdue_at is not None or escalation.is_overdue:
        return "overdue"
    if escalation.status == Escalation.Status.CONSULTATION:
        due = escalation.next_progress_due_at
        if escalation.progress_overdue_count or (due and workdays_left(now, due) <= AT_RISK_WORKING_DAYS):
            return "at_risk"
        return None
    return "at_risk" if workdays_left(now, escalation.due_at) <= AT_RISK_WORKING_DAYS else None


def decision_chase_state(decision: Decision, *, now: dt.datetime | None = None) -> str | None:
    """"overdue", "at_risk" (its last working day is at most ``AT_RISK_WORKING_DAYS`` away) or None."""
    now = now or timezone.now()
    if decision.status != D.OPEN:
        return None
    if decision.overdue_at is not None or decision.due_at <= now:
        return "overdue"
    return "at_risk" if workdays_left(now, decision.due_at) <= AT_RISK_WORKING_DAYS else None


def _recipients(department_id, steward) -> list:
    if department_id:
        # Every user of the department, its heads among them (``is_department_head``).
        return recipients.department_users(department_id)
    users = [steward.user] if steward is not None else []
    return users + recipients.workstation_heads(steward.workstation_id if steward is not None else None)


@transaction.atomic
def supervision_issue(*, actor, reason: str, escalation: Escalation | None = None,
                      decision: Decision | None = None) -> SupervisionNotice:
    """Issue a formal chase-up (督办通知书) on one escalation or one decision that is late or at
    risk. Numbered per year (督办〔2026〕N号, taken on the year's counter row, which concurrent
    issuers queue on); it asks for the work within ``ZONEHUB_SUPERVISION_WORKING_DAYS`` working
    days; the department and its head are told (a steward's decision: the steward and its head),
    and from the second chase-up of the same item on, every leader (``leaders_told``). The item's
    request shows it on its timeline."""
    if (escalation is None) == (decision is None):
        raise ValidationError(_("A chase-up is about one escalation or one meeting decision."))
    now = timezone.now()
    if escalation is not None:
        escalation = (Escalation.objects.select_for_update(of=("self",))
                      .select_related("request__enterprise", "request__steward__user", "department")
                      .get(pk=escalation.pk))
        require(can_supervise_escalation(actor, escalation),
                _("Only the request's steward, its workstation head and the leaders issue chase-ups on it."))
        state = escalation_chase_state(escalation, now=now)
        department, steward, request = escalation.department, None, escalation.request
        previous = SupervisionNotice.objects.filter(escalation=escalation)
        item_title, root = request.title, request
        deadline = escalation.due_at
    else:
        decision = (Decision.objects.select_for_update(of=("self",))
                    .select_related("meeting", "department", "steward__user", "request").get(pk=decision.pk))
        require(can_supervise_decision(actor, decision),
                _("Only who runs the meeting, the request's steward side and the leaders chase its decisions up."))
        state = decision_chase_state(decision, now=now)
        department, steward, request = decision.department, decision.steward, decision.request
        previous = SupervisionNotice.objects.filter(decision=decision)
        item_title, root = decision.text, decision.meeting
        deadline = decision.due_at
    if state is None:
        calendar = WorkCalendar()
        left = workdays_left(now, deadline, calendar=calendar)
        raise ValidationError(_("Neither late nor at risk: %(n)d working days are left before %(due)s. A chase-up "
                                "is for what is late, or due within %(risk)d working day.") % {
            "n": left, "due": cn_deadline(deadline), "risk": AT_RISK_WORKING_DAYS})
    reason = _text(reason, "reason", _("Say what the department must do, and by when."))
    sequence = previous.count() + 1
    year = local_date(now).year
    leaders = recipients.leaders() if sequence >= 2 else []
    notice = SupervisionNotice.objects.create(
        year=year, number=next_number("supervision", year), escalation=escalation, decision=decision,
        request=request, department=department, sequence=sequence, reason=reason, issued_by=actor, issued_at=now,
        respond_by=due_at(now, settings.ZONEHUB_SUPERVISION_WORKING_DAYS), leaders_told=bool(leaders))
    owner = department.name if department is not None else (steward.name if steward is not None else "")
    record(notice, root=root, actor=actor, kind=MeetingEvent.SUPERVISION_ISSUED, to_state=notice.code, note=reason,
           requests=[request] if decision is not None else (),
           data={"department": owner, "sequence": sequence, "state": state})
    url = reverse("meetings:notice_detail", args=[notice.pk])
    title = _("%(code)s: %(owner)s, “%(item)s” is %(state)s; done by %(due)s") % {
        "code": notice.code, "owner": owner, "item": item_title[:40],
        "state": _("overdue") if state == "overdue" else _("at risk"), "due": cn_deadline(notice.respond_by)}
    notify(_recipients(department.pk if department is not None else None, steward), kind="supervision.issued",
           key=f"supervision:{notice.pk}", url=url, title=title, body=reason, sms=True)
    if leaders:
        notify(leaders, kind="supervision.escalated", key=f"supervision:{notice.pk}:leaders", url=url, sms=True,
               title=_("Chased up %(n)d times: %(code)s, %(owner)s on “%(item)s”") % {
                   "n": sequence, "code": notice.code, "owner": owner, "item": item_title[:40]}, body=reason)
    return notice
