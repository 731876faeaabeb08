"""Matchmaking: the suggestions, the cases (list, opening, the case page with its timeline and
obstacles, its stages) and signing its three-party contract."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_filters.views import FilterView

from enterprises.models import IndustryChain
from stewards.models import ServiceRequest, served_enterprise_ids, workstation_enterprise_ids
from supply import selectors, services
from supply.filters import MatchCaseFilterSet
from supply.forms import CaseOpenForm, ContractForm, ObstacleForm, ObstacleLinkForm, StageForm
from supply.models import ChainLink, SupplyNeed, SupplyOffer
from supply.views._common import CASE_OPENERS, OPERATIONS, STEWARD_SIDE, SUPPLY_ALL, SUPPLY_STAFF, fail, show_errors
from zonehub.exports import ExportMixin
from zonehub.filters import query_id
from zonehub.models import Role
from zonehub.pagination import CappedPaginator
from zonehub.views import RoleRequiredMixin, UserFilterSetMixin, role_required

NEEDS_PER_PAGE = 20
ZONE_VIEW = (Role.OPERATIONS, Role.LEADER, Role.ADMIN)


# --- suggestions ----------------------------------------------------------------------------------

@role_required(*SUPPLY_STAFF)
def suggestions(request):
    """For each need, the zone's suppliers of the same product or link, ranked by capacity against
    volume. The operations centre sees every need bought outside the zone; a steward its
    enterprises' needs, and the needs its enterprises could supply."""
    user = request.user
    role = user.effective_role
    sees_zone = role in ZONE_VIEW
    served = None
    if role == Role.STEWARD:
        served = served_enterprise_ids(user)
    elif role == Role.WORKSTATION_HEAD:
        served = workstation_enterprise_ids(user)
    try:
        chain, link = query_id(request.GET.get("chain")), query_id(request.GET.get("link"))
    except ValidationError:
        chain = link = None
    needs = selectors.suggestion_needs(user, sees_zone=sees_zone, served_ids=served, chain=chain, link=link)
    paginator = CappedPaginator(needs, NEEDS_PER_PAGE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except (EmptyPage, PageNotAnInteger):
        page = paginator.page(1)
    rows = selectors.needs_loaded([pk for pk, _volume in page.object_list])
    served_set = set(served or ())
    open_cases = selectors.open_cases_for(rows)
    for need in rows:
        only = None if sees_zone or need.enterprise_id in served_set else served
        need.suggestions = selectors.need_suggestions(need, only_enterprises=only)
        for offer in need.suggestions:
            offer.case_id = open_cases.get((need.pk, offer.pk))
    return render(request, "supply/suggestions.html", {
        "needs": rows, "page_obj": page, "paginator": paginator, "is_paginated": paginator.num_pages > 1,
        "can_open": role in CASE_OPENERS, "is_operations": services.is_operations(user),
        "sees_prices": sees_zone, "chains": IndustryChain.objects.all(),
        "chain": IndustryChain.objects.filter(pk=chain).first() if chain else None,
        "link": ChainLink.objects.filter(pk=link).first() if link else None,
    })


# --- cases ----------------------------------------------------------------------------------------

CASE_EXPORT_COLUMNS = [
    ("编号", "pk"), ("产业链", "chain.name"), ("环节", "link.name"), ("产品", "product.name"), ("买方", "buyer.name"),
    ("供方", "supplier.name"), ("阶段", "get_stage_display"), ("经办人", "broker.display_name"),
    ("开案时间", "opened_at"), ("结案时间", "closed_at"), ("未成功原因", "failure_reason"),
    ("合同编号", lambda c: getattr(getattr(c, "contract", None), "number", "")),
]


class CaseListView(UserFilterSetMixin, ExportMixin, RoleRequiredMixin, FilterView):
    """The cases the user may see, by stage: the list behind the figures' stage counts."""

    allowed_roles = SUPPLY_STAFF
    filterset_class = MatchCaseFilterSet
    template_name = "supply/case_list.html"
    paginate_by = 50
    paginator_class = CappedPaginator
    export_columns = CASE_EXPORT_COLUMNS
    export_filename = "撮合事项"

    def get_queryset(self):
        return selectors.case_list(self.request.user).order_by("-opened_at", "-id")


@role_required(*CASE_OPENERS)
def case_open(request):
    """Open a case from a suggestion (the operations centre, as its broker), or suggest one (a
    steward of either side: the centre is told and takes it)."""
    data = request.POST if request.method == "POST" else request.GET
    try:
        need_id, offer_id = query_id(data.get("need")), query_id(data.get("offer"))
    except ValidationError:
        need_id = offer_id = None
    if not (need_id and offer_id):
        messages.info(request, _("Open a case from the suggestions: choose a supplier for a need."))
        return redirect("supply:suggestions")
    need = get_object_or_404(SupplyNeed.objects.select_related("enterprise", "product", "link"), pk=need_id)
    offer = get_object_or_404(SupplyOffer.objects.select_related("enterprise", "product", "link"), pk=offer_id)
    if not (services.is_operations(request.user) or services.serves(request.user, need.enterprise)
            or services.serves(request.user, offer.enterprise)):
        raise Http404  # a steward reads the needs and offers of its own enterprises' matches only
    form = CaseOpenForm(request.POST or None, initial={"need": need.pk, "offer": offer.pk})
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_open(actor=request.user, need=need, offer=offer, note=form.cleaned_data["note"])
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("The case is open: move it on as talks go.") if services.is_operations(request.user)
                             else _("Suggested: the operations centre is told and takes it from here."))
            return redirect(case)
    return render(request, "supply/case_open.html", {
        "form": form, "need": need, "offer": offer, "is_operations": services.is_operations(request.user),
        "sees_prices": services.is_operations(request.user) or request.user.effective_role == Role.LEADER})


