"""The meetings API: the same selectors, services and scoping as the pages. Departments see the
meetings they were invited to and the decisions they own; enterprises the meetings about their
requests."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from meetings import selectors, services
from meetings.api import serializers as s
from meetings.filters import DecisionFilterSet, MeetingFilterSet, SupervisionNoticeFilterSet
from meetings.models import AgendaItem, Decision, Invitation, Meeting, SupervisionNotice
from zonehub.api import ScopedReadOnlyViewSet, ScopedViewSetMixin


class MeetingViewSet(ScopedReadOnlyViewSet):
    """Meetings and joint meetings with their agenda and invitations."""

    queryset = Meeting.objects.all()
    serializer_class = s.MeetingSerializer
    filterset_class = MeetingFilterSet
    ordering_fields = ["starts_at", "created_at"]
    ordering = ["-id"]
    search_fields: list = []

    def get_queryset(self):
        return (selectors.meeting_list(self.request.user)
                .prefetch_related(Prefetch("items", AgendaItem.objects.select_related("request").order_by("position")),
                                  Prefetch("invitations", Invitation.objects.select_related("department")),
                                  "enterprises", "heads")
                .order_by(*self.ordering))


class DecisionViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Meeting decisions on the clock; a department sees those it owns, and closes them with evidence."""

    queryset = Decision.objects.all()
    serializer_class = s.DecisionSerializer
    filterset_class = DecisionFilterSet
    ordering_fields = ["due_at", "created_at"]
    ordering = ["-id"]
    search_fields: list = []

    def get_queryset(self):
        return selectors.decision_list(self.request.user).order_by(*self.ordering)

    @extend_schema(request=s.CloseSerializer, responses={200: s.DecisionSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the decision with the evidence of what was done (its owner: the department or the steward)."""
        decision = self.get_object()
        body = s.CloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        decision = services.decision_close(decision=decision, actor=request.user, evidence=body.validated_data["evidence"])
        return Response(s.DecisionSerializer(decision).data)


class SupervisionNoticeViewSet(ScopedReadOnlyViewSet):
    """Formal chase-ups (督办), numbered per year; a department sees those sent to it."""

    queryset = SupervisionNotice.objects.all()
    serializer_class = s.SupervisionNoticeSerializer
    filterset_class = SupervisionNoticeFilterSet
    ordering_fields = ["issued_at"]
    ordering = ["-id"]
    search_fields: list = []

    def get_queryset(self):
        return selectors.notice_list(self.request.user).order_by(*self.ordering)
