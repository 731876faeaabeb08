"""Dates on pages as in notifications and workbooks (zonehub.dates): ``{% load zonehub_dates %}``,
then ``{{ node.planned_date|cn_date }}`` → 2026年6月28日, ``{{ esc.due_at|cn_deadline }}`` → the
last day of the period, ``{{ event.created_at|cn_datetime }}`` → 2026年6月28日 14:05."""

from django import template

from zonehub import dates

register = template.Library()


@register.filter
def cn_date(value) -> str:
    return dates.cn_date(value or None)


@register.filter
def cn_datetime(value) -> str:
    return dates.cn_datetime(value or None)


@register.filter
def cn_deadline(value) -> str:
    return dates.cn_deadline(value or None)