def _case_page(request, case, *, stage_form=None, link_form=None, status=200):
    user = request.user
    obstacles = selectors.case_obstacles(user, case)
    contract = getattr(case, "contract", None)
    can = {action: services.case_can(user, case, action) for action in services.CASE_ACTIONS}
    return render(request, "supply/case_detail.html", {
        "case": case, "contract": contract, "obstacles": obstacles,
        "events": selectors.case_timeline(user, case, obstacles), "can": can,
        "stage_form": stage_form or StageForm(), "link_form": link_form or ObstacleLinkForm(),
        "is_enterprise": user.effective_role == Role.ENTERPRISE,
        "sees_prices": user.effective_role != Role.ENTERPRISE,
        "links_requests": user.effective_role in (Role.ENTERPRISE, Role.STEWARD, Role.WORKSTATION_HEAD, Role.LEADER,
                                                  Role.ADMIN),
    }, status=status)


@role_required(*SUPPLY_ALL)
def case_detail(request, pk):
    """The case: who, what, its stage and what may be done next, its obstacles with the
    departments' answers, its contract, and every step on its timeline."""
    return _case_page(request, selectors.case_get(request.user, pk))


@login_required
@require_POST
@role_required(*OPERATIONS)
def case_stage(request, pk):
    """Take the case, begin talks, mark it done, or record that it failed (with why)."""
    case = selectors.case_get(request.user, pk)
    form = StageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid option."))
        return redirect(case)
    action, note = form.cleaned_data["action"], form.cleaned_data["note"]
    try:
        if action == "take":
            services.case_take(case=case, actor=request.user)
        elif action == "fail":
            services.case_fail(case=case, actor=request.user, reason=note)
        else:
            services.case_advance(case=case, actor=request.user, action=action, note=note)
    except ValidationError as exc:
        fail(request, exc)  # the note typed stays in the form
        return _case_page(request, selectors.case_get(request.user, pk), stage_form=form)
    messages.success(request, _("The case is %(stage)s.") % {"stage": selectors.case_get(request.user, pk).get_stage_display()}
                     if action != "take" else _("You run this case now."))
    return redirect(case)


@role_required(*STEWARD_SIDE)
def obstacle_raise(request, pk):
    """The steward of the buyer or of the supplier raises what is in the way as a service request
    of its enterprise, escalated at once to the departments that must act (3 working days)."""
    case = selectors.case_get(request.user, pk)
    user = request.user
    parties = [p for p, enterprise in (("buyer", case.buyer), ("supplier", case.supplier))
               if services.serves(user, enterprise)]
    if not parties or not case.is_open:
        raise Http404
    form = ObstacleForm(request.POST or None, parties=parties)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.obstacle_raise(case=case, actor=user, party=data["party"], category=data["category"],
                                    title=data["title"], description=data["description"],
                                    departments=list(data["departments"]), reason=data["reason"])
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("The obstacle is a service request now, on the case's timeline."))
            return redirect(case)
    return render(request, "supply/obstacle_form.html", {"form": form, "case": case})


@login_required
@require_POST
@role_required(*OPERATIONS)
def obstacle_link(request, pk):
    """Link a request the buyer or the supplier already raised to the case, as an obstacle."""
    case = selectors.case_get(request.user, pk)
    form = ObstacleLinkForm(request.POST)
    if form.is_valid():
        request_obj = ServiceRequest.objects.filter(pk=form.cleaned_data["request"]).select_related("enterprise").first()
        try:
            if request_obj is None:
                raise ValidationError({"request": _("No request has this number.")})
            services.obstacle_link(case=case, actor=request.user, request=request_obj)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("The request is linked to the case."))
            return redirect(case)
    return _case_page(request, case, link_form=form)


@role_required(*OPERATIONS)
def contract_sign(request, pk):
    """The three-party contract: quantity, the supplier's unit price, the company's fee per unit,
    the term. Signing moves the case to "contract signed"."""
    case = selectors.case_get(request.user, pk)
    if getattr(case, "contract", None) is not None:
        return redirect(case.contract)
    day = selectors.today()
    suggested = min(case.need.yearly_volume, case.offer.yearly_capacity)
    form = ContractForm(request.POST or None, initial={
        "quantity": f"{suggested:f}", "unit_price": f"{case.offer.unit_price:f}" if case.offer.unit_price else "",
        "signed_on": day, "starts_on": day, "ends_on": day.replace(year=day.year + 1) if not (day.month == 2 and day.day == 29)
        else day.replace(year=day.year + 1, day=28)})
    if request.method == "POST" and form.is_valid():
        try:
            contract = services.contract_sign(case=case, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("Contract %(number)s is signed: record the deliveries and payments as they come.")
                             % {"number": contract.number})
            return redirect(contract)
    return render(request, "supply/contract_form.html", {
        "form": form, "case": case, "allowed": services.case_can(request.user, case, "sign")})
