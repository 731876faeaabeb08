from enterprises.api.serializers import EnterpriseSerializer
from enterprises.filters import EnterpriseFilterSet
from enterprises.models import Enterprise
from enterprises.selectors import enterprise_list
from zonehub.api import ScopedReadOnlyViewSet


class EnterpriseViewSet(ScopedReadOnlyViewSet):
    queryset = Enterprise.objects.all()
    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilterSet
    ordering_fields = ["name", "credit_code"]
    ordering = ["name"]

    def get_queryset(self):
        return enterprise_list(self.request.user)
