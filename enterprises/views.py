from django.db.models import CharField, Value
from django.views.generic import DetailView
from django_filters.views import FilterView

from enterprises.filters import EnterpriseFilterSet
from enterprises.selectors import (
    enterprise_assignment_list,
    enterprise_get,
    enterprise_list,
    uncovered_enterprise_list,
)
from enterprises.services import can_manage_enterprise
from zonehub.events import event_list_for
from zonehub.exports import ExportMixin
from zonehub.models import Role
from zonehub.pagination import CappedPaginator
from zonehub.roles import STEWARD_LINE as STAFF_READERS
from zonehub.views import RoleRequiredMixin

ENTERPRISE_EXPORT_COLUMNS = [
    ("企业名称", "name"), ("统一社会信用代码", "credit_code"), ("主导产业", "industry.name"), ("园区", "park.name"),
    ("工作站", "workstation.name"), ("规上企业", "above_designated_size"), ("所有制", "get_ownership_display"),
    ("服务管家", "steward_name"), ("管家电话", "steward_phone"), ("地址", "address"), ("法定代表人", "legal_representative"),
    ("联系人", "contact_name"), ("联系电话", "contact_phone"), ("在园", "is_active"),
]


class EnterpriseListView(ExportMixin, RoleRequiredMixin, FilterView):
    allowed_roles = STAFF_READERS
    allowed_capacities = (Role.STEWARD,)  # a cadre serving as a steward: the enterprises it serves
    filterset_class = EnterpriseFilterSet
    template_name = "enterprises/enterprise_list.html"
    paginate_by = 50
    paginator_class = CappedPaginator
    export_columns = ENTERPRISE_EXPORT_COLUMNS
    export_filename = "企业名单"

    def get_queryset(self):
        return enterprise_list(self.request.user).order_by("name")


class UncoveredEnterpriseListView(ExportMixin, RoleRequiredMixin, FilterView):
    allowed_roles = (Role.WORKSTATION_HEAD, Role.LEADER, Role.ADMIN)
    filterset_class = EnterpriseFilterSet
    template_name = "enterprises/uncovered_list.html"
    paginate_by = 50
    paginator_class = CappedPaginator
    export_columns = [c for c in ENTERPRISE_EXPORT_COLUMNS if c[1] not in ("steward_name", "steward_phone")]
    export_filename = "无管家企业"

    def get_queryset(self):
        # No steward by definition; the name is there so the shared sort choices never fail.
        return uncovered_enterprise_list(self.request.user).annotate(
            steward_name=Value("", output_field=CharField())).order_by("name")


class EnterpriseDetailView(RoleRequiredMixin, DetailView):
    template_name = "enterprises/enterprise_detail.html"
    context_object_name = "enterprise"

    def get_object(self, queryset=None):
        return enterprise_get(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        enterprise = self.object
        ctx["assignments"] = enterprise_assignment_list(enterprise)
        ctx["events"] = event_list_for(enterprise)
        # The assign page itself is stewards' (assignments:assign), shown to whoever manages the enterprise.
        ctx["can_assign"] = can_manage_enterprise(self.request.user, enterprise)
        return ctx
