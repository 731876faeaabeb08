import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise, EnterpriseTag
from zonehub.forms import BootstrapFilterSet


class _TagIdsField(forms.ModelMultipleChoiceField):
    """Ids no database column can hold are refused before the query: SQLite raised OverflowError
    (a 500) for ?tags=99999999999999999999 instead of finding nothing."""

    def clean(self, value):
        for pk in value or []:
            try:
                number = int(pk)
            except (TypeError, ValueError):
                continue  # the parent class reports it
            if not -(2**63) <= number < 2**63:
                raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                      params={"pk": pk})
        return super().clean(value)


class _TagsFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = _TagIdsField


class EnterpriseFilterSet(BootstrapFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    tags = _TagsFilter(label=_("tags"), queryset=EnterpriseTag.objects.all())
    visited = django_filters.ChoiceFilter(
        label=_("visited this month"), method="filter_visited", empty_label=_("all"),
        choices=[("no", _("not visited yet this month")), ("yes", _("visited this month"))],
    )
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
        fields = ["q", "visited", "industry", "park", "workstation", "above_designated_size", "ownership", "tags"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(credit_code__icontains=value.upper())) if value else queryset

    def filter_visited(self, queryset, name, value):
        """The monthly visit (走访): enterprises in the zone with or without a visit logged this month
        (Beijing time), the list behind the dashboards' "enterprises to visit"."""
        from stewards.models import Visit
        from zonehub.workdays import local_date

        today = local_date(timezone.now())
        visited = Exists(Visit.objects.filter(enterprise=OuterRef("pk"), visited_on__year=today.year,
                                              visited_on__month=today.month))
        if value == "no":
            return queryset.filter(is_active=True).exclude(visited)
        if value == "yes":
            return queryset.filter(visited)
        return queryset
