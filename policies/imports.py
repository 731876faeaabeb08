"""The policy office's sheet on the Excel import (the enterprises' machinery: template, upload,
preview with every row's problems, confirm, all rows or none).

A row is matched to a policy by its document number (文号), or by its title when it has none, so
importing the same sheet again updates instead of duplicating (and an unchanged sheet changes
nothing). New policies are drafts: publishing, which pushes them, stays a deliberate act on the
page. Every write goes through ``policies.services`` as a page's would. The headers are those of
the catalogue's export, so an exported catalogue can be edited and imported again. Registered in
``PoliciesConfig.ready()``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from enterprises.imports import CheckResult, Importer, RowFailed, RowPlan, cell_text
from enterprises.imports.checks import NO, YES, chunks, parse_date, text
from enterprises.models import Enterprise, EnterpriseTag, ImportBatch, IndustryChain, Park
from policies import services
from policies.models import Policy
from zonehub.models import Department

KIND = "policies"
# (key, header, required). The bracketed units are left out when headers are matched.
POLICY_COLUMNS = [
    ("title", "政策名称", True),
    ("issuer", "发文机关", True),
    ("document_number", "文号", False),
    ("level", "层级", True),
    ("kind", "类别", True),
    ("summary", "政策摘要", True),
    ("benefit_type", "支持方式", False),
    ("benefit_amount", "金额（元）", False),
    ("benefit_rate", "比例（%）", False),
    ("benefit_note", "支持内容", False),
    ("opens_on", "申报开始", True),
    ("closes_on", "申报截止", True),
    ("materials", "申报材料", False),
    ("department", "受理部门", False),
    ("tags_all", "须全部具备的标签", False),
    ("tags_any", "具备其一的标签", False),
    ("industries", "产业链", False),
    ("parks", "园区", False),
    ("ownerships", "所有制", False),
    ("size", "规上企业", False),
    ("min_years_in_zone", "在区年限不少于（年）", False),
    ("min_revenue", "营业收入不低于（万元）", False),
    ("max_revenue", "营业收入不高于（万元）", False),
    ("min_output", "工业产值不低于（万元）", False),
    ("min_tax", "纳税不低于（万元）", False),
    ("min_employees", "从业人数不少于", False),
    ("max_employees", "从业人数不多于", False),
]
HEADERS = {key: header for key, header, _required in POLICY_COLUMNS}
COLUMN_HELP = {
    "title": "必填。政策名称；同一文号（无文号时同一名称）的政策再次导入时更新。",
    "issuer": "必填。如：市科学技术局。",
    "document_number": "可填。如：高管〔2026〕12号。",
    "level": "必填。国家级、省级、市级、区级 之一。",
    "kind": "必填。见下方“类别”列表。",
    "summary": "必填。政策要点，几句话。",
    "benefit_type": "定额、最高限额、按比例 之一；不填视为最高限额。",
    "benefit_amount": "数字，单位元：定额或最高限额。",
    "benefit_rate": "数字，单位%：按比例支持时填写。",
    "benefit_note": "可填。如：按研发费用的100%加计扣除。",
    "opens_on": "必填。日期，如 2026-03-01。",
    "closes_on": "必填。日期，不能早于申报开始。",
    "materials": "可填。需提交的材料。",
    "department": "可填。受理部门的名称或简称，须已在系统中。",
    "tags_all": "可填。企业须全部具备的标签，多个用顿号或逗号分隔，须已在系统中。",
    "tags_any": "可填。企业具备其一即可的标签，多个用顿号或逗号分隔。",
    "industries": "可填。限定的产业链，多个用顿号分隔；不填表示不限。",
    "parks": "可填。限定的园区，多个用顿号分隔；不填表示不限。",
    "ownerships": "可填。限定的所有制，见下方列表，多个用顿号分隔。",
    "size": "是：仅规上企业；否：仅规下企业；不填：不限。",
    "min_years_in_zone": "整数：在区注册满几年。",
    "min_revenue": "数字，单位万元，按企业最近一年的指标。", "max_revenue": "数字，单位万元。",
    "min_output": "数字，单位万元。", "min_tax": "数字，单位万元。",
    "min_employees": "整数。", "max_employees": "整数。",
}
SPLIT = re.compile(r"[、,，;；/\s]+")
DECIMAL_FIELDS = ("benefit_amount", "benefit_rate", "min_revenue", "max_revenue", "min_output", "min_tax")
INTEGER_FIELDS = ("min_years_in_zone", "min_employees", "max_employees")
TEXT_LIMITS = {"title": 200, "issuer": 100, "document_number": 100, "benefit_note": 200}
M2M = ("tags_all", "tags_any", "industries", "parks")


def _words(choices) -> dict[str, str]:
    """Every way a value may be written: its Chinese label, its English label, its code."""
    table = {str(value): value for value in choices.values}
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            table.update({str(label): value for value, label in choices.choices})
    return table


def _zh_labels(choices) -> list[str]:
    with translation.override("zh-hans"):
        return [str(label) for _value, label in choices.choices]


@dataclass
class PolicyPlan(RowPlan):
    m2m: dict | None = None


class PolicySheet(Importer):
    kind = KIND
    sheet_title = "政策目录"
    template_filename = "政策目录导入模板.xlsx"
    columns = POLICY_COLUMNS
    column_help = COLUMN_HELP
    text_columns = frozenset({"document_number"})
    yes_no_columns = frozenset({"size"})

    def template_lists(self):
        return [("层级", _zh_labels(Policy.Level)), ("类别", _zh_labels(Policy.Kind)),
                ("支持方式", _zh_labels(Policy.BenefitType)), ("所有制", _zh_labels(Enterprise.Ownership)),
                ("标签", list(EnterpriseTag.objects.order_by("name").values_list("name", flat=True))),
                ("产业链", list(IndustryChain.objects.values_list("name", flat=True))),
                ("园区", list(Park.objects.order_by("name").values_list("name", flat=True))),
                ("受理部门", list(Department.objects.filter(is_active=True).order_by("name")
                                  .values_list("name", flat=True)))]

    def check(self, rows, *, progress=None) -> CheckResult:
        result = CheckResult()
        words = {"level": _words(Policy.Level), "kind": _words(Policy.Kind),
                 "benefit_type": _words(Policy.BenefitType), "ownerships": _words(Enterprise.Ownership)}
        tables = {"tags_all": {t.name: t for t in EnterpriseTag.objects.all()},
                  "industries": {i.name: i for i in IndustryChain.objects.all()},
                  "parks": {p.name: p for p in Park.objects.all()}}
        tables["tags_any"] = tables["tags_all"]
        departments = {}
        for dept in Department.objects.filter(is_active=True):
            departments[dept.name] = dept
            if dept.short_name:
                departments.setdefault(dept.short_name, dept)
        numbers = {cell_text(v.get("document_number")) for _n, v in rows} - {""}
        titles = {cell_text(v.get("title")) for _n, v in rows}
        existing: dict[tuple, list] = {}
        for chunk in chunks(numbers | titles):
            for policy in Policy.objects.filter(Q(document_number__in=chunk) | Q(title__in=chunk)).prefetch_related(*M2M):
                if policy.document_number:
                    existing.setdefault(("number", policy.document_number), []).append(policy)
                existing.setdefault(("title", policy.title), []).append(policy)
        seen: dict[tuple, int] = {}

        for done, (number, raw) in enumerate(rows, start=1):
            before = len(result.errors)
            values: dict = {}
            for key, limit in TEXT_LIMITS.items():
                values[key] = text(result, number, HEADERS[key], raw.get(key), limit=limit)
            for key in ("summary", "materials"):
                values[key] = cell_text(raw.get(key))
            for key in ("level", "kind", "benefit_type"):
                value = cell_text(raw.get(key))
                if key == "benefit_type" and not value:
                    values[key] = Policy.BenefitType.CEILING
                elif value not in words[key]:
                    result.error(number, HEADERS[key], _("%(value)s is not allowed here: use one of the values listed on "
                                                         "the template's second sheet.") % {"value": value or "—"})
                else:
                    values[key] = words[key][value]
            for key in ("opens_on", "closes_on"):
                value = raw.get(key)
                parsed = parse_date(value) if value not in (None, "") else None
                if parsed is None:
                    result.error(number, HEADERS[key], _("Write a date such as 2026-03-01."))
                values[key] = parsed
            for key in DECIMAL_FIELDS + INTEGER_FIELDS:
                value = cell_text(raw.get(key)).replace(",", "").replace("，", "")
                values[key] = None
                if not value:
                    continue
                try:
                    parsed = Decimal(value)
                    if not parsed.is_finite():
                        raise InvalidOperation
                except (InvalidOperation, ValueError):
                    result.error(number, HEADERS[key], _("Write a number, e.g. 1200.5 (no units)."))
                    continue
                if key in INTEGER_FIELDS:
                    if parsed != parsed.to_integral_value():
                        result.error(number, HEADERS[key], _("Write a whole number, 0 or more."))
                        continue
                    values[key] = int(parsed)
                else:
                    values[key] = parsed
            value = cell_text(raw.get("department"))
            values["department"] = None
            if value:
                values["department"] = departments.get(value)
                if values["department"] is None:
                    result.error(number, HEADERS["department"], _("%(value)s is not a known department: use one of "
                                                                  "the values listed on the template's second sheet.")
                                 % {"value": value})
            m2m = {}
            for key in M2M:
                names = [n for n in SPLIT.split(cell_text(raw.get(key))) if n]
                unknown = [n for n in names if n not in tables[key]]
                if unknown:
                    result.error(number, HEADERS[key], _("Not in the system: %(names)s. Use the values listed on the "
                                                         "template's second sheet.") % {"names": "、".join(unknown)})
                m2m[key] = sorted({tables[key][n] for n in names if n in tables[key]}, key=lambda o: o.pk)
            owners = [n for n in SPLIT.split(cell_text(raw.get("ownerships"))) if n]
            bad = [n for n in owners if n not in words["ownerships"]]
            if bad:
                result.error(number, HEADERS["ownerships"], _("Not an ownership type: %(names)s.")
                             % {"names": "、".join(bad)})
            values["ownerships"] = sorted({words["ownerships"][n] for n in owners if n in words["ownerships"]})
            size = cell_text(raw.get("size")).upper()
            values["above_designated_size"] = True if size in YES else False if size in NO else None
            if size and size not in YES | NO:
                result.error(number, HEADERS["size"], _("Write 是 or 否, or leave it empty."))
            try:  # what the services will check, checked now: the preview names every problem
                values = services.policy_fields_check(values)
            except ValidationError as exc:
                named = {e["column"] for e in result.errors[before:]}
                for field, messages in exc.message_dict.items():
                    header = HEADERS.get(field, HEADERS["title"])
                    if header not in named:  # a column's own problem said once
                        for message in messages:
                            result.error(number, header, message)
            key = ("number", values["document_number"]) if values.get("document_number") else ("title", values["title"])
            if values.get("title") and key in seen:
                result.error(number, HEADERS["document_number" if key[0] == "number" else "title"],
                             _("The same policy is already on row %(row)d.") % {"row": seen[key]})
            elif values.get("title"):
                seen[key] = number
            matches = existing.get(key, [])
            if len(matches) > 1:
                result.error(number, HEADERS["title"], _("Several policies in the system have this document number or "
                                                         "title: tell them apart first."))
            policy = matches[0] if len(matches) == 1 else None
            if policy is not None and policy.status not in (Policy.Status.DRAFT, Policy.Status.PUBLISHED):
                result.error(number, HEADERS["title"], _("This policy is %(status)s: it can no longer be changed.")
                             % {"status": policy.get_status_display()})
            if progress:
                progress(done)
            if len(result.errors) > before:
                continue
            plan = PolicyPlan(row=number, action="create", label=values["title"], values=values, existing=policy,
                              m2m=m2m)
            if policy is not None:
                plan.changed = [k for k, v in values.items() if getattr(policy, k) != v]
                plan.changed += [k for k in M2M if {o.pk for o in getattr(policy, k).all()} != {o.pk for o in m2m[k]}]
                plan.action = "update" if plan.changed else "unchanged"
            result.plans.append(plan)
        return result

    def apply(self, result: CheckResult, *, actor, batch: ImportBatch) -> None:
        for plan in result.plans:
            if plan.action == "unchanged":
                continue
            try:
                if plan.action == "create":
                    services.policy_create(actor=actor, **plan.values, **plan.m2m)
                else:
                    changed = {k: plan.values[k] for k in plan.changed if k in plan.values}
                    changed |= {k: plan.m2m[k] for k in plan.changed if k in plan.m2m}
                    services.policy_update(policy=plan.existing, actor=actor, **changed)
            except ValidationError as exc:
                raise RowFailed(plan.row, "", exc.messages) from exc
