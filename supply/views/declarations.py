"""What enterprises sell and buy: the lists (filtered, exported), an enterprise's supply page with
its offers, needs, cases and contracts, and the forms to declare, change and withdraw a line."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_filters.views import FilterView

from supply import selectors, services
from supply.filters import SupplyNeedFilterSet, SupplyOfferFilterSet
from supply.forms import NeedForm, OfferForm
from supply.models import SupplyContract
from supply.views._common import DECLARERS, SUPPLY_ALL, SUPPLY_STAFF, fail, show_errors
from zonehub.exports import ExportMixin
from zonehub.models import Role
from zonehub.pagination import CappedPaginator
from zonehub.views import RoleRequiredMixin, UserFilterSetMixin, role_required

# The headers of the import sheet (supply.imports): an exported list can be edited and imported again.
COMMON_COLUMNS = [
    ("企业", "enterprise.name"), ("统一社会信用代码", "enterprise.credit_code"), ("产业链", "link.chain.name"),
    ("环节", "link.name"), ("产品", "product.name"),
]


class _DeclarationListView(UserFilterSetMixin, ExportMixin, RoleRequiredMixin, FilterView):
    allowed_roles = SUPPLY_STAFF
    paginate_by = 50
    paginator_class = CappedPaginator
    kind = ""

    def get_queryset(self):
        lister = selectors.offer_list if self.kind == services.OFFER else selectors.need_list
        return lister(self.request.user).order_by("-created_at", "-id")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["kind"] = self.kind
        return ctx


class OfferListView(_DeclarationListView):
    """Every offer the user may see: the zone's supply, by chain and link."""

    filterset_class = SupplyOfferFilterSet
    template_name = "supply/offer_list.html"
    kind = services.OFFER
    export_filename = "供应清单"
    export_columns = [("类型", lambda o: "供应"), *COMMON_COLUMNS, ("年量", "yearly_capacity"), ("单位", "link.unit"),
                      ("当前来源", lambda o: ""), ("单价（元）", "unit_price"), ("备注", "note"),
                      ("状态", lambda o: "有效" if o.is_active else "已撤回"), ("申报时间", "created_at")]


class NeedListView(_DeclarationListView):
    """Every need the user may see: the zone's demand, and where it is bought now."""

    filterset_class = SupplyNeedFilterSet
    template_name = "supply/need_list.html"
    kind = services.NEED
    export_filename = "需求清单"
    export_columns = [("类型", lambda o: "需求"), *COMMON_COLUMNS, ("年量", "yearly_volume"), ("单位", "link.unit"),
                      ("当前来源", "get_current_source_display"), ("单价（元）", "unit_price"), ("备注", "note"),
                      ("状态", lambda o: "有效" if o.is_active else "已撤回"), ("申报时间", "created_at")]


def _enterprise_page(request, enterprise):
    user = request.user
    offers, needs = selectors.enterprise_declarations(enterprise)
    parties = Q(buyer=enterprise) | Q(supplier=enterprise)
    cases = list(selectors.case_list(user).filter(parties).order_by("-opened_at")[:20])
    contracts = list(SupplyContract.objects.visible_to(user).filter(parties)
                     .select_related("buyer", "supplier", "product", "case").order_by("-signed_on")[:20])
    return render(request, "supply/enterprise.html", {
        "enterprise": enterprise, "offers": offers, "needs": needs, "cases": cases, "contracts": contracts,
        "can_edit": services.can_edit_declarations(user, enterprise),
        "sees_prices": services.sees_price_of(user, enterprise.pk),
        "sees_suggestions": user.effective_role != Role.ENTERPRISE,
        "is_own": user.effective_role == Role.ENTERPRISE,
    })


@role_required(*SUPPLY_ALL)
def enterprise_page(request, pk):
    """An enterprise's supply page: what it sells and buys (editable by it, its steward and the
    operations centre), its cases and its contracts."""
    return _enterprise_page(request, selectors.supply_enterprise_get(request.user, pk))


