"""The menu: what each role can reach from the header.

Each item is a url name and a label, nothing more: a role sees an item exactly when the page
behind it admits that role, read from the page's own declaration (``allowed_roles``, see
zonehub/roles.py). A name that does not resolve (an app not installed) is skipped.

The header is one line from 1280 px up, in Chinese and in English (issue 12): a role's most used
pages (``INLINE``) stay in the bar, the rest fold under "More" (更多), with the administration
site for staff. On a phone the opened menu lists them all, folded ones included.
"""

from django.urls import NoReverseMatch, resolve, reverse
from django.utils.translation import gettext_lazy as _

from zonehub.models import Role
from zonehub.roles import admits_user

NAV_ITEMS: list[tuple[str, object]] = [
    ("home", _("Home")),
    ("stewards:request_list", _("Requests")),
    ("stewards:worklist", _("Worklist")),
    ("stewards:inbox", _("Inbox")),
    ("stewards:escalation_list", _("Escalations")),
    ("stewards:ledger", _("Ledger")),
    ("enterprises:list", _("Enterprises")),
    ("enterprises:uncovered", _("No steward")),
    ("projects:project_list", _("Projects")),
    # Issue 16: every project and enterprise served; the visits (走访); the name plates (电话名牌).
    ("projects:uncovered", _("No project steward")),
    ("stewards:visits", _("Visits")),
    ("assignments:nameplates", _("Name plates")),
    ("projects:board", _("Five-key list")),
    ("evaluations:campaign_list", _("Rating campaigns")),
    ("evaluations:grade_list", _("Grades")),
    # Policy push (精准滴灌): an enterprise's own policies, and the catalogue.
    ("policies:mine", _("Policy matches")),
    ("policies:list", _("Policies")),
    # Assessment and pay (以业绩定成绩、以成绩定等级、以等级定薪酬): the plans, the monthly actuals, the
    # stewards' grades, the pay sheets, the rotation pool, and each person's own.
    ("evaluations:plan_list", _("Assessment plans")),
    ("evaluations:actual_list", _("Monthly actuals")),
    ("evaluations:steward_grade_list", _("Steward grades")),
    ("evaluations:pay_sheet_list", _("Pay sheets")),
    ("evaluations:rotation_list", _("Rotation pool")),
    ("evaluations:my_assessment", _("My assessment")),
    # Meetings, their decisions on the clock, and chase-ups (督办, issue 16).
    ("meetings:list", _("Meetings")),
    ("meetings:decision_list", _("Meeting decisions")),
    ("meetings:notice_list", _("Chase-ups")),
    # Supply matchmaking (产业链撮合, issue 18): an enterprise's own supply page; the operations
    # centre's chain map, suggestions, cases, contracts and figures.
    ("supply:mine", _("Supply and demand")),
    ("supply:chain_list", _("Industry chains")),
    ("supply:suggestions", _("Match suggestions")),
    ("supply:case_list", _("Matchmaking")),
    ("supply:contract_list", _("Supply contracts")),
    ("supply:figures", _("Supply figures")),
    # The audit administrator's pages (zonehub/audit_views.py).
    ("audit:events", _("Event history")),
    ("audit:logins", _("Login records")),
]

# Where one page is another thing to a role, the menu calls it what its page title says.
ROLE_LABELS: dict[tuple[str, str], object] = {
    # An enterprise rates its stewards there; the others run and read the campaigns.
    ("evaluations:campaign_list", Role.ENTERPRISE): _("Rate my stewards"),
}

# The pages each role uses most, kept in the bar (at most six, so that the longest English labels
# still fit 1280 px beside the user's name); its other pages fold under "More". A role not listed
# keeps every page in the bar: it has few.
INLINE: dict[str, tuple[str, ...]] = {
    Role.STEWARD: ("home", "stewards:request_list", "stewards:worklist", "stewards:escalation_list",
                   "enterprises:list"),
    Role.WORKSTATION_HEAD: ("home", "stewards:request_list", "stewards:escalation_list", "enterprises:list",
                            "enterprises:uncovered"),
    Role.DEPARTMENT: ("home", "stewards:request_list", "stewards:inbox", "stewards:ledger", "projects:project_list",
                      "projects:board"),
    Role.LEADER: ("home", "enterprises:list", "projects:project_list", "projects:board",
                  "evaluations:campaign_list", "evaluations:grade_list"),
    Role.ADMIN: ("home", "stewards:request_list", "enterprises:list", "enterprises:uncovered",
                 "projects:project_list"),
    Role.ASSESSMENT: ("home", "evaluations:grade_list", "evaluations:plan_list", "evaluations:actual_list",
                      "evaluations:pay_sheet_list", "evaluations:rotation_list"),
    Role.OPERATIONS: ("home", "supply:chain_list", "supply:suggestions", "supply:case_list", "supply:contract_list"),
    # An enterprise's own pages stay in the bar; the catalogues (projects, policies, meetings) fold.
    Role.ENTERPRISE: ("home", "stewards:request_list", "evaluations:campaign_list", "policies:mine", "supply:mine"),
}


class Menu(list):
    """A role's menu items, in NAV_ITEMS order (what the menu offers: iterate it). For the header,
    ``inline`` are shown in the bar and ``more`` under "More"."""

    def __init__(self, items: list[dict], *, inline: list[dict], more: list[dict]):
        super().__init__(items)
        self.inline = inline
        self.more = more


def nav_for(user) -> Menu:
    role = user.effective_role
    items = []
    for name, label in NAV_ITEMS:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        if admits_user(resolve(url).func, user):
            items.append({"name": name, "url": url, "label": ROLE_LABELS.get((name, role), label)})
    kept = INLINE.get(role)
    inline = [item for item in items if kept is None or item["name"] in kept]
    more = [item for item in items if item not in inline]
    if user.is_staff:
        more.append({"name": "admin:index", "url": reverse("admin:index"), "label": _("Administration")})
    if len(more) == 1:  # a menu of one item hides it for nothing
        inline, more = inline + more, []
    return Menu(items, inline=inline, more=more)
