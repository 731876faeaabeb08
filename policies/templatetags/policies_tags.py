"""``{% load policies_tags %}``: money as the policy pages write it, and a status's colour."""

from django import template

from zonehub.numbers import yuan as _yuan

register = template.Library()

STATUS_CSS = {
    "draft": "text-bg-secondary", "published": "text-bg-success", "withdrawn": "text-bg-danger",
    "expired": "text-bg-dark", "pushed": "text-bg-primary", "declined": "text-bg-secondary",
    "applied": "text-bg-info", "redeemed": "text-bg-success", "refused": "text-bg-warning",
}


register.filter("yuan", _yuan)  # 120000 → 120,000 元 ("" for nothing)


@register.filter
def status_css(value) -> str:
    return STATUS_CSS.get(str(value), "text-bg-light")


@register.simple_tag
def benefit(policy) -> str:
    """What the policy gives, in a few words: 奖励 300,000 元 / 最高 500,000 元 / 100%."""
    from django.utils.translation import gettext as _

    parts = []
    if policy.benefit_type == "amount" and policy.benefit_amount is not None:
        parts.append(_yuan(policy.benefit_amount))
    elif policy.benefit_type == "ceiling" and policy.benefit_amount is not None:
        parts.append(_("up to %(amount)s") % {"amount": _yuan(policy.benefit_amount)})
    elif policy.benefit_type == "rate" and policy.benefit_rate is not None:
        rate = policy.benefit_rate.normalize()
        parts.append(f"{rate:f}%")
    if policy.benefit_note:
        parts.append(policy.benefit_note)
    return "，".join(parts)
