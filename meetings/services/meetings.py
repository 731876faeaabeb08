"""Convening (会议召集): a meeting about requests, escalations or projects, its invitations and
their answers, its cancellation; a steward's flag for the joint meeting; the joint meeting's
agenda drafted each month."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.events import MeetingEvent
from meetings.models import AgendaItem, Invitation, JointFlag, Meeting
from meetings.selectors import Subject, joint_agenda_candidates, subject_of_key
from meetings.services._shared import (
    TITLE_MAX,
    K,
    M,
    _text,
    can_convene,
    can_manage,
    meeting_requests,
    meeting_url,
    next_number,
    record,
)
from stewards.models import Escalation, ServiceRequest
from stewards.transitions import STEWARD_SIDE, request_party
from zonehub import recipients
from zonehub.dates import cn_datetime
from zonehub.models import Role, User
from zonehub.notifications import notify
from zonehub.permissions import require
from zonehub.workdays import FIRST_YEAR, LAST_YEAR, WorkCalendar, local_date, start_of_day

ONE_DAY = dt.timedelta(days=1)


def invitation_remind_at(starts_at: dt.datetime, *, now: dt.datetime, calendar: WorkCalendar | None = None):
    """The morning (``ZONEHUB_REMINDER_HOUR``) of the last working day before the meeting's day:
    when a department that has not answered is reminded. None when that moment has passed already
    (the invitation itself has just gone out)."""
    calendar = calendar or WorkCalendar()
    day = local_date(starts_at) - ONE_DAY
    while not calendar.is_workday(day):
        day -= ONE_DAY
    at = start_of_day(day) + dt.timedelta(hours=settings.ZONEHUB_REMINDER_HOUR)
    return at if now < at < starts_at else None


def _check_subjects(actor, subjects: list[Subject], *, kind: str, meeting: Meeting | None) -> list[Subject]:
    """Each subject once, each one the actor may see; a joint meeting may also take what the zone's
    agenda collects (the heads settle other workstations' problems there)."""
    unique: dict[str, Subject] = {}
    for subject in subjects or []:
        unique.setdefault(subject.key, subject)
    if not unique:
        raise ValidationError({"subjects": _("Choose what the meeting is about: at least one request, escalation "
                                             "or project.")})
    joint_keys = ({s.key: s for s in joint_agenda_candidates(exclude_meeting=meeting, limit=10**6)}
                  if kind == K.JOINT else {})
    own = {item.subject_key for item in meeting.items.all()} if meeting is not None else set()
    checked = []
    for key, subject in unique.items():
        visible = subject_of_key(key, user=actor)
        if visible is None and key not in joint_keys and key not in own:
            raise ValidationError({"subjects": _("One of the items chosen is not one you may see.")})
        source = subject.source
        if key in joint_keys and source == "convener":
            source, subject.flag = joint_keys[key].source, joint_keys[key].flag
        subject.source = source
        checked.append(subject)
    return checked


def _check_when(starts_at, now) -> dt.datetime:
    if starts_at is None:
        raise ValidationError({"starts_at": _("Give the day and time of the meeting.")})
    if not (FIRST_YEAR <= local_date(starts_at).year <= LAST_YEAR):
        raise ValidationError({"starts_at": _("Give a date between %(first)s and %(last)s.") % {
            "first": FIRST_YEAR, "last": LAST_YEAR}})
    if starts_at <= now:
        raise ValidationError({"starts_at": _("The meeting must be in the future: the invited need time to answer.")})
    return starts_at


def _check_invited(departments, enterprises, heads) -> tuple[list, list, list]:
    departments = list({d.pk: d for d in departments or []}.values())
    enterprises = list({e.pk: e for e in enterprises or []}.values())
    heads = list({h.pk: h for h in heads or []}.values())
    inactive = [d.name for d in departments if not d.is_active]
    if inactive:
        raise ValidationError({"departments": _("%(names)s is no longer active.") % {"names": "、".join(inactive)}})
    if any(h.role != Role.WORKSTATION_HEAD or not h.is_active for h in heads):
        raise ValidationError({"heads": _("Only workstation heads are invited here.")})
    if not (departments or enterprises or heads):
        raise ValidationError({"departments": _("Invite at least one department, enterprise or workstation head.")})
    return departments, enterprises, heads


def _workstation_of(actor, subjects: list[Subject], site_enterprise):
    if actor.workstation_id:
        return actor.workstation_id
    if site_enterprise is not None:
        return site_enterprise.workstation_id
    for subject in subjects:
        if subject.request is not None:
            return subject.request.enterprise.workstation_id
        if subject.project is not None and subject.project.investor_id:
            return subject.project.investor.workstation_id
    return None


def _items(meeting: Meeting, subjects: list[Subject], *, start: int = 0) -> list[AgendaItem]:
    items = []
    for position, subject in enumerate(subjects, start=start + 1):
        items.append(AgendaItem(meeting=meeting, position=position, source=subject.source,
                                title=subject.title[:300], request=subject.request, escalation=subject.escalation,
                                project=subject.project, flag=subject.flag))
    AgendaItem.objects.bulk_create(items)
    flags = [s.flag.pk for s in subjects if s.flag is not None]
    if flags:
        JointFlag.objects.filter(pk__in=flags, meeting__isnull=True).update(meeting=meeting)
    return items


def _invite(meeting: Meeting, departments, *, now) -> list[Invitation]:
    remind = invitation_remind_at(meeting.starts_at, now=now)
    invitations = [Invitation(meeting=meeting, department=d, remind_at=remind, created_at=now) for d in departments]
    Invitation.objects.bulk_create(invitations)
    return list(meeting.invitations.select_related("department"))


def _tell_invited(meeting: Meeting, invitations, enterprises, heads) -> None:
    when = cn_datetime(meeting.starts_at)
    url = meeting_url(meeting)
    for invitation in invitations:
        notify(recipients.department_users(invitation.department_id), kind="meeting.invited",
               key=f"invitation:{invitation.pk}", url=url,
               title=_("Meeting notice: %(title)s, %(when)s, %(where)s. Confirm who attends.") % {
                   "title": meeting.title, "when": when, "where": meeting.where})
    others = list(heads)
    for enterprise in enterprises:
        others += recipients.enterprise_users(enterprise.pk)
    notify(others, kind="meeting.invited", key=f"meeting:{meeting.pk}:invited", url=url,
           title=_("You are invited: %(title)s, %(when)s, %(where)s") % {
               "title": meeting.title, "when": when, "where": meeting.where})


@transaction.atomic
def meeting_convene(*, actor, title: str, purpose: str, starts_at, subjects: list[Subject], kind: str = K.ORDINARY,
                    place: str = "", on_site: bool = False, site_enterprise=None, departments=(), enterprises=(),
                    heads=(), draft: Meeting | None = None) -> Meeting:
    """Convene a meeting (会议召集) about ``subjects`` (requests, escalations, projects): its notice
    is numbered (会通〔2026〕N号), each department invited gets an invitation to answer, the heads
    and the enterprises invited are told, and the timeline of every request concerned shows it.
    ``draft``: the joint meeting's agenda the beat drafted, convened now (the items not kept are
    dropped from the draft: it was a proposal)."""
    if kind not in K.values:
        raise ValidationError({"kind": _("Choose a valid option.")})
    require(can_convene(actor, kind), _("Only stewards, workstation heads and leaders convene meetings; the joint "
                                        "meeting is the workstation heads'."))
    now = timezone.now()
    if draft is not None:
        draft = Meeting.objects.select_for_update().get(pk=draft.pk)
        require(can_manage(actor, draft), _("Only the workstation heads and the leaders convene the joint meeting."))
        if draft.status != M.DRAFT:
            raise ValidationError(_("This meeting has been convened already."))
        kind = draft.kind
    title = _text(title, "title", _("Give the meeting its title."), limit=TITLE_MAX)
    purpose = _text(purpose, "purpose", _("Say what the meeting is to settle."))
    starts_at = _check_when(starts_at, now)
    place = (place or "").strip()[:200]
    if on_site:
        if site_enterprise is None:
            raise ValidationError({"site_enterprise": _("Choose the enterprise where the on-site office is held.")})
    else:
        site_enterprise = None
        if not place:
            raise ValidationError({"place": _("Give the place, or hold it as an on-site office at the enterprise.")})
    subjects = _check_subjects(actor, subjects, kind=kind, meeting=draft)
    departments, enterprises, heads = _check_invited(departments, enterprises, heads)
    fields = {"kind": kind, "status": M.SCHEDULED, "title": title, "purpose": purpose, "starts_at": starts_at,
              "place": place, "on_site": bool(on_site), "site_enterprise": site_enterprise,
              "workstation_id": _workstation_of(actor, subjects, site_enterprise), "convened_by": actor,
              "convened_at": now, "notice_year": local_date(now).year}
    fields["notice_number"] = next_number("notice", fields["notice_year"])
    if draft is None:
        meeting = Meeting.objects.create(created_at=now, **fields)
    else:
        meeting = draft
        for name, value in fields.items():
            setattr(meeting, name, value)
        meeting.save(update_fields=list(fields))
        # The drafted items not kept are dropped (their flags wait for the next joint meeting).
        kept = {s.key for s in subjects}
        items = list(meeting.items.order_by("position", "pk"))
        dropped = [item for item in items if item.subject_key not in kept]
        JointFlag.objects.filter(pk__in=[i.flag_id for i in dropped if i.flag_id]).update(meeting=None)
        AgendaItem.objects.filter(pk__in=[i.pk for i in dropped]).delete()
        kept_items = [item for item in items if item.subject_key in kept]
        for position, item in enumerate(kept_items, start=1):
            if item.position != position:
                item.position = position
                item.save(update_fields=["position"])
        have = {item.subject_key for item in kept_items}
        subjects = [s for s in subjects if s.key not in have]
    _items(meeting, subjects, start=meeting.items.count() if draft is not None else 0)
    meeting.enterprises.set(enterprises)
    meeting.heads.set(heads)
    invitations = _invite(meeting, departments, now=now)
    # The request's timeline says which meeting, when and where (its purpose is on the meeting's page).
    record(meeting, root=meeting, actor=actor, kind=MeetingEvent.MEETING_CONVENED, to_state=M.SCHEDULED,
           note=f"{meeting.title}（{cn_datetime(starts_at)}，{meeting.where}）", requests=meeting_requests(meeting),
           data={"when": starts_at.isoformat(), "where": str(meeting.where), "notice": meeting.notice_code})
    _tell_invited(meeting, invitations, enterprises, heads)
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, actor, reason: str) -> Meeting:
    """Call a meeting off, with the reason: the invited are told; flags it had taken wait for the
    next joint meeting again."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    require(can_manage(actor, meeting), _("Only who convened the meeting, its workstation head and the leaders "
                                          "may cancel it."))
    if meeting.status not in (M.DRAFT, M.SCHEDULED):
        raise ValidationError(_("A meeting that was held or cancelled cannot be cancelled."))
    reason = _text(reason, "reason", _("Say why the meeting is cancelled: the invited are told."))
    from_state = meeting.status
    meeting.status, meeting.cancelled_at, meeting.cancel_reason = M.CANCELLED, timezone.now(), reason
    meeting.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    JointFlag.objects.filter(meeting=meeting).update(meeting=None)
    record(meeting, root=meeting, actor=actor, kind=MeetingEvent.MEETING_CANCELLED, from_state=from_state,
           to_state=M.CANCELLED, note=reason, requests=meeting_requests(meeting) if from_state == M.SCHEDULED else ())
    if from_state == M.SCHEDULED:
        told = recipients.department_users(list(meeting.invitations.values_list("department_id", flat=True)))
        told += list(meeting.heads.filter(is_active=True))
        for enterprise_id in meeting.enterprises.values_list("pk", flat=True):
            told += recipients.enterprise_users(enterprise_id)
        notify(told, kind="meeting.cancelled", key=f"meeting:{meeting.pk}:cancelled", url=meeting_url(meeting),
               title=_("Cancelled: %(title)s (%(when)s)") % {"title": meeting.title,
                                                             "when": cn_datetime(meeting.starts_at)}, body=reason)
    return meeting


ATTENDEES_MAX = 300


@transaction.atomic
def invitation_answer(*, invitation: Invitation, actor, attending: bool, attendees: str = "",
                      reason: str = "") -> Invitation:
    """The department invited answers before the meeting: who attends (names and posts), or why it
    declines. It may change its answer until the meeting starts; whoever convened it is told."""
    invitation = Invitation.objects.select_for_update(of=("self",)).select_related("meeting", "department").get(
        pk=invitation.pk)
    if not (actor is not None and actor.is_authenticated and actor.is_active and actor.role == Role.DEPARTMENT
            and actor.department_id == invitation.department_id):
        raise PermissionDenied(_("Only the department invited answers its invitation."))
    meeting = invitation.meeting
    now = timezone.now()
    if meeting.status != M.SCHEDULED:
        raise ValidationError(_("The meeting is %(status)s: there is nothing to answer.") % {
            "status": meeting.get_status_display()})
    if meeting.starts_at <= now:
        raise ValidationError(_("The meeting has started: answers are taken before it."))
    from_state = invitation.status
    if attending:
        attendees = _text(attendees, "attendees", _("Name who attends (name and post)."), limit=ATTENDEES_MAX)
        invitation.status, invitation.attendees, invitation.decline_reason = Invitation.Status.CONFIRMED, attendees, ""
        note, kind = attendees, MeetingEvent.INVITATION_CONFIRMED
    else:
        reason = _text(reason, "reason", _("Say why the department will not attend."))
        invitation.status, invitation.decline_reason, invitation.attendees = Invitation.Status.DECLINED, reason, ""
        note, kind = reason, MeetingEvent.INVITATION_DECLINED
    invitation.answered_at, invitation.answered_by = now, actor
    invitation.save(update_fields=["status", "attendees", "decline_reason", "answered_at", "answered_by"])
    record(invitation, root=meeting, actor=actor, kind=kind, from_state=from_state, to_state=invitation.status,
           note=note, data={"department": invitation.department.name})
    if meeting.convened_by_id:
        notify(User.objects.filter(pk=meeting.convened_by_id), kind="meeting.answered", url=meeting_url(meeting),
               key=f"invitation:{invitation.pk}:{invitation.status}:{now.timestamp():.0f}",
               title=(_("%(department)s attends %(title)s: %(names)s") if attending
                      else _("%(department)s declines %(title)s")) % {
                   "department": invitation.department.name, "title": meeting.title, "names": note},
               body="" if attending else note)
    return invitation


# --- the joint meeting -------------------------------------------------------------------------

def can_flag(user, request: ServiceRequest) -> bool:
    """The request's steward side (its steward, its workstation's head) and the leaders."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.effective_role in (Role.LEADER, Role.ADMIN) or request_party(user, request) == STEWARD_SIDE


