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
