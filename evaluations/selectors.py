"""Reads of the evaluations app. Every list starts from ``visible_to(user)``; counts are subquery
annotations so a page costs the same number of queries however many rows it shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from enterprises.models import Enterprise
from evaluations import assessment_selectors
from evaluations.models import (
    Campaign,
    DepartmentMonthlyGrade,
    EffortFinding,
    Rating,
    ReplacementCase,
)
from projects.selectors import fivekey_nodes_by_ids, project_stewards_of
from stewards.models import Escalation, ServiceRequest, Steward, StewardAssignment, Visit
from stewards.selectors import escalations_by_ids
from zonehub.models import Role, Workstation
from zonehub.workdays import (
    local_date,
    month_bounds,
    month_end,
    month_start,
    next_month_start,
    previous_month,
    start_of_day,
)


def _count(qs, key: str = "steward"):
    """A correlated COUNT(*) subquery: ``qs`` already filtered on OuterRef("pk")."""
    return Coalesce(
        Subquery(qs.order_by().values(key).annotate(c=Count("pk")).values("c")[:1], output_field=IntegerField()),
        Value(0),
    )


# --- who rates whom ----------------------------------------------------------------------------

def stewards_to_rate(enterprise, campaign: Campaign | None = None) -> list[tuple[Steward, str]]:
    """The stewards an enterprise rates in a campaign, with the role each serves it in: its
    active enterprise steward and the project stewards of its projects. A steward serving in both
    roles is rated once, as enterprise steward."""
    result: list[tuple[Steward, str]] = []
    # The workstation head serving in the meantime (interim) is not rated: nobody chose it.
    assignment = (
        StewardAssignment.objects.active().filter(enterprise=enterprise, interim=False)
        .select_related("steward__user").first()
    )
    if assignment is not None:
        result.append((assignment.steward, Rating.StewardRole.ENTERPRISE))
    seen = {s.pk for s, _ in result}
    for steward in project_stewards_of(enterprise=enterprise):
        if steward.pk not in seen:
            seen.add(steward.pk)
            result.append((steward, Rating.StewardRole.PROJECT))
    return result


def steward_to_rate(enterprise, campaign: Campaign, steward_id) -> Steward | None:
    """One of ``stewards_to_rate`` by id; None for any other steward, so that what the enterprise
    is told about an id it sends never names a steward that is not its own."""
    return next((steward for steward, _role in stewards_to_rate(enterprise, campaign) if steward.pk == steward_id),
                None)


def enterprises_not_done(campaign: Campaign):
    """Active enterprises whose active enterprise steward has no rating from them yet."""
    unrated = StewardAssignment.objects.active().filter(enterprise__is_active=True).exclude(Exists(
        Rating.objects.filter(campaign=campaign, enterprise=OuterRef("enterprise"), steward=OuterRef("steward"))))
    return Enterprise.objects.filter(pk__in=unrated.values("enterprise")).order_by("pk")


def expected_enterprises():
    """Active enterprises with an active steward: those asked to rate."""
    return Enterprise.objects.filter(is_active=True).filter(
        Exists(StewardAssignment.objects.active().filter(enterprise=OuterRef("pk"), interim=False)))


def open_campaign() -> Campaign | None:
    return Campaign.objects.open().order_by("-opened_at").first()


def rating_form_rows(user, campaign: Campaign) -> list[dict]:
    """For an enterprise user: each steward to rate, with the rating already given (if any)."""
    enterprise = user.enterprise
    if enterprise is None:
        return []
    stewards = stewards_to_rate(enterprise, campaign)
    given = {r.steward_id: r for r in Rating.objects.visible_to(user).filter(campaign=campaign)}
    return [{"steward": s, "role": role, "rating": given.get(s.pk)} for s, role in stewards]


# --- home panels -------------------------------------------------------------------------------

def home_panels(user) -> list[dict]:
    role = user.effective_role
    panels: list[dict] = []
    if role == Role.ASSESSMENT:
        return [assessment_selectors.assessment_panel(user)]
    if role == Role.LEADER:
        pay = assessment_selectors.leader_pay_panel(user)
        if pay is not None:
            panels.append(pay)
    if role == Role.STEWARD:
        # The open campaign and the last closed one, in one query: the newest of each status.
        latest = {c.status: c for c in Campaign.objects.filter(
            pk__in=Campaign.objects.filter(status=OuterRef("status")).order_by("-opened_at").values("pk")[:1])}
        return [{"template": "evaluations/panels/steward.html", "order": 45,
                 "campaign": latest.get(Campaign.Status.OPEN), "last": latest.get(Campaign.Status.CLOSED)}]
    campaign = open_campaign()
    if role == Role.ENTERPRISE and campaign is not None and user.enterprise_id:
        rows = rating_form_rows(user, campaign)
        todo = [r for r in rows if r["rating"] is None]
        panels.append({"template": "evaluations/panels/rate_prompt.html", "order": 5, "css": "col-12",
                       "campaign": campaign, "rows": rows, "todo": todo,
                       "closes_on": local_date(campaign.closes_at) - dt.timedelta(days=1)})
    if role == Role.ENTERPRISE and user.enterprise_id:
        interim = _interim_for_enterprise(user.enterprise_id)
        if interim is not None:
            panels.append({"template": "evaluations/panels/interim_enterprise.html", "order": 4, "css": "col-12",
                           **interim})
    if role == Role.WORKSTATION_HEAD:
        cases = list(ReplacementCase.objects.visible_to(user).pending()
                     .select_related("enterprise", "steward__user", "campaign").order_by("due_at")[:10])
        if cases:
            panels.append({"template": "evaluations/panels/cases.html", "order": 6, "css": "col-12",
                           "cases": cases, "now": timezone.now()})
        serving = list(StewardAssignment.objects.active().filter(interim=True, steward__user=user)
                       .select_related("enterprise").order_by("started_at", "pk"))
        if serving:
            panels.append({"template": "evaluations/panels/interim_head.html", "order": 7, "css": "col-12",
                           "assignments": serving})
    if role in (Role.LEADER, Role.ADMIN):
        overdue = list(ReplacementCase.objects.visible_to(user).pending().filter(due_at__lte=timezone.now())
                       .select_related("enterprise", "steward__user", "workstation").order_by("due_at", "pk")[:20])
        if overdue:
            # At the top of the leader's home: the head let the case run overdue, the leader names one.
            panels.append({"template": "evaluations/panels/overdue_cases.html", "order": 1, "css": "col-12",
                           "cases": overdue})
        pending = ReplacementCase.objects.visible_to(user).filter(
            Q(status=ReplacementCase.Status.PENDING) | Q(lack_of_effort__isnull=True))
        panels.append({"template": "evaluations/panels/leader.html", "order": 40, "campaign": campaign,
                       "cases_pending": pending.filter(status=ReplacementCase.Status.PENDING).count(),
                       "cases_overdue": pending.filter(overdue_at__isnull=False,
                                                       status=ReplacementCase.Status.PENDING).count(),
                       "cases_unreviewed": pending.filter(lack_of_effort__isnull=True).count()})
    return panels


def interim_assignment(enterprise_id) -> StewardAssignment | None:
    """The workstation head's assignment serving the enterprise in the meantime, if any."""
    return (StewardAssignment.objects.active().filter(enterprise_id=enterprise_id, interim=True)
            .select_related("steward__user").first())