@transaction.atomic
def joint_flag(*, actor, request: ServiceRequest, reason: str, escalation: Escalation | None = None) -> JointFlag:
    """A steward flags a request (or one escalation of it) as crossing workstations or departments
    (跨站、跨部门): it goes on the next joint meeting's agenda. One open flag per request."""
    request = ServiceRequest.objects.select_for_update().select_related("enterprise").get(pk=request.pk)
    require(can_flag(actor, request), _("Only the request's steward, its workstation head and the leaders flag it."))
    if request.status == ServiceRequest.Status.CLOSED:
        raise ValidationError(_("The request is closed: there is nothing for the joint meeting."))
    if escalation is not None and escalation.request_id != request.pk:
        raise ValidationError({"escalation": _("That escalation is not one of this request's.")})
    reason = _text(reason, "reason", _("Say why it needs the joint meeting: which workstations or departments it "
                                       "crosses."))
    if JointFlag.objects.open().filter(request=request).exists():
        raise ValidationError(_("This request is already flagged for the joint meeting."))
    flag = JointFlag.objects.create(request=request, escalation=escalation, reason=reason, flagged_by=actor)
    record(flag, root=request, actor=actor, kind=MeetingEvent.JOINT_FLAGGED, note=reason,
           data={"department": escalation.department.name} if escalation is not None else {})
    notify(recipients.workstation_heads(request.enterprise.workstation_id), kind="joint.flagged",
           key=f"joint-flag:{flag.pk}", url=meeting_url_for_flags(),
           title=_("Flagged for the joint meeting: %(title)s (%(enterprise)s)") % {
               "title": request.title, "enterprise": request.enterprise.name}, body=reason)
    return flag


