"""Template filters of the request pages."""

from django import template

from zonehub.workdays import last_workday

register = template.Library()


@register.filter
def last_day(due):
    """The last day of a period whose exclusive deadline is ``due`` (stored as 00:00 of the day
    after): people are told "by 26 November", not "before 27 November 00:00"."""
    return last_workday(due) if due else None
