"""Reads about meetings, decisions and chase-ups, scoped to the user first (``visible_to``): the
lists and single rows, what a meeting may be about (``Subject``), the joint meeting's agenda as
the zone's data collects it, the home panels, and the monthly counts the grades read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, F, Q, Value
from django.http import QueryDict
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.models import AgendaItem, Decision, Invitation, JointFlag, Meeting, SupervisionNotice
from projects.models import Project
from stewards.models import Escalation, ServiceRequest
from zonehub.models import Role
from zonehub.workdays import local_date, month_bounds, start_of_day

M = Meeting.Status
S = AgendaItem.Source


def today() -> dt.date:
    return local_date(timezone.now())


def _url(name: str, *args, **params) -> str:
    query = QueryDict(mutable=True)
    for key, value in params.items():
        if value not in (None, ""):
            query[key] = str(value)
    url = reverse(name, args=args)
    return f"{url}?{query.urlencode()}" if query else url


# --- meetings --------------------------------------------------------------------------------

def meeting_list(user):
    return Meeting.objects.visible_to(user).select_related("convened_by", "workstation", "site_enterprise")


def meeting_get(user, pk) -> Meeting:
    """One meeting the user may see; missing and not-yours: 404."""
    return get_object_or_404(meeting_list(user).select_related("minutes_by"), pk=pk)


def meeting_items(meeting: Meeting) -> list[AgendaItem]:
    return list(meeting.items.select_related("request__enterprise", "escalation__department", "project", "flag")
                .order_by("position", "pk"))


def meeting_invitations(meeting: Meeting) -> list[Invitation]:
    return list(meeting.invitations.select_related("department", "answered_by").order_by("department__name"))


def meeting_decisions(user, meeting: Meeting) -> list[Decision]:
    """The decisions of a meeting the user may read: all of them for whoever reads the meeting,
    but a department reads its own only."""
    decisions = meeting.decisions.select_related("department", "steward__user", "request", "project", "item")
    if user.effective_role == Role.DEPARTMENT:
        decisions = decisions.filter(department_id=user.department_id)
    return list(decisions.order_by("position", "pk"))


def invitation_of(user, meeting: Meeting) -> Invitation | None:
    """The invitation of the user's department to ``meeting``, if any."""
    if user.role != Role.DEPARTMENT or not user.department_id:
        return None
    return meeting.invitations.filter(department_id=user.department_id).select_related("department").first()


# --- what a meeting may be about ---------------------------------------------------------------

@dataclass
class Subject:
    """A request, an escalation or a project a meeting may be about, by the key its form sends."""

    key: str
    request: ServiceRequest | None = None
    escalation: Escalation | None = None
    project: Project | None = None
    source: str = S.CONVENER
    flag: JointFlag | None = None

    @property
    def title(self) -> str:
        if self.escalation is not None:
            r = self.escalation.request
            return f"#{r.pk} {r.title} → {self.escalation.department.name}（{r.enterprise.name}）"
        if self.request is not None:
            return f"#{self.request.pk} {self.request.title}（{self.request.enterprise.name}）"
        return self.project.name

    @property
    def label(self) -> str:
        source = dict(S.choices).get(self.source) if self.source != S.CONVENER else ""
        return f"{self.title} · {source}" if source else self.title


def _escalations():
    return Escalation.objects.select_related("request__enterprise", "department")


def _requests():
    return ServiceRequest.objects.select_related("enterprise")


def subject_of_key(key: str, *, user=None) -> Subject | None:
    """The subject a form's key names ("escalation:5"), among those ``user`` may see (everyone's
    with no user); None when it names nothing."""
    kind, _sep, pk = (key or "").partition(":")
    if not pk.isdigit() or len(pk) > 18:
        return None
    if kind == "escalation":
        qs = _escalations() if user is None else _escalations().filter(pk__in=Escalation.objects.visible_to(user))
        escalation = qs.filter(pk=pk).first()
        return escalation and Subject(key=key, request=escalation.request, escalation=escalation)
    if kind == "request":
        qs = _requests() if user is None else _requests().filter(pk__in=ServiceRequest.objects.visible_to(user))
        request = qs.filter(pk=pk).first()
        return request and Subject(key=key, request=request)
    if kind == "project":
        qs = Project.objects.all() if user is None else Project.objects.visible_to(user)
        project = qs.filter(pk=pk).first()
        return project and Subject(key=key, project=project)
    return None


