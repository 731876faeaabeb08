"""``{% load supply_tags %}``: quantities and money as the supply pages write them, a stage's colour."""

from django import template

from zonehub.numbers import amount_text
from zonehub.numbers import yuan as _yuan

register = template.Library()

STAGE_CSS = {
    "identified": "text-bg-secondary", "talks": "text-bg-info", "signed": "text-bg-primary",
    "supplying": "text-bg-warning", "done": "text-bg-success", "failed": "text-bg-danger",
}


register.filter("qty", amount_text)  # 26000 → 26,000 吨 ("" for nothing)
register.filter("yuan", _yuan)


@register.filter
def volumes(pairs) -> str:
    """[(unit, quantity)] → "26,000 吨；1,200 立方米"; "0" when empty."""
    pairs = [pair for pair in pairs or [] if pair[1]]
    return "；".join(amount_text(q, unit) for unit, q in pairs) if pairs else "0"


@register.filter
def stage_css(value) -> str:
    return STAGE_CSS.get(str(value), "text-bg-light")


@register.filter
def percent(value) -> str:
    """A ratio in per cent, or "—" when there is nothing to measure (never 100% for nothing)."""
    return "—" if value is None else f"{value:g}%"


@register.simple_tag
def balance(contract, side: str) -> str:
    """Who owes whom on one side of a contract, in words."""
    from django.utils.translation import gettext as _

    if side == "buyer":
        value = contract.buyer_balance
        if value > 0:
            return _("the buyer owes the company %(amount)s") % {"amount": _yuan(value)}
        if value < 0:
            return _("the company holds %(amount)s paid ahead by the buyer") % {"amount": _yuan(-value)}
    else:
        value = contract.supplier_balance
        if value > 0:
            return _("the company owes the supplier %(amount)s") % {"amount": _yuan(value)}
        if value < 0:
            return _("the supplier was paid %(amount)s ahead of delivery") % {"amount": _yuan(-value)}
    return _("settled")


@register.filter
def times(value, other):
    """A product of two amounts (a delivery's quantity × its contract's fee per unit)."""
    if value in (None, "") or other in (None, ""):
        return None
    return value * other
