"""Reading an uploaded sheet and writing a kind's template: the part of the Excel import that
knows workbooks, not what their rows mean."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from zonehub.exports import sheet_row

# Rows read, on top of the data rows allowed, before a sheet is refused as too long: room for
# formatted empty rows under the data (borders drawn to row 10,000 are common), and a bound on
# the time an upload may take to read.
EMPTY_ROWS_ALLOWED = 5000
GENERAL_HELP = "说明：第一行是表头，请勿修改；从第二行起每行一条。单元格留空表示不修改系统中已有的值。"


def sync_rows() -> int:
    """Sheets with at most this many rows are checked and imported in the request; larger ones by Celery."""
    return settings.ZONEHUB_IMPORT_SYNC_ROWS


def max_bytes() -> int:
    return settings.ZONEHUB_IMPORT_MAX_MB * 1024 * 1024


def max_rows() -> int:
    return settings.ZONEHUB_IMPORT_MAX_ROWS


class SheetError(Exception):
    """The file as a whole cannot be read: the message says why, in the user's language."""


def header_key(value) -> str:
    """Headers match without their unit in brackets and without spaces: "总投资（万元）" is "总投资"."""
    value = re.sub(r"[(（].*?[)）]", "", str(value or ""))
    return re.sub(r"\s+", "", value)


def cell_text(value) -> str:
    if type(value) is str:  # the common case first: this runs for every cell of the sheet
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def scan_rows() -> int:
    """How far down a sheet is read, empty rows included: the most data rows allowed and room for
    an empty (formatted) tail under them. A sheet that goes on further is refused with a message,
    never read to its end (two million formatted empty rows fit in a 300 KB file and take a
    minute to read) and never cut short in silence."""
    return max_rows() + EMPTY_ROWS_ALLOWED


def _is_empty(values) -> bool:
    return not values or all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def read_sheet(file, *, columns, probe: bool = False) -> tuple[list[tuple[int, dict]], list[str]]:
    """The data rows as (Excel row number, {column key: cell value}), skipping empty rows.
    ``columns`` are the kind's (key, header, required). Raises SheetError for a file that is not a
    readable workbook, lacks required columns, or holds more rows than allowed.

    Every row the sheet holds is read: the dimension a sheet declares (``A1:M3``) is not trusted,
    since a sheet written by another program may declare fewer rows than it has, or more.
    ``probe`` (the upload, in the request) counts the rows without keeping their values; they
    are read again when they are checked."""
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise SheetError(_("The file is not an Excel workbook (.xlsx): save it as .xlsx and upload it again.")) from exc
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds of error on a broken file
        raise SheetError(_("The file is not an Excel workbook (.xlsx): save it as .xlsx and upload it again.")) from exc
    try:
        sheet = workbook.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):  # read-only sheets read up to the declared dimension otherwise
            sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if not header or not any(cell not in (None, "") for cell in header):
            raise SheetError(_("The first row of the first sheet must hold the column headers: download the template."))
        positions: dict[str, int] = {}
        by_header = {header_key(h): key for key, h, _required in columns}
        for index, cell in enumerate(header):
            key = by_header.get(header_key(cell))
            if key and key not in positions:
                positions[key] = index
        missing = [h for key, h, required in columns if required and key not in positions]
        if missing:
            raise SheetError(_("Columns missing from the header row: %(columns)s. Use the template's headers.")
                             % {"columns": "、".join(missing)})
        data: list[tuple[int, dict]] = []
        limit, last_row = max_rows(), scan_rows() + 1  # + 1: the header
        for number, values in enumerate(rows, start=2):
            if number > last_row:
                raise SheetError(_("The sheet goes on past row %(n)d (empty rows count too): delete the empty rows "
                                   "under your data, or split the sheet into several files, and upload it again.")
                                 % {"n": last_row})
            if _is_empty(values):
                continue
            if len(data) >= limit:
                raise SheetError(_("The sheet has more than %(n)d rows: split it into several files.") % {"n": limit})
            data.append((number, {} if probe else {key: values[i] if i < len(values) else None
                                                   for key, i in positions.items()}))
    except SheetError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise SheetError(_("The file could not be read: save it again as .xlsx from Excel or WPS.")) from exc
    finally:
        workbook.close()
    if not data:
        raise SheetError(_("The sheet has headers but no data rows: fill in at least one row."))
    return data, list(positions)


def build_template(importer) -> bytes:
    """The sheet to fill for an ``Importer``: the columns on the first sheet, what each means and
    the allowed values on the second."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = importer.sheet_title
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    # Every cell through zonehub.exports.sheet_cell: the allowed values come from the database
    # (names typed by administrators), and a name is written as text, never as a formula.
    sheet.append(sheet_row(sheet, [header for _key, header, _required in importer.columns], font=bold, fill=fill))
    for index, (key, header, _required) in enumerate(importer.columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, len(header) * 2 + 4)
        if key in importer.text_columns:
            # Text, so that Excel keeps long digit strings (credit codes, phones) exactly.
            sheet.column_dimensions[letter].number_format = "@"
        if key in importer.yes_no_columns:
            check = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
            check.add(f"{letter}2:{letter}10000")
            sheet.add_data_validation(check)
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet("填写说明")
    notes.column_dimensions["A"].width = 22
    notes.column_dimensions["B"].width = 10
    notes.column_dimensions["C"].width = 90
    notes.append(sheet_row(notes, [GENERAL_HELP]))
    notes.append([])
    notes.append(sheet_row(notes, ["列", "是否必填", "说明"], font=bold))
    for key, header, required in importer.columns:
        notes.append(sheet_row(notes, [header, "必填" if required else "可填", importer.column_help[key]]))
    for title, values in importer.template_lists():
        notes.append([])
        notes.append(sheet_row(notes, [f"{title}的可选值"], font=bold))
        for value in values:
            notes.append(sheet_row(notes, [value]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
