"""Pages of assessment (issue 19): plans, the indicator library, the monthly actuals, the stewards'
yearly grades and findings, and each person's own assessment (我的考核). Thin: read through the
selectors, write through one service each; what the user typed survives an error."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from evaluations import appraisals, plans
from evaluations import assessment_selectors as selectors
from evaluations.forms import (
    ActualForm,
    EnteredIndicatorForm,
    FindingForm,
    PlanForm,
    PlanItemFormSet,
    add_service_errors,
    indicator_choices,
    plan_item_initial,
)
from evaluations.indicators import LIBRARY, default_items
from evaluations.models import EnteredIndicator, MonthlyActual
from stewards.services import ALLOWED_ATTACHMENTS
from zonehub.events import event_list_for
from zonehub.filters import query_id
from zonehub.models import Department, Role
from zonehub.roles import STEWARD_LINE
from zonehub.views import role_required, serve_stored_file
from zonehub.workdays import month_error, month_start, parse_month, previous_month

# Who opens which page (zonehub/roles.py: the one declaration the menu and the matrix read).
PLAN_READERS = (Role.DEPARTMENT, Role.LEADER, Role.ADMIN, Role.ASSESSMENT)
OFFICE = (Role.ASSESSMENT,)
ACTUAL_READERS = (Role.LEADER, Role.ADMIN, Role.ASSESSMENT)
STEWARD_GRADE_READERS = (Role.WORKSTATION_HEAD, Role.LEADER, Role.ADMIN, Role.ASSESSMENT)
# Everyone who may hold a post: each reads their own assessment and pay.
PEOPLE = (Role.STEWARD, Role.WORKSTATION_HEAD, Role.DEPARTMENT, Role.LEADER, Role.ADMIN, Role.OPERATIONS,
          Role.ASSESSMENT)


def _fail(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _id(data, key) -> int:
    """An id from a form or query string; 0 (found nowhere: a 404) when it is no id a column holds."""
    try:
        return query_id(data.get(key)) or 0
    except ValidationError:
        return 0


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or selectors.today().year)
    except ValueError:
        raise Http404 from None
    if not 2000 <= year <= 2100:
        raise Http404
    return year


# --- plans -----------------------------------------------------------------------------------

@role_required(*PLAN_READERS)
def plan_list(request):
    year = _year(request)
    today = selectors.today()
    return render(request, "evaluations/plan_list.html", {
        "year": year, "years": list(range(today.year + 1, today.year - 3, -1)),
        "groups": [(g, selectors.plan_rows(g.current)) for g in selectors.plan_groups(request.user, year=year)],
        "can_keep": plans.can_keep_plans(request.user),
    })


@role_required(*PLAN_READERS)
def plan_detail(request, pk):
    plan = selectors.plan_get(request.user, pk)
    user = request.user
    return render(request, "evaluations/plan_detail.html", {
        "plan": plan, "rows": selectors.plan_rows(plan), "versions": selectors.plan_versions(plan),
        "can_keep": plans.can_keep_plans(user),
        "events": event_list_for(plan) if user.role in (Role.LEADER, Role.ASSESSMENT) or user.is_admin else [],
    })


@role_required(*OFFICE)
def plan_create(request):
    """A new version of a department's plan (or the default plan): from the version it changes
    (``?from=``) or from the default formula."""
    user = request.user
    choices = indicator_choices()
    if request.method == "POST":
        form = PlanForm(request.POST)
        formset = PlanItemFormSet(request.POST, prefix="items", choices=choices)
        if form.is_valid() and formset.is_valid():
            try:
                plan = plans.plan_version_create(
                    department=form.cleaned_data["department"], year=form.cleaned_data["year"],
                    items=[f.item() for f in formset.forms if f.cleaned_data], note=form.cleaned_data["note"],
                    actor=user)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Version %(v)d of the plan is made: it applies from %(month)s.") % {
                    "v": plan.version, "month": f"{plan.effective_from.year}年{plan.effective_from.month}月"})
                return redirect(plan)
    else:
        source = None
        if request.GET.get("from"):
            source = selectors.plan_get(user, _id(request.GET, "from"))
        today = selectors.today()
        department = source.department_id if source else (request.GET.get("department") or None)
        year = source.year if source and source.year >= today.year else today.year
        form = PlanForm(initial={"department": department, "year": year})
        if source is not None:
            initial = plan_item_initial(source)
        else:
            initial = [{"key": i.key, "method": i.method, "weight": i.weight, "per_unit": i.per_unit,
                        "target": None if i.target is None else i.target * (100 if LIBRARY[i.key].kind == "rate" else 1)}
                       for i in default_items()]
        formset = PlanItemFormSet(prefix="items", choices=choices, initial=initial + [{}] * 3)
    return render(request, "evaluations/plan_form.html", {"form": form, "formset": formset})


# --- the indicator library -------------------------------------------------------------------

@role_required(*PLAN_READERS)
def indicator_list(request):
    return render(request, "evaluations/indicator_list.html", {
        **selectors.library(request.user), "can_keep": plans.can_keep_plans(request.user),
        "form": EnteredIndicatorForm()})


@login_required
@require_POST
@role_required(*OFFICE)
def indicator_create(request):
    form = EnteredIndicatorForm(request.POST)
    if form.is_valid():
        try:
            indicator = plans.entered_indicator_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("“%(name)s” is in the library: add it to the plans that assess it.") % {
                "name": indicator.name})
            return redirect("evaluations:indicator_list")
    return render(request, "evaluations/indicator_list.html", {
        **selectors.library(request.user), "can_keep": True, "form": form}, status=400)


# --- monthly actuals -------------------------------------------------------------------------

@role_required(*ACTUAL_READERS)
def actual_list(request):
    """The actuals of a month, department by department, for the entered indicators their plans
    read; the assessment office enters them here."""
    month = parse_month(request.GET.get("month"))
    if month is None and request.GET.get("month"):
        messages.error(request, month_error())
    month = month or previous_month(selectors.today())
    rows = selectors.actual_rows(month=month)
    can_keep = plans.can_keep_plans(request.user)
    for row in rows:
        actual = row["actual"]
        row["form"] = ActualForm(prefix=f"a{row['department'].pk}-{row['indicator'].pk}", initial={
            "value": actual.value.normalize() if actual else None, "evidence": actual.evidence if actual else ""}) \
            if can_keep else None
    return render(request, "evaluations/actual_list.html", {
        "month": month, "rows": rows, "can_keep": can_keep, "future": month > month_start(selectors.today()),
        "previous": previous_month(month), "next": (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)})


@login_required
@require_POST
@role_required(*OFFICE)
def actual_record(request):
    month = parse_month(request.POST.get("month"))
    indicator = get_object_or_404(EnteredIndicator.objects.visible_to(request.user), pk=_id(request.POST, "indicator"))
    department = get_object_or_404(Department.objects.filter(is_active=True), pk=_id(request.POST, "department"))
    back = reverse("evaluations:actual_list") + (f"?month={month:%Y-%m}" if month else "")
    if month is None:
        messages.error(request, month_error())
        return redirect(back)
    prefix = f"a{department.pk}-{indicator.pk}"
    form = ActualForm(request.POST, request.FILES, prefix=prefix)
    if form.is_valid():
        try:
            plans.actual_record(indicator=indicator, department=department, month=month,
                                value=form.cleaned_data["value"], evidence=form.cleaned_data["evidence"],
                                evidence_file=form.cleaned_data.get("evidence_file"), actor=request.user)
        except ValidationError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("The actual of %(indicator)s for %(department)s is recorded.") % {
                "indicator": indicator.name, "department": department.name})
            return redirect(back + f"#{prefix}")
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, f"{department.name} · {indicator.name}：{message}")
    # What was typed is shown again, above the list, with the message.
    rows = selectors.actual_rows(month=month)
    for row in rows:
        same = row["department"].pk == department.pk and row["indicator"].pk == indicator.pk
        actual = row["actual"]
        row["form"] = form if same else ActualForm(
            prefix=f"a{row['department'].pk}-{row['indicator'].pk}",
            initial={"value": actual.value.normalize() if actual else None, "evidence": actual.evidence if actual else ""})
    return render(request, "evaluations/actual_list.html", {
        "month": month, "rows": rows, "can_keep": True, "future": False, "failed": prefix,
        "previous": previous_month(month), "next": (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)},
        status=400)


@role_required(*PLAN_READERS)
def actual_evidence(request, pk):
    actual = get_object_or_404(MonthlyActual.objects.visible_to(request.user), pk=pk)
    if not actual.evidence_file:
        raise Http404
    name = actual.evidence_file_name or "evidence"
    ext = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    content_type = ALLOWED_ATTACHMENTS.get(ext, ("application/octet-stream",))[0]
    return serve_stored_file(actual.evidence_file, content_type=content_type, filename=name)


# --- stewards' yearly grades -----------------------------------------------------------------

@role_required(*STEWARD_GRADE_READERS)
def steward_grade_list(request):
    user = request.user
    year = _year(request)
    today = selectors.today()
    stewards = selectors.stewards_for_findings(user)
    return render(request, "evaluations/steward_grade_list.html", {
        "year": year, "years": list(range(today.year, today.year - 4, -1)),
        "grades": selectors.steward_grade_list(user, year=year),
        "findings": selectors.finding_list(user, year=year),
        "can_compute": appraisals.can_grade_stewards(user), "sees_appraisal": user.effective_role in STEWARD_LINE,
        "finding_form": FindingForm(stewards=stewards, initial={"year": year}) if stewards.exists() else None,
    })


@login_required
@require_POST
@role_required(Role.ASSESSMENT, Role.LEADER)
def steward_grades_compute(request):
    try:
        year = int(request.POST.get("year") or 0)
        rows = appraisals.steward_grades_compute(year=year, actor=request.user)
    except (ValueError, ValidationError) as exc:
        if isinstance(exc, ValidationError):
            _fail(request, exc)
        else:
            messages.error(request, _("Choose a year."))
        return redirect("evaluations:steward_grade_list")
    messages.success(request, _("%(n)d stewards graded for %(year)d.") % {"n": len(rows), "year": year})
    return redirect(reverse("evaluations:steward_grade_list") + f"?year={year}")


@login_required
@require_POST
@role_required(Role.WORKSTATION_HEAD, Role.LEADER)
def finding_record(request):
    user = request.user
    stewards = selectors.stewards_for_findings(user)
    form = FindingForm(request.POST, stewards=stewards)
    if form.is_valid():
        try:
            appraisals.effort_finding_record(steward=form.cleaned_data["steward"], year=form.cleaned_data["year"],
                                             reason=form.cleaned_data["reason"], actor=user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied:
            form.add_error("steward", _("Only the head of the steward's workstation or a leader records a finding."))
        else:
            messages.success(request, _("The finding is recorded: the steward is not eligible for this year's awards "
                                        "and promotion."))
            return redirect(reverse("evaluations:steward_grade_list") + f"?year={form.cleaned_data['year']}")
    year = form.cleaned_data.get("year") if hasattr(form, "cleaned_data") and form.cleaned_data.get("year") \
        else selectors.today().year
    today = selectors.today()
    return render(request, "evaluations/steward_grade_list.html", {
        "year": year, "years": list(range(today.year, today.year - 4, -1)),
        "grades": selectors.steward_grade_list(user, year=year), "findings": selectors.finding_list(user, year=year),
        "can_compute": appraisals.can_grade_stewards(user), "sees_appraisal": user.effective_role in STEWARD_LINE,
        "finding_form": form}, status=400)


# --- my assessment ---------------------------------------------------------------------------

@role_required(*PEOPLE)
def my_assessment(request):
    """我的考核: a person's own pay lines (approved sheets), their unit's grades, and their yearly
    grade as a steward — nobody else's."""
    return render(request, "evaluations/my_assessment.html", selectors.my_assessment(request.user))
