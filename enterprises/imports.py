"""Excel import of enterprises and major projects (issue 6).

The committee keeps its enterprises and projects in spreadsheets. An administrator downloads the
template, uploads the filled sheet, reads a preview that names every bad row and column, and
confirms; the import is then all rows or none, in one transaction. Enterprises are matched by credit
code and projects by name and investor, so importing the same sheet again updates instead of
duplicating, and an unchanged sheet changes nothing.

Checking (``import_validate``) and importing (``import_run``) run in the request for small sheets
and as Celery tasks for large ones (``ZONEHUB_IMPORT_SYNC_ROWS``); both are safe to run twice: a
state guard on the batch decides who does the work. Lookups (industries, parks, stewards, the
enterprises named in the sheet) are loaded once per sheet, never once per row.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from enterprises.models import Enterprise, EnterpriseTag, ImportBatch, IndustryChain, Park
from enterprises.validators import normalize_credit_code, validate_credit_code
from zonehub.events import record_event, register_event_labels
from zonehub.models import Event, Workstation
from zonehub.permissions import require
from zonehub.tasking import enqueue_on_commit
from zonehub.workdays import local_date

logger = logging.getLogger(__name__)

register_event_labels({
    "enterprise.imported": gettext_lazy("created by Excel import"),
    "enterprise.import_updated": gettext_lazy("updated by Excel import"),
    "import.done": gettext_lazy("Excel import completed"),
})

Status = ImportBatch.Status

# The sheets are a contract with the committee's own spreadsheets: headers are Chinese whatever the
# user's language. (key, header, required)
ENTERPRISE_COLUMNS = [
    ("name", "企业名称", True),
    ("credit_code", "统一社会信用代码", True),
    ("industry", "主导产业", True),
    ("park", "园区", True),
    ("workstation", "所属工作站", False),
    ("above_size", "规上企业(是/否)", False),
    ("ownership", "所有制", True),
    ("tags", "标签", False),
    ("address", "地址", False),
    ("legal_representative", "法定代表人", False),
    ("contact_name", "联系人", False),
    ("contact_phone", "联系电话", False),
    ("steward", "服务管家", False),
]
PROJECT_COLUMNS = [
    ("name", "项目名称", True),
    ("investor", "投资企业", False),
    ("industry", "主导产业", True),
    ("total_investment", "总投资(万元)", False),
    ("planned_investment_this_year", "年度计划投资(万元)", False),
    ("funds_in_place", "到位资金(万元)", False),
    ("agreed_annual_output", "约定年产值(万元)", False),
    ("land_mu", "用地(亩)", False),
    ("floor_area", "建筑面积(平方米)", False),
    ("stage", "阶段", False),
    ("planned_start", "计划开工日期", False),
    ("planned_completion", "计划竣工日期", False),
    ("steward", "项目管家", False),
    ("description", "项目简介", False),
]
COLUMNS = {ImportBatch.Kind.ENTERPRISES: ENTERPRISE_COLUMNS, ImportBatch.Kind.PROJECTS: PROJECT_COLUMNS}

COLUMN_HELP = {
    "name": "必填。企业全称，与营业执照一致。",
    "credit_code": "必填。18位统一社会信用代码；同一代码的企业再次导入时更新而不是新增。请把此列设为文本格式。",
    "industry": "必填。见下方“主导产业”列表。",
    "park": "必填。见下方“园区”列表。",
    "workstation": "可填。见下方“工作站”列表；不填时取服务管家所在工作站。",
    "above_size": "填“是”或“否”；不填视为“否”（已有企业不填则不修改）。",
    "ownership": "必填。央企、地方国企（国企）、民企、外资、混合所有制 之一。",
    "tags": "可填。多个标签用逗号或顿号分隔，如：高新技术企业、专精特新。",
    "address": "可填。", "legal_representative": "可填。", "contact_name": "可填。", "contact_phone": "可填。",
    "steward": "可填。服务管家的姓名或手机号；重名时请填手机号。与现有管家不同时更换管家并通知企业。",
}
PROJECT_COLUMN_HELP = {
    "name": "必填。项目名称；同名且同一投资企业的项目再次导入时更新。",
    "investor": "可填。投资企业的名称或统一社会信用代码，须已在系统中。",
    "industry": "必填。见下方“主导产业”列表。",
    "total_investment": "数字，单位万元。", "planned_investment_this_year": "数字，单位万元。",
    "funds_in_place": "数字，单位万元，不能超过总投资。", "agreed_annual_output": "数字，单位万元。",
    "land_mu": "数字，单位亩。", "floor_area": "数字，单位平方米。",
    "stage": "洽谈、签约、供地、开工、竣工、投产 之一；不填视为洽谈。已有项目只能推进到下一阶段。",
    "planned_start": "日期，如 2026-03-01。", "planned_completion": "日期，不能早于计划开工日期。",
    "steward": "可填。项目管家的姓名或手机号；重名时请填手机号。",
    "description": "可填。",
}
GENERAL_HELP = "说明：第一行是表头，请勿修改；从第二行起每行一条。单元格留空表示不修改系统中已有的值。"

OWNERSHIP_WORDS = {
    "央企": "central_soe", "中央企业": "central_soe",
    "地方国企": "local_soe", "国企": "local_soe", "国有企业": "local_soe",
    "民企": "private", "民营": "private", "民营企业": "private",
    "外资": "foreign", "外资企业": "foreign", "外商投资企业": "foreign",
    "混合所有制": "mixed", "混合": "mixed",
}
YES = {"是", "Y", "YES", "1", "TRUE", "√"}
NO = {"否", "N", "NO", "0", "FALSE", "×"}
TAG_SPLIT = re.compile(r"[,，、;；\s]+")
TEXT_LIMITS = {"name": 100, "address": 200, "legal_representative": 50, "contact_name": 50, "contact_phone": 30}
MONEY_FIELDS = ("total_investment", "planned_investment_this_year", "funds_in_place", "agreed_annual_output",
                "land_mu", "floor_area")
MONEY_MAX = {"land_mu": Decimal("1e8"), "floor_area": Decimal("1e10")}
ENTERPRISE_FIELDS = ("name", "industry_id", "park_id", "workstation_id", "above_designated_size", "ownership",
                     "address", "legal_representative", "contact_name", "contact_phone")
MAX_ERRORS_KEPT = 60000  # every error of the largest sheet allowed; the page shows the first 1,000


def sync_rows() -> int:
    """Sheets with at most this many rows are checked and imported in the request; larger ones by Celery."""
    return settings.ZONEHUB_IMPORT_SYNC_ROWS


def max_bytes() -> int:
    return settings.ZONEHUB_IMPORT_MAX_MB * 1024 * 1024


def max_rows() -> int:
    return settings.ZONEHUB_IMPORT_MAX_ROWS


def _header_key(text) -> str:
    """Headers match without their unit in brackets and without spaces: "总投资（万元）" is "总投资"."""
    text = re.sub(r"[(（].*?[)）]", "", str(text or ""))
    return re.sub(r"\s+", "", text)


# --------------------------------------------------------------------------------------------
# The template
# --------------------------------------------------------------------------------------------


def import_template(*, kind: str) -> bytes:
    """The sheet to fill: the columns on the first sheet, what each means and the allowed values on the second."""
    columns = COLUMNS[kind]
    helps = COLUMN_HELP if kind == ImportBatch.Kind.ENTERPRISES else PROJECT_COLUMN_HELP
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "企业" if kind == ImportBatch.Kind.ENTERPRISES else "重大项目"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for index, (key, header, _required) in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=header)
        cell.font, cell.fill = bold, fill
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = max(12, len(header) * 2 + 4)
        if key in ("credit_code", "contact_phone", "steward", "investor"):
            # Text, so that Excel keeps long digit strings (credit codes, phones) exactly.
            sheet.column_dimensions[letter].number_format = "@"
        if key == "above_size":
            check = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
            check.add(f"{letter}2:{letter}10000")
            sheet.add_data_validation(check)
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet("填写说明")
    notes.column_dimensions["A"].width = 22
    notes.column_dimensions["B"].width = 10
    notes.column_dimensions["C"].width = 90
    notes.append([GENERAL_HELP])
    notes.append([])
    notes.append(["列", "是否必填", "说明"])
    for cell in notes[3]:
        cell.font = bold
    for key, header, required in columns:
        notes.append([header, "必填" if required else "可填", helps[key]])
    from stewards.models import Steward

    lists = [("主导产业", list(IndustryChain.objects.values_list("name", flat=True))),
             ("园区", list(Park.objects.values_list("name", flat=True)))]
    if kind == ImportBatch.Kind.ENTERPRISES:
        lists += [("工作站", list(Workstation.objects.values_list("name", flat=True))),
                  ("所有制", ["央企", "地方国企", "民企", "外资", "混合所有制"]),
                  ("规上企业", ["是", "否"])]
    else:
        lists.append(("阶段", [str(label) for label in _stage_words_zh()]))
    stewards = Steward.objects.filter(is_active=True, user__is_active=True).select_related("user", "user__workstation")
    lists.append(("服务管家（姓名 手机号 工作站）", [
        f"{s.name} {s.phone} {s.user.workstation.name if s.user.workstation_id else ''}".strip() for s in stewards]))
    for title, values in lists:
        notes.append([])
        notes.append([f"{title}的可选值"])
        notes.cell(row=notes.max_row, column=1).font = bold
        for value in values:
            notes.append([value])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _stage_words_zh() -> list[str]:
    """The stages as the committee writes them, in STAGE_ORDER."""
    return ["洽谈", "签约", "供地", "开工", "竣工", "投产"]


# --------------------------------------------------------------------------------------------
# Reading a sheet
# --------------------------------------------------------------------------------------------


class SheetError(Exception):
    """The file as a whole cannot be read: the message says why, in the user's language."""


