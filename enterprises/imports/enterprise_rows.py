"""The enterprise columns of a sheet: checking them (the writing is ``enterprises.services``).

The enterprise sheet itself is registered by the app that adds its other columns (the steward
column is stewards'); it checks each row's enterprise cells here and then its own.
Enterprises are matched by credit code, so importing the same sheet again updates instead of
duplicating, and an unchanged sheet changes nothing. Lookups (industries, parks, workstations,
the enterprises named in the sheet) are loaded once per sheet, never once per row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from enterprises.imports.checks import NO, YES, CheckResult, RowPlan, chunks, lookup, text
from enterprises.imports.sheets import cell_text
from enterprises.models import Enterprise, IndustryChain, Park
from enterprises.validators import normalize_credit_code, validate_credit_code
from zonehub.models import Workstation

# (key, header, required)
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
]
ENTERPRISE_COLUMN_HELP = {
    "name": "必填。企业全称，与营业执照一致。",
    "credit_code": "必填。18位统一社会信用代码；同一代码的企业再次导入时更新而不是新增。请把此列设为文本格式。",
    "industry": "必填。见下方“主导产业”列表。",
    "park": "必填。见下方“园区”列表。",
    "workstation": "可填。见下方“工作站”列表；不填时取服务管家所在工作站。",
    "above_size": "填“是”或“否”；不填视为“否”（已有企业不填则不修改）。",
    "ownership": "必填。央企、地方国企（国企）、民企、外资、混合所有制 之一。",
    "tags": "可填。多个标签用逗号或顿号分隔，如：高新技术企业、专精特新。",
    "address": "可填。", "legal_representative": "可填。", "contact_name": "可填。", "contact_phone": "可填。",
}
ENTERPRISE_TEXT_COLUMNS = frozenset({"credit_code", "contact_phone"})
ENTERPRISE_YES_NO_COLUMNS = frozenset({"above_size"})

OWNERSHIP_WORDS = {
    "央企": "central_soe", "中央企业": "central_soe",
    "地方国企": "local_soe", "国企": "local_soe", "国有企业": "local_soe",
    "民企": "private", "民营": "private", "民营企业": "private",
    "外资": "foreign", "外资企业": "foreign", "外商投资企业": "foreign",
    "混合所有制": "mixed", "混合": "mixed",
}
TAG_SPLIT = re.compile(r"[,，、;；\s]+")
TEXT_LIMITS = {"name": 100, "address": 200, "legal_representative": 50, "contact_name": 50, "contact_phone": 30}
HEADERS = {key: header for key, header, _required in ENTERPRISE_COLUMNS}


@dataclass
class EnterprisePlan(RowPlan):
    tags: list | None = None  # the tags to set; None: leave them as they are


@dataclass
class EnterpriseRow:
    """One row's enterprise cells, checked: ``values`` are the Enterprise fields the row sets."""

    number: int
    name: str
    code: str
    values: dict
    tags: list | None


def enterprise_template_lists() -> list[tuple[str, list[str]]]:
    return [("主导产业", list(IndustryChain.objects.values_list("name", flat=True))),
            ("园区", list(Park.objects.values_list("name", flat=True))),
            ("工作站", list(Workstation.objects.values_list("name", flat=True))),
            ("所有制", ["央企", "地方国企", "民企", "外资", "混合所有制"]),
            ("规上企业", ["是", "否"])]


