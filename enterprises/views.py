from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import CharField, Value
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView
from django_filters.views import FilterView

from enterprises.filters import EnterpriseFilterSet
from enterprises.forms import AssignStewardForm
from enterprises.models import Enterprise
from stewards import services
from stewards.models import StewardAssignment
from stewards.selectors import enterprise_list_with_steward, uncovered_enterprise_list
from zonehub.events import event_list_for
from zonehub.exports import ExportMixin
from zonehub.models import Role
from zonehub.pagination import CappedPaginator
from zonehub.views import RoleRequiredMixin

STAFF_READERS = (Role.STEWARD, Role.WORKSTATION_HEAD, Role.LEADER, Role.ADMIN)


ENTERPRISE_EXPORT_COLUMNS = [
    ("企业名称", "name"), ("统一社会信用代码", "credit_code"), ("主导产业", "industry.name"), ("园区", "park.name"),
    ("工作站", "workstation.name"), ("规上企业", "above_designated_size"), ("所有制", "get_ownership_display"),
    ("服务管家", "steward_name"), ("管家电话", "steward_phone"), ("地址", "address"), ("法定代表人", "legal_representative"),
    ("联系人", "contact_name"), ("联系电话", "contact_phone"), ("在园", "is_active"),
]


class EnterpriseListView(ExportMixin, RoleRequiredMixin, FilterView):
    allowed_roles = STAFF_READERS
    filterset_class = EnterpriseFilterSet
    template_name = "enterprises/enterprise_list.html"
    paginate_by = 50
    paginator_class = CappedPaginator
    export_columns = ENTERPRISE_EXPORT_COLUMNS
    export_filename = "企业名单"

    def get_queryset(self):
        return enterprise_list_with_steward(self.request.user).order_by("name")


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

    def get_queryset(self):
        return enterprise_list_with_steward(self.request.user).prefetch_related("tags", "contacts", "indicators")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        enterprise = self.object
        ctx["assignments"] = (
            StewardAssignment.objects.filter(enterprise=enterprise).select_related("steward__user", "assigned_by")
        )
        ctx["events"] = event_list_for(enterprise)
        ctx["can_assign"] = services.can_assign_steward(self.request.user, enterprise)
        return ctx


class AssignStewardView(RoleRequiredMixin, FormView):
    allowed_roles = (Role.WORKSTATION_HEAD, Role.ADMIN)
    form_class = AssignStewardForm
    template_name = "enterprises/assign_steward.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.enterprise = get_object_or_404(Enterprise.objects.visible_to(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "enterprise": self.enterprise}

    def form_valid(self, form):
        try:
            services.steward_assign(
                enterprise=self.enterprise, steward=form.cleaned_data["steward"], actor=self.request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The steward was assigned and the enterprise has been told."))
        return redirect("enterprises:detail", pk=self.enterprise.pk)
