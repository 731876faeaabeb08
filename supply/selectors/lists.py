"""Reads of the supply app's rows, scoped to the user first (``visible_to``), each with what its
pages show selected in the same query; a single row is fetched through them (missing and
not-yours: 404)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404

from enterprises.models import Enterprise
from stewards.events import StewardsEvent
from stewards.models import Escalation, ServiceRequest
from supply.events import SupplyEvent
from supply.models import (
    CaseObstacle,
    Delivery,
    MatchCase,
    Payment,
    SupplyContract,
    SupplyNeed,
    SupplyOffer,
)
from zonehub.models import Event, Role


def offer_list(user):
    return SupplyOffer.objects.visible_to(user).select_related("enterprise", "product", "link__chain")


def need_list(user):
    return SupplyNeed.objects.visible_to(user).select_related("enterprise", "product", "link__chain")


def offer_get(user, pk) -> SupplyOffer:
    return get_object_or_404(offer_list(user), pk=pk)


def need_get(user, pk) -> SupplyNeed:
    return get_object_or_404(need_list(user), pk=pk)


def supply_enterprise_get(user, pk) -> Enterprise:
    """The enterprise whose supply page is asked for. An enterprise sees its own; the staff who
    see it in the enterprises app see it here; the operations centre sees every enterprise (it
    brokers between them all)."""
    if user.effective_role == Role.OPERATIONS:
        return get_object_or_404(Enterprise.objects.select_related("industry", "park"), pk=pk)
    return get_object_or_404(Enterprise.objects.visible_to(user).select_related("industry", "park"), pk=pk)


def enterprise_declarations(enterprise) -> tuple[list, list]:
    """An enterprise's active offers and needs, for its supply page: two queries."""
    offers = list(SupplyOffer.objects.filter(enterprise=enterprise, is_active=True)
                  .select_related("product", "link__chain").order_by("link__chain__order", "link__position", "pk"))
    needs = list(SupplyNeed.objects.filter(enterprise=enterprise, is_active=True)
                 .select_related("product", "link__chain").order_by("link__chain__order", "link__position", "pk"))
    return offers, needs


# --- cases ----------------------------------------------------------------------------------------

def case_list(user):
    return (MatchCase.objects.visible_to(user)
            .select_related("buyer", "supplier", "product", "link", "chain", "broker", "contract"))


def case_get(user, pk) -> MatchCase:
    return get_object_or_404(case_list(user).select_related("need", "offer", "suggested_by"), pk=pk)


def case_obstacles(user, case: MatchCase) -> list[CaseObstacle]:
    """The case's obstacles with their requests and escalations (three queries). An enterprise sees
    its own obstacles only: the other side's are the other side's requests."""
    obstacles = (CaseObstacle.objects.filter(case=case).select_related("request__enterprise", "raised_by")
                 .prefetch_related(Prefetch("request__escalations",
                                            queryset=Escalation.objects.select_related("department").order_by("sent_at"))))
    if user.effective_role == Role.ENTERPRISE:
        obstacles = obstacles.filter(request__enterprise_id=user.enterprise_id)
    return list(obstacles)


# Request events that are the conversation between an enterprise and its steward, not a step.
QUIET_REQUEST_EVENTS = (StewardsEvent.REQUEST_COMMENTED, StewardsEvent.REQUEST_ATTACHED)


def case_timeline(user, case: MatchCase, obstacles: list[CaseObstacle]):
    """Every step of the case, and of the requests raised for its obstacles (escalations, the
    departments' replies), in time order: one query. An enterprise reads neither the other side's
    payments nor its reported saving."""
    requests = [o.request_id for o in obstacles]
    condition = Q(root_type=ContentType.objects.get_for_model(MatchCase), root_id=case.pk)
    if requests:
        condition |= (Q(root_type=ContentType.objects.get_for_model(ServiceRequest), root_id__in=requests)
                      & ~Q(kind__in=QUIET_REQUEST_EVENTS))
    events = Event.objects.filter(condition)
    if user.effective_role == Role.ENTERPRISE:
        buyer = user.enterprise_id == case.buyer_id
        own_direction = Payment.Direction.BUYER_TO_COMPANY if buyer else Payment.Direction.COMPANY_TO_SUPPLIER
        events = events.exclude(Q(kind=SupplyEvent.PAYMENT_RECORDED) & ~Q(data__direction=own_direction))
        events = events.exclude(Q(kind=SupplyEvent.SAVING_REPORTED) & ~Q(data__side="buyer" if buyer else "supplier"))
    return (events.select_related("actor__department", "actor__workstation", "actor__enterprise")
            .order_by("created_at", "id"))


# --- contracts, deliveries, payments ----------------------------------------------------------

def contract_list(user):
    return (SupplyContract.objects.visible_to(user)
            .select_related("buyer", "supplier", "product", "chain", "broker", "case"))


def contract_get(user, pk) -> SupplyContract:
    return get_object_or_404(contract_list(user), pk=pk)


def delivery_list(user):
    return (Delivery.objects.visible_to(user)
            .select_related("contract__buyer", "contract__supplier", "contract__product", "contract__chain",
                            "contract__broker"))


def payment_list(user):
    return Payment.objects.visible_to(user).select_related("contract")