def _interim_for_enterprise(enterprise_id) -> dict | None:
    """While a replacement case is pending and the workstation head serves the enterprise in the
    meantime: who serves it (name and phone) and whom it rated unsatisfied."""
    assignment = interim_assignment(enterprise_id)
    if assignment is None:
        return None
    case = (ReplacementCase.objects.pending().filter(enterprise_id=enterprise_id)
            .select_related("steward__user").order_by("-opened_at").first())
    return {"head": assignment.steward, "case": case}


# --- campaigns and their results -------------------------------------------------------------

def campaign_list(user):
    ratings = Rating.objects.filter(campaign=OuterRef("pk"))
    return Campaign.objects.visible_to(user).annotate(
        rating_count=_count(ratings, "campaign"),
        unsatisfied_count=_count(ratings.filter(value=Rating.Value.UNSATISFIED), "campaign"),
        enterprise_count=Coalesce(Subquery(
            ratings.order_by().values("campaign").annotate(c=Count("enterprise", distinct=True)).values("c")[:1],
            output_field=IntegerField()), Value(0)),
    ).select_related("opened_by", "closed_by").order_by("-year", "-half")


def rating_list(user, campaign: Campaign | None = None):
    qs = Rating.objects.visible_to(user).select_related(
        "campaign", "enterprise__workstation", "steward__user", "rated_by")
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs


