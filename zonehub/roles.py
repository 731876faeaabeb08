"""Who may open a page: the role groups, declared once, and how to read a view's declaration.

A page view declares the roles it admits, and nothing else does: a class view with
``RoleRequiredMixin.allowed_roles``, a function view with ``@role_required(...)``
(zonehub/views.py). The menu (portal/navigation.py) and the permission matrix
(tests/test_permission_matrix.py) read that declaration through ``view_roles``, so a page, its
menu item and its test cannot disagree. A group here is a name for a set of roles that several
pages admit; a page admitting another set spells its roles out.
"""

from __future__ import annotations

from zonehub.models import Role

# Every role of the zone's work. The security and audit administrators (三员分立) are in none of
# these groups: they see no enterprise's business, only their own pages (SECURITY_ADMINS, AUDITORS).
ALL_ROLES = (Role.ENTERPRISE, Role.STEWARD, Role.WORKSTATION_HEAD, Role.DEPARTMENT, Role.LEADER, Role.ADMIN)
# Everyone working for the zone: all but the enterprises.
STAFF = (Role.STEWARD, Role.WORKSTATION_HEAD, Role.DEPARTMENT, Role.LEADER, Role.ADMIN)
# Those who see and run the whole zone.
LEADERS = (Role.LEADER, Role.ADMIN)
# The stewards' line: stewards, their workstation heads, and up to the leaders (not departments).
STEWARD_LINE = (Role.STEWARD, Role.WORKSTATION_HEAD, Role.LEADER, Role.ADMIN)
# The steward side of an enterprise's request: stewards, their workstation heads, the administrator
# (which of them may act on one request is the stewards app's to decide).
STEWARDS_AND_HEADS = (Role.STEWARD, Role.WORKSTATION_HEAD, Role.ADMIN)
# Workstation heads and above.
HEADS_AND_LEADERS = (Role.WORKSTATION_HEAD, Role.LEADER, Role.ADMIN)
ADMINS = (Role.ADMIN,)
# The separation of duties: who grants roles, lifts lockouts and manages users (in the admin), and
# who reads the audit trail (the audit pages). Neither is the system administrator.
SECURITY_ADMINS = (Role.SECURITY_ADMIN,)
AUDITORS = (Role.AUDIT_ADMIN,)


def view_roles(view) -> tuple[str, ...] | None:
    """The roles a resolved view (``resolve(path).func``) declares it admits, or None when it
    declares none (a public page, or one open to every signed-in user)."""
    roles = getattr(getattr(view, "view_class", view), "allowed_roles", None)
    return tuple(roles) if roles else None


def admits(view, role: str) -> bool:
    """Whether ``role`` may open ``view``: the declared roles, or every role if none are declared."""
    roles = view_roles(view)
    return roles is None or role in roles


def view_capacities(view) -> tuple[str, ...]:
    """The capacities (zonehub.scoping) a view admits beside its roles (``allowed_capacities``)."""
    return tuple(getattr(getattr(view, "view_class", view), "allowed_capacities", None) or ())


def admits_user(view, user) -> bool:
    """Whether ``user`` may open ``view``: by its role, or by a capacity it holds that the view
    admits (a department user serving as a steward). The view's check and the menu ask here."""
    if admits(view, user.effective_role):
        return True
    from zonehub.scoping import has_capacity

    return any(has_capacity(user, name) for name in view_capacities(view))
