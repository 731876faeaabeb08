"""The navigation of each role: what it can reach from the header."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from zonehub.models import Role

ALL = {Role.ENTERPRISE, Role.STEWARD, Role.WORKSTATION_HEAD, Role.DEPARTMENT, Role.LEADER, Role.ADMIN}
STAFF = ALL - {Role.ENTERPRISE}

# (url name, label, roles). Apps add their pages here; a name that does not resolve yet is skipped.
NAV_ITEMS: list[tuple[str, object, set]] = [
    ("home", _("Home"), ALL),
    ("stewards:request_list", _("Requests"), {Role.ENTERPRISE, Role.STEWARD, Role.WORKSTATION_HEAD, Role.LEADER, Role.ADMIN}),
    ("stewards:worklist", _("Worklist"), {Role.STEWARD}),
    ("stewards:inbox", _("Inbox"), {Role.DEPARTMENT}),
    ("stewards:escalation_list", _("Escalations"), {Role.STEWARD, Role.WORKSTATION_HEAD, Role.LEADER, Role.ADMIN}),
    ("stewards:ledger", _("Ledger"), {Role.LEADER, Role.DEPARTMENT, Role.ADMIN}),
    ("enterprises:list", _("Enterprises"), {Role.STEWARD, Role.WORKSTATION_HEAD, Role.LEADER, Role.ADMIN}),
    ("enterprises:uncovered", _("No steward"), {Role.WORKSTATION_HEAD, Role.LEADER, Role.ADMIN}),
    ("projects:project_list", _("Projects"), STAFF),
    ("projects:board", _("Five-key list"), STAFF),
    ("evaluations:campaign_list", _("Ratings"), ALL),
    ("evaluations:grade_list", _("Grades"), STAFF),
]


def nav_for(user) -> list[dict]:
    role = user.effective_role
    items = []
    for name, label, roles in NAV_ITEMS:
        if role not in roles:
            continue
        try:
            items.append({"name": name, "url": reverse(name), "label": label})
        except NoReverseMatch:
            continue
    return items