def case_list(user, campaign: Campaign | None = None):
    qs = ReplacementCase.objects.visible_to(user).select_related(
        "campaign", "enterprise", "steward__user", "new_steward__user", "workstation", "rating", "reviewed_by",
        "replaced_by", "override_steward__user")
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs.order_by("status", "due_at", "pk")


def _rate(sat: int, unsat: int) -> float | None:
    return None if not (sat + unsat) else sat / (sat + unsat)


@dataclass
class CampaignResults:
    expected: int
    rated_enterprises: int
    satisfied: int
    unsatisfied: int
    by_workstation: list[dict] = field(default_factory=list)
    by_steward: list[dict] = field(default_factory=list)

    @property
    def participation(self) -> float | None:
        return None if not self.expected else self.rated_enterprises / self.expected

    @property
    def rate(self) -> float | None:
        return _rate(self.satisfied, self.unsatisfied)


def campaign_results(*, user, campaign: Campaign) -> CampaignResults:
    """Participation and satisfaction per workstation and per steward, for leaders and admins
    (and a workstation head for its own workstation). Four queries."""
    ratings = Rating.objects.visible_to(user).filter(campaign=campaign)
    expected = (Enterprise.objects.visible_to(user).filter(is_active=True)
                .filter(Exists(StewardAssignment.objects.active().filter(enterprise=OuterRef("pk")))))
    if user.role == Role.WORKSTATION_HEAD:
        ratings = ratings.filter(enterprise__workstation_id=user.workstation_id)
    totals = ratings.aggregate(
        sat=Count("pk", filter=Q(value=Rating.Value.SATISFIED)),
        unsat=Count("pk", filter=Q(value=Rating.Value.UNSATISFIED)),
        ents=Count("enterprise", distinct=True),
    )
    by_ws = (ratings.order_by().values("enterprise__workstation_id", "enterprise__workstation__name")
             .annotate(sat=Count("pk", filter=Q(value=Rating.Value.SATISFIED)),
                       unsat=Count("pk", filter=Q(value=Rating.Value.UNSATISFIED)),
                       ents=Count("enterprise", distinct=True)).order_by("enterprise__workstation__name"))
    by_steward = (ratings.order_by().values("steward_id", "steward__user__name", "steward__user__username",
                                            "steward__workstation__name")
                  .annotate(sat=Count("pk", filter=Q(value=Rating.Value.SATISFIED)),
                            unsat=Count("pk", filter=Q(value=Rating.Value.UNSATISFIED)))
                  .order_by("steward__workstation__name", "steward__user__name"))
    return CampaignResults(
        # The count kept at the close is zone-wide: a head's share is counted now.
        expected=(campaign.expected_enterprises if campaign.expected_enterprises is not None and user.sees_everything
                  else expected.count()),
        rated_enterprises=totals["ents"], satisfied=totals["sat"], unsatisfied=totals["unsat"],
        by_workstation=[{"name": r["enterprise__workstation__name"] or "—", "satisfied": r["sat"],
                         "unsatisfied": r["unsat"], "enterprises": r["ents"], "rate": _rate(r["sat"], r["unsat"])}
                        for r in by_ws],
        by_steward=[{"id": r["steward_id"], "name": r["steward__user__name"] or r["steward__user__username"],
                     "workstation": r["steward__workstation__name"] or "—", "satisfied": r["sat"],
                     "unsatisfied": r["unsat"], "rate": _rate(r["sat"], r["unsat"])} for r in by_steward],
    )


