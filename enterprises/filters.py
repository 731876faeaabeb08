import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise, EnterpriseTag
from zonehub.filters import FilterSet, SearchFilter


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


class EnterpriseFilterSet(FilterSet):
    """The enterprise lists (all, and those without a steward) and the enterprises API."""

    q = SearchFilter(fields=["name", "credit_code"])
    tags = _TagsFilter(label=_("tags"), queryset=EnterpriseTag.objects.all())
    visited = django_filters.ChoiceFilter(
        label=_("visited this month"), method="filter_visited", empty_label=_("all"),
        choices=[("no", _("not visited yet this month")), ("yes", _("visited this month"))],
    )
    o = django_filters.OrderingFilter(
        label=_("sort by"),
        fields=[("name", "name"), ("credit_code", "credit_code"), ("industry__name", "industry"), ("park__name", "park"),
                ("steward_name", "steward")],
        # django-filter looks an ascending label up by the model field, a descending one by the
        # parameter: keyed by the parameter alone, "industry" showed its English fallback, Industry.
        field_labels={"name": _("name"), "-name": _("name (reversed)"), "credit_code": _("credit code"),
                      "-credit_code": _("credit code (reversed)"), "industry__name": _("industry chain"),
                      "-industry": _("industry chain (reversed)"), "park__name": _("park"), "-park": _("park (reversed)"),
                      "steward_name": _("steward"), "-steward": _("steward (reversed)")},
    )

    class Meta:
        model = Enterprise
        fields = ["q", "visited", "industry", "park", "workstation", "above_designated_size", "ownership", "tags"]

    def filter_visited(self, queryset, name, value):
        """The monthly visit (走访): enterprises in the zone with or without a visit logged this month
        (Beijing time), the list behind the dashboards' "enterprises to visit"."""
        if value in ("yes", "no"):
            return queryset.visited_this_month(value == "yes")
        return queryset
