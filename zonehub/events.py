"""The audit record shared by every app: one row per state change."""

import functools

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from zonehub.models import Event


def record_event(
    subject: models.Model,
    *,
    actor,
    kind: str,
    root: models.Model | None = None,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    data: dict | None = None,
) -> Event:
    root = root if root is not None else subject
    return Event.objects.create(
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        root_type=ContentType.objects.get_for_model(root),
        root_id=root.pk,
        actor=actor if getattr(actor, "pk", None) else None,
        kind=kind,
        from_state=from_state or "",
        to_state=to_state or "",
        note=note or "",
        data=data or {},
    )


def event_list_for(root: models.Model):
    """The timeline of an object: its own events and those of the objects it holds."""
    return (
        Event.objects.filter(root_type=ContentType.objects.get_for_model(root), root_id=root.pk)
        .select_related("actor")
        .order_by("created_at", "id")
    )


@functools.cache
def _choice_labels(model) -> dict[str, object]:
    """Every choice value of a model's fields with its label: how state codes read on a timeline."""
    labels: dict[str, object] = {}
    for field in model._meta.concrete_fields:
        for value, label in getattr(field, "flatchoices", None) or ():
            labels.setdefault(str(value), label)
    return labels


def state_label(event: Event, value: str):
    """The label of a state code recorded on ``event`` (from_state/to_state), in the user's
    language; a value that is not a choice (a steward's name, say) is shown as it is."""
    if not value:
        return value
    model = ContentType.objects.get_for_id(event.subject_type_id).model_class()
    return _choice_labels(model).get(value, value) if model else value


# Human labels of event kinds, shown on timelines. Each app adds its own kinds here.
EVENT_LABELS: dict[str, object] = {}


def register_event_labels(labels: dict[str, object]) -> None:
    EVENT_LABELS.update(labels)


register_event_labels({
    "admin.added": _("created in the administration"),
    "admin.changed": _("changed in the administration"),
    "admin.deleted": _("deleted in the administration"),
    "calendar.published": _("holiday schedule published"),
    "calendar.edited": _("holiday schedule edited"),
    "steward.assigned": _("steward assigned"),
    "steward.unassigned": _("steward taken off"),
})
