"""Three-party contracts: the list, a contract's page (deliveries, payments, who owes whom, the
fee and the savings), recording deliveries and payments, a side's saving; and the deliveries, the
rows behind fee income and volumes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import DecimalField, ExpressionWrapper, F, Sum
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_filters.views import FilterView

from supply import selectors, services
from supply.filters import DeliveryFilterSet, SupplyContractFilterSet
from supply.forms import DeliveryForm, PaymentForm, SavingForm
from supply.views._common import OPERATIONS, SUPPLY_ALL, SUPPLY_STAFF, fail, show_errors
from zonehub.exports import ExportMixin
from zonehub.models import Role
from zonehub.pagination import CappedPaginator
from zonehub.views import RoleRequiredMixin, UserFilterSetMixin, role_required

BASE_COLUMNS = [
    ("合同编号", "number"), ("产业链", "chain.name"), ("产品", "product.name"), ("买方", "buyer.name"),
    ("供方", "supplier.name"), ("运营公司", "operator"), ("签订日期", "signed_on"), ("起始日期", "starts_on"),
    ("终止日期", "ends_on"), ("合同数量", "quantity"), ("单位", "unit"), ("已交付", "delivered"),
    ("阶段", "case.get_stage_display"),
]
# What the operations centre and the zone's staff export; an enterprise gets its own side only.
STAFF_COLUMNS = [
    ("供方单价（元）", "unit_price"), ("运营服务费（元/单位）", "fee_rate"), ("买方单价（元）", "buyer_price"),
    ("买方已付（元）", "paid_by_buyer"), ("已付供方（元）", "paid_to_supplier"), ("买方欠款（元）", "buyer_balance"),
    ("应付供方（元）", "supplier_balance"), ("服务费收入（元）", "fee_income"), ("累计节约（元）", "saving_to_date"),
    ("经办人", "broker.display_name"),
]


def enterprise_side(user, contract) -> str | None:
    """"buyer" or "supplier" for a user of one of the contract's enterprises; None for the staff."""
    if user.effective_role != Role.ENTERPRISE:
        return None
    return services.BUYER if user.enterprise_id == contract.buyer_id else services.SUPPLIER


class ContractListView(UserFilterSetMixin, ExportMixin, RoleRequiredMixin, FilterView):
    allowed_roles = SUPPLY_STAFF
    filterset_class = SupplyContractFilterSet
    template_name = "supply/contract_list.html"
    paginate_by = 50
    paginator_class = CappedPaginator
    export_filename = "三方购销合同"

    def get_queryset(self):
        return selectors.contract_list(self.request.user).order_by("-signed_on", "-id")

    def get_export_columns(self):
        user = self.request.user
        if user.effective_role != Role.ENTERPRISE:
            return BASE_COLUMNS + STAFF_COLUMNS
        own = user.enterprise_id
        return BASE_COLUMNS + [
            ("我方单价（元）", lambda c: c.buyer_price if c.buyer_id == own else c.unit_price),
            ("我方已付/已收（元）", lambda c: c.paid_by_buyer if c.buyer_id == own else c.paid_to_supplier),
            ("我方余额（元）", lambda c: c.buyer_balance if c.buyer_id == own else c.supplier_balance),
        ]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        for contract in ctx["object_list"]:
            contract.side = enterprise_side(user, contract)
        ctx["is_enterprise"] = user.effective_role == Role.ENTERPRISE
        return ctx


def _contract_page(request, contract, *, delivery_form=None, payment_form=None, saving_form=None):
    user = request.user
    case = contract.case
    side = enterprise_side(user, contract)
    day = selectors.today()
    return render(request, "supply/contract_detail.html", {
        "contract": contract, "case": case, "side": side,
        "deliveries": list(contract.deliveries.select_related("recorded_by").order_by("-delivered_on", "-id")),
        "payments": list(selectors.payment_list(user).filter(contract=contract).select_related("recorded_by")
                         .order_by("-paid_on", "-id")),
        "can_deliver": services.case_can(user, case, "deliver"), "can_pay": services.case_can(user, case, "pay"),
        "can_report_saving": services.case_can(user, case, "report_saving"),
        "delivery_form": delivery_form or DeliveryForm(initial={"delivered_on": day}, prefix="delivery"),
        "payment_form": payment_form or PaymentForm(initial={"paid_on": day}, prefix="payment"),
        "saving_form": saving_form or SavingForm(prefix="saving"),
    })


