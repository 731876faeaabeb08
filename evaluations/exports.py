"""Excel export of a campaign's results (openpyxl write-only: constant memory), streamed by the
shared export (zonehub.exports). Every row goes through ``sheet_row``: names and reasons typed by
users are written as text, never as formulas."""

from django.utils.translation import gettext as _

from evaluations import selectors
from evaluations.models import Rating
from zonehub.exports import sheet_row, workbook_response, xlsx_response
from zonehub.workdays import local_date


def _pct(value) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


def campaign_response(*, user, campaign):
    return workbook_response(lambda wb: campaign_workbook(wb, user=user, campaign=campaign),
                             filename=f"{campaign.year}年{campaign.get_half_display()}满意度评价")


def campaign_workbook(wb, *, user, campaign) -> None:
    results = selectors.campaign_results(user=user, campaign=campaign)

    def sheet(title, header):
        ws = wb.create_sheet(title)
        ws.append(sheet_row(ws, header))
        return lambda values: ws.append(sheet_row(ws, values))

    add = sheet(_("Summary"), [_("Campaign"), _("Status"), _("Enterprises expected"), _("Enterprises that rated"),
                               _("Participation"), _("Satisfied"), _("Unsatisfied"), _("Satisfaction rate")])
    add([str(campaign), campaign.get_status_display(), results.expected, results.rated_enterprises,
         _pct(results.participation), results.satisfied, results.unsatisfied, _pct(results.rate)])
    add = sheet(_("By workstation"), [_("Workstation"), _("Enterprises that rated"), _("Satisfied"), _("Unsatisfied"),
                                      _("Satisfaction rate")])
    for row in results.by_workstation:
        add([row["name"], row["enterprises"], row["satisfied"], row["unsatisfied"], _pct(row["rate"])])
    add = sheet(_("By steward"), [_("Steward"), _("Workstation"), _("Satisfied"), _("Unsatisfied"), _("Satisfaction rate")])
    for row in results.by_steward:
        add([row["name"], row["workstation"], row["satisfied"], row["unsatisfied"], _pct(row["rate"])])
    add = sheet(_("Unsatisfied"), [_("Enterprise"), _("Steward"), _("Reason"), _("Rated"), _("Replacement"),
                                   _("New steward"), _("Subjective lack of effort")])
    cases = {c.rating_id: c for c in selectors.case_list(user, campaign)}
    for r in selectors.rating_list(user, campaign).filter(value=Rating.Value.UNSATISFIED).order_by("enterprise__name"):
        case = cases.get(r.pk)
        finding = "" if case is None or case.lack_of_effort is None else (_("yes") if case.lack_of_effort else _("no"))
        add([r.enterprise.name, r.steward.name, r.reason, local_date(r.updated_at),
             case.get_status_display() if case else "", case.new_steward.name if case and case.new_steward else "",
             finding])


GRADE_COLUMNS = [
    ("排名", "rank"), ("部门", "grade.department.name"), ("得分", "grade.score"), ("等级", "grade.grade"),
    ("较上月", "change"), ("上月等级", "previous_grade"), ("应答复", "grade.escalations_due"),
    ("按时答复", "grade.replied_on_time"), ("超期", "grade.overdue"), ("退回", "grade.returned"),
    ("按时完成节点", "grade.nodes_on_time"), ("滞后完成节点", "grade.nodes_late"), ("未完成节点", "grade.nodes_open"),
]


def grades_response(rows, *, month):
    """The grade list of a month as the page shows it, rank first."""
    return xlsx_response(rows, GRADE_COLUMNS, filename=f"{month:%Y年%m月}部门等级")


# --- the pay sheet, for the payroll office -----------------------------------------------------

PAY_COLUMNS = [
    ("序号", None), ("姓名", lambda line: line.user.display_name), ("登录名", "user.username"),
    ("单位", lambda line: line.department.name if line.department else ""), ("岗位类别", "get_kind_display"),
    ("月绩效基数（元）", "base"), ("月数", "months"), ("单位等级", lambda line: line.unit_grade or "无"),
    ("单位得分", "unit_score"), ("本人等级", lambda line: line.own_grade or ""), ("单位系数", "unit_coefficient"),
    ("本人系数", "own_coefficient"), ("综合系数", "coefficient"), ("折算基数", "weighted"),
    ("绩效工资（元）", "amount"), ("更正（元）", "corrected"), ("实发绩效（元）", "paid"),
    ("更正原因", lambda line: "；".join(c.reason for c in line.corrections.all())),
]


def pay_sheet_workbook(wb, sheet, lines) -> None:
    """Sheet 1, what the payroll office loads: one header row, then one row per person, amounts as
    numbers. Sheet 2: the period, the status, the pool, the coefficients and the arithmetic."""
    from zonehub.exports import resolve

    ws = wb.create_sheet("绩效工资")
    ws.append(sheet_row(ws, [header for header, _accessor in PAY_COLUMNS]))
    for n, line in enumerate(lines, start=1):
        ws.append(sheet_row(ws, [n if accessor is None else resolve(line, accessor) for _h, accessor in PAY_COLUMNS]))
    rules = sheet.rules or {}
    coefficients = rules.get("coefficients", {})
    about = wb.create_sheet("说明")
    for row in [
        ["期间", sheet.label], ["状态", sheet.get_status_display()], ["绩效工资总额（元）", sheet.pool],
        ["合计（元）", sum((line.amount for line in lines), 0)], ["实发合计（元）", sum((line.paid for line in lines), 0)],
        ["起草", f"{sheet.drafted_by.display_name} {local_date(sheet.drafted_at):%Y-%m-%d}"],
        ["审批", f"{sheet.approved_by.display_name} {local_date(sheet.approved_at):%Y-%m-%d}" if sheet.approved_by else ""],
        ["等级系数", "A {a} · B {b} · C {c} · D {d} · 无等级 {ungraded}".format(**coefficients) if coefficients else ""],
        ["辅助岗跟随单位等级的比例", coefficients.get("auxiliary_share", "")],
        ["单位综合系数", "绩效岗：单位系数 × 本人系数（无本人等级按1）；辅助岗：1 + 比例 × (单位系数 − 1)"],
        ["折算基数", "月绩效基数 × 月数 × 综合系数"],
        ["绩效工资", "绩效工资总额 × 本人折算基数 ÷ 全部折算基数之和，四舍五入到分"],
        ["实发绩效", "绩效工资 + 锁定后的更正"],
    ]:
        about.append(sheet_row(about, row))


def pay_sheet_response(sheet, lines):
    return workbook_response(lambda wb: pay_sheet_workbook(wb, sheet, lines), filename=f"{sheet.label}绩效工资表")
