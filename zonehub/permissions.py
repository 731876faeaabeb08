"""Permission helpers shared by every service: one place that says no, in the user's language."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from zonehub.models import Role


def require(condition: bool, message: str | None = None) -> None:
    if not condition:
        raise PermissionDenied(message or _("You are not allowed to do this."))


def require_role(user, *roles: str) -> None:
    require(
        user is not None and user.is_authenticated and user.is_active
        and (user.effective_role in roles or (Role.ADMIN in roles and user.is_admin)),
    )
