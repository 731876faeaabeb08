import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise
from zonehub.forms import BootstrapFilterSet


class EnterpriseFilterSet(BootstrapFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")

    class Meta:
        model = Enterprise
        fields = ["q", "industry", "park", "workstation", "above_designated_size", "ownership", "tags"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(credit_code__icontains=value.upper())) if value else queryset
