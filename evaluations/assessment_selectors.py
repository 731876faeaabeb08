"""Reads of assessment and pay (issue 19): plans, a month's breakdown by indicator, the actuals to
enter, stewards' grades, pay sheets, the rotation pool, and a person's own assessment. Each list
starts from ``visible_to(user)`` and costs the same number of queries however many rows it shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, OuterRef, Prefetch, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from evaluations.indicators import LIBRARY, MonthFacts, explain, plan_items, read_values, score_plan
from evaluations.models import (
    AssessmentPlan,
    DepartmentMonthlyGrade,
    EffortFinding,
    EnteredIndicator,
    MonthlyActual,
    PayCoefficients,
    PayCorrection,
    PayLine,
    PayPost,
    PaySheet,
    ReplacementCase,
    RotationCase,
    StewardYearGrade,
)
from stewards.models import Steward
from zonehub.models import Department, Role
from zonehub.workdays import local_date, month_start, months_before, previous_month


def today() -> dt.date:
    return local_date(timezone.now())


# --- plans -----------------------------------------------------------------------------------

def plans_in_force(*, month: dt.date) -> dict[int | None, AssessmentPlan]:
    """The plan version in force in ``month`` for each department that has its own, and for the
    others (key None): the latest effective on or before the month, the latest version of a
    month. Two queries (the plans, their indicators and entered indicators)."""
    in_force: dict[int | None, AssessmentPlan] = {}
    for plan in (AssessmentPlan.objects.filter(year=month.year, effective_from__lte=month)
                 .prefetch_related("indicators__entered").order_by("effective_from", "version", "pk")):
        in_force[plan.department_id] = plan
    return in_force


@dataclass
class PlanGroup:
    """The versions of one department's plan (or the default plan's) for a year, newest first;
    ``current`` is the one in force this month (or the first to come)."""

    department: Department | None
    versions: list[AssessmentPlan] = field(default_factory=list)
    current: AssessmentPlan | None = None

    @property
    def label(self) -> str:
        from django.utils.translation import gettext

        return self.department.name if self.department else gettext("default plan")


def plan_groups(user, *, year: int, on: dt.date | None = None) -> list[PlanGroup]:
    """The plans of ``year`` the user may read, by department (the default plan first). Two queries."""
    on = month_start(on or today())
    groups: dict[int | None, PlanGroup] = {}
    for plan in (AssessmentPlan.objects.visible_to(user).filter(year=year)
                 .select_related("department", "created_by").prefetch_related("indicators__entered")
                 .order_by("-effective_from", "-version")):
        group = groups.setdefault(plan.department_id, PlanGroup(department=plan.department))
        group.versions.append(plan)
    for group in groups.values():
        applying = [p for p in group.versions if p.effective_from <= max(on, dt.date(year, 1, 1))]
        group.current = applying[0] if applying else group.versions[-1]
    return sorted(groups.values(), key=lambda g: (g.department is not None, g.department.name if g.department else ""))


def plan_get(user, pk) -> AssessmentPlan:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(AssessmentPlan.objects.visible_to(user).select_related("department", "created_by")
                             .prefetch_related("indicators__entered"), pk=pk)


def plan_rows(plan: AssessmentPlan) -> list[dict]:
    """A version's indicators as the page shows them."""
    out = []
    for row in plan.indicators.all():
        meta = LIBRARY.get(row.code)
        out.append({"row": row, "label": row.entered.name if row.entered_id else (meta.label if meta else row.code),
                    "unit": row.entered.unit if row.entered_id else (meta.unit if meta else ""),
                    "kind": meta.kind if meta else "amount", "entered": row.entered_id is not None})
    return out


def plan_versions(plan: AssessmentPlan):
    """Every version of the same plan (department and year), newest first."""
    qs = AssessmentPlan.objects.filter(year=plan.year).select_related("created_by")
    qs = qs.filter(department_id=plan.department_id) if plan.department_id else qs.filter(department__isnull=True)
    return qs.order_by("-version")


def library(user) -> dict:
    return {"computed": list(LIBRARY.values()),
            "entered": list(EnteredIndicator.objects.visible_to(user).order_by("-is_active", "name"))}


# --- a month's result ------------------------------------------------------------------------

def result_breakdown(grade: DepartmentMonthlyGrade) -> dict:
    """The indicators of a month's result: value, target, weight, points, and where the rows
    behind each computed value are. A row scored before plans existed keeps only its figures: its
    breakdown is worked out from them and its plan (the default formula), as it was scored."""
    detail = grade.detail or {}
    rows = detail.get("indicators")
    scoring = detail.get("scoring")
    if rows is None:
        items = plan_items(grade.plan)
        facts = MonthFacts(month=grade.month, numbers={grade.department_id: {
            key: getattr(grade, key) for key in ("escalations_due", "replied_on_time", "overdue", "returned",
                                                  "nodes_on_time", "nodes_late", "nodes_open", "nodes_claimed")}})
        scored = score_plan(items, read_values(items, facts, grade.department_id))
        rows, scoring = scored["indicators"], {k: scored[k] for k in ("base", "bonus", "deduction", "max")}
    return {"rows": explain(rows), "scoring": scoring or {}}


