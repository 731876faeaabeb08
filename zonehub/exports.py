"""One Excel export for every list page: what the page shows (same scoping, same filters, every
page, not just the current one) as an .xlsx with Chinese headers.

The workbook is openpyxl's write-only kind, which writes each row out as it is appended and keeps
none, into a temporary file that a FileResponse then streams: 100,000 rows cost the memory of one
chunk of rows (querysets are read with ``.iterator(chunk_size=2000)``), not of the sheet.

A list view adds the export in a few lines with ``ExportMixin`` (``?format=xlsx`` on the list's own
URL, through the list's own FilterSet); a page that is not a FilterView calls ``xlsx_response``.

Every value reaches a cell through ``sheet_cell`` (rows through ``sheet_row``), in these exports
and in every other workbook the product writes (the import's template, the campaign's results):
text from users is always written as text, never as a formula Excel would run (等保 2.0: a
request titled ``=HYPERLINK(...)`` is shown, not followed).
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import timezone, translation
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font

from zonehub.dates import XLSX_DATE_FORMAT, XLSX_DATETIME_FORMAT

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_PARAM = "format"
EXPORT_VALUE = "xlsx"
CHUNK_SIZE = 2000
# Kept in memory up to this size, then spilled to disk: small exports never touch the disk.
SPOOL_BYTES = 1024 * 1024

Accessor = str | Callable[[object], object]
Column = tuple[str, Accessor]


def resolve(obj, accessor: Accessor):
    """``"enterprise.name"`` / ``"enterprise__name"`` walks attributes (a callable on the way, such as
    ``get_status_display``, is called); a function is called with the row. None anywhere gives ""."""
    if callable(accessor):
        return accessor(obj)
    value = obj
    for part in accessor.replace("__", ".").split("."):
        if value is None:
            return None
        value = value.get(part) if isinstance(value, dict) else getattr(value, part, None)
        if callable(value) and not isinstance(value, type):
            value = value()
    return value


def cell_value(value):
    """What a spreadsheet cell can hold: numbers and dates as themselves (so they sort and sum),
    times in Beijing time without a zone (Excel has none), yes/no in Chinese, the rest as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, (int, float, Decimal, dt.date, str)):
        return value
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        return "、".join(str(cell_value(v)) for v in value)
    return str(value)


# What makes a spreadsheet read typed text as a formula (Excel, WPS and LibreOffice alike; a tab or a
# carriage return before one is skipped when a cell is edited or the sheet pasted elsewhere).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Characters a sheet's name cannot hold (a name made from a file name may have them).
SHEET_TITLE_FORBIDDEN = re.compile(r"[\\/*?:\[\]]")


def sheet_cell(sheet, value, *, font=None, alignment=None, fill=None) -> Cell:
    """The one way a value goes into a cell of a workbook the product writes (write-only or not).

    Numbers, dates and times stay themselves (``cell_value``), dates and times shown as the pages
    show them (2026年6月28日, zonehub.dates); every text is a text cell: never a
    formula (openpyxl would write ``"=..."`` as one), never an error code (``"#N/A"``), and a text
    that starts like a formula also gets Excel's quote prefix, so editing the cell keeps it text.
    Characters no workbook can hold (control characters a user may paste) are dropped rather than
    failing the whole export."""
    value = cell_value(value)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, dt.datetime):
        cell.number_format = XLSX_DATETIME_FORMAT  # 2026年6月28日 14:05, as on the pages
    elif isinstance(value, dt.date):
        cell.number_format = XLSX_DATE_FORMAT  # 2026年6月28日: still a date, it sorts and filters
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_PREFIXES):
            cell.quotePrefix = True
    if font is not None:
        cell.font = font
    if alignment is not None:
        cell.alignment = alignment
    if fill is not None:
        cell.fill = fill
    return cell