def _cell_text(value) -> str:
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


def read_sheet(file, *, kind: str, probe: bool = False) -> tuple[list[tuple[int, dict]], list[str]]:
    """The data rows as (Excel row number, {column key: cell value}), skipping empty rows.
    Raises SheetError for a file that is not a readable workbook or lacks required columns.

    ``probe`` checks only the headers and estimates the number of rows from the sheet's dimension
    (the upload does this in the request; the rows are read when they are checked)."""
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise SheetError(_("The file is not an Excel workbook (.xlsx): save it as .xlsx and upload it again.")) from exc
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds of error on a broken file
        raise SheetError(_("The file is not an Excel workbook (.xlsx): save it as .xlsx and upload it again.")) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if not header or not any(cell not in (None, "") for cell in header):
            raise SheetError(_("The first row of the first sheet must hold the column headers: download the template."))
        positions: dict[str, int] = {}
        by_header = {_header_key(h): key for key, h, _required in COLUMNS[kind]}
        for index, cell in enumerate(header):
            key = by_header.get(_header_key(cell))
            if key and key not in positions:
                positions[key] = index
        missing = [h for key, h, required in COLUMNS[kind] if required and key not in positions]
        if missing:
            raise SheetError(_("Columns missing from the header row: %(columns)s. Use the template's headers.")
                             % {"columns": "、".join(missing)})
        data: list[tuple[int, dict]] = []
        limit = max_rows()
        if probe and sheet.max_row:
            if sheet.max_row - 1 > limit:
                raise SheetError(_("The sheet has more than %(n)d rows: split it into several files.") % {"n": limit})
            if sheet.max_row > 1:
                return [(n, {}) for n in range(2, sheet.max_row + 1)], list(positions)
        for number, values in enumerate(rows, start=2):
            if not values or all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            if len(data) >= limit:
                raise SheetError(_("The sheet has more than %(n)d rows: split it into several files.") % {"n": limit})
            data.append((number, {key: values[i] if i < len(values) else None for key, i in positions.items()}))
    except SheetError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise SheetError(_("The file could not be read: save it again as .xlsx from Excel or WPS.")) from exc
    finally:
        workbook.close()
    if not data:
        raise SheetError(_("The sheet has headers but no data rows: fill in at least one row."))
    return data, list(positions)


