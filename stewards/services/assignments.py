"""Who serves an enterprise: assigning and unassigning its one active steward, and the bar of
DESIGN.md rule 4 (a steward the enterprise rated unsatisfied may not come back this year)."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from enterprises.models import Enterprise
from enterprises.services import can_manage_enterprise
from stewards.events import StewardsEvent
from stewards.models import AssignmentBar, RequestHandover, ServiceRequest, Steward, StewardAssignment
from stewards.selectors import assignment_barred
from zonehub.events import record_event
from zonehub.models import Event, Role, User
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
                        source: str = "", now=None, only_source: str = "") -> int:
    """A leader lifts the bars in force on ``steward`` serving ``enterprise`` in ``year``: it may
    be named again. The lift keeps who and why. Returns how many bars were lifted.
    ``only_source``: only the bar raised by that source (a reopened campaign lifts its own)."""
    require(actor.is_authenticated and (actor.role == Role.LEADER or actor.is_admin),
            _("Only a leader may let a steward go back to an enterprise that rated it unsatisfied."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for letting the steward go back.")})
    bars = AssignmentBar.objects.in_force().filter(steward=steward, enterprise=enterprise, year=year)
    if only_source:
        bars = bars.filter(source=only_source)
    return bars.update(
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


def _hand_over(*, enterprise: Enterprise, to_steward: Steward | None, actor, now) -> int:
    """Hand every unfinished request of ``enterprise`` (and with it the follow-up of its open
    escalations: their reminders, replies and overdue marks go to ``request.steward``) to
    ``to_steward`` (None: no steward, the workstation head holds them), set-based: one read of
    the rows, one insert of their hand-over records, one update, one insert of their timeline
    lines. The old steward keeps reading them (``RequestHandover``), no longer acts on them.
    Returns how many requests moved."""
    rows = list(
        ServiceRequest.objects.select_for_update().filter(enterprise=enterprise).open()
        .exclude(steward_id=to_steward.pk if to_steward else None)
        # A project blocker stays with the project steward who raised it (issue 16).
        .exclude(channel=ServiceRequest.Channel.PROJECT).order_by("pk")
        .values_list("pk", "steward_id")
    )
    if not rows:
        return 0
    ids = [pk for pk, _old in rows]
    RequestHandover.objects.bulk_create([
        RequestHandover(request_id=pk, from_steward_id=old, to_steward=to_steward, handed_at=now,
                        handed_by=actor if getattr(actor, "pk", None) else None)
        for pk, old in rows
    ])
    ServiceRequest.objects.filter(pk__in=ids).update(steward=to_steward)
    names = {s.pk: s.name for s in Steward.objects.filter(pk__in={old for _pk, old in rows if old})
             .select_related("user")}
    request_type = ContentType.objects.get_for_model(ServiceRequest)
    Event.objects.bulk_create([
        Event(subject_type=request_type, subject_id=pk, root_type=request_type, root_id=pk,
              actor=actor if getattr(actor, "pk", None) else None, kind=StewardsEvent.STEWARD_HANDED_OVER,
              from_state=names.get(old, "") or "", to_state=to_steward.name if to_steward else "", data={},
              created_at=now)
        for pk, old in rows
    ])
    return len(rows)


def enterprises_steward_flag_refresh(enterprise_ids=None) -> int:
    """Set ``Enterprise.has_steward`` from the open assignments, for ``enterprise_ids`` (all when
    None): one UPDATE. Run whenever an assignment is saved (stewards.apps connects it), and after a
    bulk load of assignments (seed_scale)."""
    from django.db.models import Exists, OuterRef

    enterprises = Enterprise.objects.all() if enterprise_ids is None else Enterprise.objects.filter(
        pk__in=list(enterprise_ids))
    return enterprises.update(has_steward=Exists(
        StewardAssignment.objects.filter(enterprise=OuterRef("pk"), ended_at__isnull=True)))


def on_assignment_saved(sender, instance, **kwargs) -> None:
    enterprises_steward_flag_refresh([instance.enterprise_id])


def _moved(count: int) -> str:
    return ngettext("%(count)d open request moved with it.", "%(count)d open requests moved with it.",
                    count) % {"count": count} if count else ""


@transaction.atomic
def _switch(*, enterprise: Enterprise, steward: Steward, actor, reason: str, note: str, interim: bool = False,
            now=None) -> StewardAssignment:
    """End the enterprise's current assignment, start ``steward``'s, hand the open work over,
    tell the enterprise and both stewards (one notification each, with how many requests moved)."""
    # Lock the enterprise row so two heads assigning at once queue up instead of colliding.
    Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
    current = StewardAssignment.objects.active().filter(enterprise=enterprise).select_related("steward__user").first()
    now = now or timezone.now()
    if current and current.started_at > now:
        now = current.started_at  # an assignment never ends before it starts
    if current and current.steward_id == steward.pk:
        if current.interim and not interim:
            # The head serving in the meantime is named the permanent steward.
            current.interim = False
            current.save(update_fields=["interim"])
            record_event(current, root=enterprise, actor=actor, kind=StewardsEvent.STEWARD_ASSIGNED,
                         from_state=steward.name, to_state=steward.name, note=note)
            return current
        raise ValidationError(_("%(name)s is already this enterprise's steward.") % {"name": steward.name})
    if current:
        current.ended_at = now
        current.end_reason = StewardAssignment.EndReason.INTERIM_ENDED if current.interim else reason
        current.end_note = note[:200]
        current.save(update_fields=["ended_at", "end_reason", "end_note"])
        record_event(current, root=enterprise, actor=actor, kind=StewardsEvent.STEWARD_UNASSIGNED,
                     from_state=current.steward.name, note=note, data={"reason": current.end_reason})
    assignment = StewardAssignment.objects.create(
        enterprise=enterprise, steward=steward, started_at=now, assigned_by=actor if getattr(actor, "pk", None) else None,
        interim=interim,
    )
    record_event(assignment, root=enterprise, actor=actor, kind=StewardsEvent.STEWARD_ASSIGNED,
                 from_state=current.steward.name if current else "", to_state=steward.name, note=note,
                 data={"interim": True} if interim else None)
    moved = _hand_over(enterprise=enterprise, to_steward=steward, actor=actor, now=now)
    key = f"assignment:{assignment.pk}"
    if interim:
        title = _("Until a new steward is named, %(name)s (head of your workstation, %(phone)s) serves you") % {
            "name": steward.name, "phone": steward.phone}
    else:
        title = _("Your steward is now %(name)s (%(phone)s)") % {"name": steward.name, "phone": steward.phone}
    notify(enterprise.users.all(), kind="steward.assigned", key=key, title=f"{title} {_moved(moved)}".strip())
    if interim:
        title = _("You serve %(enterprise)s until a new steward is named (its steward was rated unsatisfied)") % {
            "enterprise": enterprise.name}
    else:
        title = _("You now serve %(enterprise)s") % {"enterprise": enterprise.name}
    notify([steward.user], kind="steward.assigned", key=key, title=f"{title} {_moved(moved)}".strip())
    if current:
        title = _("You no longer serve %(enterprise)s") % {"enterprise": enterprise.name}
        if moved:
            title = _("You no longer serve %(enterprise)s: %(count)d open requests went to %(name)s") % {
                "enterprise": enterprise.name, "count": moved, "name": steward.name}
        notify([current.steward.user], kind="steward.unassigned", key=f"{key}:previous", title=title)
    return assignment


@transaction.atomic
def steward_assign(
    *, enterprise: Enterprise, steward: Steward, actor,
    reason: str = StewardAssignment.EndReason.REASSIGNED, note: str = "", allow_return: bool = False,
) -> StewardAssignment:
    """Make ``steward`` the enterprise's one active steward, ending the current assignment (with
    its reason) in the same transaction. The enterprise's unfinished requests (and the follow-up
    of their open escalations) go with it; the enterprise and both stewards are told.

    ``allow_return`` is passed only when a leader has lifted the bar on a steward going back to an
    enterprise that rated it unsatisfied this year (DESIGN.md rule 4)."""
    require(can_assign_steward(actor, enterprise),
            _("Only the head of the enterprise's workstation or an administrator may assign its steward."))
    steward_assignment_check(enterprise=enterprise, steward=steward, on=timezone.now(), allow_return=allow_return)
    return _switch(enterprise=enterprise, steward=steward, actor=actor, reason=reason, note=note)


@transaction.atomic
def steward_replace(*, enterprise: Enterprise, steward: Steward, actor, note: str = "",
                    allow_return: bool = False) -> StewardAssignment:
    """A replacement case names the enterprise's new steward (after an unsatisfied rating): the
    workstation head, an administrator, or a leader when the head let the case run overdue.
    Rule 4's bar holds as for every assignment."""
    require(can_assign_steward(actor, enterprise) or (actor.is_authenticated and actor.role == Role.LEADER),
            _("Only the head of the enterprise's workstation, a leader or an administrator may name its steward."))
    steward_assignment_check(enterprise=enterprise, steward=steward, on=timezone.now(), allow_return=allow_return)
    return _switch(enterprise=enterprise, steward=steward, actor=actor,
                   reason=StewardAssignment.EndReason.UNSATISFIED, note=note)


