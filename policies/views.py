"""Pages of the policies app. Thin: read through selectors, write through one service each; what
the user typed survives an error."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import FormView
from django_filters.views import FilterView

from enterprises.models import IndustryChain, Park
from enterprises.services import imports as import_services
from policies import selectors, services
from policies.conditions import policy_conditions, reasons_text
from policies.filters import PolicyFilterSet, PolicyPushFilterSet
from policies.forms import ApplyForm, DeclineForm, ImportForm, OutcomeForm, PolicyForm, WithdrawForm
from policies.models import PolicyPush
from stewards.services import ALLOWED_ATTACHMENTS
from zonehub.events import event_list_for
from zonehub.exports import ExportMixin
from zonehub.filters import query_id
from zonehub.models import Role
from zonehub.pagination import CappedPaginator
from zonehub.roles import ADMINS, ALL_ROLES, LEADERS, STAFF, STEWARD_LINE
from zonehub.views import RoleRequiredMixin, UserFilterSetMixin, role_required, serve_stored_file

MATCHES_PER_PAGE = 50


def _show_errors(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _fail(request, exc: ValidationError):
    for message in exc.messages:
        messages.error(request, message)


# --- the catalogue ---------------------------------------------------------------------------

POLICY_EXPORT_COLUMNS = [
    ("政策名称", "title"), ("发文机关", "issuer"), ("文号", "document_number"), ("层级", "get_level_display"),
    ("类别", "get_kind_display"), ("状态", "get_status_display"), ("政策摘要", "summary"),
    ("支持方式", "get_benefit_type_display"), ("金额（元）", "benefit_amount"), ("比例（%）", "benefit_rate"),
    ("支持内容", "benefit_note"), ("申报开始", "opens_on"), ("申报截止", "closes_on"), ("申报材料", "materials"),
    ("受理部门", "department.name"),
    ("须全部具备的标签", lambda p: "、".join(t.name for t in p.tags_all.all())),
    ("具备其一的标签", lambda p: "、".join(t.name for t in p.tags_any.all())),
    ("产业链", lambda p: "、".join(i.name for i in p.industries.all())),
    ("园区", lambda p: "、".join(k.name for k in p.parks.all())),
    ("所有制", lambda p: "、".join(str(dict(_ownership_choices()).get(o, o)) for o in p.ownerships or [])),
    ("规上企业", lambda p: {True: "是", False: "否"}.get(p.above_designated_size, "")),
    ("在区年限不少于（年）", "min_years_in_zone"), ("营业收入不低于（万元）", "min_revenue"),
    ("营业收入不高于（万元）", "max_revenue"), ("工业产值不低于（万元）", "min_output"),
    ("纳税不低于（万元）", "min_tax"), ("从业人数不少于", "min_employees"), ("从业人数不多于", "max_employees"),
]


def _ownership_choices():
    from enterprises.models import Enterprise

    return Enterprise.Ownership.choices


class PolicyListView(UserFilterSetMixin, ExportMixin, RoleRequiredMixin, FilterView):
    """The catalogue: enterprises read the published policies, the staff all but the drafts,
    leaders and administrators everything. ``?format=xlsx`` exports it (conditions included)."""

    allowed_roles = ALL_ROLES
    filterset_class = PolicyFilterSet
    template_name = "policies/policy_list.html"
    paginate_by = 50
    paginator_class = CappedPaginator
    export_columns = POLICY_EXPORT_COLUMNS
    export_filename = "政策目录"

    def get_queryset(self):
        return selectors.policy_list(self.request.user).order_by("-created_at", "-id")

    def get_export_queryset(self):
        return super().get_export_queryset().prefetch_related(*selectors.CONDITION_PREFETCH)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_edit"] = services.can_edit_policies(self.request.user)
        ctx["can_import"] = import_services.can_import(self.request.user)
        ctx["today"] = selectors.today()
        return ctx


@role_required(*ALL_ROLES)
def policy_detail(request, pk):
    user = request.user
    policy = selectors.policy_get(user, pk)
    conditions = policy_conditions(policy)
    ctx = {"policy": policy, "conditions": conditions, "can_edit": services.can_edit_policies(user),
           "today": selectors.today(), "is_open": policy.is_open_on(selectors.today())}
    if user.effective_role == Role.ENTERPRISE:
        push = PolicyPush.objects.visible_to(user).filter(policy=policy).select_related("request").first()
        if push is not None:
            services.push_mark_viewed(push=push, actor=user)
            ctx.update(push=push, reasons=reasons_text(push.reasons), can_apply=services.push_can(user, push, "apply"),
                       can_decline=services.push_can(user, push, "decline"),
                       apply_form=ApplyForm(), decline_form=DeclineForm())
    else:
        ctx["withdraw_form"] = WithdrawForm()
        ctx["sees_matches"] = user.effective_role in STEWARD_LINE
        if user.effective_role in LEADERS:
            ctx["events"] = event_list_for(policy)
    return render(request, "policies/policy_detail.html", ctx)


@role_required(*ALL_ROLES)
def policy_full_text(request, pk):
    policy = selectors.policy_get(request.user, pk)
    if not policy.full_text:
        raise Http404
    ext = "." + policy.full_text_name.rsplit(".", 1)[-1].lower() if "." in policy.full_text_name else ""
    content_type = ALLOWED_ATTACHMENTS.get(ext, ("application/octet-stream",))[0]
    return serve_stored_file(policy.full_text, content_type=content_type, filename=policy.full_text_name)


class PolicyCreateView(RoleRequiredMixin, FormView):
    allowed_roles = LEADERS
    form_class = PolicyForm
    template_name = "policies/policy_form.html"
    extra_context = {"title": _("New policy")}

    def form_valid(self, form):
        try:
            policy = services.policy_create(actor=self.request.user, **form.service_kwargs())
        except ValidationError as exc:
            _show_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The policy is saved as a draft: read it through, then publish it."))
        return redirect(policy)


class PolicyEditView(RoleRequiredMixin, FormView):
    allowed_roles = LEADERS
    form_class = PolicyForm
    template_name = "policies/policy_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.policy = selectors.policy_get(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.policy}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": self.policy.title, "back": self.policy}

    def form_valid(self, form):
        try:
            services.policy_update(policy=self.policy, actor=self.request.user, **form.service_kwargs())
        except ValidationError as exc:
            _show_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The policy was saved."))
        return redirect(self.policy)


@login_required
@require_POST
@role_required(*LEADERS)
def policy_publish(request, pk):
    policy = selectors.policy_get(request.user, pk)
    try:
        pushed = services.policy_publish(policy=policy, actor=request.user)
    except ValidationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("Published: pushed to %(n)d enterprises that qualify, and their stewards.")
                         % {"n": pushed})
    return redirect(policy)


@login_required
@require_POST
@role_required(*LEADERS)
def policy_withdraw(request, pk):
    policy = selectors.policy_get(request.user, pk)
    _with_reason(request, WithdrawForm, lambda reason: services.policy_withdraw(
        policy=policy, actor=request.user, reason=reason),
        _("The policy is withdrawn; the enterprises that had applied are told."))
    return redirect(policy)


def _with_reason(request, form_class, perform, success: str) -> None:
    """A POST that carries a reason (``form_class``): ``perform(reason)`` (a service), then the
    success message, or the reason's or the service's error in the user's language."""
    form = form_class(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["reason"])
        perform(form.cleaned_data["reason"])
    except ValidationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, success)