# --------------------------------------------------------------------------------------------
# Checking rows
# --------------------------------------------------------------------------------------------


@dataclass
class RowPlan:
    row: int
    action: str  # "create", "update" or "unchanged"
    label: str
    values: dict = field(default_factory=dict)
    existing: object = None
    changed: list = field(default_factory=list)
    tags: list | None = None
    steward: object = None
    stage: str = ""


@dataclass
class CheckResult:
    errors: list = field(default_factory=list)
    plans: list = field(default_factory=list)

    def error(self, row: int, column: str, message) -> None:
        self.errors.append({"row": row, "column": column, "message": str(message)})

    def count(self, action: str) -> int:
        return sum(1 for p in self.plans if p.action == action)


class _Progress:
    """Writes how far checking has got, every few hundred rows, for the page's progress bar."""

    def __init__(self, batch_id, total):
        self.batch_id, self.total = batch_id, total
        self.step = max(250, total // 20)

    def __call__(self, done: int) -> None:
        if self.batch_id and (done % self.step == 0 or done == self.total):
            ImportBatch.objects.filter(pk=self.batch_id).update(progress=done)


def _chunks(values, size=900):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start:start + size]


class _Stewards:
    """Active stewards by phone and by name, loaded once."""

    def __init__(self):
        from stewards.models import Steward

        self.by_phone: dict[str, list] = {}
        self.by_name: dict[str, list] = {}
        for steward in Steward.objects.filter(is_active=True, user__is_active=True).select_related("user"):
            if steward.user.phone:
                self.by_phone.setdefault(steward.user.phone.strip(), []).append(steward)
            self.by_name.setdefault(steward.name.strip(), []).append(steward)

    def find(self, text: str):
        """(steward, error message)"""
        found = self.by_phone.get(text) or self.by_name.get(text) or []
        if not found:
            return None, _("No active steward is called %(value)s or has that phone number.") % {"value": text}
        if len(found) > 1:
            return None, _("Several stewards are called %(value)s: write the steward's phone number instead.") % {
                "value": text}
        return found[0], None