# --- steward appraisal ---------------------------------------------------------------------------

APPRAISAL_SORTS = {
    "name": lambda r: r.name, "workstation": lambda r: (r.workstation, r.name),
    "rate": lambda r: (-1 if r.rate is None else r.rate), "requests": lambda r: r.requests_handled,
    "acceptance": lambda r: (-1 if r.acceptance_rate is None else r.acceptance_rate),
    "visits": lambda r: (-1 if r.visit_rate is None else r.visit_rate),
    "escalations": lambda r: (-1 if r.escalation_rate is None else r.escalation_rate),
    "replacements": lambda r: r.replacements, "eligible": lambda r: r.eligible,
}


@dataclass
class AppraisalRow:
    steward: Steward
    year: int
    h1_satisfied: int
    h1_unsatisfied: int
    h2_satisfied: int
    h2_unsatisfied: int
    requests_handled: int
    accepted_on_time: int
    accepted: int
    escalations_due: int
    escalations_on_time: int
    visits: int
    visit_months_required: int
    visit_months_met: int
    replacements: int
    findings: int
    months_served: int = 0
    decisions_due: int = 0
    decisions_on_time: int = 0

    @property
    def name(self) -> str:
        return self.steward.name

    @property
    def workstation(self) -> str:
        ws = self.steward.workstation
        return ws.name if ws else ""

    @property
    def satisfied(self) -> int:
        return self.h1_satisfied + self.h2_satisfied

    @property
    def unsatisfied(self) -> int:
        return self.h1_unsatisfied + self.h2_unsatisfied

    @property
    def rate(self) -> float | None:
        return _rate(self.satisfied, self.unsatisfied)

    @property
    def acceptance_rate(self) -> float | None:
        return None if not self.accepted else self.accepted_on_time / self.accepted

    @property
    def escalation_rate(self) -> float | None:
        return None if not self.escalations_due else self.escalations_on_time / self.escalations_due

    @property
    def visit_rate(self) -> float | None:
        return None if not self.visit_months_required else self.visit_months_met / self.visit_months_required

    @property
    def visits_per_month(self) -> float | None:
        """Visits of the year so far ÷ the months of it in which the steward served an enterprise."""
        return None if not self.months_served else self.visits / self.months_served

    @property
    def eligible(self) -> bool:
        """Awards and promotion this year (评先评优、提拔任用): lost by a finding of subjective lack
        of effort (主观不努力)."""
        return self.findings == 0


def _months(year: int, today: dt.date) -> list[dt.date]:
    """The completed months of ``year`` as of ``today`` (the whole year once it is over)."""
    last = 12 if today.year > year else (today.month - 1 if today.year == year else 0)
    return [dt.date(year, m, 1) for m in range(1, last + 1)]


