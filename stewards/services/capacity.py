"""Every cadre can serve (issue 16, seed 002 "全员"): the steward capacity of a leader, a
department user or a workstation head, beside their role.

A Steward row is the capacity; its ``workstation`` is where it serves (its heads assign and
replace it). A person who belongs to a workstation serves in it; a leader or a department user is
given the workstation of the enterprise it is named to."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from enterprises.models import Enterprise
from stewards.events import StewardsEvent
from stewards.models import Steward, StewardAssignment
from stewards.services.assignments import steward_assign
from zonehub.events import record_event
from zonehub.models import Role, User, Workstation
from zonehub.notifications import notify
from zonehub.permissions import require
from zonehub.services import capacity_set

# Who may serve: the committee's cadres. Enterprise users, the company's operations staff, the
# assessment office and the separated administrators (三员) do not serve enterprises.
CADRE_ROLES = (Role.STEWARD, Role.WORKSTATION_HEAD, Role.DEPARTMENT, Role.LEADER)


def can_grant_steward_capacity(actor, workstation: Workstation | None) -> bool:
    """Leaders and administrators anywhere; a workstation head in its own workstation."""
    if not actor.is_authenticated:
        return False
    if actor.is_admin or actor.role == Role.LEADER:
        return True
    return actor.role == Role.WORKSTATION_HEAD and workstation is not None and workstation.pk == actor.workstation_id


def cadres_without_capacity():
    """The committee's cadres who could serve and do not yet (the assign page offers them):
    active leaders, department users and workstation heads with no active Steward row."""
    return (User.objects.filter(is_active=True, role__in=[Role.LEADER, Role.DEPARTMENT, Role.WORKSTATION_HEAD])
            .exclude(steward__is_active=True).select_related("department", "workstation")
            .order_by("role", "name", "pk"))


@transaction.atomic
def steward_capacity_grant(*, user: User, actor, workstation: Workstation | None = None, title: str = "") -> Steward:
    """Let ``user`` serve enterprises as a steward, beside its role. ``workstation``: where it
    serves; a user who belongs to a workstation serves in its own (another is refused), anyone
    else needs one. An ended capacity is taken up again. Recorded and told to the user."""
    workstation = workstation or user.workstation
    require(can_grant_steward_capacity(actor, workstation),
            _("Only a leader, an administrator or the head of the workstation may name a steward there."))
    if not user.is_active or user.role not in CADRE_ROLES:
        raise ValidationError(_("Only the committee's cadres (leaders, department staff, workstation heads) can serve "
                                "as stewards."))
    if workstation is None:
        raise ValidationError({"workstation": _("Choose the workstation in which %(name)s will serve.") % {
            "name": user.display_name}})
    if user.workstation_id and user.workstation_id != workstation.pk:
        raise ValidationError({"workstation": _("%(name)s belongs to %(workstation)s and serves there.") % {
            "name": user.display_name, "workstation": user.workstation.name}})
    steward = Steward.objects.select_for_update().filter(user=user).first()
    if steward is not None and steward.is_active:
        if steward.workstation_id != workstation.pk:
            raise ValidationError(_("%(name)s already serves as a steward in %(workstation)s.") % {
                "name": user.display_name, "workstation": steward.workstation.name if steward.workstation_id else "—"})
        return steward
    default_title = Role(user.role).label if user.role != Role.STEWARD else _("steward")
    if steward is None:
        steward = Steward.objects.create(user=user, workstation=workstation, title=(title or str(default_title))[:50])
    else:
        steward.is_active, steward.workstation = True, workstation
        steward.save(update_fields=["is_active", "workstation"])
    user.capacities = sorted({*(user.capacities or ()), Role.STEWARD})  # what the row saved (``on_steward_saved``)
    record_event(steward, actor=actor, kind=StewardsEvent.STEWARD_CAPACITY_GRANTED, to_state=workstation.name,
                 data={"role": user.role})
    if user.pk != getattr(actor, "pk", None):
        notify([user], kind="steward.capacity_granted", key=f"steward:{steward.pk}:capacity:{steward.is_active}:"
               f"{workstation.pk}", title=_("You now also serve enterprises as a steward in %(workstation)s") % {
                   "workstation": workstation.name})
    return steward


@transaction.atomic
def steward_capacity_end(*, steward: Steward, actor) -> Steward:
    """End a cadre's steward capacity: refused while it still serves an enterprise (the head
    names another steward first: nobody is left without one)."""
    require(can_grant_steward_capacity(actor, steward.workstation),
            _("Only a leader, an administrator or the head of the workstation may do this."))
    steward = Steward.objects.select_for_update().select_related("user").get(pk=steward.pk)
    serving = StewardAssignment.objects.active().filter(steward=steward).count()
    if serving:
        raise ValidationError(_("%(name)s still serves %(count)d enterprises: name their new steward first.") % {
            "name": steward.name, "count": serving})
    if not steward.is_active:
        return steward
    steward.is_active = False
    steward.save(update_fields=["is_active"])
    record_event(steward, actor=actor, kind=StewardsEvent.STEWARD_CAPACITY_ENDED)
    return steward


@transaction.atomic
def steward_assign_person(*, enterprise: Enterprise, user: User, actor, note: str = "") -> StewardAssignment:
    """The assign page's "another cadre": ``user`` (a leader, a department user, a head) serves
    the enterprise, its steward capacity granted in the enterprise's workstation if it has none."""
    steward = Steward.objects.filter(user=user, is_active=True).first()
    if steward is None:
        steward = steward_capacity_grant(user=user, actor=actor, workstation=enterprise.workstation)
    return steward_assign(enterprise=enterprise, steward=steward, actor=actor, note=note)


def on_user_saved(sender, instance, update_fields=None, **kwargs) -> None:
    """A steward whose user moves to another workstation serves in the new one (its Steward row
    follows): the workstation of a person who belongs to one is not kept twice in disagreement."""
    if update_fields is not None and "workstation" not in update_fields and "workstation_id" not in update_fields:
        return
    if instance.workstation_id:
        Steward.objects.filter(user_id=instance.pk).exclude(workstation_id=instance.workstation_id).update(
            workstation_id=instance.workstation_id)


def on_steward_saved(sender, instance, **kwargs) -> None:
    """Whoever saves a Steward row (the services, the admin, an import), its user's capacity
    follows: ``User.capacities`` holds "steward" exactly while the row is active."""
    capacity_set(instance.user_id, Role.STEWARD, Steward.objects.filter(pk=instance.pk, is_active=True).exists())