def _text(result, number, header, raw, key, limit=None):
    value = _cell_text(raw)
    limit = limit or TEXT_LIMITS.get(key)
    if limit and len(value) > limit:
        result.error(number, header, _("At most %(n)d characters; this has %(len)d.") % {"n": limit, "len": len(value)})
    return value


def _lookup(result, number, header, text, table: dict, what):
    obj = table.get(text)
    if obj is None:
        result.error(number, header, _("%(value)s is not a known %(what)s: use one of the values listed on the "
                                       "template's second sheet.") % {"value": text, "what": what})
    return obj


def check_enterprises(rows: list[tuple[int, dict]], *, progress=None) -> CheckResult:
    from evaluations.models import Campaign, Rating
    from stewards.models import StewardAssignment
    from stewards.services import steward_assignment_check

    result = CheckResult()
    headers = {key: header for key, header, _r in ENTERPRISE_COLUMNS}
    industries = {o.name: o for o in IndustryChain.objects.all()}
    parks = {o.name: o for o in Park.objects.all()}
    workstations = {o.name: o for o in Workstation.objects.all()}
    stewards = _Stewards()
    codes = {normalize_credit_code(_cell_text(v.get("credit_code"))) for _n, v in rows}
    names = {_cell_text(v.get("name")) for _n, v in rows}
    existing: dict[str, Enterprise] = {}
    for chunk in _chunks(codes):
        for enterprise in Enterprise.objects.filter(credit_code__in=chunk).prefetch_related("tags"):
            existing[enterprise.credit_code] = enterprise
    name_owner: dict[str, str] = {}
    for chunk in _chunks(names):
        name_owner.update(Enterprise.objects.filter(name__in=chunk).values_list("name", "credit_code"))
    current_steward: dict[int, int] = {}
    barred: set[tuple[int, int]] = set()  # (enterprise, steward) pairs rated unsatisfied this year
    now = timezone.now()
    for chunk in _chunks([e.pk for e in existing.values()]):
        current_steward.update(StewardAssignment.objects.active().filter(enterprise_id__in=chunk)
                               .values_list("enterprise_id", "steward_id"))
        barred.update(Rating.objects.filter(
            enterprise_id__in=chunk, value=Rating.Value.UNSATISFIED, campaign__year=local_date(now).year,
            campaign__status=Campaign.Status.CLOSED).values_list("enterprise_id", "steward_id"))
    seen_codes: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    what = {"industry": _("industry chain"), "park": _("park"), "workstation": _("workstation")}

    for done, (number, raw) in enumerate(rows, start=1):
        before = len(result.errors)
        name = _text(result, number, headers["name"], raw.get("name"), "name")
        code = normalize_credit_code(_cell_text(raw.get("credit_code")))
        if not name:
            result.error(number, headers["name"], _("Required: fill in the enterprise's name."))
        elif name in seen_names:
            result.error(number, headers["name"], _("The same name is already on row %(row)d.") % {"row": seen_names[name]})
        else:
            seen_names[name] = number
        if not code:
            result.error(number, headers["credit_code"], _("Required: fill in the unified social credit code."))
        else:
            try:
                validate_credit_code(code)
            except ValidationError as exc:
                result.error(number, headers["credit_code"], " ".join(exc.messages))
            else:
                if code in seen_codes:
                    result.error(number, headers["credit_code"],
                                 _("The same credit code is already on row %(row)d.") % {"row": seen_codes[code]})
                else:
                    seen_codes[code] = number
        if name and name in name_owner and name_owner[name] != code:
            result.error(number, headers["name"], _("An enterprise with this name is already registered under credit "
                                                     "code %(code)s.") % {"code": name_owner[name]})
        values: dict = {}
        for key, table in (("industry", industries), ("park", parks)):
            text = _cell_text(raw.get(key))
            if not text:
                result.error(number, headers[key], _("Required: fill in this column."))
            else:
                obj = _lookup(result, number, headers[key], text, table, what[key])
                values[f"{key}_id"] = obj.pk if obj else None
        text = _cell_text(raw.get("workstation"))
        if text:
            obj = _lookup(result, number, headers["workstation"], text, workstations, what["workstation"])
            values["workstation_id"] = obj.pk if obj else None
        text = _cell_text(raw.get("above_size")).upper()
        if text in YES:
            values["above_designated_size"] = True
        elif text in NO:
            values["above_designated_size"] = False
        elif text:
            result.error(number, headers["above_size"], _("Write 是 or 否."))
        text = _cell_text(raw.get("ownership"))
        if not text:
            result.error(number, headers["ownership"], _("Required: fill in this column."))
        elif text not in OWNERSHIP_WORDS:
            result.error(number, headers["ownership"], _("Write one of 央企, 地方国企, 民企, 外资, 混合所有制."))
        else:
            values["ownership"] = OWNERSHIP_WORDS[text]
        for key in ("address", "legal_representative", "contact_name", "contact_phone"):
            text = _text(result, number, headers[key], raw.get(key), key)
            if text:
                values[key] = text
        tags = None
        text = _cell_text(raw.get("tags"))
        if text:
            tags = sorted({t for t in TAG_SPLIT.split(text) if t})
            for tag in tags:
                if len(tag) > 30:
                    result.error(number, headers["tags"], _("A tag has at most 30 characters: %(tag)s") % {"tag": tag})
        steward = None
        text = _cell_text(raw.get("steward"))
        if text:
            steward, message = stewards.find(text)
            if message:
                result.error(number, headers["steward"], message)
            elif "workstation_id" not in values and steward.user.workstation_id:
                values["workstation_id"] = steward.user.workstation_id
        if progress:
            progress(done)
        if len(result.errors) > before:
            continue
        values["name"] = name
        enterprise = existing.get(code)
        plan = RowPlan(row=number, action="create", label=name, values=values, tags=tags, existing=enterprise)
        if enterprise is None:
            values["credit_code"] = code
            values.setdefault("above_designated_size", False)
            plan.steward = steward
        else:
            plan.changed = [k for k, v in values.items() if getattr(enterprise, k) != v]
            if tags is not None and sorted(t.name for t in enterprise.tags.all()) == tags:
                plan.tags = None
            if steward is not None and current_steward.get(enterprise.pk) != steward.pk:
                if (enterprise.pk, steward.pk) in barred:
                    # The assignment service's own rule, asked only for the rows it concerns (for its message).
                    try:
                        steward_assignment_check(enterprise=enterprise, steward=steward, on=now)
                    except ValidationError as exc:
                        result.error(number, headers["steward"], " ".join(exc.messages))
                        continue
                plan.steward = steward
            plan.action = "update" if (plan.changed or plan.tags is not None or plan.steward) else "unchanged"
        result.plans.append(plan)
    return result


