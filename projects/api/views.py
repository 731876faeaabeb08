from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from projects import selectors, services
from projects.api import serializers as s
from projects.filters import ApprovalFilterSet, FiveKeyItemFilterSet, FiveKeyNodeFilterSet, ProjectFilterSet
from projects.models import Approval, FiveKeyItem, FiveKeyNode, Project
from zonehub.api import ScopedReadOnlyViewSet
from zonehub.models import Department, User
from zonehub.workdays import WorkCalendar


class ProjectViewSet(ScopedReadOnlyViewSet):
    queryset = Project.objects.all()
    serializer_class = s.ProjectSerializer
    filterset_class = ProjectFilterSet
    ordering_fields = ["name", "total_investment", "signed_on"]
    ordering = ["-id"]

    def get_queryset(self):
        return super().get_queryset().select_related("industry", "investor")

    @extend_schema(request=s.StageChangeSerializer, responses=s.ProjectSerializer)
    @action(detail=True, methods=["post"])
    def stage(self, request, pk=None):
        project = self.get_object()
        data = s.StageChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.project_stage_change(project=project, actor=request.user, **data.validated_data)
        project.refresh_from_db()
        return Response(s.ProjectSerializer(project).data)

    @extend_schema(request=s.ProjectStewardAssignSerializer, responses=s.ProjectStewardAssignmentSerializer)
    @action(detail=True, methods=["post"])
    def steward(self, request, pk=None):
        """Assign the project steward, as the project page does (same service, same rules)."""
        project = self.get_object()
        data = s.ProjectStewardAssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = services.project_steward_assign(project=project, actor=request.user, **data.validated_data)
        return Response(s.ProjectStewardAssignmentSerializer(assignment).data)


class ApprovalViewSet(ScopedReadOnlyViewSet):
    queryset = Approval.objects.all()
    serializer_class = s.ApprovalSerializer
    filterset_class = ApprovalFilterSet
    ordering = ["project", "kind"]

    def get_queryset(self):
        return super().get_queryset().select_related("department", "project")

    @extend_schema(request=s.ApprovalUpdateSerializer, responses=s.ApprovalSerializer)
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        approval = self.get_object()
        data = s.ApprovalUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        approval = services.approval_update(approval=approval, actor=request.user, **data.validated_data)
        return Response(s.ApprovalSerializer(approval).data)


class ProgressContextMixin:
    def get_serializer_context(self):
        ctx = super().get_serializer_context()
        ctx["today"] = selectors.today()
        ctx["calendar"] = WorkCalendar()
        return ctx


class FiveKeyItemViewSet(ProgressContextMixin, mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    queryset = FiveKeyItem.objects.all()
    serializer_class = s.FiveKeyItemSerializer
    filterset_class = FiveKeyItemFilterSet
    ordering = ["year", "category", "id"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related(
            Prefetch("nodes", queryset=FiveKeyNode.objects.order_by("planned_date", "id")), "cooperating_units")

    @extend_schema(request=s.FiveKeyItemWriteSerializer, responses={201: s.FiveKeyItemSerializer})
    def create(self, request, *args, **kwargs):
        data = s.FiveKeyItemWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        leader = User.objects.filter(pk=values.pop("lead_leader")).first()
        unit_id = values.pop("responsible_unit")
        unit = Department.objects.filter(pk=unit_id).first() if unit_id else None
        if unit_id and unit is None:
            raise ApiValidationError({"responsible_unit": [_("Choose one of the departments.")]})
        units = list(Department.objects.filter(pk__in=values.pop("cooperating_units")))
        item = services.fivekey_item_create(actor=request.user, lead_leader=leader, responsible_unit=unit,
                                            cooperating_units=units, **values)
        item = self.get_queryset().get(pk=item.pk)
        return Response(self.get_serializer(item).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.FiveKeyItemSerializer)
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        item = services.fivekey_item_claim(item=self.get_object(), actor=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=item.pk)).data)

    @extend_schema(request=None, responses=s.FiveKeyItemSerializer)
    @action(detail=True, methods=["post"], url_path="confirm-claim")
    def confirm_claim(self, request, pk=None):
        item = services.fivekey_claim_decide(item=self.get_object(), actor=request.user, confirm=True)
        return Response(self.get_serializer(self.get_queryset().get(pk=item.pk)).data)


class FiveKeyNodeViewSet(ScopedReadOnlyViewSet):
    queryset = FiveKeyNode.objects.all()
    serializer_class = s.FiveKeyNodeSerializer
    filterset_class = FiveKeyNodeFilterSet
    ordering = ["planned_date", "id"]

    @extend_schema(request=s.NodeCompleteSerializer, responses=s.FiveKeyNodeSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        node = self.get_object()
        data = s.NodeCompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        node = services.fivekey_node_complete(node=node, actor=request.user, **data.validated_data)
        return Response(s.FiveKeyNodeSerializer(node).data)
