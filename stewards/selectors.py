"""Reads about stewards and their enterprises."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises.models import Enterprise
from stewards.models import (
    AssignmentBar,
    DepartmentReplyMonth,
    DirectLine,
    Escalation,
    EscalationProgress,
    LedgerItem,
    RequestAttachment,
    ServiceRequest,
    Steward,
    StewardAssignment,
    Visit,
)
from zonehub.dates import cn_deadline
from zonehub.events import event_list_for
from zonehub.workdays import SHANGHAI, local_date, month_start, next_month_start


def steward_for_enterprise(enterprise: Enterprise) -> Steward | None:
    assignment = (
        StewardAssignment.objects.active().filter(enterprise=enterprise).select_related("steward__user").first()
    )
    return assignment.steward if assignment else None


def assignment_barred(*, enterprise_id: int, steward_id: int, year: int) -> bool:
    """Rule 4: a bar of ``year`` keeps this steward from serving this enterprise (the enterprise
    rated it unsatisfied in a closed campaign of the year and no leader lifted the bar)."""
    return AssignmentBar.objects.in_force().filter(
        enterprise_id=enterprise_id, steward_id=steward_id, year=year).exists()


# --- service requests, escalations, visits, ledger (issue 3, backend) -------------------------
# Every read starts from visible_to(user); each selector owns its select_related so a list costs
# a fixed number of queries however many rows it shows.


def request_list(user):
    return ServiceRequest.objects.visible_to(user).select_related("enterprise", "steward__user")


def request_get(user, pk):
    """One request the user may see, with what its page shows; Http404 when missing or not theirs."""
    return get_object_or_404(
        request_list(user).select_related("created_by", "accepted_by", "reported_by", "visit"), pk=pk
    )


# What the steward and the departments write each other on an escalation: the steward's reason,
# the department's reply, why it needs joint consultation, its conclusion, why it was returned
# (and the progress reports). The enterprise reads which department holds its request, in which
# state and by when; the steward reports back to it. One rule for the request page, its timeline
# and the API.
ESCALATION_NOTES = ("reason", "consultation_reason", "reply", "conclusion", "return_reason")


def escalation_notes_visible(user) -> bool:
    """Whether ``user`` reads the working notes of the escalations it may see (ESCALATION_NOTES)."""
    return user.effective_role != Role.ENTERPRISE


def request_events(request, *, user) -> list:
    """The request's timeline as ``user`` may read it: its own events and those of its
    escalations, progress reports and comments (all recorded with root = the request), except
    the events of escalations the user may not see (a department sees its own escalation, not its
    peers' replies, notes, progress or returns); the events of escalations come without their
    notes for who may not read them (``escalation_notes_visible``). The caller has already scoped
    ``request``."""
    events = event_list_for(request)
    escalation_type = ContentType.objects.get_for_model(Escalation)
    progress_type = ContentType.objects.get_for_model(EscalationProgress)
    if not user.sees_everything:
        hidden = Escalation.objects.filter(request=request).exclude(
            pk__in=Escalation.objects.visible_to(user).filter(request=request).values("pk"))
        events = events.exclude(subject_type=escalation_type, subject_id__in=hidden.values("pk")).exclude(
            subject_type=progress_type,
            subject_id__in=EscalationProgress.objects.filter(escalation__in=hidden.values("pk")).values("pk"))
    if not escalation_notes_visible(user):
        # 一键直达 is between the steward and its head (issue 16): not on the enterprise's timeline.
        events = events.exclude(subject_type=ContentType.objects.get_for_model(DirectLine))
    events = list(events)
    if not escalation_notes_visible(user):
        for event in events:
            if event.subject_type_id in (escalation_type.pk, progress_type.pk):
                event.note = ""
    return events


def escalation_list(user):
    return Escalation.objects.visible_to(user).select_related(
        "department", "request__enterprise", "request__steward__user", "sent_by", "replied_by"
    )


def request_escalations(user):
    """The escalations the user may see, to list under each request (a department: its own only),
    in the order they were sent."""
    return Escalation.objects.visible_to(user).select_related("department").order_by("sent_at", "pk")


def attachment_list(user):
    return RequestAttachment.objects.visible_to(user).select_related("uploaded_by")


def visit_list(user):
    return Visit.objects.visible_to(user).select_related("enterprise", "steward__user")


def ledger_item_list(user):
    return LedgerItem.objects.visible_to(user).select_related("enterprise", "department", "recorded_by", "request")


def enterprises_not_visited_this_month(user, *, today=None):
    """The enterprises a steward serves with no visit logged in the current month (走访)."""
    today = today or local_date(timezone.now())
    month = month_start(today)
    visited = Visit.objects.filter(enterprise=OuterRef("pk"), visited_on__gte=month,
                                   visited_on__lt=next_month_start(month))
    return (
        Enterprise.objects.visible_as(user, Role.STEWARD).filter(is_active=True)
        .filter(Exists(StewardAssignment.objects.active().filter(enterprise=OuterRef("pk"), steward__user=user)))
        .exclude(Exists(visited))
        .select_related("industry", "park", "workstation")
    )


# =============================================================================================
# Reads of the request pages (issue 3 web pages), built on the selectors above. Each owns its
# annotations, so a list costs the same few queries however long it is.
# =============================================================================================

import datetime as _dt  # noqa: E402

from django.db.models import Case, Count, DateTimeField, ExpressionWrapper, F, Q, Value, When, Window  # noqa: E402
from django.db.models.functions import Coalesce, RowNumber, TruncMonth  # noqa: E402

from zonehub.models import Role  # noqa: E402
from zonehub.workdays import WorkCalendar, month_bounds, start_of_day, workdays_left  # noqa: E402

PAGE_SECTION_LIMIT = 50


def _open_escalation_count():
    # A correlated subquery, not a join: it is evaluated for the rows of the page only, where a
    # JOIN ... GROUP BY would group every visible request before the page is taken.
    return Coalesce(Subquery(
        Escalation.objects.filter(request=OuterRef("pk"), status__in=Escalation.OPEN_STATUSES)
        .order_by().values("request").annotate(n=Count("pk")).values("n")), 0)


def request_list_for_page(user):
    """Requests the user may see, with the count of escalations still open, in one query."""
    return request_list(user).annotate(open_escalation_count=_open_escalation_count()).order_by("-created_at", "-id")


def request_detail_queryset(user):
    return request_list(user).select_related("created_by", "accepted_by", "reported_by", "visit")


def request_escalations_for_page(user, request: ServiceRequest):
    """The escalations of a request the user may see (a department sees only its own)."""
    return (
        escalation_list(user).filter(request=request)
        .select_related("returned_by", "concluded_by")
        .order_by("sent_at", "id")
    )


def escalation_detail_queryset(user):
    return escalation_list(user).select_related("returned_by", "concluded_by")


def _clock_due():
    # The running clock of an escalation: the reply deadline while it awaits its reply, the next
    # progress report while it is under joint consultation, none once it is answered.
    return Case(
        When(status=Escalation.Status.OPEN, then=F("due_at")),
        When(status=Escalation.Status.CONSULTATION, then=F("next_progress_due_at")),
        default=None, output_field=DateTimeField(),
    )


def inbox_for_page(user):
    """A department's escalations, the one whose time runs out first on top; answered ones last."""
    return (
        escalation_list(user)
        .annotate(clock_due=_clock_due())
        .order_by(F("clock_due").asc(nulls_last=True), "-sent_at", "-id")
    )


def attach_clocks(escalations, *, now=None, calendar: WorkCalendar | None = None) -> None:
    """Set ``clock_due`` and ``days_left`` (working days after today; negative = days overdue)
    on each escalation. One calendar for all rows, so a page loads the calendar once."""
    now = now or timezone.now()
    calendar = calendar or WorkCalendar()
    for esc in escalations:
        if getattr(esc, "clock_due", None) is None:
            esc.clock_due = (esc.due_at if esc.status == Escalation.Status.OPEN
                             else esc.next_progress_due_at if esc.status == Escalation.Status.CONSULTATION else None)
        esc.days_left = workdays_left(now, esc.clock_due, calendar=calendar) if esc.clock_due else None
        esc.days_overdue = -esc.days_left if esc.days_left is not None and esc.days_left < 0 else 0


def ledger_for_page(user):
    """The ledger, items still waiting for a department first."""
    return ledger_item_list(user).order_by(
        Case(When(status=LedgerItem.Status.UNASSIGNED, then=0), default=1), "-meeting_date", "-id"
    )


def _flag_late_acceptance(requests, now) -> list:
    for r in requests:
        r.accept_late = bool(r.accept_due_at and now >= r.accept_due_at)
    return requests


def steward_worklist(user, *, now=None, limit: int = PAGE_SECTION_LIMIT) -> dict:
    """What a steward has to do: the four request sections in one query (each in its own order,
    capped at ``limit`` rows by a row number per section), the escalations, the enterprises to
    visit and the last visits. What it serves as a steward only: a department user serving too
    (issue 16) finds its department's escalations in its inbox, not here."""
    now = now or timezone.now()
    s = ServiceRequest.Status
    sections = {s.SUBMITTED: "new", s.ACCEPTED: "in_progress", s.ESCALATED: "in_progress",
                s.REOPENED: "reopened", s.REPORTED: "reported"}
    section = Case(*[When(status=status, then=Value(name)) for status, name in sections.items()])
    # New requests by their acceptance deadline, reported ones by when they close by themselves,
    # the others oldest first.
    order = Case(When(status=s.SUBMITTED, then=Coalesce("accept_due_at", "created_at")),
                 When(status=s.REPORTED, then=F("auto_close_due_at")), default=F("created_at"))
    rows = (
        ServiceRequest.objects.visible_as(user, Role.STEWARD).select_related("enterprise", "steward__user")
        .filter(status__in=list(sections))
        # Only a request being worked on can have an escalation open: a pile of new ones costs no subquery.
        .annotate(open_escalation_count=Case(When(status__in=[s.ACCEPTED, s.ESCALATED, s.REOPENED],
                                                  then=_open_escalation_count()), default=Value(0)),
                  section=section,
                  position=Window(RowNumber(), partition_by=[section], order_by=[order.asc(), F("id").asc()]))
        .filter(position__lte=limit).order_by("position")
    )
    grouped: dict[str, list] = {name: [] for name in sections.values()}
    for request in rows:
        grouped[request.section].append(request)
    new, in_progress = _flag_late_acceptance(grouped["new"], now), grouped["in_progress"]
    reopened, reported = grouped["reopened"], grouped["reported"]
    escalations = list(
        # What the list shows (the request, the department, the clock): fewer joins to plan.
        Escalation.objects.visible_as(user, Role.STEWARD).select_related("request", "department")
        .annotate(clock_due=_clock_due()).filter(status__in=Escalation.OPEN_STATUSES)
        .order_by(F("clock_due").asc(nulls_last=True), "id")[:limit]
    )
    attach_clocks(escalations, now=now)
    unvisited = list(enterprises_not_visited_this_month(user, today=local_date(now)).order_by("name")[:limit])
    recent_visits = list(Visit.objects.visible_as(user, Role.STEWARD).select_related("enterprise", "steward__user")
                         .order_by("-visited_on", "-id")[:10])
    return {
        "new": new, "in_progress": in_progress, "reopened": reopened, "reported": reported,
        "escalations": escalations, "unvisited": unvisited, "recent_visits": recent_visits, "now": now,
        "ready_to_report": [r for r in in_progress + reopened
                            if r.status == s.ESCALATED and r.open_escalation_count == 0],
    }


def head_unaccepted(user, *, now=None, limit: int = 20) -> list:
    """A workstation head's requests not accepted yet, the most urgent first."""
    now = now or timezone.now()
    return _flag_late_acceptance(list(
        request_list(user).filter(status=ServiceRequest.Status.SUBMITTED)
        .order_by(Coalesce("accept_due_at", "created_at"), "id")[:limit]), now)


def leader_deadlines(user, *, now=None) -> list[dict]:
    """Escalations awaiting their reply that are overdue now or due by the end of today, counted
    by department (one grouped query)."""
    now = now or timezone.now()
    end_of_today = start_of_day(local_date(now) + _dt.timedelta(days=1))
    return list(
        Escalation.objects.visible_to(user)
        .filter(status=Escalation.Status.OPEN, clock_stopped_at__isnull=True, due_at__lte=end_of_today)
        .values("department__id", "department__name")
        .annotate(overdue=Count("id", filter=Escalation.overdue_q(now)),
                  due_today=Count("id", filter=Q(due_at__gt=now)))
        .order_by("-overdue", "-due_today", "department__name")
    )


def direct_lines_waiting(user, *, limit: int = 20) -> list[DirectLine]:
    """The items raised to ``user`` (a head) still waiting for it, oldest first."""
    return list(DirectLine.objects.visible_to(user).waiting()
                .select_related("request__enterprise", "escalation__department", "raised_by")
                .order_by("raised_at", "id")[:limit])


def head_direct_line_panel(user) -> list[dict]:
    """On top of a head's home page, the items its stewards raised to it, until it acts on them."""
    items = direct_lines_waiting(user)
    if not items:
        return []
    return [{"template": "stewards/panels/direct_lines.html", "order": 0, "css": "col-12", "items": items,
             "now": timezone.now()}]


def home_panels(user) -> list[dict]:
    """The home page panels of issue 3 (see portal.selectors, ``_PROVIDERS``), one per role."""
    role = user.effective_role
    now = timezone.now()
    if role == Role.ENTERPRISE:
        return [{"template": "stewards/panels/enterprise_requests.html", "order": 5, "css": "col-12 col-lg-6",
                 "requests": list(request_list_for_page(user).open()[:10])}]
    if role == Role.STEWARD:
        return [{"template": "stewards/panels/steward_work.html", "order": 5, "css": "col-12",
                 **steward_worklist(user, now=now, limit=10)}]
    if role == Role.DEPARTMENT:
        escalations = list(inbox_for_page(user).filter(status__in=Escalation.OPEN_STATUSES)[:10])
        attach_clocks(escalations, now=now)
        return [{"template": "stewards/panels/department_inbox.html", "order": 5, "escalations": escalations}]
    if role == Role.WORKSTATION_HEAD:
        return [*head_direct_line_panel(user), {"template": "stewards/panels/head_unaccepted.html", "order": 5,
                                                "requests": head_unaccepted(user, now=now, limit=10)}]
    if role in (Role.LEADER, Role.ADMIN):
        return [{"template": "stewards/panels/leader_deadlines.html", "order": 5,
                 "rows": leader_deadlines(user, now=now)}]
    return []


# --- facts other apps grade on -----------------------------------------------------------------


def escalation_facts(*, month: _dt.date) -> dict[int, dict[str, list[int]]]:
    """Per department id, the escalation ids that count in ``month`` (the department grades):

    - due: escalations whose reply period ended in the month (its last working day falls in the
      month), except those the department returned as not its business;
    - on_time: of those, the ones answered on time (``answered_on_time``, stored when the clock
      stopped: a reply or joint consultation before ``due_at``); late: the others (answered late
      or not at all);
    - overdue: marked overdue during the month (the sweep's stamp of ``Escalation.overdue_q``);
    - returned: returned during the month.
    One query, whatever the number of departments."""
    start, end = month_bounds(month)
    rows = Escalation.objects.filter(
        Q(due_at__gt=start, due_at__lte=end)  # due_at is 00:00 after the last working day
        | Q(overdue_at__gte=start, overdue_at__lt=end) | Q(returned_at__gte=start, returned_at__lt=end)
    ).values_list("pk", "department_id", "due_at", "answered_on_time", "overdue_at", "returned_at")
    facts: dict[int, dict[str, list[int]]] = {}
    for pk, dept, due, on_time, overdue, returned in sorted(rows):
        f = facts.setdefault(dept, {"due": [], "on_time": [], "late": [], "overdue": [], "returned": []})
        if start < due <= end and returned is None:
            f["due"].append(pk)
            (f["on_time"] if on_time else f["late"]).append(pk)
        if overdue is not None and start <= overdue < end:
            f["overdue"].append(pk)
        if returned is not None and start <= returned < end:
            f["returned"].append(pk)
    return facts


def reply_month_counts(escalations, months: list[_dt.date]) -> list[dict]:
    """Per department and month of ``months`` (first days, consecutive): the escalations of
    ``escalations`` whose reply was due in that month (Beijing time) and are decided (answered,
    or marked overdue), and those answered on time, with the department's names. One grouped query."""
    # due_at is the exclusive end (00:00 of the next day): a microsecond earlier is the last day.
    last_day = ExpressionWrapper(F("due_at") - _dt.timedelta(microseconds=1), output_field=DateTimeField())
    rows = (
        escalations.filter(due_at__gt=start_of_day(months[0]), due_at__lte=start_of_day(next_month_start(months[-1])))
        .annotate(month=TruncMonth(last_day, tzinfo=SHANGHAI))
        .values("department_id", "department__name", "department__short_name", "month")
        .annotate(on_time=Count("id", filter=Q(answered_on_time=True)),
                  decided=Count("id", filter=Q(answered_on_time__isnull=False) | Q(overdue_at__isnull=False)))
        .order_by()
    )
    return [{**row, "month": row["month"].date() if isinstance(row["month"], _dt.datetime) else row["month"]}
            for row in rows]


def on_time_by_month(user, months: list[_dt.date]) -> list[dict]:
    """``reply_month_counts`` of the escalations ``user`` sees: for the whole zone, from the
    nightly roll-up (``DepartmentReplyMonth``) where it has the month, counted live for the months
    it has not (yet)."""
    rows, counted = [], set()
    if user.sees_everything:
        for row in DepartmentReplyMonth.objects.filter(month__in=months).values(
                "department_id", "department__name", "department__short_name", "month", "on_time", "decided"):
            if row["department_id"] is None:
                counted.add(row["month"])  # the zone's total: the month was counted
            else:
                rows.append(row)
    missing = [month for month in months if month not in counted]
    if missing:  # one live query over the span of the missing months
        span = months[months.index(missing[0]):months.index(missing[-1]) + 1]
        rows += [row for row in reply_month_counts(Escalation.objects.visible_to(user), span)
                 if row["month"] in missing]
    return rows


def escalations_by_ids(*, ids) -> dict[int, Escalation]:
    """The escalations of ``ids`` with their request's enterprise and department (a grade's
    detail page lists what was counted)."""
    return Escalation.objects.filter(pk__in=list(ids)).select_related("request__enterprise", "department").in_bulk()


# --- what happens next on a request ----------------------------------------------------------

def request_next_step(sr, escalations: list, *, now, is_enterprise: bool) -> dict | None:
    """What happens next on an open request, who does it and by when (issue 12: "submitted, and
    then?"). Read from the deadlines the services stored; ``escalations`` are the ones the user
    may see, with their clocks attached. None once closed, and for the enterprise while its own
    answer is asked for (the report-back card says so)."""
    S = sr.Status
    if sr.status == S.CLOSED or (sr.status == S.REPORTED and is_enterprise):
        return None
    who = _("steward %(name)s") % {"name": sr.steward.name} if sr.steward_id else _("the workstation head")
    days = settings.ZONEHUB_REPLY_WORKING_DAYS
    lines, late = [], False
    if sr.status == S.SUBMITTED:
        if sr.accept_due_at and now >= sr.accept_due_at:
            late = True
            lines.append(_("%(who)s was to accept it by %(day)s; it is late, and the workstation head follows it up.")
                         % {"who": who, "day": cn_deadline(sr.accept_due_at)})
        elif sr.accept_due_at:
            lines.append(_("%(who)s will accept it by %(day)s.") % {"who": who, "day": cn_deadline(sr.accept_due_at)})
        lines.append(_("Once accepted, it is solved directly or sent to the departments concerned, each replying "
                       "within %(days)s working days.") % {"days": days})
    elif sr.status == S.REPORTED:
        lines.append(_("Reported back: waiting for the enterprise to confirm; without an answer it closes by itself "
                       "after %(day)s.") % {"day": cn_deadline(sr.auto_close_due_at)} if sr.auto_close_due_at
                     else _("Reported back: waiting for the enterprise to confirm."))
    else:
        open_ = [e for e in escalations if e.status == e.Status.OPEN]
        overdue = [e for e in open_ if e.due_at <= now]
        waiting = [e for e in open_ if e.due_at > now]
        consulting = [e for e in escalations if e.status == e.Status.CONSULTATION]
        late = bool(overdue) or any(e.is_open and e.days_left is not None and e.days_left < 0 for e in escalations)
        if overdue:
            lines.append(_("%(departments)s did not reply by %(day)s: overdue, which counts in its monthly grade; "
                           "%(who)s presses for the reply.") % {
                               "departments": "、".join(e.department.name for e in overdue),
                               "day": cn_deadline(max(e.due_at for e in overdue)), "who": who})
        if waiting:
            lines.append(_("Sent to %(departments)s: the reply is due by %(day)s at the latest; %(who)s then reports "
                           "the outcome back.") % {"departments": "、".join(e.department.name for e in waiting),
                                                   "day": cn_deadline(max(e.due_at for e in waiting)), "who": who})
        if consulting:
            lines.append(_("%(departments)s consult jointly and report progress at least every %(days)s working "
                           "days.") % {"departments": "、".join(e.department.name for e in consulting), "days": days})
        if not (open_ or consulting):
            if sr.status == S.REOPENED:
                lines.append(_("Reopened: %(who)s takes it up again and reports back.") % {"who": who})
            elif sr.status == S.ESCALATED:
                lines.append(_("Every department has answered: %(who)s reports the outcome back next.") % {"who": who})
            else:
                lines.append(_("%(who)s accepted it and is handling it: what can be solved directly is reported "
                               "back; what needs a department is sent to it, to reply within %(days)s working "
                               "days.") % {"who": who, "days": days})
    return {"lines": lines, "late": late}