def appraisal_list(*, user, year: int, workstation_id: int | None = None, today: dt.date | None = None,
                   sort: str = "workstation", stewards=None) -> list[AppraisalRow]:
    """The yearly appraisal of each steward the user may see (or of ``stewards``, for the yearly
    grades the assessment office computes for all), viewable mid-year. Ratings count only from
    closed campaigns. Visits are held against the monthly-visit rule: every completed month of the
    year in which the steward served an enterprise needs at least one visit to it. A finding of
    subjective lack of effort is the leaders' on a replacement case or one recorded on its own
    (``EffortFinding``). Six queries whatever the number of stewards."""
    today = today or local_date(timezone.now())
    if stewards is None:
        if user.role == Role.ENTERPRISE:
            return []
        stewards = Steward.objects.visible_to(user)
    # Every cadre serving as a steward (issue 16), whatever their role.
    if workstation_id:
        stewards = stewards.filter(workstation_id=workstation_id)
    year_start, year_end = start_of_day(dt.date(year, 1, 1)), start_of_day(dt.date(year + 1, 1, 1))
    closed = Rating.objects.filter(steward=OuterRef("pk"), campaign__year=year, campaign__status=Campaign.Status.CLOSED)
    requests = ServiceRequest.objects.filter(steward=OuterRef("pk"), created_at__gte=year_start, created_at__lt=year_end)
    # One set of rows for both sides of the rate: the escalations of the steward's requests due in
    # the year whose reply is decided (answered, or the deadline passed), returned ones aside; on
    # time is ``answered_on_time`` of those same rows (issue 13: 5/4 is impossible).
    escalations = (Escalation.objects.filter(request__steward=OuterRef("pk"), returned_at__isnull=True)
                   .due_in_year(year).reply_decided())
    cases = ReplacementCase.objects.filter(steward=OuterRef("pk"), campaign__year=year)
    rows = list(stewards.select_related("user", "workstation").annotate(
        h1_sat=_count(closed.filter(campaign__half="H1", value=Rating.Value.SATISFIED)),
        h1_unsat=_count(closed.filter(campaign__half="H1", value=Rating.Value.UNSATISFIED)),
        h2_sat=_count(closed.filter(campaign__half="H2", value=Rating.Value.SATISFIED)),
        h2_unsat=_count(closed.filter(campaign__half="H2", value=Rating.Value.UNSATISFIED)),
        req_count=_count(requests),
        acc_count=_count(requests.filter(accepted_at__isnull=False)),
        acc_on_time=_count(requests.filter(accepted_at__isnull=False, accept_due_at__isnull=False,
                                           accepted_at__lt=F("accept_due_at"))),
        esc_due=_count(escalations, "request__steward"),
        esc_on_time=_count(escalations.filter(answered_on_time=True), "request__steward"),
        visit_count=_count(Visit.objects.filter(steward=OuterRef("pk"), visited_on__year=year,
                                                visited_on__lte=today)),
        case_count=_count(cases),
        finding_count=_count(cases.filter(lack_of_effort=True))
        + _count(EffortFinding.objects.filter(steward=OuterRef("pk"), year=year)),
    ))
    months = _months(year, today)
    required, met, served = _visit_rule([s.pk for s in rows], months, through=_months_through(year, today))
    decisions = steward_decisions_of_year([s.pk for s in rows], year, today=today)
    result = [
        AppraisalRow(
            steward=s, year=year, h1_satisfied=s.h1_sat, h1_unsatisfied=s.h1_unsat, h2_satisfied=s.h2_sat,
            h2_unsatisfied=s.h2_unsat, requests_handled=s.req_count, accepted_on_time=s.acc_on_time,
            accepted=s.acc_count, escalations_due=s.esc_due, escalations_on_time=s.esc_on_time, visits=s.visit_count,
            visit_months_required=required.get(s.pk, 0), visit_months_met=met.get(s.pk, 0),
            months_served=served.get(s.pk, 0),
            replacements=s.case_count, findings=s.finding_count,
            decisions_due=decisions.get(s.pk, (0, 0))[0], decisions_on_time=decisions.get(s.pk, (0, 0))[1],
        )
        for s in rows
    ]
    key = APPRAISAL_SORTS.get(sort.lstrip("-"), APPRAISAL_SORTS["workstation"])
    result.sort(key=key, reverse=sort.startswith("-"))
    return result


def steward_decisions_of_year(steward_ids: list[int], year: int, *, today: dt.date) -> dict[int, tuple[int, int]]:
    """(due, closed on time) of the meeting decisions (issue 16) each steward owns whose period
    ended in ``year`` up to ``today``. One query."""
    from meetings.models import Decision

    if not steward_ids:
        return {}
    end = min(start_of_day(dt.date(year + 1, 1, 1)), start_of_day(today + dt.timedelta(days=1)))
    rows = (Decision.objects.filter(steward_id__in=steward_ids).due_in(start_of_day(dt.date(year, 1, 1)), end)
            .order_by().values("steward_id").annotate(due=Count("pk"), on_time=Count("pk", filter=Q(closed_on_time=True))))
    return {r["steward_id"]: (r["due"], r["on_time"]) for r in rows}


def _months_through(year: int, today: dt.date) -> list[dt.date]:
    """The months of ``year`` up to ``today``'s, the running one included."""
    last = 12 if today.year > year else (today.month if today.year == year else 0)
    return [dt.date(year, m, 1) for m in range(1, last + 1)]


