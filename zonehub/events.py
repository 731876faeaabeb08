"""The audit record shared by every app: one row per state change."""

import datetime as dt
import functools

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zonehub.cache import bump_dashboard_generation_on_commit
from zonehub.dates import cn_date
from zonehub.db import InsertBatch
from zonehub.models import Event


def _event_row(subject: models.Model, *, actor, kind: str, root: models.Model | None = None,
               from_state: str = "", to_state: str = "", note: str = "", data: dict | None = None) -> Event:
    """An unsaved event, its kind checked: ``record_event`` saves one, ``record_events`` many."""
    if kind not in EVENT_LABELS:
        raise ValueError(f"event kind {kind!r} is not declared: add it to its app's event choices (events.py)")
    root = root if root is not None else subject
    return Event(
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


def record_event(subject: models.Model, *, actor, kind: str, batch: InsertBatch | None = None, **fields) -> Event:
    """One state change, recorded (``_event_row``'s arguments: root, from_state, to_state, note,
    data). With ``batch`` it is written with the batch's other rows (no model signal is sent)."""
    row = _event_row(subject, actor=actor, kind=kind, **fields)
    if batch is not None:
        batch.add(row)
        batch.then(bump_dashboard_generation_on_commit)
        return row
    # Every state change may change what the zone-wide dashboards count: they recompute after it.
    bump_dashboard_generation_on_commit()
    row.save(force_insert=True)
    return row


def record_events(events: list[dict]) -> list[Event]:
    """Many events in one INSERT (a sweep's batch): each dict holds ``record_event``'s arguments."""
    rows = [_event_row(e.pop("subject"), actor=e.pop("actor", None), **e) for e in (dict(e) for e in events)]
    if rows:
        bump_dashboard_generation_on_commit()
        Event.objects.bulk_create(rows, batch_size=500)
    return rows


def event_list_for(root: models.Model):
    """The timeline of an object: its own events and those of the objects it holds."""
    return (
        Event.objects.filter(root_type=ContentType.objects.get_for_model(root), root_id=root.pk)
        # Each line names its actor with the unit they act for (``actor_label``): one query in all.
        .select_related("actor__department", "actor__workstation", "actor__enterprise")
        .order_by("created_at", "id")
    )


def actor_label(user) -> str:
    """Who did it, with the unit they act for: 王芳（发展改革局）, 李明（第一工作站）. A user with no
    unit (a leader, an administrator) is named with their role. Reads the unit through the
    relations ``event_list_for`` selects."""
    if user is None:
        return ""
    unit = None
    if user.department_id:
        unit = user.department.name
    elif user.workstation_id:
        unit = user.workstation.name
    elif user.enterprise_id:
        unit = user.enterprise.name
    elif user.role:
        unit = user.get_role_display()
    if not unit:
        return user.display_name
    return gettext("%(name)s (%(unit)s)") % {"name": user.display_name, "unit": unit}


def event_department(event: Event) -> str:
    """The department an event concerns (an escalation's, a ledger item's), as it was named when
    the event was recorded: the services keep it in ``data["department"]``."""
    department = (event.data or {}).get("department") if isinstance(event.data, dict) else None
    return department if isinstance(department, str) else ""


@functools.cache
def _choice_labels(model) -> dict[str, object]:
    """Every choice value of a model's fields with its label: how state codes read on a timeline."""
    labels: dict[str, object] = {}
    for field in model._meta.concrete_fields:
        for value, label in getattr(field, "flatchoices", None) or ():
            labels.setdefault(str(value), label)
    return labels


# States an event records that are no choice of its subject's fields: a mark ("overdue"), a
# yes/no finding ("True"). Each app declares them beside its kinds (``register_event_states``).
EVENT_STATE_LABELS: dict[str, dict[str, object]] = {}

# A yes/no nobody gave a word for says nothing on a timeline: it is left out, never shown raw.
_BOOLEAN_STATES = frozenset({"True", "False"})


def register_event_states(kind: str, labels: dict[str, object]) -> None:
    """Declare how the states ``kind`` records read on a timeline, where they are not choices of
    its subject's fields."""
    EVENT_STATE_LABELS.setdefault(str(kind), {}).update(labels)


def state_label(event: Event, value: str):
    """The label of a state code recorded on ``event`` (from_state/to_state), in the user's
    language: the label its kind declares (``register_event_states``), else the label of a choice
    of its subject's fields; a yes/no without a declared word is left out (""); any other value
    (a steward's name, say) is shown as it is."""
    if not value:
        return value
    declared = EVENT_STATE_LABELS.get(event.kind)
    if declared and value in declared:
        return declared[value]
    model = ContentType.objects.get_for_id(event.subject_type_id).model_class()
    label = _choice_labels(model).get(value) if model else None
    if label is not None:
        return label
    if value in _BOOLEAN_STATES:
        return ""
    day = _iso_day(value)
    return cn_date(day) if day is not None else value


def _iso_day(value: str) -> dt.date | None:
    """A state recorded as an ISO date (a node's planned or completion day) is read as a date."""
    if len(value) != 10:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


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
    # Issue 20: a person's channels for notices; a login code sent by SMS to an enterprise user.
    NOTIFICATION_SETTINGS_CHANGED = "notifications.settings_changed", _("notification settings changed")
    LOGIN_CODE_SENT = "login.code_sent", _("login code sent by SMS")


register_event_kinds(CoreEvent)
# Publishing a year's holiday schedule: from provisional to published.
register_event_states(CoreEvent.CALENDAR_PUBLISHED, {"provisional": _("provisional"), "published": _("published")})

