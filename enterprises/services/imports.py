"""The lifecycle of an uploaded sheet, whatever its kind: store and check it (the preview),
confirm, import all rows or none, resume a batch whose task was lost.

Checking (``import_validate``) and importing (``import_run``) run in the request for small sheets
and as Celery tasks for large ones (``ZONEHUB_IMPORT_SYNC_ROWS``); both are safe to run twice: a
state guard on the batch decides who does the work. What a row means is the kind's ``Importer``
(``enterprises.imports.registry``), registered by the app that owns what the sheet writes.

This module enqueues the tasks of ``enterprises.tasks``, which call back into it: the one import
direction between a tasks module and its services that the floors contract allows.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises.events import EnterpriseEvent
from enterprises.imports.checks import CheckResult, RowFailed
from enterprises.imports.registry import importer_for
from enterprises.imports.sheets import SheetError, build_template, max_bytes, read_sheet, sync_rows
from enterprises.models import ImportBatch
from zonehub.events import record_event
from zonehub.permissions import require
from zonehub.tasking import enqueue_on_commit

logger = logging.getLogger(__name__)

Status = ImportBatch.Status
MAX_ERRORS_KEPT = 60000  # every error of the largest sheet allowed; the page shows the first 1,000
STALLED_AFTER = dt.timedelta(minutes=5)


def can_import(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_admin)


def import_template(*, kind: str) -> bytes:
    """The sheet to fill for ``kind``: its columns, what each means and the allowed values."""
    return build_template(importer_for(kind))


class _Progress:
    """Writes how far checking has got, every few hundred rows, for the page's progress bar."""

    def __init__(self, batch_id, total):
        self.batch_id, self.total = batch_id, total
        self.step = max(250, total // 20)

    def __call__(self, done: int) -> None:
        if self.batch_id and (done % self.step == 0 or done == self.total):
            ImportBatch.objects.filter(pk=self.batch_id).update(progress=done)


def import_upload(*, actor, kind: str, file) -> ImportBatch:
    """Store the uploaded sheet and check it: in the request when it is small, by Celery when large.
    A file that cannot be read at all (not .xlsx, empty, missing headers, too big) is refused here
    and nothing is stored."""
    require(can_import(actor), _("Only administrators may import data."))
    importer = importer_for(kind)
    if importer is None:
        raise ValidationError(_("Choose what the sheet holds: enterprises or major projects."))
    if file is None:
        raise ValidationError(_("Choose the Excel file to upload."))
    if file.size == 0:
        raise ValidationError(_("The file is empty: choose the filled-in sheet."))
    if file.size > max_bytes():
        raise ValidationError(_("The file is larger than %(mb)d MB: split it into several files.")
                              % {"mb": max_bytes() // (1024 * 1024)})
    name = (getattr(file, "name", "") or "").rsplit("/", 1)[-1]
    if not name.lower().endswith(".xlsx"):
        raise ValidationError(_("Only Excel .xlsx files can be imported: in Excel or WPS choose “Save as” "
                                "→ Excel workbook (.xlsx)."))
    try:
        rows, _columns = read_sheet(file, columns=importer.columns, probe=True)
    except SheetError as exc:
        raise ValidationError(str(exc)) from exc
    file.seek(0)
    batch = ImportBatch.objects.create(kind=kind, file=file, file_name=name[:200], created_by=actor, total=len(rows))
    if len(rows) <= sync_rows():
        import_validate(batch_id=batch.pk)
        batch.refresh_from_db()
    else:
        from enterprises.tasks import import_validate_task

        enqueue_on_commit(import_validate_task, batch.pk)
    return batch


def import_validate(*, batch_id: int) -> None:
    """Check every row and keep the preview. Checking changes no data, so a second run (a task
    delivered twice) only repeats the work; the result is written only while the batch is still
    being checked."""
    claimed = ImportBatch.objects.filter(pk=batch_id, status__in=[Status.UPLOADED, Status.VALIDATING]).update(
        status=Status.VALIDATING, progress=0)
    if not claimed:
        return
    batch = ImportBatch.objects.get(pk=batch_id)
    try:
        result = _check_batch(batch)
    except Exception as exc:  # noqa: BLE001 - the page must say it failed, not spin for ever
        if not isinstance(exc, SheetError):
            logger.exception("checking import batch %s failed", batch_id)
        message = str(exc) if isinstance(exc, SheetError) else _(
            "The check failed: upload the file again, or ask the system administrator to read the log.")
        ImportBatch.objects.filter(pk=batch_id, status=Status.VALIDATING).update(
            status=Status.FAILED, message=message[:500], finished_at=timezone.now())
        return
    ImportBatch.objects.filter(pk=batch_id, status=Status.VALIDATING).update(
        status=Status.INVALID if result.errors else Status.VALID,
        errors=result.errors[:MAX_ERRORS_KEPT], preview=_preview(result), progress=batch.total,
        to_create=result.count("create"), to_update=result.count("update"),
        unchanged_count=result.count("unchanged"),
    )


def import_confirm(*, batch: ImportBatch, actor) -> ImportBatch:
    """The admin confirms the preview: import now (small sheet) or queue the import (large sheet)."""
    require(can_import(actor), _("Only administrators may import data."))
    claimed = ImportBatch.objects.filter(pk=batch.pk, status=Status.VALID).update(
        status=Status.CONFIRMED, confirmed_by=actor, confirmed_at=timezone.now(), progress=0)
    if not claimed:
        batch.refresh_from_db()
        if batch.status == Status.INVALID:
            raise ValidationError(_("The sheet has errors: correct the rows listed below and upload it again. "
                                    "Nothing was imported."))
        raise ValidationError(_("This import is not waiting for confirmation (it is %(status)s).")
                              % {"status": batch.get_status_display()})
    if batch.total <= sync_rows():
        import_run(batch_id=batch.pk)
    else:
        from enterprises.tasks import import_run_task

        enqueue_on_commit(import_run_task, batch.pk)
    batch.refresh_from_db()
    return batch


def import_is_stalled(batch: ImportBatch, *, now=None) -> bool:
    """Waiting for a worker for long enough that its task was probably lost (the broker was down
    when it was sent, or the worker died): the page then offers to start it again."""
    now = now or timezone.now()
    if batch.status in (Status.UPLOADED, Status.VALIDATING):
        return now - batch.created_at > STALLED_AFTER
    if batch.status == Status.CONFIRMED:
        return now - (batch.confirmed_at or batch.created_at) > STALLED_AFTER
    return False


def import_resume(*, batch: ImportBatch, actor) -> None:
    """Send a stalled batch's task again. Safe even if the first one is still alive: checking
    only reads, and the import itself runs once under the batch's state guard."""
    require(can_import(actor), _("Only administrators may import data."))
    if not import_is_stalled(batch):
        raise ValidationError(_("This import is not stalled: wait for it to finish."))
    from enterprises.tasks import import_run_task, import_validate_task

    task = import_run_task if batch.status == Status.CONFIRMED else import_validate_task
    enqueue_on_commit(task, batch.pk)


def import_run(*, batch_id: int) -> None:
    """Import a confirmed sheet, all rows or none. The rows are checked again first, against the data
    as it is now; if anything fails, nothing is written and the batch shows why."""
    batch = ImportBatch.objects.filter(pk=batch_id, status=Status.CONFIRMED).select_related("confirmed_by").first()
    if batch is None:
        return
    try:
        result = _check_batch(batch)
    except Exception as exc:  # noqa: BLE001
        if not isinstance(exc, SheetError):
            logger.exception("checking import batch %s before importing failed", batch_id)
        _fail(batch_id, Status.FAILED, message=str(exc) if isinstance(exc, SheetError) else _(
            "The import failed and nothing was imported: try again, or ask the system administrator to read the log."))
        return
    if result.errors:
        _fail(batch_id, Status.INVALID, errors=result.errors,
              message=_("The data changed after the preview: correct the rows listed and upload again. "
                        "Nothing was imported."))
        return
    try:
        with transaction.atomic():
            locked = ImportBatch.objects.select_for_update().filter(pk=batch_id, status=Status.CONFIRMED).first()
            if locked is None:
                return  # another run got there first
            importer_for(batch.kind).apply(result, actor=batch.confirmed_by, batch=locked)
            locked.status = Status.DONE
            locked.created_count, locked.updated_count = result.count("create"), result.count("update")
            locked.unchanged_count = result.count("unchanged")
            locked.finished_at = timezone.now()
            locked.progress = locked.total
            locked.save(update_fields=["status", "created_count", "updated_count", "unchanged_count", "finished_at",
                                       "progress"])
            record_event(locked, actor=batch.confirmed_by, kind=EnterpriseEvent.IMPORT_DONE, to_state=Status.DONE,
                         data={"kind": batch.kind, "file": batch.file_name, "created": locked.created_count,
                               "updated": locked.updated_count, "unchanged": locked.unchanged_count})
    except RowFailed as exc:
        _fail(batch_id, Status.INVALID, errors=[exc.error],
              message=_("A row could not be imported, so nothing was imported."))
    except Exception:  # noqa: BLE001 - any failure rolls everything back and is shown, never a 500
        logger.exception("import batch %s failed", batch_id)
        _fail(batch_id, Status.FAILED, message=_("The import failed and nothing was imported: try again, or ask the "
                                                 "system administrator to read the log."))


def _fail(batch_id, status, *, message="", errors=None):
    fields = {"status": status, "message": str(message)[:500], "finished_at": timezone.now()}
    if errors is not None:
        fields["errors"] = errors[:MAX_ERRORS_KEPT]
    ImportBatch.objects.filter(pk=batch_id, status=Status.CONFIRMED).update(**fields)


def _check_batch(batch: ImportBatch, *, track: bool = True) -> CheckResult:
    importer = importer_for(batch.kind)
    if importer is None:  # the app that registers this kind is not installed
        raise SheetError(_("Choose what the sheet holds: enterprises or major projects."))
    try:
        file = batch.file.open("rb")
    except OSError as exc:  # the stored file is gone (MEDIA_ROOT not shared with this worker?)
        logger.error("import batch %s: cannot open %s: %s", batch.pk, batch.file.name, exc)
        raise SheetError(_("The uploaded file can no longer be read: upload it again.")) from exc
    with file:
        rows, _columns = read_sheet(file, columns=importer.columns)
    if batch.total != len(rows):
        batch.total = len(rows)
        ImportBatch.objects.filter(pk=batch.pk).update(total=len(rows))
    progress = _Progress(batch.pk, len(rows)) if track else None
    return importer.check(rows, progress=progress)


def _preview(result: CheckResult) -> list:
    # The rows that will change, for the preview table; unchanged rows are only counted.
    return [[p.row, p.action, p.label] for p in result.plans if p.action != "unchanged"]