def result_extras(grade: DepartmentMonthlyGrade) -> dict:
    """The rows behind the indicators that read other apps or entered actuals: the redeemed policy
    pushes, the brokers' supply figures, the actuals with their evidence. Three queries at most."""
    from policies.selectors import redeemed_pushes_by_ids
    from zonehub.models import User

    detail = grade.detail or {}
    out: dict = {}
    if detail.get("policies"):
        out["policies"] = redeemed_pushes_by_ids(detail["policies"])
    if "supply" in detail:
        names = User.objects.in_bulk([row["user"] for row in detail["supply"]])
        out["supply"] = [{**row, "name": names[row["user"]].display_name if row["user"] in names else ""}
                         for row in detail["supply"]]
    if detail.get("decisions") or detail.get("chase_ups"):
        from meetings.selectors import decisions_and_notices_by_ids

        out["decisions"], out["chase_ups"] = decisions_and_notices_by_ids(
            detail.get("decisions", []), detail.get("chase_ups", []))
    if detail.get("actuals"):
        out["actuals"] = list(MonthlyActual.objects.filter(pk__in=detail["actuals"]).select_related(
            "indicator", "entered_by"))
    return out


def result_list(user):
    """The results (department monthly grades) with their plan: the API's list."""
    return (DepartmentMonthlyGrade.objects.with_detail_for(user)
            .select_related("department", "plan").order_by("-month", "department__name"))


# --- actuals ---------------------------------------------------------------------------------

def actual_rows(*, month: dt.date) -> list[dict]:
    """Each (department, entered indicator) that the plan in force in ``month`` reads, with the
    actual entered (if any). Three queries."""
    in_force = plans_in_force(month=month)
    actuals = {(a.indicator_id, a.department_id): a for a in
               MonthlyActual.objects.filter(month=month).select_related("entered_by")}
    rows = []
    for department in Department.objects.filter(is_active=True).order_by("name"):
        plan = in_force.get(department.pk) or in_force.get(None)
        for row in plan.indicators.all() if plan else []:
            if row.entered_id:
                rows.append({"department": department, "indicator": row.entered, "plan_row": row, "plan": plan,
                             "actual": actuals.get((row.entered_id, department.pk))})
    return rows


def actuals_missing(*, month: dt.date) -> int:
    return sum(1 for row in actual_rows(month=month) if row["actual"] is None)


# --- stewards' grades ------------------------------------------------------------------------

def steward_grade_list(user, *, year: int):
    return (StewardYearGrade.objects.visible_to(user).filter(year=year)
            .select_related("steward__workstation").order_by("steward__workstation__name",
                                                                   "steward__user__name"))


def finding_list(user, *, year: int):
    return (EffortFinding.objects.visible_to(user).filter(year=year)
            .select_related("steward__user", "recorded_by").order_by("-recorded_at"))


def stewards_for_findings(user):
    """The stewards the user may record a finding against: a head its workstation's, a leader all."""
    qs = Steward.objects.filter(is_active=True).select_related("user", "workstation")
    if user.role == Role.WORKSTATION_HEAD:
        qs = qs.filter(workstation_id=user.workstation_id)
    elif user.role != Role.LEADER:
        return qs.none()
    return qs.order_by("workstation__name", "user__name")


# --- pay -------------------------------------------------------------------------------------

def _money():
    return DecimalField(max_digits=16, decimal_places=2)


def pay_sheet_list(user):
    lines = PayLine.objects.filter(sheet=OuterRef("pk")).order_by().values("sheet")
    corrections = PayCorrection.objects.filter(line__sheet=OuterRef("pk")).order_by().values("line__sheet")
    return (PaySheet.objects.visible_to(user).select_related("drafted_by", "approved_by")
            .annotate(line_count=Coalesce(Subquery(lines.annotate(n=Count("pk")).values("n")[:1]), Value(0)),
                      total=Coalesce(Subquery(lines.annotate(s=Sum("amount")).values("s")[:1], output_field=_money()),
                                     Value(Decimal(0)), output_field=_money()),
                      corrected=Coalesce(Subquery(corrections.annotate(s=Sum("amount")).values("s")[:1],
                                                  output_field=_money()), Value(Decimal(0)), output_field=_money()))
            .order_by("-period_start", "period"))


def pay_sheet_get(user, pk) -> PaySheet:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(pay_sheet_list(user).select_related("coefficients"), pk=pk)


def pay_lines(user, sheet: PaySheet):
    """The sheet's lines the user may read, with their corrections (two queries)."""
    return (PayLine.objects.visible_to(user).filter(sheet=sheet)
            .select_related("user", "department", "post", "sheet")
            .prefetch_related(Prefetch("corrections", queryset=PayCorrection.objects.select_related("recorded_by")))
            .order_by("department__name", "user__name", "pk"))