@transaction.atomic
def head_steward(head) -> Steward:
    """The Steward row of a workstation head, created the first time the head serves an
    enterprise in the meantime (every steward-side rule then holds for it)."""
    steward, _created = Steward.objects.get_or_create(user=head, defaults={"title": _("workstation head")[:50]})
    return steward


@transaction.atomic
def steward_interim_head(*, enterprise: Enterprise, steward_out: Steward, actor=None, note: str = "",
                         reason: str = StewardAssignment.EndReason.UNSATISFIED, now=None) -> StewardAssignment | None:
    """DESIGN.md rule 4, unconditional: ``steward_out`` (rated unsatisfied) comes off the
    enterprise at once and the head of its workstation serves it until a new steward is named
    (an interim assignment). Called by the evaluations app when a campaign closes (by a leader or
    the sweep: the caller checked who may close). Nothing happens when ``steward_out`` no longer
    serves the enterprise. Without a head, the steward is only taken off. Returns the interim
    assignment (None when there was none to make)."""
    current = StewardAssignment.objects.active().filter(enterprise=enterprise).first()
    if current is None or current.steward_id != steward_out.pk:
        return None
    head = (User.objects.filter(role=Role.WORKSTATION_HEAD, is_active=True, workstation_id=enterprise.workstation_id)
            .order_by("pk").first() if enterprise.workstation_id else None)
    if head is None:
        _take_off(enterprise=enterprise, actor=actor, reason=reason, note=note, now=now)
        return None
    return _switch(enterprise=enterprise, steward=head_steward(head), actor=actor, reason=reason, note=note,
                   interim=True, now=now)


