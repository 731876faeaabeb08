"""The supply API: the same selectors and scoping as the pages, read-only (writes are the pages'
services). An enterprise sees its own offers, needs, cases and contracts, never another firm's
price."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from supply import selectors
from supply.api import serializers as s
from supply.filters import MatchCaseFilterSet, SupplyContractFilterSet, SupplyNeedFilterSet, SupplyOfferFilterSet
from supply.models import Delivery, MatchCase, Payment, SupplyContract, SupplyNeed, SupplyOffer
from zonehub.api import ScopedReadOnlyViewSet
from zonehub.models import Role


class SupplyOfferViewSet(ScopedReadOnlyViewSet):
    """What zone enterprises sell: product, link, yearly capacity (and, to the firm itself and the
    zone's staff, its price)."""

    queryset = SupplyOffer.objects.all()
    serializer_class = s.SupplyOfferSerializer
    filterset_class = SupplyOfferFilterSet
    ordering_fields = ["created_at", "yearly_capacity"]
    ordering = ["-id"]
    search_fields: list = []

    def get_queryset(self):
        return selectors.offer_list(self.request.user).order_by(*self.ordering)


class SupplyNeedViewSet(ScopedReadOnlyViewSet):
    """What zone enterprises buy: product, link, yearly volume, where it is bought now."""

    queryset = SupplyNeed.objects.all()
    serializer_class = s.SupplyNeedSerializer
    filterset_class = SupplyNeedFilterSet
    ordering_fields = ["created_at", "yearly_volume"]
    ordering = ["-id"]
    search_fields: list = []

    def get_queryset(self):
        return selectors.need_list(self.request.user).order_by(*self.ordering)

    def filter_queryset(self, queryset):
        if self.action == "suggestions":
            return queryset
        return super().filter_queryset(queryset)

    @extend_schema(responses={200: s.SuggestionSerializer(many=True)})
    @action(detail=True, methods=["get"], filterset_class=None, ordering_fields=None, pagination_class=None)
    def suggestions(self, request, pk=None):
        """The zone's suppliers for this need (one indexed query): the same product first, the largest
        capacity against the volume first. Not for enterprises: they see their own need only."""
        need = self.get_object()
        if request.user.effective_role == Role.ENTERPRISE:
            rows = []
        else:
            rows = selectors.need_suggestions(need)
            cases = selectors.open_cases_for([need])
            for row in rows:
                row.case_id = cases.get((need.pk, row.pk))
        return Response(s.SuggestionSerializer(rows, many=True).data)


class MatchCaseViewSet(ScopedReadOnlyViewSet):
    """Matchmaking cases: buyer, supplier, product, stage, broker (no prices)."""

    queryset = MatchCase.objects.all()
    serializer_class = s.MatchCaseSerializer
    filterset_class = MatchCaseFilterSet
    ordering_fields = ["opened_at", "stage_changed_at"]
    ordering = ["-id"]
    search_fields: list = []

    def get_queryset(self):
        return selectors.case_list(self.request.user).order_by(*self.ordering)


class SupplyContractViewSet(ScopedReadOnlyViewSet):
    """Three-party contracts with their deliveries and payments. The zone's staff read the whole
    arithmetic; an enterprise reads its own side (``own_price``, ``own_balance``, its payments)."""

    queryset = SupplyContract.objects.all()
    serializer_class = s.SupplyContractSerializer
    filterset_class = SupplyContractFilterSet
    ordering_fields = ["signed_on"]
    ordering = ["-id"]
    search_fields: list = []

    def get_queryset(self):
        return (selectors.contract_list(self.request.user).order_by(*self.ordering)
                .prefetch_related(Prefetch("deliveries", queryset=Delivery.objects.order_by("delivered_on", "id")),
                                  Prefetch("payments", queryset=Payment.objects.order_by("paid_on", "id"))))
