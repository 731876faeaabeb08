"""The figures page (exportable) and the Excel import of offers and needs."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.generic import FormView

from enterprises.models import IndustryChain
from enterprises.services import imports as import_services
from supply import selectors
from supply.forms import ImportForm
from supply.imports import KIND
from supply.views._common import FIGURES
from zonehub.exports import wants_export, workbook_response, write_sheet
from zonehub.filters import query_id
from zonehub.roles import ADMINS
from zonehub.views import RoleRequiredMixin, role_required


def _volumes(pairs) -> str:
    return "；".join(f"{quantity:f} {unit}" for unit, quantity in pairs)


def _export(data: dict):
    def write(workbook):
        write_sheet(workbook, data["months"], [
            ("月份", "label"), ("交付量", lambda m: _volumes(m.delivered)), ("服务费收入（元）", "fee"),
            ("节约（元）", "saving"), ("签订合同数", "signed"), ("签订合同量", lambda m: _volumes(m.contracted)),
            ("月需求量", "demand"), ("区内采购量", "local"), ("本地配套率（%）", "ratio"),
        ], title="按月")
        write_sheet(workbook, data["by_chain"], [
            ("产业链", "chain.name"), ("合同数", "contracts"), ("合同量", lambda r: _volumes(r.contracted)),
            ("已交付", lambda r: _volumes(r.delivered)), ("服务费收入（元）", "fee"), ("累计节约（元）", "saving"),
            ("在办撮合", "open_cases"),
        ], title="按产业链")
        write_sheet(workbook, data["stages"], [("阶段", "label"), ("撮合事项数", "count")], title="按阶段")

    return workbook_response(write, filename="产业链撮合统计")


@role_required(*FIGURES)
def figures(request):
    """Matched cases by stage, contracted and delivered volume, fee income by month and by chain,
    savings, the local supply ratio over time; ``?format=xlsx`` exports them."""
    try:
        chain = query_id(request.GET.get("chain"))
    except ValidationError:
        chain = None
    chain_obj = get_object_or_404(IndustryChain, pk=chain) if chain else None
    data = selectors.figures(request.user, chain=chain)
    if wants_export(request):
        return _export(data)
    return render(request, "supply/figures.html", {**data, "chain": chain_obj, "chains": IndustryChain.objects.all()})


class ImportView(RoleRequiredMixin, FormView):
    """Upload the offers-and-needs sheet; the check, preview and confirmation are the import
    machinery's pages (enterprises), as for every sheet."""

    allowed_roles = ADMINS
    form_class = ImportForm
    template_name = "supply/import.html"
    extra_context = {"kind": KIND}

    def form_valid(self, form):
        try:
            batch = import_services.import_upload(actor=self.request.user, kind=KIND, file=form.cleaned_data["file"])
        except ValidationError as exc:
            form.add_error("file", exc)
            return self.form_invalid(form)
        return redirect("enterprises:import_detail", pk=batch.pk)
