"""The enterprise sheet of the Excel import: the enterprise columns (checked by
``enterprises.imports.enterprise_rows``, written by ``enterprises.services``) and the steward
column, which is stewards'.

A steward named on a row becomes the enterprise's steward through the one assignment service
(``services.steward_assign``: history, events, notifications); whether it may (rule 4: not a
steward the enterprise rated unsatisfied this year) is asked of ``services.steward_assignment_check``.
Registered in ``StewardsConfig.ready()``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises.imports import CheckResult, Importer, RowFailed, cell_text
from enterprises.imports.checks import chunks
from enterprises.imports.enterprise_rows import (
    ENTERPRISE_COLUMN_HELP,
    ENTERPRISE_COLUMNS,
    ENTERPRISE_TEXT_COLUMNS,
    ENTERPRISE_YES_NO_COLUMNS,
    EnterprisePlan,
    EnterpriseRows,
    enterprise_template_lists,
)
from enterprises.models import ImportBatch
from enterprises.services import enterprise_import_write
from stewards import services
from stewards.models import AssignmentBar, Steward, StewardAssignment
from zonehub.workdays import local_date

STEWARD_HEADER = "服务管家"


class StewardFinder:
    """Active stewards by phone and by name, loaded once per sheet (the project sheet uses it too)."""

    def __init__(self):
        self.by_phone: dict[str, list] = {}
        self.by_name: dict[str, list] = {}
        for steward in Steward.objects.active().select_related("user"):
            if steward.user.phone:
                self.by_phone.setdefault(steward.user.phone.strip(), []).append(steward)
            self.by_name.setdefault(steward.name.strip(), []).append(steward)

    def find(self, value: str):
        """(steward, error message)"""
        found = self.by_phone.get(value) or self.by_name.get(value) or []
        if not found:
            return None, _("No active steward is called %(value)s or has that phone number.") % {"value": value}
        if len(found) > 1:
            return None, _("Several stewards are called %(value)s: write the steward's phone number instead.") % {
                "value": value}
        return found[0], None


def steward_template_list() -> tuple[str, list[str]]:
    """The stewards a sheet may name, for a template's list of allowed values."""
    stewards = Steward.objects.active().select_related("user", "workstation")
    return ("服务管家（姓名 手机号 工作站）", [
        f"{s.name} {s.phone} {s.workstation.name if s.workstation_id else ''}".strip() for s in stewards])


@dataclass
class EnterpriseSheetPlan(EnterprisePlan):
    steward: Steward | None = None  # the steward to assign; None: leave the assignment as it is


class EnterpriseSheet(Importer):
    kind = ImportBatch.Kind.ENTERPRISES
    sheet_title = "企业"
    template_filename = "企业导入模板.xlsx"
    columns = [*ENTERPRISE_COLUMNS, ("steward", STEWARD_HEADER, False)]
    column_help = {
        **ENTERPRISE_COLUMN_HELP,
        "steward": "可填。服务管家的姓名或手机号；重名时请填手机号。与现有管家不同时更换管家并通知企业。",
    }
    text_columns = ENTERPRISE_TEXT_COLUMNS | {"steward"}
    yes_no_columns = ENTERPRISE_YES_NO_COLUMNS

    def template_lists(self):
        return [*enterprise_template_lists(), steward_template_list()]

    def check(self, rows: list[tuple[int, dict]], *, progress=None) -> CheckResult:
        result = CheckResult()
        enterprises = EnterpriseRows(rows)
        stewards = StewardFinder()
        now = timezone.now()
        current_steward: dict[int, int] = {}
        # (enterprise, steward) pairs a bar of this year may concern, read once for the sheet: only
        # their rows are asked of the assignment check, which decides (and words the refusal).
        maybe_barred: set[tuple[int, int]] = set()
        for chunk in chunks([e.pk for e in enterprises.existing.values()]):
            current_steward.update(StewardAssignment.objects.active().filter(enterprise_id__in=chunk)
                                   .values_list("enterprise_id", "steward_id"))
            maybe_barred.update(AssignmentBar.objects.filter(enterprise_id__in=chunk, year=local_date(now).year)
                                .values_list("enterprise_id", "steward_id"))

        for done, (number, raw) in enumerate(rows, start=1):
            before = len(result.errors)
            row = enterprises.check(result, number, raw)
            steward = None
            value = cell_text(raw.get("steward"))
            if value:
                steward, message = stewards.find(value)
                if message:
                    result.error(number, STEWARD_HEADER, message)
                elif "workstation_id" not in row.values and steward.workstation_id:
                    row.values["workstation_id"] = steward.workstation_id  # an empty workstation: the steward's
            if progress:
                progress(done)
            if len(result.errors) > before:
                continue
            plan = enterprises.plan(row, plan_class=EnterpriseSheetPlan)
            if plan.existing is None:
                plan.steward = steward
            elif steward is not None and current_steward.get(plan.existing.pk) != steward.pk:
                if (plan.existing.pk, steward.pk) in maybe_barred:
                    try:
                        services.steward_assignment_check(enterprise=plan.existing, steward=steward, on=now)
                    except ValidationError as exc:
                        result.error(number, STEWARD_HEADER, " ".join(exc.messages))
                        continue
                plan.steward = steward
                plan.action = "update"
            result.plans.append(plan)
        return result

    def apply(self, result: CheckResult, *, actor, batch: ImportBatch) -> None:
        enterprise_import_write(result.plans, actor=actor, batch=batch)
        # Steward changes go through the one assignment service: it keeps the history and tells
        # the enterprise and both stewards. Only rows whose steward differs reach it.
        for action in ("create", "update"):
            for plan in result.plans:
                if plan.action != action or plan.steward is None:
                    continue
                try:
                    services.steward_assign(enterprise=plan.existing, steward=plan.steward, actor=actor,
                                            note=_("Excel import"))
                except ValidationError as exc:
                    raise RowFailed(plan.row, STEWARD_HEADER, exc.messages) from exc
