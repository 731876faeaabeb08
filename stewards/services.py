"""Writes about stewards and their enterprises."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises.models import Enterprise
from stewards.models import Steward, StewardAssignment
from zonehub.events import record_event
from zonehub.models import Role
from zonehub.notifications import notify
from zonehub.permissions import require


def can_assign_steward(user, enterprise: Enterprise) -> bool:
    return user.is_admin or (
        user.role == Role.WORKSTATION_HEAD and enterprise.workstation_id == user.workstation_id
    )


@transaction.atomic
def steward_assign(
    *, enterprise: Enterprise, steward: Steward, actor,
    reason: str = StewardAssignment.EndReason.REASSIGNED, note: str = "",
) -> StewardAssignment:
    """Make ``steward`` the enterprise's one active steward, ending the current assignment (with
    its reason) in the same transaction. The enterprise and both stewards are told."""
    require(can_assign_steward(actor, enterprise),
            _("Only the head of the enterprise's workstation or an administrator may assign its steward."))
    if not steward.is_active or not steward.user.is_active:
        raise ValidationError(_("%(name)s is no longer an active steward.") % {"name": steward.name})
    # Lock the enterprise row so two heads assigning at once queue up instead of colliding.
    Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
    current = StewardAssignment.objects.active().filter(enterprise=enterprise).select_related("steward__user").first()
    if current and current.steward_id == steward.pk:
        raise ValidationError(_("%(name)s is already this enterprise's steward.") % {"name": steward.name})
    now = timezone.now()
    if current:
        current.ended_at = now
        current.end_reason = reason
        current.end_note = note[:200]
        current.save(update_fields=["ended_at", "end_reason", "end_note"])
        record_event(current, root=enterprise, actor=actor, kind="steward.unassigned",
                     from_state=current.steward.name, note=note, data={"reason": reason})
    assignment = StewardAssignment.objects.create(
        enterprise=enterprise, steward=steward, started_at=now, assigned_by=actor
    )
    record_event(assignment, root=enterprise, actor=actor, kind="steward.assigned",
                 from_state=current.steward.name if current else "", to_state=steward.name, note=note)
    key = f"assignment:{assignment.pk}"
    notify(
        enterprise.users.all(), kind="steward.assigned", key=key,
        title=_("Your steward is now %(name)s (%(phone)s)") % {"name": steward.name, "phone": steward.phone},
    )
    notify([steward.user], kind="steward.assigned", key=key,
           title=_("You now serve %(enterprise)s") % {"enterprise": enterprise.name})
    if current:
        notify([current.steward.user], kind="steward.unassigned", key=f"{key}:previous",
               title=_("You no longer serve %(enterprise)s") % {"enterprise": enterprise.name})
    return assignment


@transaction.atomic
def steward_unassign(*, enterprise: Enterprise, actor, reason: str, note: str = "") -> StewardAssignment:
    require(can_assign_steward(actor, enterprise))
    current = StewardAssignment.objects.active().select_for_update().filter(enterprise=enterprise).first()
    if current is None:
        raise ValidationError(_("This enterprise has no active steward."))
    current.ended_at = timezone.now()
    current.end_reason = reason
    current.end_note = note[:200]
    current.save(update_fields=["ended_at", "end_reason", "end_note"])
    record_event(current, root=enterprise, actor=actor, kind="steward.unassigned",
                 from_state=current.steward.name, note=note, data={"reason": reason})
    return current