def check_projects(rows: list[tuple[int, dict]], *, progress=None) -> CheckResult:
    from projects.models import STAGE_ORDER, Project, ProjectStewardAssignment, Stage

    result = CheckResult()
    headers = {key: header for key, header, _r in PROJECT_COLUMNS}
    industries = {o.name: o for o in IndustryChain.objects.all()}
    stewards = _Stewards()
    stage_words = dict(zip(_stage_words_zh(), STAGE_ORDER, strict=True))
    stage_words.update({str(s.label): s.value for s in Stage} | {s.value: s.value for s in Stage})
    investor_texts = {_cell_text(v.get("investor")) for _n, v in rows} - {""}
    investors: dict[str, list] = {}
    for chunk in _chunks(investor_texts):
        codes = [normalize_credit_code(t) for t in chunk]
        for enterprise in Enterprise.objects.filter(name__in=chunk) | Enterprise.objects.filter(credit_code__in=codes):
            investors.setdefault(enterprise.name, []).append(enterprise)
            if enterprise.credit_code != enterprise.name:
                investors.setdefault(enterprise.credit_code, []).append(enterprise)
    names = {_cell_text(v.get("name")) for _n, v in rows}
    existing: dict[tuple, list] = {}
    for chunk in _chunks(names):
        for project in Project.objects.filter(name__in=chunk):
            existing.setdefault((project.name, project.investor_id), []).append(project)
    current_steward = dict(ProjectStewardAssignment.objects.active().filter(
        project_id__in=[p.pk for group in existing.values() for p in group]).values_list("project_id", "steward_id"))
    seen: dict[tuple, int] = {}

    for done, (number, raw) in enumerate(rows, start=1):
        before = len(result.errors)
        name = _text(result, number, headers["name"], raw.get("name"), "name", limit=150)
        if not name:
            result.error(number, headers["name"], _("Required: fill in the project's name."))
        values: dict = {"name": name}
        investor = None
        text = _cell_text(raw.get("investor"))
        if text:
            found = investors.get(text) or investors.get(normalize_credit_code(text)) or []
            if len(found) != 1:
                result.error(number, headers["investor"], _("No enterprise in the system has this name or credit code: "
                                                            "import the enterprise first."))
            else:
                investor = found[0]
        values["investor_id"] = investor.pk if investor else None
        text = _cell_text(raw.get("industry"))
        if not text:
            result.error(number, headers["industry"], _("Required: fill in this column."))
        else:
            obj = _lookup(result, number, headers["industry"], text, industries, _("industry chain"))
            values["industry_id"] = obj.pk if obj else None
        for key in MONEY_FIELDS:
            raw_value = raw.get(key)
            if raw_value is None or _cell_text(raw_value) == "":
                continue
            try:
                number_value = Decimal(str(raw_value).replace(",", "").replace("，", "").strip()).quantize(Decimal("0.01"))
                if not number_value.is_finite():
                    raise InvalidOperation
            except (InvalidOperation, ValueError):
                result.error(number, headers[key], _("Write a number, e.g. 1200.5 (no units)."))
                continue
            if number_value < 0:
                result.error(number, headers[key], _("This figure cannot be negative."))
            elif number_value >= MONEY_MAX.get(key, Decimal("1e12")):
                result.error(number, headers[key], _("This number is too large."))
            else:
                values[key] = number_value
        if (values.get("funds_in_place") or 0) > (values.get("total_investment") or 0) > 0:
            result.error(number, headers["funds_in_place"], _("Funds in place cannot exceed the total investment."))
        for key in ("planned_start", "planned_completion"):
            raw_value = raw.get(key)
            if raw_value in (None, ""):
                continue
            parsed = _parse_date(raw_value)
            if parsed is None:
                result.error(number, headers[key], _("Write a date such as 2026-03-01."))
            else:
                values[key] = parsed
        if values.get("planned_start") and values.get("planned_completion") and \
                values["planned_completion"] < values["planned_start"]:
            result.error(number, headers["planned_completion"],
                         _("The planned completion cannot be before the planned start."))
        text = _cell_text(raw.get("description"))
        if text:
            values["description"] = text
        stage = ""
        text = _cell_text(raw.get("stage"))
        if text:
            stage = stage_words.get(text, "")
            if not stage:
                result.error(number, headers["stage"], _("Write one of 洽谈, 签约, 供地, 开工, 竣工, 投产."))
        steward = None
        text = _cell_text(raw.get("steward"))
        if text:
            steward, message = stewards.find(text)
            if message:
                result.error(number, headers["steward"], message)
        key = (name, values["investor_id"])
        if name and key in seen:
            result.error(number, headers["name"], _("The same project (name and investor) is already on row %(row)d.")
                         % {"row": seen[key]})
        elif name:
            seen[key] = number
        matches = existing.get(key, [])
        if len(matches) > 1:
            result.error(number, headers["name"], _("Several projects in the system have this name and investor: "
                                                    "rename them first."))
        project = matches[0] if len(matches) == 1 else None
        if project and stage and stage != project.stage:
            current, target = STAGE_ORDER.index(project.stage), STAGE_ORDER.index(stage)
            if target != current + 1:
                result.error(number, headers["stage"], _("The project is at %(current)s: an import can only move it on "
                                                         "to the next stage (%(next)s).") % {
                    "current": Stage(project.stage).label,
                    "next": Stage(STAGE_ORDER[current + 1]).label if current + 1 < len(STAGE_ORDER) else "—"})
        if progress:
            progress(done)
        if len(result.errors) > before:
            continue
        plan = RowPlan(row=number, action="create", label=name, values=values, existing=project, stage=stage)
        if project is None:
            plan.steward = steward
        else:
            plan.changed = [k for k, v in values.items() if getattr(project, k) != v]
            plan.stage = stage if stage and stage != project.stage else ""
            if steward is not None and current_steward.get(project.pk) != steward.pk:
                plan.steward = steward
            plan.action = "update" if (plan.changed or plan.stage or plan.steward) else "unchanged"
        result.plans.append(plan)
    return result