SUBJECT_CHOICES = 60


def subject_choices(user, *, keys=()) -> list[Subject]:
    """What the user may convene a meeting about: the subjects named (``keys``: a link from a
    request, an escalation, a project), then its open escalations, its open requests and its
    projects, latest first (``SUBJECT_CHOICES`` of each at most)."""
    found: dict[str, Subject] = {}
    for key in keys:
        subject = subject_of_key(key, user=user)
        if subject is not None:
            found.setdefault(subject.key, subject)
    for escalation in (_escalations().filter(pk__in=Escalation.objects.visible_to(user).open())
                       .order_by("-sent_at", "-pk")[:SUBJECT_CHOICES]):
        found.setdefault(f"escalation:{escalation.pk}", Subject(key=f"escalation:{escalation.pk}",
                                                                request=escalation.request, escalation=escalation))
    for request in (_requests().filter(pk__in=ServiceRequest.objects.visible_to(user).open()
                                       .exclude(status=ServiceRequest.Status.SUBMITTED))
                    .order_by("-created_at", "-pk")[:SUBJECT_CHOICES]):
        found.setdefault(f"request:{request.pk}", Subject(key=f"request:{request.pk}", request=request))
    for project in Project.objects.visible_to(user).order_by("-created_at", "-pk")[:SUBJECT_CHOICES]:
        found.setdefault(f"project:{project.pk}", Subject(key=f"project:{project.pk}", project=project))
    return list(found.values())


# --- the joint meeting's agenda ------------------------------------------------------------------

def _on_open_joint_agenda(exclude_meeting=None):
    items = AgendaItem.objects.filter(meeting__kind=Meeting.Kind.JOINT,
                                      meeting__status__in=[M.DRAFT, M.SCHEDULED], request__isnull=False)
    if exclude_meeting is not None:
        items = items.exclude(meeting=exclude_meeting)
    return items.values("request_id")


def joint_agenda_candidates(*, now=None, limit: int | None = None, exclude_meeting=None) -> list[Subject]:
    """What the joint meeting's agenda collects, zone-wide, each request once (the first reason
    wins, in this order): the requests stewards flagged as crossing workstations or departments;
    the escalations a department marked as needing joint consultation and has not concluded; the
    escalations overdue now; the open requests reopened twice or more. Requests already on the
    agenda of another joint meeting not yet held are left out. At most ``limit`` of them
    (``ZONEHUB_JOINT_AGENDA_MAX``), oldest first within each reason."""
    now = now or timezone.now()
    limit = settings.ZONEHUB_JOINT_AGENDA_MAX if limit is None else limit
    taken = set(_on_open_joint_agenda(exclude_meeting).values_list("request_id", flat=True))
    found: dict[int, Subject] = {}

    def add(subject: Subject) -> None:
        request_id = subject.request.pk
        if request_id not in taken and request_id not in found and len(found) < limit:
            found[request_id] = subject

    flags = JointFlag.objects.filter(Q(meeting__isnull=True) | Q(meeting=exclude_meeting) if exclude_meeting
                                     else Q(meeting__isnull=True))
    for flag in flags.select_related("request__enterprise", "escalation__department").order_by("flagged_at", "pk"):
        if flag.escalation_id:
            add(Subject(key=f"escalation:{flag.escalation_id}", request=flag.request, escalation=flag.escalation,
                        source=S.FLAGGED, flag=flag))
        else:
            add(Subject(key=f"request:{flag.request_id}", request=flag.request, source=S.FLAGGED, flag=flag))
    consulting = _escalations().filter(status=Escalation.Status.CONSULTATION).order_by("consultation_marked_at", "pk")
    for escalation in consulting[:limit]:
        add(Subject(key=f"escalation:{escalation.pk}", request=escalation.request, escalation=escalation,
                    source=S.CONSULTATION))
    for escalation in _escalations().open().overdue(now).order_by("due_at", "pk")[:limit]:
        add(Subject(key=f"escalation:{escalation.pk}", request=escalation.request, escalation=escalation,
                    source=S.OVERDUE))
    for request in _requests().open().filter(reopen_count__gte=2).order_by("created_at", "pk")[:limit]:
        add(Subject(key=f"request:{request.pk}", request=request, source=S.REOPENED))
    return list(found.values())


# --- decisions -------------------------------------------------------------------------------

def decision_list(user):
    return Decision.objects.visible_to(user).select_related(
        "meeting", "department", "steward__user", "request__enterprise", "project")


