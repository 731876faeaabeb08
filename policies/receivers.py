"""How the policies app hears that an enterprise's data changed, without the enterprises app
knowing it exists (it is on a lower floor): Django's own model signals for tags, indicators and
the enterprise's fields, and the event the Excel import records when it is done (the import
writes in bulk, which sends no model signal). Each receiver only hands the enterprise ids to
``services.enterprises_changed``, which pushes after the commit."""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_save

from enterprises.events import EnterpriseEvent
from enterprises.models import Enterprise, EnterpriseIndicator
from policies import services
from zonehub.models import Event


def _tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        services.enterprises_changed([instance.pk])
    elif pk_set:  # tag.enterprises.add(...): the enterprises are the keys
        services.enterprises_changed(pk_set)


def _indicator_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        services.enterprises_changed([instance.enterprise_id])


def _enterprise_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        services.enterprises_changed([instance.pk])


def _event_saved(sender, instance, created, raw=False, **kwargs):
    """An enterprise sheet imported: the enterprises it created or changed."""
    if raw or not created or instance.kind != EnterpriseEvent.IMPORT_DONE:
        return
    data = instance.data if isinstance(instance.data, dict) else {}
    if data.get("kind") != "enterprises":
        return
    ids = Event.objects.filter(kind__in=[EnterpriseEvent.IMPORTED, EnterpriseEvent.IMPORT_UPDATED],
                               data__batch=instance.subject_id).values_list("subject_id", flat=True)
    services.enterprises_changed(list(ids))


def connect() -> None:
    m2m_changed.connect(_tags_changed, sender=Enterprise.tags.through, dispatch_uid="policies.tags_changed")
    post_save.connect(_indicator_saved, sender=EnterpriseIndicator, dispatch_uid="policies.indicator_saved")
    post_save.connect(_enterprise_saved, sender=Enterprise, dispatch_uid="policies.enterprise_saved")
    post_save.connect(_event_saved, sender=Event, dispatch_uid="policies.import_done")