def _parse_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _cell_text(value)
    match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text)
    if not match:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


CHECKS = {ImportBatch.Kind.ENTERPRISES: check_enterprises, ImportBatch.Kind.PROJECTS: check_projects}


def _check_batch(batch: ImportBatch, *, track: bool = True) -> CheckResult:
    try:
        file = batch.file.open("rb")
    except OSError as exc:  # the stored file is gone (MEDIA_ROOT not shared with this worker?)
        logger.error("import batch %s: cannot open %s: %s", batch.pk, batch.file.name, exc)
        raise SheetError(_("The uploaded file can no longer be read: upload it again.")) from exc
    with file:
        rows, _columns = read_sheet(file, kind=batch.kind)
    if batch.total != len(rows):
        batch.total = len(rows)
        ImportBatch.objects.filter(pk=batch.pk).update(total=len(rows))
    progress = _Progress(batch.pk, len(rows)) if track else None
    return CHECKS[batch.kind](rows, progress=progress)


def _preview(result: CheckResult) -> list:
    # The rows that will change, for the preview table; unchanged rows are only counted.
    return [[p.row, p.action, p.label] for p in result.plans if p.action != "unchanged"]


# --------------------------------------------------------------------------------------------
# Services
# --------------------------------------------------------------------------------------------


def can_import(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_admin)


