"""Pages of the Excel import: template download, upload, preview with each row's errors, confirm,
progress (polled by htmx while a Celery task works) and history. Administrators only."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, FormView

from enterprises.forms import ImportUploadForm
from enterprises.imports import importer_for, importer_kinds
from enterprises.imports.sheets import max_bytes
from enterprises.models import ImportBatch
from enterprises.services import imports
from zonehub.exports import export_url, wants_export, xlsx_response
from zonehub.roles import ADMINS as IMPORTERS
from zonehub.views import RoleRequiredMixin

PREVIEW_ROWS = 500
ERROR_ROWS = 1000
ERROR_REPORT_COLUMNS = [("行号", "row"), ("列", "column"), ("问题及修改方法", "message")]


class ImportView(RoleRequiredMixin, FormView):
    """Upload page with the templates and the history of imports."""

    allowed_roles = IMPORTERS
    form_class = ImportUploadForm
    template_name = "enterprises/import_upload.html"

    def get_initial(self):
        kind = self.request.GET.get("kind")
        return {"kind": kind if importer_for(kind or "") else ImportBatch.Kind.ENTERPRISES}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["batches"] = (ImportBatch.objects.visible_to(self.request.user).select_related("created_by")[:20])
        ctx["kinds"] = [(kind, label) for kind, label in ImportBatch.Kind.choices if kind in importer_kinds()]
        ctx["columns"] = {kind: [(h, req) for _k, h, req in importer_for(kind).columns] for kind in importer_kinds()}
        ctx["max_mb"] = max_bytes() // (1024 * 1024)
        return ctx

    def form_valid(self, form):
        try:
            batch = imports.import_upload(actor=self.request.user, kind=form.cleaned_data["kind"],
                                          file=form.cleaned_data["file"])
        except ValidationError as exc:
            form.add_error("file", exc)
            return self.form_invalid(form)
        return redirect("enterprises:import_detail", pk=batch.pk)


class ImportTemplateView(RoleRequiredMixin, View):
    allowed_roles = IMPORTERS

    def get(self, request, kind):
        importer = importer_for(kind)
        if importer is None:
            return HttpResponse(status=404)
        filename = importer.template_filename
        response = HttpResponse(
            imports.import_template(kind=kind),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
        return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


class ImportBatchMixin(RoleRequiredMixin):
    allowed_roles = IMPORTERS
    context_object_name = "batch"

    def get_queryset(self):
        return ImportBatch.objects.visible_to(self.request.user).select_related("created_by", "confirmed_by")


class ImportDetailView(ImportBatchMixin, DetailView):
    """The preview: every bad row with its column and message, or the rows that will be created
    and updated; the confirm button when the sheet is clean; a progress bar while a task works."""

    template_name = "enterprises/import_detail.html"

    def get(self, request, *args, **kwargs):
        # ?format=xlsx: every error (the page shows the first ERROR_ROWS) as a sheet to work from.
        if wants_export(request):
            batch = self.get_object()
            return xlsx_response(batch.errors, ERROR_REPORT_COLUMNS, filename=f"导入错误_{batch.file_name}"[:120],
                                 title="导入错误")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        batch = self.object
        ctx["error_report_url"] = export_url(self.request)
        ctx["errors"] = batch.errors[:ERROR_ROWS]
        ctx["more_errors"] = max(0, len(batch.errors) - ERROR_ROWS)
        ctx["error_rows"] = len({e["row"] for e in batch.errors})
        ctx["preview"] = batch.preview[:PREVIEW_ROWS]
        ctx["more_preview"] = max(0, len(batch.preview) - PREVIEW_ROWS)
        ctx["stalled"] = imports.import_is_stalled(batch)
        return ctx


class ImportProgressView(ImportBatchMixin, DetailView):
    """The small partial the page polls every second; once the work is over it asks htmx to reload
    the page, which then shows the result."""

    template_name = "enterprises/import_progress.html"

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        if not self.object.is_running and self.request.headers.get("HX-Request"):
            response["HX-Refresh"] = "true"
        return response


class ImportConfirmView(RoleRequiredMixin, View):
    allowed_roles = IMPORTERS

    def post(self, request, pk):
        batch = get_object_or_404(ImportBatch.objects.visible_to(request.user), pk=pk)
        try:
            batch = imports.import_confirm(batch=batch, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("enterprises:import_detail", pk=pk)
        if batch.status == ImportBatch.Status.DONE:
            messages.success(request, _("Imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
                             % {"created": batch.created_count, "updated": batch.updated_count,
                                "unchanged": batch.unchanged_count})
        return redirect("enterprises:import_detail", pk=pk)


class ImportResumeView(RoleRequiredMixin, View):
    allowed_roles = IMPORTERS

    def post(self, request, pk):
        batch = get_object_or_404(ImportBatch.objects.visible_to(request.user), pk=pk)
        try:
            imports.import_resume(batch=batch, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.info(request, _("The work was started again."))
        return redirect("enterprises:import_detail", pk=pk)