# --- who qualifies ---------------------------------------------------------------------------

@role_required(*STEWARD_LINE)
def policy_matches(request, pk):
    """The enterprises that qualify (with why), or with ``?near=1`` those that miss exactly one
    condition, named: the steward's leads. ``industry`` and ``park`` narrow the list (the figures
    link here)."""
    user = request.user
    policy = selectors.policy_get(user, pk)
    near = request.GET.get("near") == "1"
    try:
        industry, park = query_id(request.GET.get("industry")), query_id(request.GET.get("park"))
    except ValidationError:
        industry = park = None
    rows, conditions = selectors.policy_match_list(user, policy, near=near)
    if industry:
        rows = rows.filter(industry_id=industry)
    if park:
        rows = rows.filter(park_id=park)
    paginator = CappedPaginator(rows.order_by("name", "pk"), MATCHES_PER_PAGE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except (EmptyPage, PageNotAnInteger):
        page = paginator.page(1)
    page_rows = selectors.with_pushes(selectors.explain(list(page.object_list), conditions), policy)
    stewards = selectors.enterprise_stewards(r.pk for r in page_rows)
    for row in page_rows:
        row.steward_user = stewards.get(row.pk)
    return render(request, "policies/policy_matches.html", {
        "policy": policy, "conditions": conditions, "near": near, "rows": page_rows, "page_obj": page,
        "paginator": paginator, "is_paginated": paginator.num_pages > 1,
        "industry": IndustryChain.objects.filter(pk=industry).first() if industry else None,
        "park": Park.objects.filter(pk=park).first() if park else None,
    })


# --- pushes ----------------------------------------------------------------------------------

PUSH_EXPORT_COLUMNS = [
    ("政策", "policy.title"), ("企业", "enterprise.name"), ("产业链", "enterprise.industry.name"),
    ("园区", "enterprise.park.name"), ("状态", "get_status_display"), ("推送时间", "created_at"),
    ("查看时间", "viewed_at"), ("申请时间", "applied_at"), ("诉求编号", "request_id"),
    ("兑现金额（元）", "approved_amount"), ("兑现日期", "approved_on"), ("未获批原因", "refuse_reason"),
    ("不需要的原因", "decline_reason"),
]


class PushListView(UserFilterSetMixin, ExportMixin, RoleRequiredMixin, FilterView):
    """Every push the user may see: the list behind each figure (``state``)."""

    allowed_roles = STAFF
    filterset_class = PolicyPushFilterSet
    template_name = "policies/push_list.html"
    paginate_by = 50
    paginator_class = CappedPaginator
    export_columns = PUSH_EXPORT_COLUMNS
    export_filename = "政策推送"

    def get_queryset(self):
        return selectors.push_list(self.request.user).order_by("-created_at", "-id")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        for push in ctx["object_list"]:
            push.can_outcome = services.push_can(user, push, "outcome")
        return ctx


@role_required(Role.ENTERPRISE)
def my_policies(request):
    """政策匹配: the enterprise's policies, open first and closing soonest, with why it qualifies;
    those it marked not needed are kept apart."""
    user = request.user
    pushes = list(selectors.enterprise_push_list(user))
    for push in pushes:
        push.reason_lines = reasons_text(push.reasons)
        push.can_apply = services.push_can(user, push, "apply")
        push.can_decline = services.push_can(user, push, "decline")
    return render(request, "policies/my_policies.html", {
        "pushes": [p for p in pushes if p.status != PolicyPush.Status.DECLINED],
        "declined": [p for p in pushes if p.status == PolicyPush.Status.DECLINED],
        "today": selectors.today(), "apply_form": ApplyForm(), "decline_form": DeclineForm(),
    })


@login_required
@require_POST
@role_required(Role.ENTERPRISE)
def push_apply(request, pk):
    push = selectors.push_get(request.user, pk)
    form = ApplyForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors.get("note") or _("Check the note."))
        push = services.push_apply(push=push, actor=request.user, note=form.cleaned_data["note"])
    except ValidationError as exc:
        _fail(request, exc)
        return redirect("policies:detail", pk=push.policy_id)
    messages.success(request, _("Your application is a service request now: your steward has it and will help "
                                "you with the materials."))
    return redirect("stewards:request_detail", pk=push.request_id)


