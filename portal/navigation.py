"""The menu: what each role can reach from the header.

Each item is a url name and a label, nothing more: a role sees an item exactly when the page
behind it admits that role, read from the page's own declaration (``allowed_roles``, see
zonehub/roles.py). A name that does not resolve (an app not installed) is skipped.
"""

from django.urls import NoReverseMatch, resolve, reverse
from django.utils.translation import gettext_lazy as _

from zonehub.roles import admits

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
    ("projects:board", _("Five-key list")),
    ("evaluations:campaign_list", _("Ratings")),
    ("evaluations:grade_list", _("Grades")),
    # The audit administrator's pages (zonehub/audit_views.py).
    ("audit:events", _("Event history")),
    ("audit:logins", _("Login records")),
]


def nav_for(user) -> list[dict]:
    role = user.effective_role
    items = []
    for name, label in NAV_ITEMS:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        if admits(resolve(url).func, role):
            items.append({"name": name, "url": url, "label": label})
    return items
