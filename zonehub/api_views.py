from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from zonehub.api import ScopedReadOnlyViewSet
from zonehub.models import Department, Notification, Workstation
from zonehub.notifications import notification_mark_read


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "name", "short_name", "kind", "phone", "is_active"]


class WorkstationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Workstation
        fields = ["id", "name", "area", "phone"]


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read_at"]


class DepartmentViewSet(ScopedReadOnlyViewSet):
    queryset = Department.objects.all()
    serializer_class = DepartmentSerializer
    filterset_fields = ["kind", "is_active"]
    search_fields = ["name", "short_name"]


class WorkstationViewSet(ScopedReadOnlyViewSet):
    queryset = Workstation.objects.all()
    serializer_class = WorkstationSerializer


class NotificationViewSet(ScopedReadOnlyViewSet):
    queryset = Notification.objects.all()
    serializer_class = NotificationSerializer

    @extend_schema(request=None, responses=inline_serializer("MarkRead", {"marked": serializers.IntegerField()}))
    @action(detail=False, methods=["post"])
    def mark_read(self, request):
        """Mark all of the user's notifications read."""
        return Response({"marked": notification_mark_read(user=request.user)})
