"""The minutes (会议纪要) and their decisions on the clock: recorded once the meeting has started,
each decision owned by a department or a steward with a working-day deadline; closed with
evidence by its owner."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.events import MeetingEvent
from meetings.models import AgendaItem, Decision, Meeting
from meetings.services._shared import (
    D,
    M,
    _text,
    can_close_decision,
    can_manage,
    decision_url,
    meeting_requests,
    meeting_url,
    next_number,
    record,
)
from projects.models import Project
from stewards.models import ServiceRequest, Steward
from stewards.services import attachment_name, attachment_validate, reminder_at
from zonehub import recipients
from zonehub.dates import cn_deadline
from zonehub.models import User
from zonehub.notifications import notify
from zonehub.permissions import require
from zonehub.workdays import WorkCalendar, due_at, last_workday, local_date

MAX_WORKING_DAYS = 60
DECISIONS_MAX = 30


@dataclass
class DecisionDraft:
    """One decision as the minutes' form gives it: what, who (a department or a steward), in how
    many working days, and what it concerns (an agenda item; its request or project by default)."""

    text: str
    working_days: int | None
    department: object = None
    steward: Steward | None = None
    item: AgendaItem | None = None
    request: ServiceRequest | None = None
    project: Project | None = None


def _check_decision(meeting: Meeting, draft: DecisionDraft, index: int, requests: set, projects: set) -> DecisionDraft:
    prefix = f"decisions-{index}-"
    draft.text = _text(draft.text, prefix + "text", _("Write the decision."))
    if (draft.department is None) == (draft.steward is None):
        raise ValidationError({prefix + "department": _("Name one owner: a department or a steward.")})
    if draft.department is not None and not draft.department.is_active:
        raise ValidationError({prefix + "department": _("%(names)s is no longer active.") % {
            "names": draft.department.name}})
    if draft.steward is not None and not (draft.steward.is_active and draft.steward.user.is_active):
        raise ValidationError({prefix + "steward": _("This steward no longer serves.")})
    days = draft.working_days
    if not isinstance(days, int) or not (1 <= days <= MAX_WORKING_DAYS):
        raise ValidationError({prefix + "working_days": _("Give the working days it has: 1 to %(max)d.") % {
            "max": MAX_WORKING_DAYS}})
    if draft.item is not None:
        if draft.item.meeting_id != meeting.pk:
            raise ValidationError({prefix + "item": _("Choose one of this meeting's items.")})
        draft.request = draft.request or draft.item.request
        draft.project = draft.project or draft.item.project
    if draft.request is not None and draft.request.pk not in requests:
        raise ValidationError({prefix + "item": _("A decision concerns what the meeting was about.")})
    if draft.project is not None and draft.project.pk not in projects:
        raise ValidationError({prefix + "item": _("A decision concerns what the meeting was about.")})
    return draft


def _tell_owner(decision: Decision) -> None:
    users = (recipients.department_users(decision.department_id) if decision.department_id
             else [decision.steward.user])
    notify(users, kind="decision.made", key=f"decision:{decision.pk}:made", url=decision_url(decision),
           title=_("A meeting decision for you: %(text)s (by %(due)s)") % {
               "text": decision.text[:60], "due": cn_deadline(decision.due_at)},
           body=decision.text)


@transaction.atomic
def minutes_record(*, meeting: Meeting, actor, attendees: str, summary: str = "", discussions: dict | None = None,
                   decisions: list[DecisionDraft] = ()) -> Meeting:
    """Record the minutes (会议纪要) once the meeting has started: who attended, what was said on
    each item, and the decisions, each owned by a department or a steward and due in working days
    on the shared calendar (``due_at`` exclusive, reminded on its last working day). The minutes
    are numbered (纪要〔2026〕N号); each owner is told; the request's timeline shows each decision."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    require(can_manage(actor, meeting), _("Only who convened the meeting, its workstation head and the leaders "
                                          "record its minutes."))
    now = timezone.now()
    if meeting.status != M.SCHEDULED:
        raise ValidationError(_("The minutes are recorded once, for a scheduled meeting; this one is %(status)s.")
                              % {"status": meeting.get_status_display()})
    if meeting.starts_at > now:
        raise ValidationError(_("The meeting has not started yet: record its minutes once it has been held."))
    attendees = _text(attendees, "attendees", _("Name who attended."))
    summary = (summary or "").replace("\r\n", "\n").strip()[:4000]
    items = {item.pk: item for item in meeting.items.select_related("request", "project")}
    requests = {i.request_id for i in items.values() if i.request_id}
    projects = {i.project_id for i in items.values() if i.project_id}
    decisions = list(decisions or [])
    if len(decisions) > DECISIONS_MAX:
        raise ValidationError(_("At most %(n)d decisions in one set of minutes.") % {"n": DECISIONS_MAX})
    checked = [_check_decision(meeting, d, i, requests, projects) for i, d in enumerate(decisions)]
    for pk, text in (discussions or {}).items():
        item = items.get(int(pk))
        text = (text or "").replace("\r\n", "\n").strip()[:4000]
        if item is not None and text != item.discussion:
            item.discussion = text
            item.save(update_fields=["discussion"])
    meeting.status, meeting.attendees, meeting.summary = M.HELD, attendees, summary
    meeting.minutes_at, meeting.minutes_by = now, actor
    meeting.minutes_year = local_date(meeting.starts_at).year
    meeting.minutes_number = next_number("minutes", meeting.minutes_year)
    meeting.save(update_fields=["status", "attendees", "summary", "minutes_at", "minutes_by", "minutes_year",
                                "minutes_number"])
    record(meeting, root=meeting, actor=actor, kind=MeetingEvent.MEETING_HELD, from_state=M.SCHEDULED,
           to_state=M.HELD, note=f"{meeting.title}（{meeting.minutes_code}）", requests=meeting_requests(meeting),
           data={"minutes": meeting.minutes_code, "decisions": len(checked)})
    calendar = WorkCalendar()
    for position, draft in enumerate(checked, start=1):
        due = due_at(now, draft.working_days, calendar=calendar)
        decision = Decision.objects.create(
            meeting=meeting, item=draft.item, position=position, text=draft.text, department=draft.department,
            steward=draft.steward, request=draft.request, project=draft.project, working_days=draft.working_days,
            created_at=now, due_at=due, remind_at=reminder_at(due))
        record(decision, root=meeting, actor=actor, kind=MeetingEvent.DECISION_MADE, note=decision.text,
               to_state=last_workday(due).isoformat(), requests=[draft.request],
               data={"department": decision.owner_name, "due_at": due.isoformat()})
        _tell_owner(decision)
    return meeting


