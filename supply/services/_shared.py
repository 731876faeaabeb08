"""What the supply services share: who may do what, numbers as users type them, and who is told.

Private to the package: its sections import it, nothing else should."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from stewards.models import StewardAssignment, served_enterprise_ids
from zonehub import recipients
from zonehub.models import Role, User

# The largest figures a column holds (max_digits 14 with 2 decimals; money 16).
QUANTITY_MAX = Decimal("1e11")
MONEY_MAX = Decimal("1e13")
PRICE_MAX = Decimal("1e9")


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_operations(user) -> bool:
    """The operations centre runs cases and contracts; the administrator may stand in."""
    return _active(user) and user.effective_role in (Role.OPERATIONS, Role.ADMIN)


def is_leader(user) -> bool:
    return _active(user) and user.effective_role in (Role.LEADER, Role.ADMIN)


def serves(user, enterprise) -> bool:
    """The steward side of an enterprise: its steward now, the head of its workstation (and the
    administrator)."""
    if not _active(user):
        return False
    role = user.effective_role
    if role == Role.ADMIN:
        return True
    if role == Role.WORKSTATION_HEAD:
        return enterprise.workstation_id is not None and enterprise.workstation_id == user.workstation_id
    if role in (Role.ENTERPRISE, Role.OPERATIONS, Role.LEADER):
        return False
    # A steward, or any cadre serving enterprises beside its role: its open assignments say.
    return enterprise.pk in served_enterprise_ids(user)


def can_edit_declarations(user, enterprise) -> bool:
    """Offers and needs: the enterprise itself, its steward (during a visit) and workstation head,
    the operations centre, the administrator. Leaders read them."""
    if not _active(user):
        return False
    if user.effective_role == Role.ENTERPRISE:
        return user.enterprise_id == enterprise.pk
    return is_operations(user) or serves(user, enterprise)


def sees_price_of(user, enterprise_id: int) -> bool:
    """Prices are the firm's own: an enterprise reads only its own; the zone's staff read those of
    the rows they may see."""
    if not _active(user):
        return False
    if user.effective_role == Role.ENTERPRISE:
        return user.enterprise_id == enterprise_id
    return user.effective_role not in (Role.DEPARTMENT, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN, Role.ASSESSMENT)


# --- numbers -------------------------------------------------------------------------------------

def decimal_in(value, field: str, *, positive: bool = True, allow_zero: bool = False, limit: Decimal = QUANTITY_MAX,
               required: bool = True, message: str = "") -> Decimal | None:
    """A number as a user typed it ("26,000", "15", "1.5"), checked: a ValidationError on ``field``
    in the user's language, never an exception from the database."""
    if value in (None, ""):
        if required:
            raise ValidationError({field: message or _("Give the number.")})
        return None
    try:
        number = Decimal(str(value).replace(",", "").replace("，", "").strip())
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: _("Write a number, e.g. 1200.5 (no units).")}) from None
    if not number.is_finite():
        raise ValidationError({field: _("Write a number, e.g. 1200.5 (no units).")})
    if positive and (number < 0 or (number == 0 and not allow_zero)):
        raise ValidationError({field: _("Give a number above 0.") if not allow_zero else _("This figure cannot be negative.")})
    if abs(number) >= limit:
        raise ValidationError({field: _("This number is too large.")})
    return number.quantize(Decimal("0.01"))


def text_in(value, field: str, *, limit: int, required: bool = False, message: str = "") -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: message or _("This field is required.")})
    if len(value) > limit:
        raise ValidationError({field: _("At most %(n)d characters; this has %(len)d.") % {"n": limit, "len": len(value)}})
    return value


# --- who is told ----------------------------------------------------------------------------------

def operations_staff() -> list[User]:
    return list(User.objects.filter(is_active=True, role=Role.OPERATIONS))


def party_users(*enterprise_ids) -> list[User]:
    """The users of the enterprises, and their stewards now."""
    users: list[User] = []
    for enterprise_id in enterprise_ids:
        users += recipients.enterprise_users(enterprise_id)
    steward_ids = (StewardAssignment.objects.active().filter(enterprise_id__in=list(enterprise_ids))
                   .values_list("steward__user_id", flat=True))
    users += list(User.objects.filter(pk__in=list(steward_ids), is_active=True))
    return users
