"""Matchmaking cases (撮合): opened by the operations centre (or suggested by a steward of either
side), moved through their stages, failed with a reason, and the obstacles on the way raised as
service requests on the stewards' clock.

What may happen to a case is one table, ``CASE_ACTIONS``: the services enforce it and the pages
read it (``case_can``) to decide which buttons to show.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stewards import services as stewards_services
from stewards.models import ServiceRequest
from supply.events import SupplyEvent
from supply.models import OPEN_STAGES, CaseObstacle, MatchCase, Stage, SupplyNeed, SupplyOffer
from supply.services._shared import (
    _active,
    is_operations,
    operations_staff,
    party_users,
    serves,
    text_in,
)
from zonehub.events import record_event
from zonehub.models import Role
from zonehub.notifications import notify
from zonehub.numbers import amount_text
from zonehub.permissions import require

OPERATIONS = "operations"  # the operations centre (and the administrator)
STEWARD_SIDE = "steward_side"  # the steward side of the buyer or of the supplier
PARTY = "party"  # a user of the buyer or of the supplier, or the operations centre


@dataclass(frozen=True)
class CaseAction:
    sources: frozenset
    party: str
    to_stage: str | None = None


# What may happen to a case: from which stages, by whom, to which stage.
CASE_ACTIONS: dict[str, CaseAction] = {
    "take": CaseAction(frozenset(OPEN_STAGES), OPERATIONS),
    "talks": CaseAction(frozenset({Stage.IDENTIFIED}), OPERATIONS, Stage.TALKS),
    "sign": CaseAction(frozenset({Stage.IDENTIFIED, Stage.TALKS}), OPERATIONS, Stage.SIGNED),
    "deliver": CaseAction(frozenset({Stage.SIGNED, Stage.SUPPLYING}), OPERATIONS, Stage.SUPPLYING),
    # Money may still move after the last delivery.
    "pay": CaseAction(frozenset({Stage.SIGNED, Stage.SUPPLYING, Stage.DONE}), OPERATIONS),
    "done": CaseAction(frozenset({Stage.SUPPLYING}), OPERATIONS, Stage.DONE),
    "fail": CaseAction(frozenset({Stage.IDENTIFIED, Stage.TALKS, Stage.SIGNED}), OPERATIONS, Stage.FAILED),
    "raise_obstacle": CaseAction(frozenset(OPEN_STAGES), STEWARD_SIDE),
    "link_obstacle": CaseAction(frozenset(OPEN_STAGES), OPERATIONS),
    "report_saving": CaseAction(frozenset({Stage.SIGNED, Stage.SUPPLYING, Stage.DONE}), PARTY),
}


def _party_ok(user, case: MatchCase, party: str) -> bool:
    if party == OPERATIONS:
        return is_operations(user)
    if party == STEWARD_SIDE:
        return serves(user, case.buyer) or serves(user, case.supplier)
    return is_operations(user) or (_active(user) and user.role == Role.ENTERPRISE
                                   and user.enterprise_id in (case.buyer_id, case.supplier_id))


def case_can(user, case: MatchCase, action: str) -> bool:
    """Whether ``user`` may take ``action`` on ``case`` now: what the pages ask before a button."""
    rule = CASE_ACTIONS[action]
    if case.stage not in rule.sources or not _party_ok(user, case, rule.party):
        return False
    if action == "take":
        return case.broker_id != user.pk
    return True


def require_case_action(user, case: MatchCase, action: str) -> None:
    rule = CASE_ACTIONS[action]
    if not _party_ok(user, case, rule.party):
        raise PermissionDenied({
            OPERATIONS: _("Only the operations centre runs matchmaking cases."),
            STEWARD_SIDE: _("Only a steward of the buyer or of the supplier raises an obstacle as a request."),
            PARTY: _("Only the parties to the contract and the operations centre report savings."),
        }[rule.party])
    if case.stage not in rule.sources:
        raise ValidationError(_("This cannot be done now: the case is %(stage)s.") % {"stage": case.get_stage_display()})


def _lock(case: MatchCase) -> MatchCase:
    return (MatchCase.objects.select_for_update(of=("self",))
            .select_related("buyer", "supplier", "product", "link", "chain", "need", "offer").get(pk=case.pk))


def _case_title(case: MatchCase) -> str:
    return _("%(product)s from %(supplier)s to %(buyer)s") % {
        "product": case.product.name, "supplier": case.supplier.name, "buyer": case.buyer.name}


def _move(case: MatchCase, *, actor, to_stage: str, note: str = "", kind: str = SupplyEvent.CASE_STAGE,
          extra_fields=()) -> None:
    from_stage = case.stage
    now = timezone.now()
    case.stage, case.stage_changed_at = to_stage, now
    fields = ["stage", "stage_changed_at", *extra_fields]
    if to_stage in (Stage.DONE, Stage.FAILED):
        case.closed_at = now
        fields.append("closed_at")
    case.save(update_fields=fields)
    record_event(case, actor=actor, kind=kind, from_state=from_stage, to_state=to_stage, note=note)


# --- opening ------------------------------------------------------------------------------------

@transaction.atomic
def case_open(*, actor, need: SupplyNeed, offer: SupplyOffer, note: str = "") -> MatchCase:
    """A case between a buyer's need and a supplier's offer. The operations centre opens it as its
    broker; a steward of either side suggests it (no broker yet), and the centre is told."""
    need = SupplyNeed.objects.select_related("enterprise", "product", "link__chain").get(pk=need.pk)
    offer = SupplyOffer.objects.select_related("enterprise", "product", "link").get(pk=offer.pk)
    operations = is_operations(actor)
    require(operations or serves(actor, need.enterprise) or serves(actor, offer.enterprise),
            _("Only the operations centre and the stewards of the two enterprises open matchmaking cases."))
    note = text_in(note, "note", limit=2000)
    if not (need.is_active and offer.is_active):
        raise ValidationError(_("The need or the offer was withdrawn: refresh the suggestions."))
    if need.enterprise_id == offer.enterprise_id:
        raise ValidationError(_("An enterprise cannot be matched with itself."))
    if need.link_id != offer.link_id:
        raise ValidationError(_("The offer is on another link of the chain than the need."))
    if MatchCase.objects.filter(need=need, offer=offer, stage__in=OPEN_STAGES).exists():
        raise ValidationError(_("A case between this need and this offer is already open."))
    now = timezone.now()
    try:
        with transaction.atomic():
            case = MatchCase.objects.create(
                need=need, offer=offer, buyer=need.enterprise, supplier=offer.enterprise, product=need.product,
                link=need.link, chain=need.link.chain, broker=actor if operations else None,
                suggested_by=None if operations else actor, note=note, opened_at=now, stage_changed_at=now)
    except IntegrityError:
        raise ValidationError(_("A case between this need and this offer is already open.")) from None
    kind = SupplyEvent.CASE_OPENED if operations else SupplyEvent.CASE_SUGGESTED
    record_event(case, actor=actor, kind=kind, to_state=Stage.IDENTIFIED, note=note,
                 data={"buyer": need.enterprise.name, "supplier": offer.enterprise.name})
    title = _case_title(case)
    if operations:
        notify(party_users(case.buyer_id, case.supplier_id), kind="supply.case_opened", key=f"supply-case:{case.pk}:opened",
               url=case.get_absolute_url(), title=_("The operations centre opened a matchmaking case: %(title)s")
               % {"title": title})
    else:
        notify(operations_staff(), kind="supply.case_suggested", key=f"supply-case:{case.pk}:suggested",
               url=case.get_absolute_url(), title=_("%(name)s suggests a matchmaking case: %(title)s")
               % {"name": actor.display_name, "title": title}, body=note)
    return case


# --- stages -------------------------------------------------------------------------------------

@transaction.atomic
def case_take(*, case: MatchCase, actor) -> MatchCase:
    """An operations centre member becomes the case's broker (a suggested case, or a colleague's)."""
    case = _lock(case)
    require_case_action(actor, case, "take")
    if case.broker_id == actor.pk:
        raise ValidationError(_("You already run this case."))
    before = case.broker.display_name if case.broker_id else ""
    case.broker = actor
    case.save(update_fields=["broker"])
    record_event(case, actor=actor, kind=SupplyEvent.CASE_TAKEN, from_state=before, to_state=actor.display_name)
    return case


@transaction.atomic
def case_advance(*, case: MatchCase, actor, action: str, note: str = "") -> MatchCase:
    """Talks begin ("talks"), or the supplying is done ("done"). Signing is ``contract_sign``; the
    first delivery moves a signed case to supplying."""
    if action not in ("talks", "done"):
        raise ValidationError(_("Choose a valid option."))
    case = _lock(case)
    require_case_action(actor, case, action)
    note = text_in(note, "note", limit=2000)
    extra = []
    if case.broker_id is None:
        case.broker = actor
        extra.append("broker")
    _move(case, actor=actor, to_stage=CASE_ACTIONS[action].to_stage, note=note, extra_fields=extra)
    if action == "done":
        notify(party_users(case.buyer_id, case.supplier_id), kind="supply.case_done", key=f"supply-case:{case.pk}:done",
               url=case.get_absolute_url(), title=_("Matchmaking case done: %(title)s") % {"title": _case_title(case)})
    return case


@transaction.atomic
def case_fail(*, case: MatchCase, actor, reason: str) -> MatchCase:
    """The case failed, with why (the offer and the need stay, for another match)."""
    case = _lock(case)
    require_case_action(actor, case, "fail")
    reason = text_in(reason, "reason", limit=2000, required=True,
                     message=_("Say why the case failed: it tells the next broker what to avoid."))
    case.failure_reason = reason
    _move(case, actor=actor, to_stage=Stage.FAILED, note=reason, kind=SupplyEvent.CASE_FAILED,
          extra_fields=["failure_reason"])
    return case


# --- obstacles ----------------------------------------------------------------------------------

BUYER = "buyer"
SUPPLIER = "supplier"


@transaction.atomic
def obstacle_raise(*, case: MatchCase, actor, party: str, category: str, title: str, description: str,
                   departments=(), reason: str = "") -> CaseObstacle:
    """What stands in the way (payment terms, road access, a power line) becomes a service request
    of the buyer or the supplier, logged by its steward (the stewards' services) and, with
    ``departments``, escalated at once on the usual 3-working-day clock. The case links it; its
    timeline shows the request's steps and the departments' replies."""
    case = _lock(case)
    require_case_action(actor, case, "raise_obstacle")
    if party not in (BUYER, SUPPLIER):
        raise ValidationError({"party": _("Say whose obstacle it is: the buyer's or the supplier's.")})
    enterprise = case.buyer if party == BUYER else case.supplier
    if not serves(actor, enterprise):
        raise PermissionDenied(_("You can raise a request only for an enterprise you serve."))
    departments = list(departments or [])
    if departments and not (reason or "").strip():
        raise ValidationError({"reason": _("Say what the department is asked to do.")})
    heading = _("Matchmaking case #%(pk)s: %(title)s") % {"pk": case.pk, "title": _case_title(case)}
    request = stewards_services.request_log_on_behalf(
        actor=actor, enterprise=enterprise, channel=ServiceRequest.Channel.PHONE, category=category, title=title,
        description=f"{heading}\n\n{(description or '').strip()}" if (description or "").strip() else description)
    if departments:
        stewards_services.request_escalate(request=request, actor=actor, departments=departments, reason=reason)
    obstacle = CaseObstacle.objects.create(case=case, request=request, raised_by=actor)
    record_event(obstacle, root=case, actor=actor, kind=SupplyEvent.OBSTACLE_RAISED, note=request.title,
                 data={"request": request.pk, "enterprise": enterprise.name,
                       "departments": [d.name for d in departments]})
    if case.broker_id:
        notify([case.broker], kind="supply.obstacle", key=f"supply-obstacle:{obstacle.pk}", url=case.get_absolute_url(),
               title=_("Obstacle on %(title)s: %(obstacle)s") % {"title": _case_title(case), "obstacle": request.title})
    return obstacle


@transaction.atomic
def obstacle_link(*, case: MatchCase, actor, request: ServiceRequest) -> CaseObstacle:
    """A request the buyer or the supplier already raised (or its steward logged) is an obstacle of
    the case: the operations centre links it, and follows it on the case."""
    case = _lock(case)
    require_case_action(actor, case, "link_obstacle")
    if request.enterprise_id not in (case.buyer_id, case.supplier_id):
        raise ValidationError({"request": _("The request must be one of the buyer's or the supplier's.")})
    if CaseObstacle.objects.filter(case=case, request=request).exists():
        raise ValidationError({"request": _("This request is already linked to the case.")})
    obstacle = CaseObstacle.objects.create(case=case, request=request, raised_by=actor)
    record_event(obstacle, root=case, actor=actor, kind=SupplyEvent.OBSTACLE_LINKED, note=request.title,
                 data={"request": request.pk, "enterprise": request.enterprise.name})
    return obstacle


def case_summary(case: MatchCase, quantity=None) -> str:
    """How a case reads in a notice or a line of the timeline."""
    text = _case_title(case)
    return f"{text} {amount_text(quantity, case.link.unit)}" if quantity is not None else text