@role_required(Role.ENTERPRISE)
def mine(request):
    """The enterprise's own supply page (供需对接)."""
    return _enterprise_page(request, selectors.supply_enterprise_get(request.user, request.user.enterprise_id))


def _create(request, pk, kind):
    enterprise = selectors.supply_enterprise_get(request.user, pk)
    if not services.can_edit_declarations(request.user, enterprise):
        raise PermissionDenied(_("Only the enterprise, its steward and the operations centre declare what it sells and "
                                 "buys."))
    form_class = OfferForm if kind == services.OFFER else NeedForm
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if kind == services.OFFER:
                services.offer_declare(actor=request.user, enterprise=enterprise, **data)
            else:
                services.need_declare(actor=request.user, enterprise=enterprise, **data)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("Saved: the operations centre and the stewards see it in the suggestions."))
            return redirect(_back(request, enterprise))
    title = (_("%(enterprise)s sells") if kind == services.OFFER else _("%(enterprise)s buys")) % {
        "enterprise": enterprise.name}
    return render(request, "supply/form_page.html", {
        "form": form, "title": title, "back": _back(request, enterprise), "testid": f"{kind}-form",
        "help": _("A product of the chain map, its yearly quantity in the link's unit, and, if you wish, the price: "
                  "no other enterprise ever sees it.")})


def _back(request, enterprise) -> str:
    if request.user.effective_role == Role.ENTERPRISE:
        return reverse("supply:mine")
    return reverse("supply:enterprise", args=[enterprise.pk])


@role_required(*DECLARERS)
def offer_create(request, pk):
    return _create(request, pk, services.OFFER)


@role_required(*DECLARERS)
def need_create(request, pk):
    return _create(request, pk, services.NEED)


def _edit(request, row, kind):
    if not services.can_edit_declarations(request.user, row.enterprise):
        raise PermissionDenied(_("Only the enterprise, its steward and the operations centre declare what it sells and "
                                 "buys."))
    amount = "yearly_capacity" if kind == services.OFFER else "yearly_volume"
    initial = {"product": row.product, amount: f"{getattr(row, amount):f}", "note": row.note,
               "unit_price": f"{row.unit_price:f}" if row.unit_price is not None else ""}
    if kind == services.NEED:
        initial["current_source"] = row.current_source
    form_class = OfferForm if kind == services.OFFER else NeedForm
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if kind == services.OFFER:
                services.offer_update(offer=row, actor=request.user, **form.cleaned_data)
            else:
                services.need_update(need=row, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(_back(request, row.enterprise))
    return render(request, "supply/form_page.html", {
        "form": form, "title": f"{row.enterprise.name} · {row.product.name}", "back": _back(request, row.enterprise),
        "help": _("Change the quantity, the price or the note; withdraw the line when it no longer holds."),
        "testid": f"{kind}-form"})


@role_required(*DECLARERS)
def offer_edit(request, pk):
    return _edit(request, selectors.offer_get(request.user, pk), services.OFFER)


@role_required(*DECLARERS)
def need_edit(request, pk):
    return _edit(request, selectors.need_get(request.user, pk), services.NEED)


def _withdraw(request, row, kind):
    try:
        if kind == services.OFFER:
            services.offer_withdraw(offer=row, actor=request.user)
        else:
            services.need_withdraw(need=row, actor=request.user)
    except ValidationError as exc:
        fail(request, exc)
    else:
        messages.success(request, _("Withdrawn: it no longer counts on the chain map."))
    return redirect(_back(request, row.enterprise))


@login_required
@require_POST
@role_required(*DECLARERS)
def offer_withdraw(request, pk):
    return _withdraw(request, selectors.offer_get(request.user, pk), services.OFFER)


@login_required
@require_POST
@role_required(*DECLARERS)
def need_withdraw(request, pk):
    return _withdraw(request, selectors.need_get(request.user, pk), services.NEED)

