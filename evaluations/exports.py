"""Excel export of a campaign's results (openpyxl write-only: constant memory)."""

from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook

from evaluations import selectors
from evaluations.models import Rating


def _pct(value) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


def campaign_workbook(*, user, campaign) -> bytes:
    results = selectors.campaign_results(user=user, campaign=campaign)
    wb = Workbook(write_only=True)
    summary = wb.create_sheet(_("Summary"))
    summary.append([_("Campaign"), _("Status"), _("Enterprises expected"), _("Enterprises that rated"),
                    _("Participation"), _("Satisfied"), _("Unsatisfied"), _("Satisfaction rate")])
    summary.append([str(campaign), campaign.get_status_display(), results.expected, results.rated_enterprises,
                    _pct(results.participation), results.satisfied, results.unsatisfied, _pct(results.rate)])
    ws = wb.create_sheet(_("By workstation"))
    ws.append([_("Workstation"), _("Enterprises that rated"), _("Satisfied"), _("Unsatisfied"), _("Satisfaction rate")])
    for row in results.by_workstation:
        ws.append([row["name"], row["enterprises"], row["satisfied"], row["unsatisfied"], _pct(row["rate"])])
    st = wb.create_sheet(_("By steward"))
    st.append([_("Steward"), _("Workstation"), _("Satisfied"), _("Unsatisfied"), _("Satisfaction rate")])
    for row in results.by_steward:
        st.append([row["name"], row["workstation"], row["satisfied"], row["unsatisfied"], _pct(row["rate"])])
    un = wb.create_sheet(_("Unsatisfied"))
    un.append([_("Enterprise"), _("Steward"), _("Reason"), _("Rated"), _("Replacement"), _("New steward"),
               _("Subjective lack of effort")])
    cases = {c.rating_id: c for c in selectors.case_list(user, campaign)}
    for r in selectors.rating_list(user, campaign).filter(value=Rating.Value.UNSATISFIED).order_by("enterprise__name"):
        case = cases.get(r.pk)
        finding = "" if case is None or case.lack_of_effort is None else (_("yes") if case.lack_of_effort else _("no"))
        un.append([r.enterprise.name, r.steward.name, r.reason, r.updated_at.strftime("%Y-%m-%d"),
                   case.get_status_display() if case else "", case.new_steward.name if case and case.new_steward else "",
                   finding])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