@transaction.atomic
def decision_close(*, decision: Decision, actor, evidence: str, file=None) -> Decision:
    """The owner closes a decision with its evidence (what was done, and a file if there is one):
    on time iff before ``due_at``. A decision closed late before the sweep marked it overdue is
    marked now, once (the grade counts the mark)."""
    decision = (Decision.objects.select_for_update(of=("self",))
                .select_related("meeting", "department", "steward__user", "request").get(pk=decision.pk))
    if not can_close_decision(actor, decision):
        raise PermissionDenied(_("Only the department or the steward the decision was given to closes it."))
    if decision.status != D.OPEN:
        raise ValidationError(_("This decision was closed already."))
    evidence = _text(evidence, "evidence", _("Say what was done: the evidence that the decision was carried out."))
    if file:
        try:
            attachment_validate(file=file)
        except ValidationError as exc:
            raise ValidationError({"file": exc.messages}) from exc
    now = timezone.now()
    decision.status, decision.closed_at, decision.closed_by, decision.evidence = D.CLOSED, now, actor, evidence
    decision.closed_on_time = now < decision.due_at
    fields = ["status", "closed_at", "closed_by", "evidence", "closed_on_time"]
    if not decision.closed_on_time and decision.overdue_at is None:
        decision.overdue_at = now
        fields.append("overdue_at")
    if file:
        name = attachment_name(file.name)
        file.seek(0)
        decision.evidence_file.save(name, file, save=False)
        decision.evidence_name = name
        fields += ["evidence_file", "evidence_name"]
    decision.save(update_fields=fields)
    record(decision, root=decision.meeting, actor=actor, kind=MeetingEvent.DECISION_CLOSED, from_state=D.OPEN,
           to_state="on_time" if decision.closed_on_time else "late", note=evidence, requests=[decision.request],
           data={"department": decision.owner_name})
    told = list(User.objects.filter(pk__in=[decision.meeting.convened_by_id, decision.meeting.minutes_by_id]))
    notify(told, kind="decision.closed", key=f"decision:{decision.pk}:closed", url=decision_url(decision),
           title=_("%(owner)s carried out a decision of %(meeting)s") % {
               "owner": decision.owner_name, "meeting": decision.meeting.title}, body=evidence)
    return decision


__all__ = ["DecisionDraft", "decision_close", "meeting_url", "minutes_record"]
