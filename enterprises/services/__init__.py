"""Writes about enterprises, and who may make them.

The Excel import's lifecycle (upload, check, confirm, import) is ``enterprises.services.imports``;
the enterprise columns an import sheet sets are written here, by ``enterprise_import_write``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from enterprises.events import EnterpriseEvent
from enterprises.models import Enterprise, EnterpriseTag, ImportBatch
from zonehub.models import Event, Role


def can_manage_enterprise(user, enterprise: Enterprise) -> bool:
    """An administrator, or the head of the enterprise's workstation: who decides who serves it."""
    return bool(user.is_authenticated and (user.is_admin or (
        user.role == Role.WORKSTATION_HEAD and enterprise.workstation_id == user.workstation_id)))


def _chunks(values, size=900):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _events(objects, *, actor, kind: str, batch: ImportBatch, data_for) -> list[Event]:
    """The same rows ``record_event`` writes, made in bulk: one per enterprise the import touched."""
    if not objects:
        return []
    content_type = ContentType.objects.get_for_model(objects[0])
    now = timezone.now()
    return Event.objects.bulk_create([
        Event(subject_type=content_type, subject_id=obj.pk, root_type=content_type, root_id=obj.pk,
              actor=actor, kind=kind, note=batch.file_name, data={"batch": batch.pk, **data_for(obj)}, created_at=now)
        for obj in objects
    ], batch_size=500)


def enterprise_import_write(plans: Iterable, *, actor, batch: ImportBatch) -> None:
    """Write the enterprise columns of an import's checked rows (``EnterprisePlan``s): new
    enterprises, changed fields and tags, in bulk, with one event per enterprise created or
    changed. Sets ``plan.existing`` of each created row to its new enterprise. Runs inside the
    import's transaction; the caller has checked the permission (``can_import``)."""
    plans = list(plans)
    creates = [p for p in plans if p.action == "create"]
    updates = [p for p in plans if p.action == "update"]
    wanted_tags = {t for p in creates + updates if p.tags for t in p.tags}
    tags = {t.name: t for t in EnterpriseTag.objects.filter(name__in=wanted_tags)}
    missing = wanted_tags - set(tags)
    if missing:
        EnterpriseTag.objects.bulk_create([EnterpriseTag(name=n) for n in sorted(missing)], ignore_conflicts=True)
        tags = {t.name: t for t in EnterpriseTag.objects.filter(name__in=wanted_tags)}

    new = [Enterprise(**p.values) for p in creates]
    Enterprise.objects.bulk_create(new, batch_size=500)
    for plan, enterprise in zip(creates, new, strict=True):
        plan.existing = enterprise
    if any(e.pk is None for e in new):  # a backend that does not return ids from bulk inserts
        ids = dict(Enterprise.objects.filter(credit_code__in=[e.credit_code for e in new]).values_list("credit_code", "pk"))
        for enterprise in new:
            enterprise.pk = enterprise.id = ids[enterprise.credit_code]

    changed_fields = sorted({name for p in updates for name in p.changed})
    for plan in updates:
        for name in plan.changed:
            setattr(plan.existing, name, plan.values[name])
    if changed_fields:
        Enterprise.objects.bulk_update([p.existing for p in updates if p.changed], changed_fields, batch_size=500)

    through = Enterprise.tags.through
    retagged = [p for p in updates if p.tags is not None]
    for chunk in _chunks([p.existing.pk for p in retagged]):
        through.objects.filter(enterprise_id__in=chunk).delete()
    through.objects.bulk_create([
        through(enterprise_id=p.existing.pk, enterprisetag_id=tags[name].pk)
        for p in creates + retagged if p.tags for name in p.tags
    ], batch_size=500)

    _events(new, actor=actor, kind=EnterpriseEvent.IMPORTED, batch=batch, data_for=lambda e: {})
    fields_of = {p.existing.pk: sorted(p.changed + (["tags"] if p.tags is not None else [])) for p in updates}
    _events([p.existing for p in updates if fields_of[p.existing.pk]], actor=actor, kind=EnterpriseEvent.IMPORT_UPDATED,
            batch=batch, data_for=lambda e: {"fields": fields_of[e.pk]})