def with_paid(lines) -> list[PayLine]:
    """Each line with ``corrected`` (Σ corrections) and ``paid`` (its amount plus them)."""
    lines = list(lines)
    for line in lines:
        line.corrected = sum((c.amount for c in line.corrections.all()), Decimal(0))
        line.paid = line.amount + line.corrected
    return lines


def pay_settings(user) -> dict:
    """The coefficients (every dated row) and each person's post in force today. Two queries."""
    latest: dict[int, PayPost] = {}
    for post in (PayPost.objects.visible_to(user).filter(effective_from__lte=today())
                 .select_related("user", "department", "set_by").order_by("user_id", "effective_from", "pk")):
        latest[post.user_id] = post
    posts = [p for p in latest.values() if p.active]
    return {"coefficients": list(PayCoefficients.objects.select_related("set_by").order_by("-effective_from")),
            "posts": sorted(posts, key=lambda p: (p.department.name if p.department else "", p.user.name))}


def rotation_list(user, *, status: str = ""):
    qs = RotationCase.objects.visible_to(user).select_related("department", "user", "decided_by")
    if status == "open":
        qs = qs.filter(outcome="")
    elif status == "decided":
        qs = qs.exclude(outcome="")
    return qs.order_by("-listed_at", "-pk")


# --- a person's own --------------------------------------------------------------------------

def my_assessment(user) -> dict:
    """What a person sees of their own assessment and pay: their lines of approved sheets (with
    corrections), their unit's last twelve months, their yearly grades and findings as a steward.
    Six queries at most."""
    lines = with_paid(PayLine.objects.visible_to(user).filter(user=user).select_related("sheet", "department")
                      .prefetch_related("corrections").order_by("-sheet__period_start")[:24])
    out: dict = {"lines": lines, "unit_grades": [], "steward_grades": [], "findings": []}
    if user.department_id:
        since = months_before(today(), 12)[0]
        out["unit_grades"] = list(DepartmentMonthlyGrade.objects.filter(department_id=user.department_id,
                                                                        month__gte=since)
                                  .select_related("plan").order_by("-month"))
        # The detail behind a score is the department's own (GradeQuerySet.with_detail_for).
        out["unit_detail"] = user.role == Role.DEPARTMENT
    steward = Steward.objects.filter(user=user).first() if user.role == Role.STEWARD else None
    if steward is not None:
        out["steward_grades"] = list(StewardYearGrade.objects.filter(steward=steward).order_by("-year"))
        out["findings"] = list(EffortFinding.objects.filter(steward=steward).order_by("-recorded_at"))
        out["case_findings"] = list(ReplacementCase.objects.filter(steward=steward, lack_of_effort=True)
                                    .select_related("campaign", "enterprise").order_by("-reviewed_at"))
    return out


# --- home panels -----------------------------------------------------------------------------

def assessment_panel(user) -> dict:
    """The assessment office's "what needs me today": last month's actuals still to enter, the
    sheets waiting for a leader, the period whose sheet is not drafted yet, the rotation pool."""
    from evaluations.periods import period_end, period_kind, period_label, period_start, previous_period

    kind = period_kind()
    last_period = previous_period(period_start(today(), kind), kind)
    last_month = previous_month(today())
    sheets = PaySheet.objects.visible_to(user)
    return {"template": "evaluations/panels/assessment.html", "order": 2, "css": "col-12",
            "month": last_month, "actuals_missing": actuals_missing(month=last_month),
            "drafts": sheets.drafts().count(),
            "period": last_period, "period_label": period_label(last_period, kind),
            "period_ended": period_end(last_period, kind) <= today(),
            "period_drafted": sheets.filter(period=kind, period_start=last_period).exists(),
            "rotation_open": RotationCase.objects.visible_to(user).open().count()}


def leader_pay_panel(user) -> dict | None:
    """The leader's: the sheets waiting for approval and the rotation listings waiting for an
    outcome, in one statement (the drafts, and one row with the count of listings)."""
    from django.db.models import CharField, DateField, IntegerField

    from evaluations.periods import period_label

    drafts = (PaySheet.objects.visible_to(user).drafts().order_by()
              .values_list("pk", "period", "period_start"))
    waiting = (RotationCase.objects.visible_to(user).open().order_by()
               .annotate(kind=Value("rotation", output_field=CharField())).values("kind")
               .annotate(n=Count("pk", output_field=IntegerField()))
               .values_list("n", "kind", Value(None, output_field=DateField())))
    rows = list(drafts.union(waiting, all=True))
    sheets = sorted(({"pk": pk, "label": period_label(start, kind)} for pk, kind, start in rows
                     if kind != "rotation"), key=lambda sheet: sheet["pk"])
    rotation = sum(n for n, kind, _start in rows if kind == "rotation")
    if not sheets and not rotation:
        return None
    return {"template": "evaluations/panels/leader_pay.html", "order": 3, "css": "col-12",
            "drafts": sheets, "rotation_open": rotation}
