import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise
from zonehub.forms import BootstrapFilterSet


class EnterpriseFilterSet(BootstrapFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    o = django_filters.OrderingFilter(
        label=_("sort by"),
        fields=[("name", "name"), ("credit_code", "credit_code"), ("industry__name", "industry"), ("park__name", "park"),
                ("steward_name", "steward")],
        field_labels={"name": _("name"), "-name": _("name (reversed)"), "credit_code": _("credit code"),
                      "-credit_code": _("credit code (reversed)"), "industry": _("industry chain"),
                      "-industry": _("industry chain (reversed)"), "park": _("park"), "-park": _("park (reversed)"),
                      "steward": _("steward"), "-steward": _("steward (reversed)")},
    )

    class Meta:
        model = Enterprise
        fields = ["q", "industry", "park", "workstation", "above_designated_size", "ownership", "tags"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(credit_code__icontains=value.upper())) if value else queryset