def sheet_row(sheet, values: Iterable, **style) -> list[Cell]:
    """A row of ``sheet_cell`` cells for ``sheet.append``; cells already made are kept."""
    return [v if isinstance(v, Cell) else sheet_cell(sheet, v, **style) for v in values]


def rows_of(source: Iterable) -> Iterable:
    """A queryset is read in chunks (prefetches included, Django ≥ 4.1), never all at once."""
    if isinstance(source, QuerySet):
        return source.iterator(chunk_size=CHUNK_SIZE)
    return source


def write_sheet(workbook: Workbook, rows: Iterable, columns: list[Column], *, title: str = "",
                heading: str = "", wrap: bool = False):
    """Append one sheet: an optional heading line, the bold header row, then one line per row."""
    sheet = workbook.create_sheet(SHEET_TITLE_FORBIDDEN.sub("", title)[:31] or None)
    if heading:
        sheet.append([sheet_cell(sheet, heading, font=Font(bold=True, size=14))])
    sheet.append(sheet_row(sheet, [str(text) for text, _accessor in columns], font=Font(bold=True)))
    alignment = Alignment(wrap_text=True, vertical="top") if wrap else None
    for row in rows_of(rows):
        sheet.append(sheet_row(sheet, [resolve(row, accessor) for _text, accessor in columns], alignment=alignment))
    return sheet


def workbook_response(write: Callable[[Workbook], None], *, filename: str) -> FileResponse:
    """Build a write-only workbook with ``write(workbook)`` (in Chinese whatever the user's
    language: the sheets go to people who keep Chinese spreadsheets) and stream it as a download.
    The file name may be Chinese: Django sends it as RFC 5987 ``filename*=utf-8''...``."""
    workbook = Workbook(write_only=True)
    with translation.override("zh-hans"):
        write(workbook)
    if not workbook.worksheets:
        workbook.create_sheet()
    handle = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - the FileResponse closes it
    workbook.save(handle)
    handle.seek(0)
    if not filename.endswith(".xlsx"):
        filename += ".xlsx"
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


def xlsx_response(rows: Iterable, columns: list[Column], *, filename: str, title: str = "",
                  heading: str = "", wrap: bool = False) -> FileResponse:
    """One sheet of ``rows`` (a queryset or any iterable) under ``columns`` [(header, accessor)]."""

    def write(workbook):
        write_sheet(workbook, rows, columns, title=title or filename, heading=heading, wrap=wrap)

    return workbook_response(write, filename=filename)


def wants_export(request) -> bool:
    return request.GET.get(EXPORT_PARAM) == EXPORT_VALUE


def export_url(request) -> str:
    """The current page's URL asking for the export: same filters and sort, no page number."""
    query = request.GET.copy()
    query.pop("page", None)
    query[EXPORT_PARAM] = EXPORT_VALUE
    return f"{request.path}?{query.urlencode()}"


class ExportMixin:
    """For a django-filter FilterView: ``?format=xlsx`` answers with every row the filtered (and
    sorted) list holds, across all its pages. Set ``export_columns`` and ``export_filename``
    (or override ``get_export_columns`` for columns that depend on the user)."""

    export_columns: list[Column] = []
    export_filename = ""

    def get_export_columns(self) -> list[Column]:
        return list(self.export_columns)

    def get_export_filename(self) -> str:
        return str(self.export_filename) or "export"

    def get_export_queryset(self):
        filterset = self.get_filterset(self.get_filterset_class())
        if not filterset.is_bound or filterset.is_valid() or not self.get_strict():
            return filterset.qs
        return filterset.queryset.none()

    def get(self, request, *args, **kwargs):
        if wants_export(request):
            with translation.override("zh-hans"):
                columns = [(str(header), accessor) for header, accessor in self.get_export_columns()]
                filename = self.get_export_filename()
            return xlsx_response(self.get_export_queryset(), columns, filename=filename)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["export_url"] = export_url(self.request)
        return ctx
