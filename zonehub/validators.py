"""Password rules of a level-3 system (等保2.0, GB/T 22239-2019): complexity, and no reuse.

Both are Django password validators (settings.AUTH_PASSWORD_VALIDATORS), so every place a password
is chosen — the change and reset pages, the admin, ``createsuperuser``/``changepassword`` — applies
them, with the message in the user's language."""

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def character_classes(password: str) -> int:
    """How many of the four classes the password uses: lower case, upper case, digits, others
    (punctuation, spaces, Chinese characters…)."""
    return sum((
        any(c.isascii() and c.islower() for c in password),
        any(c.isascii() and c.isupper() for c in password),
        any(c.isascii() and c.isdigit() for c in password),
        any(not (c.isascii() and c.isalnum()) for c in password),
    ))


class CharacterClassesValidator:
    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        if character_classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return _(
            "Your password must mix at least %(n)d of: lower-case letters, upper-case letters, "
            "digits and other characters (such as ! @ # or a space)."
        ) % {"n": self.min_classes}


class PasswordHistoryValidator:
    """None of the last ``ZONEHUB_PASSWORD_HISTORY`` passwords (the current one included) may be
    chosen again. ``password_changed`` keeps the hashes: Django calls it whenever a user is saved
    with a new password (not when a login merely rehashes the same one)."""

    @staticmethod
    def _count() -> int:
        return max(settings.ZONEHUB_PASSWORD_HISTORY, 0)

    def validate(self, password, user=None):
        if not self._count() or user is None or not getattr(user, "pk", None):
            return
        from zonehub.models import PasswordHistory

        hashes = list(
            PasswordHistory.objects.filter(user=user).order_by("-created_at", "-id")
            .values_list("password", flat=True)[: self._count()]
        )
        if user.has_usable_password() and user.password not in hashes:
            hashes.append(user.password)  # set before the history was kept (or directly, as the demo's)
        if any(check_password(password, encoded) for encoded in hashes):
            raise ValidationError(self.get_help_text(), code="password_reused")

    def password_changed(self, password, user=None):
        if user is None or not getattr(user, "pk", None) or not user.has_usable_password():
            return
        from zonehub.models import PasswordHistory

        PasswordHistory.objects.create(user=user, password=user.password)
        keep = PasswordHistory.objects.filter(user=user).order_by("-created_at", "-id").values_list("pk", flat=True)
        PasswordHistory.objects.filter(user=user).exclude(pk__in=list(keep[: max(self._count(), 1)])).delete()

    def get_help_text(self):
        n = self._count()
        return ngettext(
            "Your password cannot be the same as your last password.",
            "Your password cannot be any of your last %(n)d passwords.",
            n,
        ) % {"n": n}