def import_upload(*, actor, kind: str, file) -> ImportBatch:
    """Store the uploaded sheet and check it: in the request when it is small, by Celery when large.
    A file that cannot be read at all (not .xlsx, empty, missing headers, too big) is refused here
    and nothing is stored."""
    require(can_import(actor), _("Only administrators may import data."))
    if kind not in COLUMNS:
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
        rows, _columns = read_sheet(file, kind=kind, probe=True)
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


STALLED_AFTER = dt.timedelta(minutes=5)


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


class _RowFailed(Exception):
    def __init__(self, row, column, messages):
        super().__init__(row)
        self.error = {"row": row, "column": column, "message": " ".join(messages)}


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
            apply = _apply_enterprises if batch.kind == ImportBatch.Kind.ENTERPRISES else _apply_projects
            apply(result, actor=batch.confirmed_by, batch=locked)
            locked.status = Status.DONE
            locked.created_count, locked.updated_count = result.count("create"), result.count("update")
            locked.unchanged_count = result.count("unchanged")
            locked.finished_at = timezone.now()
            locked.progress = locked.total
            locked.save(update_fields=["status", "created_count", "updated_count", "unchanged_count", "finished_at",
                                       "progress"])
            record_event(locked, actor=batch.confirmed_by, kind="import.done", to_state=Status.DONE, data={
                "kind": batch.kind, "file": batch.file_name, "created": locked.created_count,
                "updated": locked.updated_count, "unchanged": locked.unchanged_count})
    except _RowFailed as exc:
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


def _events(objects, *, actor, kind, batch, data_for) -> list[Event]:
    """The same rows ``record_event`` writes, made in bulk: one per enterprise the import touched."""
    if not objects:
        return []
    content_type = ContentType.objects.get_for_model(objects[0])
    now = timezone.now()
    return Event.objects.bulk_create([
        Event(subject_type=content_type, subject_id=obj.pk, root_type=content_type, root_id=obj.pk,
              actor=actor, kind=kind, note=batch.file_name, data={"batch": batch.pk, **data_for(obj)}, created_at=now)
        for obj in objects
    ], batch_size=500)