def _visit_rule(steward_ids: list[int], months: list[dt.date], *, through: list[dt.date] | None = None
                ) -> tuple[dict[int, int], dict[int, int], dict[int, int]]:
    """(required, met) enterprise-months per steward over ``months`` (the completed ones), and the
    months of ``through`` (the year so far) in which it served at least one enterprise. Two queries."""
    through = through if through is not None else months
    if not steward_ids or not through:
        return {}, {}, {}
    first, after = through[0], next_month_start(through[-1])
    assignments = StewardAssignment.objects.filter(
        steward_id__in=steward_ids, started_at__lt=start_of_day(after),
    ).filter(Q(ended_at__isnull=True) | Q(ended_at__gte=start_of_day(first))).values_list(
        "steward_id", "enterprise_id", "started_at", "ended_at")
    served: set[tuple[int, int, dt.date]] = set()
    served_months: dict[int, set[dt.date]] = {}
    completed = set(months)
    for steward_id, enterprise_id, started, ended in assignments:
        start_day, end_day = local_date(started), local_date(ended) if ended else None
        for month in through:
            if start_day <= month_end(month) and (end_day is None or end_day >= month):
                served_months.setdefault(steward_id, set()).add(month)
                if month in completed:
                    served.add((steward_id, enterprise_id, month))
    visited = {
        (s, e, month_start(d))
        for s, e, d in Visit.objects.filter(steward_id__in=steward_ids, visited_on__gte=first, visited_on__lt=after)
        .values_list("steward_id", "enterprise_id", "visited_on")
    }
    required: dict[int, int] = {}
    met: dict[int, int] = {}
    for key in served:
        required[key[0]] = required.get(key[0], 0) + 1
        if key in visited:
            met[key[0]] = met.get(key[0], 0) + 1
    return required, met, {steward_id: len(m) for steward_id, m in served_months.items()}


def appraisal_summary(rows: list[AppraisalRow]) -> dict:
    """Totals for a group of rows (a workstation, the zone), to compare a steward against."""
    sat = sum(r.satisfied for r in rows)
    unsat = sum(r.unsatisfied for r in rows)
    acc = sum(r.accepted for r in rows)
    esc = sum(r.escalations_due for r in rows)
    req = sum(r.visit_months_required for r in rows)
    return {
        "stewards": len(rows), "satisfied": sat, "unsatisfied": unsat, "rate": _rate(sat, unsat),
        "requests": sum(r.requests_handled for r in rows),
        "acceptance_rate": None if not acc else sum(r.accepted_on_time for r in rows) / acc,
        "escalation_rate": None if not esc else sum(r.escalations_on_time for r in rows) / esc,
        "visit_rate": None if not req else sum(r.visit_months_met for r in rows) / req,
        "visits_per_month": (None if not sum(r.months_served for r in rows)
                             else sum(r.visits for r in rows) / sum(r.months_served for r in rows)),
        "replacements": sum(r.replacements for r in rows),
        "ineligible": sum(1 for r in rows if not r.eligible),
    }


def appraisal_get(*, user, steward: Steward, year: int, today: dt.date | None = None) -> AppraisalRow | None:
    rows = [r for r in appraisal_list(user=user, year=year, today=today) if r.steward.pk == steward.pk]
    return rows[0] if rows else None


# --- department grades -------------------------------------------------------------------------

def escalations_carried(*, month: dt.date) -> dict[int, list[int]]:
    """Per department id, the escalations still overdue when ``month`` began (by the one
    definition, ``Escalation.overdue_q``, at its first instant), except those returned: each
    counts in the month as a reply due and not on time, in every month until it is answered.
    One query."""
    start, _end = month_bounds(month_start(month))
    rows = (Escalation.objects.filter(due_at__lte=start, returned_at__isnull=True)
            .filter(Q(clock_stopped_at__isnull=True) | Q(clock_stopped_at__gte=start))
            .order_by("pk").values_list("pk", "department_id"))
    carried: dict[int, list[int]] = {}
    for pk, department_id in rows:
        carried.setdefault(department_id, []).append(pk)
    return carried