class EnterpriseRows:
    """Checks the enterprise cells of a sheet's rows, one row at a time, after loading what they
    refer to once for the whole sheet."""

    def __init__(self, rows: list[tuple[int, dict]]):
        self.industries = {o.name: o for o in IndustryChain.objects.all()}
        self.parks = {o.name: o for o in Park.objects.all()}
        self.workstations = {o.name: o for o in Workstation.objects.all()}
        codes = {normalize_credit_code(cell_text(v.get("credit_code"))) for _n, v in rows}
        names = {cell_text(v.get("name")) for _n, v in rows}
        self.existing: dict[str, Enterprise] = {}
        for chunk in chunks(codes):
            for enterprise in Enterprise.objects.filter(credit_code__in=chunk).prefetch_related("tags"):
                self.existing[enterprise.credit_code] = enterprise
        self.name_owner: dict[str, str] = {}
        for chunk in chunks(names):
            self.name_owner.update(Enterprise.objects.filter(name__in=chunk).values_list("name", "credit_code"))
        self.seen_codes: dict[str, int] = {}
        self.seen_names: dict[str, int] = {}
        self.what = {"industry": _("industry chain"), "park": _("park"), "workstation": _("workstation")}

    def check(self, result: CheckResult, number: int, raw: dict) -> EnterpriseRow:
        """Every error of the row's enterprise cells goes to ``result``."""
        name = text(result, number, HEADERS["name"], raw.get("name"), limit=TEXT_LIMITS["name"])
        code = normalize_credit_code(cell_text(raw.get("credit_code")))
        if not name:
            result.error(number, HEADERS["name"], _("Required: fill in the enterprise's name."))
        elif name in self.seen_names:
            result.error(number, HEADERS["name"],
                         _("The same name is already on row %(row)d.") % {"row": self.seen_names[name]})
        else:
            self.seen_names[name] = number
        if not code:
            result.error(number, HEADERS["credit_code"], _("Required: fill in the unified social credit code."))
        else:
            try:
                validate_credit_code(code)
            except ValidationError as exc:
                result.error(number, HEADERS["credit_code"], " ".join(exc.messages))
            else:
                if code in self.seen_codes:
                    result.error(number, HEADERS["credit_code"],
                                 _("The same credit code is already on row %(row)d.") % {"row": self.seen_codes[code]})
                else:
                    self.seen_codes[code] = number
        if name and name in self.name_owner and self.name_owner[name] != code:
            result.error(number, HEADERS["name"], _("An enterprise with this name is already registered under credit "
                                                     "code %(code)s.") % {"code": self.name_owner[name]})
        values: dict = {}
        for key, table in (("industry", self.industries), ("park", self.parks)):
            value = cell_text(raw.get(key))
            if not value:
                result.error(number, HEADERS[key], _("Required: fill in this column."))
            else:
                obj = lookup(result, number, HEADERS[key], value, table, self.what[key])
                values[f"{key}_id"] = obj.pk if obj else None
        value = cell_text(raw.get("workstation"))
        if value:
            obj = lookup(result, number, HEADERS["workstation"], value, self.workstations, self.what["workstation"])
            values["workstation_id"] = obj.pk if obj else None
        value = cell_text(raw.get("above_size")).upper()
        if value in YES:
            values["above_designated_size"] = True
        elif value in NO:
            values["above_designated_size"] = False
        elif value:
            result.error(number, HEADERS["above_size"], _("Write 是 or 否."))
        value = cell_text(raw.get("ownership"))
        if not value:
            result.error(number, HEADERS["ownership"], _("Required: fill in this column."))
        elif value not in OWNERSHIP_WORDS:
            result.error(number, HEADERS["ownership"], _("Write one of 央企, 地方国企, 民企, 外资, 混合所有制."))
        else:
            values["ownership"] = OWNERSHIP_WORDS[value]
        for key in ("address", "legal_representative", "contact_name", "contact_phone"):
            value = text(result, number, HEADERS[key], raw.get(key), limit=TEXT_LIMITS[key])
            if value:
                values[key] = value
        tags = None
        value = cell_text(raw.get("tags"))
        if value:
            tags = sorted({t for t in TAG_SPLIT.split(value) if t})
            for tag in tags:
                if len(tag) > 30:
                    result.error(number, HEADERS["tags"], _("A tag has at most 30 characters: %(tag)s") % {"tag": tag})
        return EnterpriseRow(number=number, name=name, code=code, values=values, tags=tags)

    def plan(self, row: EnterpriseRow, *, plan_class=EnterprisePlan) -> EnterprisePlan:
        """What a clean row does to the enterprise columns: create, update (the fields and tags that
        differ) or nothing. A higher app's sheet may turn "unchanged" into "update" for its own columns."""
        values = row.values
        values["name"] = row.name
        enterprise = self.existing.get(row.code)
        plan = plan_class(row=row.number, action="create", label=row.name, values=values, tags=row.tags,
                          existing=enterprise)
        if enterprise is None:
            values["credit_code"] = row.code
            values.setdefault("above_designated_size", False)
        else:
            plan.changed = [k for k, v in values.items() if getattr(enterprise, k) != v]
            if row.tags is not None and sorted(t.name for t in enterprise.tags.all()) == row.tags:
                plan.tags = None
            plan.action = "update" if (plan.changed or plan.tags is not None) else "unchanged"
        return plan