@login_required
@require_POST
@role_required(Role.ENTERPRISE)
def push_decline(request, pk):
    push = selectors.push_get(request.user, pk)
    _with_reason(request, DeclineForm, lambda reason: services.push_decline(push=push, actor=request.user, reason=reason),
                 _("Hidden: the policy is kept under “not needed” below."))
    return redirect("policies:mine")


@role_required(*LEADERS, Role.DEPARTMENT)
def push_outcome(request, pk):
    """Record what came of an application: redeemed (amount and day) or refused (why)."""
    push = selectors.push_get(request.user, pk)
    if not services.can_record_outcome(request.user, push.policy):
        raise PermissionDenied(_("Only leaders and the department handling the policy record outcomes."))
    form = OutcomeForm(request.POST or None, initial={
        "outcome": "redeemed", "approved_on": selectors.today(), "amount": push.approved_amount or ""})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.push_record_outcome(push=push, actor=request.user, approved=data["outcome"] == "redeemed",
                                         amount=data["amount"], approved_on=data["approved_on"], reason=data["reason"])
        except ValidationError as exc:
            _show_errors(form, exc)
        else:
            messages.success(request, _("The outcome is recorded; the enterprise and its steward are told."))
            return redirect(reverse("policies:push_list") + f"?policy={push.policy_id}")
    return render(request, "policies/push_outcome.html", {
        "push": push, "form": form, "reasons": reasons_text(push.reasons),
        "allowed": services.push_can(request.user, push, "outcome")})


# --- figures ---------------------------------------------------------------------------------

@role_required(*STEWARD_LINE)
def policy_figures(request):
    """Qualifying, pushed, viewed, applied, redeemed (count and amount) and reach, by policy, by
    chain and by park; each figure links to its list."""
    try:
        industry, park = query_id(request.GET.get("industry")), query_id(request.GET.get("park"))
    except ValidationError:
        industry = park = None
    figures = selectors.policy_figures(request.user, industry=industry, park=park)
    return render(request, "policies/figures.html", {
        **figures, "industry": IndustryChain.objects.filter(pk=industry).first() if industry else None,
        "park": Park.objects.filter(pk=park).first() if park else None})


# --- Excel import ----------------------------------------------------------------------------

class PolicyImportView(RoleRequiredMixin, FormView):
    """Upload the policy office's sheet; the check, preview and confirmation are the import
    machinery's pages (enterprises), as for every sheet."""

    allowed_roles = ADMINS
    form_class = ImportForm
    template_name = "policies/import.html"

    def form_valid(self, form):
        try:
            batch = import_services.import_upload(actor=self.request.user, kind="policies",
                                                  file=form.cleaned_data["file"])
        except ValidationError as exc:
            form.add_error("file", exc)
            return self.form_invalid(form)
        return redirect("enterprises:import_detail", pk=batch.pk)