def _apply_enterprises(result: CheckResult, *, actor, batch: ImportBatch) -> None:
    from stewards.services import steward_assign

    creates = [p for p in result.plans if p.action == "create"]
    updates = [p for p in result.plans if p.action == "update"]
    wanted_tags = {t for p in creates + updates if p.tags for t in p.tags}
    tags = {t.name: t for t in EnterpriseTag.objects.filter(name__in=wanted_tags)}
    missing = wanted_tags - set(tags)
    if missing:
        EnterpriseTag.objects.bulk_create([EnterpriseTag(name=n) for n in sorted(missing)], ignore_conflicts=True)
        tags = {t.name: t for t in EnterpriseTag.objects.filter(name__in=wanted_tags)}

    new = [Enterprise(**p.values) for p in creates]
    Enterprise.objects.bulk_create(new, batch_size=500)
    for plan, enterprise in zip(creates, new, strict=True):
        plan.existing = enterprise
    if any(e.pk is None for e in new):  # a backend that does not return ids from bulk inserts
        ids = dict(Enterprise.objects.filter(credit_code__in=[e.credit_code for e in new]).values_list("credit_code", "pk"))
        for enterprise in new:
            enterprise.pk = enterprise.id = ids[enterprise.credit_code]

    changed_fields = sorted({name for p in updates for name in p.changed})
    objects = []
    for plan in updates:
        for name in plan.changed:
            setattr(plan.existing, name, plan.values[name])
        objects.append(plan.existing)
    if changed_fields:
        Enterprise.objects.bulk_update([p.existing for p in updates if p.changed], changed_fields, batch_size=500)

    through = Enterprise.tags.through
    retagged = [p for p in updates if p.tags is not None]
    for chunk in _chunks([p.existing.pk for p in retagged]):
        through.objects.filter(enterprise_id__in=chunk).delete()
    through.objects.bulk_create([
        through(enterprise_id=p.existing.pk, enterprisetag_id=tags[name].pk)
        for p in creates + retagged if p.tags for name in p.tags
    ], batch_size=500)

    _events(new, actor=actor, kind="enterprise.imported", batch=batch, data_for=lambda e: {})
    fields_of = {p.existing.pk: sorted(p.changed + (["tags"] if p.tags is not None else [])) for p in updates}
    _events([p.existing for p in updates if fields_of[p.existing.pk]], actor=actor, kind="enterprise.import_updated",
            batch=batch, data_for=lambda e: {"fields": fields_of[e.pk]})
    # Steward changes go through the one assignment service: it keeps the history and tells
    # the enterprise and both stewards. Only rows whose steward differs reach it.
    for plan in creates + updates:
        if plan.steward is None:
            continue
        try:
            steward_assign(enterprise=plan.existing, steward=plan.steward, actor=actor, note=_("Excel import"))
        except ValidationError as exc:
            raise _RowFailed(plan.row, "服务管家", exc.messages) from exc


def _apply_projects(result: CheckResult, *, actor, batch: ImportBatch) -> None:
    from projects import services as project_services
    from projects.models import Stage

    for plan in result.plans:
        if plan.action == "unchanged":
            continue
        fields = dict(plan.values)
        fields["investor"] = Enterprise.objects.filter(pk=fields.pop("investor_id")).first() \
            if fields.get("investor_id") else None
        fields["industry"] = IndustryChain.objects.get(pk=fields.pop("industry_id"))
        try:
            if plan.action == "create":
                project = project_services.project_create(actor=actor, **fields)
                if plan.stage and plan.stage != project.stage:
                    # A project taken over from the committee's sheet starts at the stage the sheet
                    # says; its key dates are unknown and left empty.
                    previous = project.stage
                    project.stage = plan.stage
                    project.save(update_fields=["stage"])
                    record_event(project, actor=actor, kind="project.updated", from_state=Stage(previous).label,
                                 to_state=Stage(plan.stage).label, note=_("Excel import"),
                                 data={"fields": ["stage"], "batch": batch.pk})
            else:
                project = plan.existing
                changed = {name: fields[name] for name in ("investor", "industry") if f"{name}_id" in plan.changed}
                changed |= {name: fields[name] for name in plan.changed if name in fields}
                if changed:
                    project = project_services.project_update(project=project, actor=actor, **changed)
                if plan.stage:
                    project_services.project_stage_change(project=project, to_stage=plan.stage,
                                                          on=timezone.localdate(), actor=actor, note=_("Excel import"))
            if plan.steward is not None:
                project_services.project_steward_assign(project=project, steward=plan.steward, actor=actor,
                                                        note=_("Excel import"))
        except ValidationError as exc:
            raise _RowFailed(plan.row, "", exc.messages) from exc
