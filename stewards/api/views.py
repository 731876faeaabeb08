from stewards.api.serializers import StewardAssignmentSerializer, StewardSerializer
from stewards.models import Steward, StewardAssignment
from zonehub.api import ScopedReadOnlyViewSet


class StewardViewSet(ScopedReadOnlyViewSet):
    queryset = Steward.objects.select_related("user__workstation")
    serializer_class = StewardSerializer
    filterset_fields = ["is_active"]
    search_fields = ["user__name", "user__phone"]


class StewardAssignmentViewSet(ScopedReadOnlyViewSet):
    queryset = StewardAssignment.objects.select_related("steward__user", "enterprise")
    serializer_class = StewardAssignmentSerializer
    filterset_fields = ["enterprise", "steward"]