@transaction.atomic
def steward_interim_end(*, enterprise: Enterprise, steward_back: Steward, actor, note: str = ""
                        ) -> StewardAssignment | None:
    """Undo ``steward_interim_head`` (a leader reopened a campaign closed by mistake): the head
    serving in the meantime comes off, ``steward_back`` serves the enterprise again and its open
    requests follow it back. Refused when the enterprise's steward has changed since (someone
    acted); nothing happens when there was no interim (the steward was only taken off: it is put
    back)."""
    require(actor.is_authenticated and (actor.role == Role.LEADER or actor.is_admin),
            _("Only leaders may reopen a rating campaign."))
    current = StewardAssignment.objects.active().filter(enterprise=enterprise).first()
    if current is not None and current.steward_id == steward_back.pk:
        return None
    if current is not None and not current.interim:
        raise ValidationError(_("%(enterprise)s has been given a new steward since: the campaign can no longer be "
                                "reopened.") % {"enterprise": enterprise.name})
    return _switch(enterprise=enterprise, steward=steward_back, actor=actor,
                   reason=StewardAssignment.EndReason.INTERIM_ENDED, note=note)


def _take_off(*, enterprise: Enterprise, actor, reason: str, note: str, now=None) -> StewardAssignment:
    current = StewardAssignment.objects.active().select_for_update().select_related("steward__user").filter(
        enterprise=enterprise).first()
    if current is None:
        raise ValidationError(_("This enterprise has no active steward."))
    now = max(now or timezone.now(), current.started_at)
    current.ended_at = now
    current.end_reason = reason
    current.end_note = note[:200]
    current.save(update_fields=["ended_at", "end_reason", "end_note"])
    record_event(current, root=enterprise, actor=actor, kind=StewardsEvent.STEWARD_UNASSIGNED,
                 from_state=current.steward.name, note=note, data={"reason": reason})
    moved = _hand_over(enterprise=enterprise, to_steward=None, actor=actor, now=now)
    if moved:
        notify([current.steward.user], kind="steward.unassigned", key=f"assignment:{current.pk}:off",
               title=_("You no longer serve %(enterprise)s: %(count)d open requests went to its workstation head") % {
                   "enterprise": enterprise.name, "count": moved})
        notify(enterprise.users.all(), kind="steward.unassigned", key=f"assignment:{current.pk}:off",
               title=_("%(name)s no longer serves you: your %(count)d open requests are with the head of your "
                       "workstation") % {"name": current.steward.name, "count": moved})
    return current


@transaction.atomic
def steward_unassign(*, enterprise: Enterprise, actor, reason: str, note: str = "") -> StewardAssignment:
    """Take the enterprise's steward off without naming another: its unfinished requests are
    handed to nobody (the workstation head holds them) and recorded on their timelines."""
    require(can_assign_steward(actor, enterprise))
    return _take_off(enterprise=enterprise, actor=actor, reason=reason, note=note)
