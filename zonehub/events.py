"""The audit record shared by every app: one row per state change."""

import functools

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from zonehub.cache import bump_dashboard_generation_on_commit
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
    if kind not in EVENT_LABELS:
        raise ValueError(f"event kind {kind!r} is not declared: add it to its app's event choices (events.py)")
    root = root if root is not None else subject
    # Every state change may change what the zone-wide dashboards count: they recompute after it.
    bump_dashboard_generation_on_commit()
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


# The kinds of event, each with its label for timelines. Every app declares its kinds once, as
# typed choices (``class RequestEvent(models.TextChoices)``, Zulip's AuditLogEventType), and registers
# them here; ``record_event`` refuses a kind nobody declared, so no timeline line goes unlabelled.
EVENT_LABELS: dict[str, object] = {}


def register_event_kinds(*kinds: type[models.TextChoices]) -> None:
    for choices in kinds:
        EVENT_LABELS.update(choices.choices)


class CoreEvent(models.TextChoices):
    ADMIN_ADDED = "admin.added", _("created in the administration")
    ADMIN_CHANGED = "admin.changed", _("changed in the administration")
    ADMIN_DELETED = "admin.deleted", _("deleted in the administration")
    CALENDAR_PUBLISHED = "calendar.published", _("holiday schedule published")
    CALENDAR_EDITED = "calendar.edited", _("holiday schedule edited")
    # The security administrator's work (三员分立), read by the audit administrator.
    USER_PRIVILEGES_CHANGED = "user.privileges_changed", _("role or permissions changed")
    USER_PASSWORD_SET = "user.password_set", _("password set by the security administrator")
    LOGIN_LOCKOUT_LIFTED = "login.lockout_lifted", _("login lockout lifted")
    # The user chose a new password (the change page, or a reset link sent to their e-mail).
    USER_PASSWORD_CHANGED = "user.password_changed", _("password changed by the user")


register_event_kinds(CoreEvent)

