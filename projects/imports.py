"""The major-project sheet of the Excel import (issue 6).

Projects are matched by name and investor, so importing the same sheet again updates instead of
duplicating. Every write goes through the projects services, as a page's would: creating and
editing (``project_create``/``project_update``), the stage (``project_stage_change``: a stage-change
row and event per step, the key date of the stage reached) and the project steward
(``project_steward_assign``). Registered in ``ProjectsConfig.ready()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises.imports import CheckResult, Importer, RowFailed, RowPlan, cell_text
from enterprises.imports.checks import chunks, lookup, parse_date, text
from enterprises.models import Enterprise, ImportBatch, IndustryChain, Park
from enterprises.validators import normalize_credit_code
from projects import services
from projects.models import STAGE_ORDER, Project, ProjectStewardAssignment, Stage
from stewards.imports import StewardFinder, steward_template_list

# (key, header, required)
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
MONEY_FIELDS = ("total_investment", "planned_investment_this_year", "funds_in_place", "agreed_annual_output",
                "land_mu", "floor_area")
MONEY_MAX = {"land_mu": Decimal("1e8"), "floor_area": Decimal("1e10")}
HEADERS = {key: header for key, header, _required in PROJECT_COLUMNS}


def stage_words_zh() -> list[str]:
    """The stages as the committee writes them, in STAGE_ORDER."""
    return ["洽谈", "签约", "供地", "开工", "竣工", "投产"]


@dataclass
class ProjectPlan(RowPlan):
    steward: object = None  # the project steward to assign; None: leave it as it is
    stage: str = ""  # the stage to move to; "": leave it


class ProjectSheet(Importer):
    kind = ImportBatch.Kind.PROJECTS
    sheet_title = "重大项目"
    template_filename = "重大项目导入模板.xlsx"
    columns = PROJECT_COLUMNS
    column_help = PROJECT_COLUMN_HELP
    text_columns = frozenset({"steward", "investor"})

    def template_lists(self):
        return [("主导产业", list(IndustryChain.objects.values_list("name", flat=True))),
                ("园区", list(Park.objects.values_list("name", flat=True))),
                ("阶段", stage_words_zh()),
                steward_template_list()]

    def check(self, rows: list[tuple[int, dict]], *, progress=None) -> CheckResult:
        result = CheckResult()
        industries = {o.name: o for o in IndustryChain.objects.all()}
        stewards = StewardFinder()
        stage_words = dict(zip(stage_words_zh(), STAGE_ORDER, strict=True))
        stage_words.update({str(s.label): s.value for s in Stage} | {s.value: s.value for s in Stage})
        investor_texts = {cell_text(v.get("investor")) for _n, v in rows} - {""}
        investors: dict[str, list] = {}
        for chunk in chunks(investor_texts):
            codes = [normalize_credit_code(t) for t in chunk]
            for enterprise in Enterprise.objects.filter(name__in=chunk) | Enterprise.objects.filter(credit_code__in=codes):
                investors.setdefault(enterprise.name, []).append(enterprise)
                if enterprise.credit_code != enterprise.name:
                    investors.setdefault(enterprise.credit_code, []).append(enterprise)
        names = {cell_text(v.get("name")) for _n, v in rows}
        existing: dict[tuple, list] = {}
        for chunk in chunks(names):
            for project in Project.objects.filter(name__in=chunk):
                existing.setdefault((project.name, project.investor_id), []).append(project)
        current_steward = dict(ProjectStewardAssignment.objects.active().filter(
            project_id__in=[p.pk for group in existing.values() for p in group]).values_list("project_id", "steward_id"))
        seen: dict[tuple, int] = {}

        for done, (number, raw) in enumerate(rows, start=1):
            before = len(result.errors)
            name = text(result, number, HEADERS["name"], raw.get("name"), limit=150)
            if not name:
                result.error(number, HEADERS["name"], _("Required: fill in the project's name."))
            values: dict = {"name": name}
            investor = None
            value = cell_text(raw.get("investor"))
            if value:
                found = investors.get(value) or investors.get(normalize_credit_code(value)) or []
                if len(found) != 1:
                    result.error(number, HEADERS["investor"], _("No enterprise in the system has this name or credit "
                                                                "code: import the enterprise first."))
                else:
                    investor = found[0]
            values["investor_id"] = investor.pk if investor else None
            value = cell_text(raw.get("industry"))
            if not value:
                result.error(number, HEADERS["industry"], _("Required: fill in this column."))
            else:
                obj = lookup(result, number, HEADERS["industry"], value, industries, _("industry chain"))
                values["industry_id"] = obj.pk if obj else None
            for key in MONEY_FIELDS:
                raw_value = raw.get(key)
                if raw_value is None or cell_text(raw_value) == "":
                    continue
                try:
                    number_value = Decimal(str(raw_value).replace(",", "").replace("，", "").strip()).quantize(
                        Decimal("0.01"))
                    if not number_value.is_finite():
                        raise InvalidOperation
                except (InvalidOperation, ValueError):
                    result.error(number, HEADERS[key], _("Write a number, e.g. 1200.5 (no units)."))
                    continue
                if number_value < 0:
                    result.error(number, HEADERS[key], _("This figure cannot be negative."))
                elif number_value >= MONEY_MAX.get(key, Decimal("1e12")):
                    result.error(number, HEADERS[key], _("This number is too large."))
                else:
                    values[key] = number_value
            if (values.get("funds_in_place") or 0) > (values.get("total_investment") or 0) > 0:
                result.error(number, HEADERS["funds_in_place"], _("Funds in place cannot exceed the total investment."))
            for key in ("planned_start", "planned_completion"):
                raw_value = raw.get(key)
                if raw_value in (None, ""):
                    continue
                parsed = parse_date(raw_value)
                if parsed is None:
                    result.error(number, HEADERS[key], _("Write a date such as 2026-03-01."))
                else:
                    values[key] = parsed
            if values.get("planned_start") and values.get("planned_completion") and \
                    values["planned_completion"] < values["planned_start"]:
                result.error(number, HEADERS["planned_completion"],
                             _("The planned completion cannot be before the planned start."))
            value = cell_text(raw.get("description"))
            if value:
                values["description"] = value
            stage = ""
            value = cell_text(raw.get("stage"))
            if value:
                stage = stage_words.get(value, "")
                if not stage:
                    result.error(number, HEADERS["stage"], _("Write one of 洽谈, 签约, 供地, 开工, 竣工, 投产."))
            steward = None
            value = cell_text(raw.get("steward"))
            if value:
                steward, message = stewards.find(value)
                if message:
                    result.error(number, HEADERS["steward"], message)
            key = (name, values["investor_id"])
            if name and key in seen:
                result.error(number, HEADERS["name"], _("The same project (name and investor) is already on row "
                                                        "%(row)d.") % {"row": seen[key]})
            elif name:
                seen[key] = number
            matches = existing.get(key, [])
            if len(matches) > 1:
                result.error(number, HEADERS["name"], _("Several projects in the system have this name and investor: "
                                                        "rename them first."))
            project = matches[0] if len(matches) == 1 else None
            if project and stage and stage != project.stage:
                current, target = STAGE_ORDER.index(project.stage), STAGE_ORDER.index(stage)
                if target != current + 1:
                    result.error(number, HEADERS["stage"], _("The project is at %(current)s: an import can only move it "
                                                             "on to the next stage (%(next)s).") % {
                        "current": Stage(project.stage).label,
                        "next": Stage(STAGE_ORDER[current + 1]).label if current + 1 < len(STAGE_ORDER) else "—"})
            if progress:
                progress(done)
            if len(result.errors) > before:
                continue
            plan = ProjectPlan(row=number, action="create", label=name, values=values, existing=project, stage=stage)
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

    def apply(self, result: CheckResult, *, actor, batch: ImportBatch) -> None:
        for plan in result.plans:
            if plan.action == "unchanged":
                continue
            fields = dict(plan.values)
            fields["investor"] = Enterprise.objects.filter(pk=fields.pop("investor_id")).first() \
                if fields.get("investor_id") else None
            fields["industry"] = IndustryChain.objects.get(pk=fields.pop("industry_id"))
            try:
                if plan.action == "create":
                    project = services.project_create(actor=actor, **fields)
                    # A project taken over from the committee's sheet starts at the stage the sheet
                    # says: it gets there one stage after another through the stage-change service,
                    # so each step is recorded as a change made on a page would be.
                    for stage in STAGE_ORDER[STAGE_ORDER.index(project.stage) + 1:
                                             STAGE_ORDER.index(plan.stage or project.stage) + 1]:
                        services.project_stage_change(project=project, to_stage=stage, on=timezone.localdate(),
                                                      actor=actor, note=_("Excel import"))
                else:
                    project = plan.existing
                    changed = {name: fields[name] for name in ("investor", "industry") if f"{name}_id" in plan.changed}
                    changed |= {name: fields[name] for name in plan.changed if name in fields}
                    if changed:
                        project = services.project_update(project=project, actor=actor, **changed)
                    if plan.stage:
                        services.project_stage_change(project=project, to_stage=plan.stage, on=timezone.localdate(),
                                                      actor=actor, note=_("Excel import"))
                if plan.steward is not None:
                    services.project_steward_assign(project=project, steward=plan.steward, actor=actor,
                                                    note=_("Excel import"))
            except ValidationError as exc:
                raise RowFailed(plan.row, "", exc.messages) from exc
