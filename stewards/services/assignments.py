"""Who serves an enterprise: assigning and unassigning its one active steward, and the bar of
DESIGN.md rule 4 (a steward the enterprise rated unsatisfied may not come back this year)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises.models import Enterprise
from enterprises.services import can_manage_enterprise
from stewards.events import StewardsEvent
from stewards.models import AssignmentBar, Steward, StewardAssignment
from stewards.selectors import assignment_barred
from zonehub.events import record_event
from zonehub.models import Role
from zonehub.notifications import notify
from zonehub.permissions import require
from zonehub.workdays import local_date


def can_assign_steward(user, enterprise: Enterprise) -> bool:
    """Who serves an enterprise is decided by whoever manages it (enterprises' rule)."""
    return can_manage_enterprise(user, enterprise)


def steward_assignment_check(*, enterprise: Enterprise, steward: Steward, on, allow_return: bool = False) -> None:
    """Raise ValidationError when ``steward`` may not serve the enterprise (as its steward or as
    the project steward of one of its projects): it is no longer active, or a bar of the year is
    in force (the enterprise rated it unsatisfied in a closed campaign and no leader lifted the
    bar, DESIGN.md rule 4). The assign page, the admin, the imports, the project stewards and the
    replacement cases all ask here. ``allow_return`` only when a leader allowed this return."""
    if not steward.is_active or not steward.user.is_active:
        raise ValidationError(_("%(name)s is no longer an active steward.") % {"name": steward.name})
    if allow_return:
        return
    year = local_date(on).year
    if assignment_barred(enterprise_id=enterprise.pk, steward_id=steward.pk, year=year):
        raise ValidationError(
            _("This enterprise rated %(name)s unsatisfied in %(year)s: the steward cannot go back to it this "
              "year unless a leader allows it on the replacement case.") % {"name": steward.name, "year": year}
        )


@transaction.atomic
def assignment_bar_add(*, steward: Steward, enterprise: Enterprise, year: int, reason: str, source: str
                       ) -> AssignmentBar:
    """Bar ``steward`` from serving ``enterprise`` again in ``year`` (rule 4). ``source`` names
    what raised it (one bar per source: adding it again returns the existing row), so the
    evaluations app can call this for every unsatisfied rating of a campaign it closes."""
    bar, _created = AssignmentBar.objects.get_or_create(
        source=source[:100],
        defaults={"steward": steward, "enterprise": enterprise, "year": year, "reason": (reason or "")[:200]},
    )
    return bar


@transaction.atomic
def assignment_bar_lift(*, steward: Steward, enterprise: Enterprise, year: int, actor, reason: str,
                        source: str = "", now=None) -> int:
    """A leader lifts the bars in force on ``steward`` serving ``enterprise`` in ``year``: it may
    be named again. The lift keeps who and why. Returns how many bars were lifted."""
    require(actor.is_authenticated and (actor.role == Role.LEADER or actor.is_admin),
            _("Only a leader may let a steward go back to an enterprise that rated it unsatisfied."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for letting the steward go back.")})
    return AssignmentBar.objects.in_force().filter(steward=steward, enterprise=enterprise, year=year).update(
        lifted_at=now or timezone.now(), lifted_by=actor, lift_reason=reason, lift_source=source[:100])


@transaction.atomic
def assignment_bar_restore(*, steward: Steward, enterprise: Enterprise, year: int, source: str) -> int:
    """Put back in force the bars that ``source`` lifted (a leader took the permission back, or
    gave it to another steward). Returns how many."""
    if not source:
        return 0
    return AssignmentBar.objects.filter(
        steward=steward, enterprise=enterprise, year=year, lift_source=source, lifted_at__isnull=False,
    ).update(lifted_at=None, lifted_by=None, lift_reason="", lift_source="")


@transaction.atomic
def steward_assign(
    *, enterprise: Enterprise, steward: Steward, actor,
    reason: str = StewardAssignment.EndReason.REASSIGNED, note: str = "", allow_return: bool = False,
) -> StewardAssignment:
    """Make ``steward`` the enterprise's one active steward, ending the current assignment (with
    its reason) in the same transaction. The enterprise and both stewards are told.

    ``allow_return`` is passed only when a leader has lifted the bar on a steward going back to an
    enterprise that rated it unsatisfied this year (DESIGN.md rule 4)."""
    require(can_assign_steward(actor, enterprise),
            _("Only the head of the enterprise's workstation or an administrator may assign its steward."))
    steward_assignment_check(enterprise=enterprise, steward=steward, on=timezone.now(), allow_return=allow_return)
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
        record_event(current, root=enterprise, actor=actor, kind=StewardsEvent.STEWARD_UNASSIGNED,
                     from_state=current.steward.name, note=note, data={"reason": reason})
    assignment = StewardAssignment.objects.create(
        enterprise=enterprise, steward=steward, started_at=now, assigned_by=actor
    )
    record_event(assignment, root=enterprise, actor=actor, kind=StewardsEvent.STEWARD_ASSIGNED,
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
    record_event(current, root=enterprise, actor=actor, kind=StewardsEvent.STEWARD_UNASSIGNED,
                 from_state=current.steward.name, note=note, data={"reason": reason})
    return current
