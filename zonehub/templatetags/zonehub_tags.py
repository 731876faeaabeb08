from django import template

from zonehub import events as _events
from zonehub.events import EVENT_LABELS, state_label

register = template.Library()


@register.filter
def event_label(kind: str) -> str:
    return EVENT_LABELS.get(kind, kind)


@register.filter
def from_state_label(event) -> str:
    return state_label(event, event.from_state)


@register.filter
def to_state_label(event) -> str:
    return state_label(event, event.to_state)


@register.filter
def actor_label(user) -> str:
    return _events.actor_label(user)


@register.filter
def event_department(event) -> str:
    return _events.event_department(event)


@register.simple_tag(takes_context=True)
def query_with(context, **params) -> str:
    """The current query string with some parameters replaced: for sort links and pages."""
    query = context["request"].GET.copy()
    for key, value in params.items():
        query[key] = value
    return query.urlencode()