def decision_get(user, pk) -> Decision:
    return get_object_or_404(decision_list(user).select_related("closed_by", "item"), pk=pk)


# --- chase-ups -------------------------------------------------------------------------------

def notice_list(user):
    return SupervisionNotice.objects.visible_to(user).select_related(
        "department", "issued_by", "request__enterprise", "escalation__request", "escalation__department",
        "decision__meeting", "decision__department", "decision__steward__user")


def notice_get(user, pk) -> SupervisionNotice:
    return get_object_or_404(notice_list(user), pk=pk)


def notices_of_escalation(escalation: Escalation) -> list[SupervisionNotice]:
    return list(SupervisionNotice.objects.filter(escalation=escalation).order_by("sequence"))


def notices_of_decision(decision: Decision) -> list[SupervisionNotice]:
    return list(SupervisionNotice.objects.filter(decision=decision).select_related("issued_by").order_by("sequence"))


# --- what the grades count (the evaluations app reads it) ------------------------------------

def department_month_counts(year: int, month: int) -> dict[int, dict]:
    """Per department, for the month (Beijing time): the meeting decisions due in it (their
    period ends in it; ``due_at`` is exclusive, counted as escalations are), how many of those
    were closed on time, how many were marked overdue; and the chase-ups (督办) issued to it in
    the month. Departments with none of them are left out. With the counts, the ids counted
    (``decision_ids``, ``chase_up_ids``): the department's grade lists exactly those rows (a month
    holds a handful). Two queries."""
    start, end = month_bounds(dt.date(year, month, 1))
    counts: dict[int, dict] = {}

    def row(department_id: int) -> dict:
        return counts.setdefault(department_id, {"decisions_due": 0, "decisions_on_time": 0,
                                                 "decisions_overdue": 0, "chase_ups": 0,
                                                 "decision_ids": [], "chase_up_ids": []})

    due = (Decision.objects.filter(department__isnull=False).due_in(start, end).order_by("pk")
           .values_list("pk", "department_id", "closed_on_time", "overdue_at"))
    for pk, department_id, on_time, overdue_at in due:
        figures = row(department_id)
        figures["decisions_due"] += 1
        figures["decisions_on_time"] += bool(on_time)
        figures["decisions_overdue"] += overdue_at is not None
        figures["decision_ids"].append(pk)
    chased = (SupervisionNotice.objects.filter(department__isnull=False, issued_at__gte=start, issued_at__lt=end)
              .order_by("pk").values_list("pk", "department_id"))
    for pk, department_id in chased:
        figures = row(department_id)
        figures["chase_ups"] += 1
        figures["chase_up_ids"].append(pk)
    return counts


def decisions_and_notices_by_ids(decision_ids, notice_ids) -> tuple[list, list]:
    """The decisions and chase-ups a department's grade counted (its page lists them). Two queries."""
    decisions = list(Decision.objects.filter(pk__in=list(decision_ids)).select_related("meeting")
                     .order_by("due_at", "pk")) if decision_ids else []
    notices = list(SupervisionNotice.objects.filter(pk__in=list(notice_ids)).order_by("issued_at", "pk")) \
        if notice_ids else []
    return decisions, notices


# --- home panels -----------------------------------------------------------------------------

def _tile(label, count: int, url: str, css: str = "") -> dict:
    return {"label": label, "count": count, "url": url, "css": css}


def home_panels(user) -> list[dict]:
    """A department's decisions and invitations beside its escalations (one query); a head's coming
    meetings and the joint meetings drafted for it to convene (one query; a steward reads its own on
    the meetings page, its home stays as light as it is). The leaders' panel is the portal's
    dashboard's (``leader_decision_panel``)."""
    role = user.effective_role
    if role == Role.DEPARTMENT and user.department_id:
        return [_department_panel(user)]
    if role == Role.WORKSTATION_HEAD:
        panel = _upcoming_panel(user)
        return [panel] if panel else []
    return []


def _counts(querysets) -> list[int]:
    """The row count of each queryset, in one round trip (a UNION ALL of one COUNT each)."""
    parts = [qs.order_by().annotate(part=Value(i)).values("part").annotate(n=Count("pk")).values_list("part", "n")
             for i, qs in enumerate(querysets)]
    found = dict(parts[0].union(*parts[1:], all=True))
    return [found.get(i, 0) for i in range(len(querysets))]


