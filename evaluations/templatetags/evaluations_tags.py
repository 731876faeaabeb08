from django import template

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