@dataclass
class GradeRow:
    grade: DepartmentMonthlyGrade
    rank: int | None
    previous_score: Decimal | None
    previous_rank: int | None
    previous_grade: str | None
    detail_visible: bool

    @property
    def change(self):
        """Only when both months have a score."""
        if self.previous_score is None or self.grade.score is None:
            return None
        return self.grade.score - self.previous_score

    @property
    def rank_change(self):
        return None if self.previous_rank is None or self.rank is None else self.previous_rank - self.rank


def _ranked(rows) -> dict[int, tuple[int, DepartmentMonthlyGrade]]:
    """The rows with a score, ranked (ties share a rank); a month with nothing to assess is not."""
    ranked: dict[int, tuple[int, DepartmentMonthlyGrade]] = {}
    last_score, last_rank = None, 0
    scored = [r for r in rows if r.score is not None]
    for i, row in enumerate(sorted(scored, key=lambda r: (-r.score, r.department.name)), start=1):
        rank = last_rank if row.score == last_score else i
        ranked[row.department_id] = (rank, row)
        last_score, last_rank = row.score, rank
    return ranked


def grade_ranking(*, user, month: dt.date) -> list[GradeRow]:
    """The departments' grades of a month, best first, with the change from the month before
    when both months have a score; then the departments with nothing to assess (无考核事项),
    unranked. Two queries."""
    month = month_start(month)
    prev = previous_month(month)
    rows = list(DepartmentMonthlyGrade.objects.visible_to(user).filter(month__in=[month, prev]).defer("detail")
                .select_related("department"))
    current = [r for r in rows if r.month == month]
    ranked = _ranked(current)
    before = {r.department_id: r for r in rows if r.month == prev}
    before_ranks = _ranked(before.values())
    detail_ids = set(DepartmentMonthlyGrade.objects.with_detail_for(user).filter(month=month)
                     .values_list("department_id", flat=True))
    result = []
    for row in current:
        rank = ranked.get(row.department_id, (None, None))[0]
        prev_row = before.get(row.department_id)
        result.append(GradeRow(grade=row, rank=rank, previous_score=prev_row.score if prev_row else None,
                               previous_rank=before_ranks.get(row.department_id, (None, None))[0] if rank else None,
                               previous_grade=(prev_row.grade or None) if prev_row else None,
                               detail_visible=row.department_id in detail_ids))
    return sorted(result, key=lambda r: (r.rank is None, r.rank or 0, r.grade.department.name))


def grade_months(user) -> list[dt.date]:
    return list(DepartmentMonthlyGrade.objects.visible_to(user).order_by("-month")
                .values_list("month", flat=True).distinct()[:36])


def grade_detail(grade: DepartmentMonthlyGrade) -> dict:
    """The rows behind a score, in the order they were counted: the escalations (replies due in
    the month answered on time and not, those still overdue from earlier months, those that went
    overdue or were returned in the month) and the five-key nodes, each with how it counted.
    Two queries."""
    keys = ("on_time", "late", "carried", "overdue", "returned")
    ids = {k: list(grade.detail.get(k, [])) for k in keys}
    objects = escalations_by_ids(ids={pk for v in ids.values() for pk in v})
    result = {k: [objects[pk] for pk in v if pk in objects] for k, v in ids.items()}
    entries = list(grade.detail.get("nodes", []))
    nodes = fivekey_nodes_by_ids(entry["id"] for entry in entries) if entries else {}
    result["nodes"] = [{**entry, "due": dt.date.fromisoformat(entry["due"]), "node": nodes[entry["id"]]}
                       for entry in entries if entry.get("id") in nodes]
    result["parts"] = {part["part"]: part for part in grade.detail.get("parts", [])}
    for key in ("base", "bonus", "overdue_penalty", "returned_penalty"):
        result[key] = grade.detail.get(key)
    return result


def workstations_for(user):
    return Workstation.objects.visible_to(user).order_by("name")