def _department_panel(user) -> dict:
    """Its decisions to carry out and overdue, and its invitations to answer: one query, each
    figure the very queryset of the list it links to."""
    now = timezone.now()
    decisions = Decision.objects.visible_to(user)
    pending = (Meeting.objects.visible_to(user).filter(status=M.SCHEDULED, starts_at__gt=now)
               .filter(invitations__department_id=user.department_id, invitations__status=Invitation.Status.PENDING))
    open_, overdue, waiting = _counts([decisions.open(), decisions.overdue(now), pending])
    tiles = [
        _tile(_("meeting decisions to carry out"), open_, _url("meetings:decision_list", state="open")),
        _tile(_("meeting decisions overdue"), overdue, _url("meetings:decision_list", state="overdue"),
              "text-danger"),
        _tile(_("meeting invitations to answer"), waiting, _url("meetings:list", invitation="pending"),
              "text-warning-emphasis"),
    ]
    return {"template": "meetings/panels/department.html", "order": 2, "css": "col-12", "tiles": tiles,
            "testid": "panel-meetings-department"}


UPCOMING = 5


def _upcoming_panel(user) -> dict | None:
    now = timezone.now()
    coming = Q(status=M.SCHEDULED, starts_at__gt=now - dt.timedelta(hours=12)) | Q(status=M.DRAFT)
    found = list(meeting_list(user).filter(coming).order_by(F("starts_at").asc(nulls_first=True), "pk")[:UPCOMING + 2])
    drafts = [m for m in found if m.status == M.DRAFT]
    meetings = [m for m in found if m.status != M.DRAFT][:UPCOMING]
    if not meetings and not drafts:
        return None
    return {"template": "meetings/panels/upcoming.html", "order": 3, "css": "col-12 col-lg-6", "meetings": meetings,
            "drafts": drafts, "decisions_url": _url("meetings:decision_list", state="open"), "testid": "panel-meetings"}


def leader_decision_panel(user) -> dict:
    """Open meeting decisions per department, with those overdue, and the chase-ups of the year:
    every figure links to the decisions (or chase-ups) behind it. One statement: a UNION ALL of
    the decisions grouped by department (the stewards' as the row without one) and the year's
    chase-ups grouped the same way."""
    now = timezone.now()
    year = local_date(now).year
    columns = ("department_id", "department__name", "department__short_name")
    zero = Value(0)
    decisions = (Decision.objects.visible_to(user).open().order_by().values(*columns)
                 .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_at__lte=now)), chased=zero)
                 .values_list(*columns, "open", "overdue", "chased"))
    chases = (SupervisionNotice.objects.visible_to(user).filter(issued_at__gte=start_of_day(dt.date(year, 1, 1)))
              .order_by().values(*columns).annotate(open=zero, overdue=zero, chased=Count("pk"))
              .values_list(*columns, "open", "overdue", "chased"))
    by_department: dict = {}
    for pk, name, short, open_, overdue, chased in decisions.union(chases, all=True):
        row = by_department.setdefault(pk, {"department_id": pk, "name": short or name, "full_name": name,
                                            "open": 0, "overdue": 0, "chase_ups": 0})
        row["open"] += open_
        row["overdue"] += overdue
        row["chase_ups"] += chased
    stewards = by_department.pop(None, {"open": 0, "overdue": 0, "chase_ups": 0})
    rows = sorted(by_department.values(), key=lambda r: (-r["overdue"], -r["open"], r["full_name"]))
    for r in rows:
        r["open_url"] = _url("meetings:decision_list", department=r["department_id"], state="open")
        r["overdue_url"] = _url("meetings:decision_list", department=r["department_id"], state="overdue")
        r["chase_url"] = _url("meetings:notice_list", department=r["department_id"], year=year)
    return {"template": "meetings/panels/leader.html", "order": 44, "css": "col-12 col-xl-6", "rows": rows,
            "total_open": sum(r["open"] for r in rows) + stewards["open"],
            "total_overdue": sum(r["overdue"] for r in rows) + stewards["overdue"],
            "open_url": _url("meetings:decision_list", state="open"),
            "overdue_url": _url("meetings:decision_list", state="overdue"),
            "steward_owned": stewards["open"], "steward_url": _url("meetings:decision_list", state="open", owner="steward"),
            "year": year, "chase_total": sum(r["chase_ups"] for r in rows) + stewards["chase_ups"],
            "chase_url": _url("meetings:notice_list", year=year)}