def meeting_url_for_flags() -> str:
    from django.urls import reverse

    return reverse("meetings:flag_list")


def joint_meeting_title(month: dt.date) -> str:
    return _("Joint meeting of workstation heads, %(year)d-%(month)02d") % {"year": month.year, "month": month.month}


def joint_meeting_draft(*, month: dt.date, now: dt.datetime | None = None) -> Meeting | None:
    """Draft the agenda of ``month``'s joint meeting (联席会) from what the zone's data collects
    (``selectors.joint_agenda_candidates``), once: the month's unique constraint makes a second
    run, or a concurrent one, draft nothing. Every workstation head is told. Returns the draft,
    or None when the month had one already."""
    now = now or timezone.now()
    month = month.replace(day=1)
    if Meeting.objects.filter(kind=K.JOINT, month=month).exists():
        return None
    with transaction.atomic():
        try:
            with transaction.atomic():
                meeting = Meeting.objects.create(
                    kind=K.JOINT, status=M.DRAFT, month=month, title=joint_meeting_title(month), created_at=now,
                    purpose=_("To settle the problems of enterprises and projects that cross workstations or "
                              "departments."))
        except IntegrityError:
            return None
        subjects = joint_agenda_candidates(now=now, exclude_meeting=meeting)
        _items(meeting, subjects)
        record(meeting, root=meeting, actor=None, kind=MeetingEvent.MEETING_DRAFTED, to_state=M.DRAFT,
               data={"items": len(subjects), "month": month.isoformat()})
        notify(User.objects.filter(role=Role.WORKSTATION_HEAD, is_active=True), kind="meeting.drafted",
               key=f"joint-draft:{month:%Y-%m}", url=meeting_url(meeting),
               title=_("The agenda of the joint meeting of %(year)d-%(month)02d is drafted: %(n)d items. Set its "
                       "time and convene it.") % {"year": month.year, "month": month.month, "n": len(subjects)})
    return meeting


def joint_meeting_draft_due(*, now: dt.datetime | None = None) -> Meeting | None:
    """What beat runs daily: from day ``ZONEHUB_JOINT_MEETING_DRAFT_DAY`` of a month on, next month's
    joint meeting is drafted (once; a beat that was down catches up the next day)."""
    now = now or timezone.now()
    today = local_date(now)
    if today.day < settings.ZONEHUB_JOINT_MEETING_DRAFT_DAY:
        return None
    next_month = (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return joint_meeting_draft(month=next_month, now=now)
