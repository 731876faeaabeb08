"""The policies API: the same selectors, services and scoping as the pages. Enterprises see the
published policies and their own pushes."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from policies import selectors, services
from policies.api import serializers as s
from policies.filters import PolicyFilterSet, PolicyPushFilterSet
from policies.models import Policy, PolicyPush
from zonehub.api import ScopedReadOnlyViewSet, ScopedViewSetMixin


class PolicyViewSet(ScopedReadOnlyViewSet):
    """The policy catalogue with each policy's conditions."""

    queryset = Policy.objects.all()
    serializer_class = s.PolicySerializer
    filterset_class = PolicyFilterSet
    ordering_fields = ["created_at", "closes_on", "title"]
    ordering = ["-created_at", "-id"]
    search_fields: list = []

    def get_queryset(self):
        return (selectors.policy_list(self.request.user).prefetch_related(*selectors.CONDITION_PREFETCH)
                .order_by(*self.ordering))

    @extend_schema(
        parameters=[OpenApiParameter("near", OpenApiTypes.BOOL, description="Enterprises missing exactly one condition")],
        responses={200: s.MatchPageSerializer})
    @action(detail=True, methods=["get"], filterset_class=None, ordering_fields=None)
    def matches(self, request, pk=None):
        """The enterprises the user may see that qualify for the policy (``?near=true``: that miss
        exactly one condition, named in ``missing``), each with every condition and whether it meets it."""
        policy = self.get_object()
        near = str(request.query_params.get("near", "")).lower() in ("1", "true", "yes")
        rows, conditions = selectors.policy_match_list(request.user, policy, near=near)
        page = self.paginate_queryset(rows.order_by("pk"))
        return self.get_paginated_response(s.MatchSerializer(selectors.explain(page, conditions), many=True).data)

    def filter_queryset(self, queryset):
        if self.action == "matches":
            return queryset
        return super().filter_queryset(queryset)


class PolicyPushViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Each policy pushed to each enterprise, once; an enterprise sees its own. Enterprises apply or
    decline; leaders and the handling department record the outcome."""

    queryset = PolicyPush.objects.all()
    serializer_class = s.PolicyPushSerializer
    filterset_class = PolicyPushFilterSet
    ordering_fields = ["created_at", "applied_at"]
    ordering = ["-id"]
    search_fields: list = []

    def get_queryset(self):
        return selectors.push_list(self.request.user).order_by(*self.ordering)

    def _act(self, request, body_serializer, perform):
        """A POST action on one push: the body checked by ``body_serializer``, then
        ``perform(push, validated_data)`` (a service), answered with the push."""
        push = self.get_object()
        body = body_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(s.PolicyPushSerializer(perform(push, body.validated_data)).data)

    @extend_schema(request=s.ApplySerializer, responses={200: s.PolicyPushSerializer})
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        """Apply (the enterprise): a 政策兑现 service request, the steward attached."""
        return self._act(request, s.ApplySerializer, lambda push, v: services.push_apply(
            push=push, actor=request.user, note=v["note"]))

    @extend_schema(request=s.DeclineSerializer, responses={200: s.PolicyPushSerializer})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """Not needed (the enterprise), with the reason."""
        return self._act(request, s.DeclineSerializer, lambda push, v: services.push_decline(
            push=push, actor=request.user, reason=v["reason"]))

    @extend_schema(request=s.OutcomeSerializer, responses={200: s.PolicyPushSerializer})
    @action(detail=True, methods=["post"])
    def outcome(self, request, pk=None):
        """Record the outcome: redeemed (amount in yuan, day) or refused (reason)."""
        return self._act(request, s.OutcomeSerializer, lambda push, v: services.push_record_outcome(
            push=push, actor=request.user, approved=v["outcome"] == "redeemed", amount=v["amount"],
            approved_on=v["approved_on"], reason=v["reason"]))
