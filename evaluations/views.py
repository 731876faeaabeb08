"""Pages of the evaluations app. Thin: read through selectors, write through one service each."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_filters.views import FilterView

from evaluations import assessment_selectors, selectors, services
from evaluations.exports import campaign_response, grades_response
from evaluations.filters import RatingFilterSet
from evaluations.forms import CampaignOpenForm, OverrideForm, RatingForm, ReviewForm, StewardChoiceForm
from evaluations.models import Campaign, DepartmentMonthlyGrade, Rating, ReplacementCase
from zonehub.events import event_list_for
from zonehub.exports import ExportMixin, export_url, wants_export
from zonehub.filters import query_id
from zonehub.models import Role
from zonehub.pagination import CappedPaginator
from zonehub.roles import ALL_ROLES, HEADS_AND_LEADERS, LEADERS, STAFF, STEWARD_LINE
from zonehub.views import RoleRequiredMixin, UserFilterSetMixin, role_required
from zonehub.workdays import WorkCalendar, local_date, month_error, parse_month, previous_month


def _errors(exc: ValidationError) -> list[str]:
    return exc.messages


# --- campaigns and ratings -------------------------------------------------------------------

@role_required(*ALL_ROLES)
def campaign_list(request):
    """Enterprises: the rating page (the open campaign's prompt and their own ratings).
    Everyone else: the campaigns, with open/close for leaders and admins."""
    user = request.user
    campaign = selectors.open_campaign()
    if user.effective_role == Role.ENTERPRISE:
        rows = selectors.rating_form_rows(user, campaign) if campaign else []
        for row in rows:
            r = row["rating"]
            row["form"] = RatingForm(prefix=f"s{row['steward'].pk}",
                                     initial={"value": r.value, "reason": r.reason} if r else None)
        return render(request, "evaluations/rate.html", {
            "campaign": campaign, "rows": rows,
            "closes_on": local_date(campaign.closes_at) - dt.timedelta(days=1) if campaign else None,
            "history": selectors.rating_list(user).exclude(campaign=campaign).order_by("-campaign__year",
                                                                                     "-campaign__half"),
        })
    return render(request, "evaluations/campaign_list.html", {
        "campaigns": selectors.campaign_list(user), "open_campaign": campaign,
        "can_run": services.can_run_campaigns(user), "open_form": CampaignOpenForm(),
        "schedule": _schedule(),
        "show_open_counts": user.effective_role in (*LEADERS, Role.WORKSTATION_HEAD),
    })


def _schedule() -> list[dict]:
    today = local_date(timezone.now())
    calendar = WorkCalendar()
    out = []
    for year in (today.year, today.year + 1):
        for half in ("H1", "H2"):
            opens = services.scheduled_open_date(year, half, calendar=calendar)
            closes = local_date(services.campaign_closes_at(opens, calendar=calendar)) - dt.timedelta(days=1)
            if closes >= today:
                out.append({"label": f"{year} {Campaign.Half(half).label}", "opens": opens, "closes": closes})
    return out[:2]


@login_required
@require_POST
def campaign_open(request):
    form = CampaignOpenForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return redirect("evaluations:campaign_list")
    try:
        campaign = services.campaign_open(year=form.cleaned_data["year"], half=form.cleaned_data["half"],
                                          actor=request.user)
    except ValidationError as exc:
        for m in _errors(exc):
            messages.error(request, m)
        return redirect("evaluations:campaign_list")
    messages.success(request, _("The campaign %(campaign)s is open: enterprises have been asked to rate their "
                                "stewards.") % {"campaign": campaign})
    return redirect("evaluations:campaign_detail", pk=campaign.pk)


@login_required
@require_POST
def campaign_close(request, pk):
    """Ending a campaign is deliberate: the form on the campaign page shows the participation,
    asks for a reason before the planned close, and must be confirmed."""
    campaign = get_object_or_404(Campaign.objects.visible_to(request.user), pk=pk)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Confirm that you want to end the campaign now: tick the box on its page."))
        return redirect(reverse("evaluations:campaign_detail", args=[campaign.pk]) + "#close")
    try:
        cases = services.campaign_close(campaign=campaign, actor=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        for m in _errors(exc):
            messages.error(request, m)
        return redirect(reverse("evaluations:campaign_detail", args=[campaign.pk]) + "#close")
    messages.success(request, _("The campaign is closed; %(n)s replacement case(s) opened.") % {"n": len(cases)})
    return redirect("evaluations:campaign_detail", pk=campaign.pk)


@login_required
@require_POST
@role_required(*LEADERS)
def campaign_reopen(request, pk):
    campaign = get_object_or_404(Campaign.objects.visible_to(request.user), pk=pk)
    try:
        services.campaign_reopen(campaign=campaign, actor=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        for m in _errors(exc):
            messages.error(request, m)
    else:
        messages.success(request, _("The campaign is open again: the ratings are kept, the replacement cases of "
                                    "the mistaken close are withdrawn and the stewards are back."))
    return redirect("evaluations:campaign_detail", pk=campaign.pk)


@login_required
def campaign_detail(request, pk):
    user = request.user
    campaign = get_object_or_404(Campaign.objects.visible_to(user), pk=pk)
    role = user.effective_role
    ctx = {"campaign": campaign, "can_run": services.can_run_campaigns(user)}
    if ctx["can_run"] and campaign.is_open:
        ctx["close_needs_reason"] = services.campaign_close_needs_reason(campaign)
        ctx["planned_close"] = local_date(campaign.closes_at) - dt.timedelta(days=1)
    if role in LEADERS and not campaign.is_open:
        ctx["reopen_window"] = timezone.now() < campaign.closes_at
        ctx["can_reopen"] = services.campaign_can_reopen(campaign)
        ctx["planned_close"] = local_date(campaign.closes_at) - dt.timedelta(days=1)
    if role in LEADERS or role == Role.WORKSTATION_HEAD:
        results = selectors.campaign_results(user=user, campaign=campaign)
        cases = {c.rating_id: c for c in selectors.case_list(user, campaign)}
        unsatisfied = list(selectors.rating_list(user, campaign).filter(value=Rating.Value.UNSATISFIED)
                           .order_by("enterprise__name"))
        for rating in unsatisfied:
            rating.the_case = cases.get(rating.pk)
        ctx.update(results=results, unsatisfied=unsatisfied,
                   events=event_list_for(campaign) if role in LEADERS else [])
    elif role == Role.ENTERPRISE:
        return redirect("evaluations:campaign_list")
    elif role == Role.STEWARD:
        # Nothing individual while the campaign is open: the queryset holds closed campaigns only.
        ctx["my_ratings"] = list(selectors.rating_list(user, campaign).order_by("enterprise__name"))
    return render(request, "evaluations/campaign_detail.html", ctx)


@role_required(*HEADS_AND_LEADERS)
def campaign_export(request, pk):
    campaign = get_object_or_404(Campaign.objects.visible_to(request.user), pk=pk)
    return campaign_response(user=request.user, campaign=campaign)


@login_required
@require_POST
@role_required(Role.ENTERPRISE)
def rate(request, pk, steward_pk):
    """An enterprise gives or changes its rating of one steward."""
    user = request.user
    campaign = get_object_or_404(Campaign.objects.visible_to(user), pk=pk)
    # Only among the enterprise's own stewards: an error naming any steward by id would tell an
    # enterprise who every steward is.
    steward = selectors.steward_to_rate(user.enterprise, campaign, steward_pk)
    form = RatingForm(request.POST, prefix=f"s{steward_pk}")
    if steward is None:
        messages.error(request, _("That steward is not one of your enterprise's stewards."))
        return redirect("evaluations:campaign_list")
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, f"{steward.name}：{e}")
        return redirect("evaluations:campaign_list")
    existing = Rating.objects.visible_to(user).filter(campaign=campaign, steward=steward).first()
    try:
        if existing is None:
            services.rating_create(campaign=campaign, enterprise=user.enterprise, steward=steward,
                                   value=form.cleaned_data["value"], reason=form.cleaned_data["reason"], actor=user)
            messages.success(request, _("Thank you: your rating of %(name)s is recorded. You may change it until "
                                        "the campaign closes.") % {"name": steward.name})
        else:
            services.rating_change(rating=existing, value=form.cleaned_data["value"],
                                   reason=form.cleaned_data["reason"], actor=user)
            messages.success(request, _("Your rating of %(name)s is changed.") % {"name": steward.name})
    except ValidationError as exc:
        for m in _errors(exc):
            messages.error(request, m)
    return redirect("evaluations:campaign_list")


class RatingListView(UserFilterSetMixin, ExportMixin, RoleRequiredMixin, FilterView):
    """Every rating the user may see (a steward: its own, of closed campaigns only), filtered,
    sorted, paginated and exportable: the rows behind a campaign's results."""

    allowed_roles = (*LEADERS, Role.WORKSTATION_HEAD, Role.STEWARD)
    filterset_class = RatingFilterSet
    template_name = "evaluations/rating_list.html"
    paginate_by = 50
    paginator_class = CappedPaginator
    export_columns = [
        ("评价活动", "campaign"), ("企业", "enterprise.name"), ("工作站", "enterprise.workstation.name"),
        ("服务管家", "steward.name"), ("评价", "get_value_display"), ("原因", "reason"), ("评价时间", "updated_at"),
    ]
    export_filename = "满意度评价明细"

    def get_queryset(self):
        return selectors.rating_list(self.request.user).order_by("-campaign__year", "-campaign__half",
                                                                 "enterprise__name", "pk")


# --- replacement cases ---------------------------------------------------------------------------

@role_required(*LEADERS, Role.WORKSTATION_HEAD, Role.STEWARD, Role.ENTERPRISE)
def case_list(request):
    qs = selectors.case_list(request.user)
    status = request.GET.get("status")
    if status in ReplacementCase.Status.values:
        qs = qs.filter(status=status)
    return render(request, "evaluations/case_list.html", {"cases": qs, "status": status, "now": timezone.now(),
                                                           "statuses": ReplacementCase.Status.choices})


def _case_or_404(user, pk) -> ReplacementCase:
    return get_object_or_404(selectors.case_list(user), pk=pk)


@login_required
def case_detail(request, pk):
    user = request.user
    case = _case_or_404(user, pk)
    ctx = {"case": case, "now": timezone.now(), "events": event_list_for(case)}
    if case.is_pending:
        ctx["interim"] = selectors.interim_assignment(case.enterprise_id)
    if case.is_pending and services.can_name_replacement(user, case):
        ctx["name_form"] = StewardChoiceForm(user=user)
    if case.is_pending and user.effective_role in LEADERS:
        ctx["override_form"] = OverrideForm(user=user)
    if user.effective_role in LEADERS:
        ctx["review_form"] = ReviewForm(initial={"lack_of_effort": {True: "yes", False: "no"}.get(case.lack_of_effort),
                                                 "reason": case.review_reason})
    if user.effective_role == Role.ENTERPRISE:
        # The enterprise sees the outcome, not the leaders' review.
        ctx["events"] = [e for e in ctx["events"] if e.kind in ("case.opened", "case.interim", "case.replaced")]
    return render(request, "evaluations/case_detail.html", ctx)


def _post_case(request, pk, form_class, action, success, **form_kwargs):
    user = request.user
    case = _case_or_404(user, pk)
    form = form_class(request.POST, **form_kwargs)
    if form.is_valid():
        try:
            action(case, form.cleaned_data)
        except ValidationError as exc:
            for m in _errors(exc):
                messages.error(request, m)
        else:
            messages.success(request, success)
    else:
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
    return redirect("evaluations:case_detail", pk=case.pk)


@login_required
@require_POST
def case_name(request, pk):
    return _post_case(
        request, pk, StewardChoiceForm,
        lambda case, data: services.replacement_name(case=case, steward=data["steward"], actor=request.user),
        _("The new steward is named; the enterprise has been told who it is."), user=request.user)


@login_required
@require_POST
@role_required(*LEADERS)
def case_override(request, pk):
    return _post_case(
        request, pk, OverrideForm,
        lambda case, data: services.replacement_allow_back(case=case, steward=data["steward"], reason=data["reason"],
                                                           actor=request.user),
        _("The steward may go back to this enterprise; the workstation head can now name it."), user=request.user)


@login_required
@require_POST
@role_required(*LEADERS)
def case_review(request, pk):
    return _post_case(
        request, pk, ReviewForm,
        lambda case, data: services.case_review(case=case, lack_of_effort=data["lack_of_effort"],
                                                reason=data["reason"], actor=request.user),
        _("The review is recorded."))


# --- appraisal -------------------------------------------------------------------------------------

def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@role_required(*STEWARD_LINE)
def appraisal(request):
    user = request.user
    today = local_date(timezone.now())
    year = _int(request.GET.get("year"), today.year)
    if not 2000 <= year <= 2999:
        raise Http404
    sort = request.GET.get("sort", "workstation")
    try:
        workstation = query_id(request.GET.get("workstation"))
    except ValidationError:  # not a number a workstation can have: nothing found, and why
        messages.error(request, _("No workstation has this number: choose one from the list."))
        workstation, rows = None, []
    else:
        rows = selectors.appraisal_list(user=user, year=year, workstation_id=workstation, today=today, sort=sort)
    groups: dict[str, list] = {}
    for row in rows:
        groups.setdefault(row.workstation, []).append(row)
    return render(request, "evaluations/appraisal.html", {
        "rows": rows, "year": year, "years": list(range(today.year, today.year - 4, -1)), "sort": sort,
        "workstation": workstation, "workstations": selectors.workstations_for(user),
        "zone": selectors.appraisal_summary(rows),
        "by_workstation": [(name, selectors.appraisal_summary(g)) for name, g in sorted(groups.items())],
        "mine": getattr(getattr(user, "steward", None), "pk", None) if user.role == Role.STEWARD else None,
        "sorts": [("name", _("Steward")), ("workstation", _("Workstation")), ("rate", _("Satisfaction")),
                  ("requests", _("Requests")), ("acceptance", _("Accepted on time")),
                  ("visits", _("Monthly visits")), ("escalations", _("Escalations answered on time")),
                  ("replacements", _("Replacements")), ("eligible", _("Eligible"))],
    })


# --- department grades -----------------------------------------------------------------------------

# Clickable column headers of the grade list (?o=name, ?o=-score...): a whitelist; rank by default.
GRADE_SORTS = {
    "rank": lambda r: (r.rank, r.grade.department.name),
    "name": lambda r: r.grade.department.name,
    "score": lambda r: (r.grade.score, r.grade.department.name),
    "overdue": lambda r: (r.grade.overdue, r.grade.department.name),
}


def _sorted_grades(rows, order: str):
    """Sorted by a column; the departments with nothing to assess stay below, by name (except
    when sorting by name or by overdue, which they have too)."""
    key = order.lstrip("-")
    if key not in GRADE_SORTS:
        return rows
    if key in ("name", "overdue"):
        return sorted(rows, key=GRADE_SORTS[key], reverse=order.startswith("-"))
    scored = sorted((r for r in rows if r.grade.assessed), key=GRADE_SORTS[key], reverse=order.startswith("-"))
    return scored + [r for r in rows if not r.grade.assessed]


@role_required(*STAFF, Role.ASSESSMENT)
def grade_list(request):
    user = request.user
    months = selectors.grade_months(user)
    month = parse_month(request.GET.get("month"))
    if month is None and request.GET.get("month"):
        messages.error(request, month_error())  # and the latest month is shown
    month = month or (months[0] if months else None)
    rows = selectors.grade_ranking(user=user, month=month) if month else []
    order = request.GET.get("o", "")
    rows = _sorted_grades(rows, order)
    if wants_export(request) and month:
        return grades_response(rows, month=month)
    return render(request, "evaluations/grade_list.html", {
        "export_url": export_url(request), "order": order,
        "rows": rows, "month": month, "months": months,
        "scored": [r for r in rows if r.grade.assessed],
        "previous": previous_month(month) if month else None,
        "can_recompute": user.is_admin,
    })


@role_required(*STAFF, Role.ASSESSMENT)
def grade_detail(request, pk):
    grade = get_object_or_404(DepartmentMonthlyGrade.objects.with_detail_for(request.user)
                              .select_related("department", "plan"), pk=pk)
    breakdown = assessment_selectors.result_breakdown(grade)
    return render(request, "evaluations/grade_detail.html", {
        "grade": grade, "detail": selectors.grade_detail(grade), "node_total": grade.nodes_counted,
        "breakdown": breakdown, "extras": assessment_selectors.result_extras(grade),
        "has_entered": any(row["key"].startswith("entered:") for row in breakdown["rows"]),
    })


@login_required
@require_POST
def grade_recompute(request):
    if not request.user.is_admin:
        raise PermissionDenied
    month = parse_month(request.POST.get("month"))
    if month is None:
        messages.error(request, _("Choose a month."))
        return redirect("evaluations:grade_list")
    services.department_grades_compute(month=month)
    messages.success(request, _("The grades of %(month)s were computed again.") % {"month": f"{month:%Y-%m}"})
    return redirect(reverse("evaluations:grade_list") + f"?month={month:%Y-%m}")
