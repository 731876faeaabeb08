from django import template

from evaluations.indicators import plain

register = template.Library()


@register.filter
def pct(value):
    """0.875 → "87.5%"; None → "—" (nothing to rate against)."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.1f}%"


@register.filter
def signed(value):
    if value is None:
        return "—"
    return f"+{value}" if value > 0 else f"{value}"


def _decimal(text):
    from decimal import Decimal, InvalidOperation

    try:
        return Decimal(str(text))
    except (InvalidOperation, ValueError, TypeError):
        return None


@register.filter
def share_pct(value):
    """A share kept as text or Decimal ("0.95") as a per cent: "95%"; None → "—"."""
    number = _decimal(value)
    if number is None:
        return "—"
    return f"{plain((number * 100).quantize(_decimal('0.1')))}%"


@register.filter
def indicator_value(row):
    """An indicator's value as the month's page shows it: a rate as done/due and per cent, a count
    or an amount with its unit; "—" when it had nothing to assess."""
    from django.utils.translation import gettext as _

    if row.get("value") is None:
        note = row.get("note")
        if note == "no data":
            return _("no data")
        if note == "not entered":
            return _("not entered")
        return _("nothing to assess")
    if row.get("kind") == "rate" and row.get("den"):
        return f"{row['num']}/{row['den']}（{share_pct(row['value'])}）"
    return f"{plain(_decimal(row['value']))}{row.get('unit') or ''}"


@register.filter
def indicator_target(row):
    if row.get("target") is None:
        return "—"
    if row.get("kind") == "rate":
        return share_pct(row["target"])
    return f"{plain(_decimal(row['target']))}{row.get('unit') or ''}"


@register.filter
def coefficient(value):
    """1.2000 → "1.2"."""
    number = _decimal(value)
    return "—" if number is None else plain(number)