@role_required(*SUPPLY_ALL)
def contract_detail(request, pk):
    """The contract: the arithmetic (README), deliveries and payments, who owes whom. An enterprise
    sees its own side: its price, its payments, its balance, its saving."""
    return _contract_page(request, selectors.contract_get(request.user, pk))


@login_required
@require_POST
@role_required(*OPERATIONS)
def delivery_record(request, pk):
    contract = selectors.contract_get(request.user, pk)
    form = DeliveryForm(request.POST, prefix="delivery")
    if form.is_valid():
        try:
            services.delivery_record(contract=contract, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("The delivery is recorded; the buyer and the supplier are told."))
            return redirect(contract)
    return _contract_page(request, selectors.contract_get(request.user, pk), delivery_form=form)


@login_required
@require_POST
@role_required(*OPERATIONS)
def payment_record(request, pk):
    contract = selectors.contract_get(request.user, pk)
    form = PaymentForm(request.POST, prefix="payment")
    if form.is_valid():
        try:
            services.payment_record(contract=contract, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("The payment is recorded."))
            return redirect(contract)
    return _contract_page(request, selectors.contract_get(request.user, pk), payment_form=form)


@login_required
@require_POST
@role_required(Role.ENTERPRISE, *OPERATIONS)
def saving_report(request, pk):
    """A side's saving per unit against its old terms: the enterprise reports its own; the
    operations centre may enter either side's."""
    contract = selectors.contract_get(request.user, pk)
    form = SavingForm(request.POST, prefix="saving")
    side = enterprise_side(request.user, contract)
    if form.is_valid():
        try:
            services.saving_report(contract=contract, actor=request.user, side=side or form.cleaned_data["side"],
                                   amount=form.cleaned_data["amount"])
        except ValidationError as exc:
            show_errors(form, exc)
            fail(request, exc)
        else:
            messages.success(request, _("The saving is recorded."))
            return redirect(contract)
    return _contract_page(request, selectors.contract_get(request.user, pk), saving_form=form)


DELIVERY_EXPORT_COLUMNS = [
    ("交付日期", "delivered_on"), ("合同编号", "contract.number"), ("产业链", "contract.chain.name"),
    ("产品", "contract.product.name"), ("买方", "contract.buyer.name"), ("供方", "contract.supplier.name"),
    ("数量", "quantity"), ("单位", "contract.unit"), ("批次", "batch"), ("备注", "note"),
]


class DeliveryListView(UserFilterSetMixin, ExportMixin, RoleRequiredMixin, FilterView):
    """The deliveries: the rows behind the fee income, the volumes and the local supply ratio."""

    allowed_roles = SUPPLY_STAFF
    filterset_class = DeliveryFilterSet
    template_name = "supply/delivery_list.html"
    paginate_by = 50
    paginator_class = CappedPaginator
    export_filename = "交付记录"

    def get_queryset(self):
        return selectors.delivery_list(self.request.user).order_by("-delivered_on", "-id")

    def get_export_columns(self):
        if self.request.user.effective_role == Role.ENTERPRISE:
            return DELIVERY_EXPORT_COLUMNS
        return DELIVERY_EXPORT_COLUMNS + [("服务费（元）", lambda d: d.quantity * d.contract.fee_rate)]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["sees_fee"] = self.request.user.effective_role != Role.ENTERPRISE
        ctx["total"] = self._total()
        return ctx

    def _total(self):
        """The fee income and the quantity of every row the filters keep (not just this page)."""
        money = DecimalField(max_digits=30, decimal_places=2)
        return self.object_list.order_by().aggregate(total_quantity=Sum("quantity"), fee=Sum(ExpressionWrapper(
            F("quantity") * F("contract__fee_rate"), output_field=money)))
