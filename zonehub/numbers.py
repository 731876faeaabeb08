"""Quantities and money as every page, notice and sheet writes them (zonehub.dates does dates).

``amount_text(26000, "吨")`` → "26,000 吨" and ``yuan(120000)`` → "120,000 元": thousands
separated, decimals only when there are any; nothing (None, "") is written as nothing.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _


def amount_text(value, unit: str = "") -> str:
    if value in (None, ""):
        return ""
    value = Decimal(value)
    text = f"{value:,.2f}" if value != value.to_integral_value() else f"{value:,.0f}"
    return f"{text} {unit}".strip()


def yuan(value) -> str:
    if value in (None, ""):
        return ""
    return _("%(amount)s yuan") % {"amount": amount_text(value)}
