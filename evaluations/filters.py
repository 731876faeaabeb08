"""Filters of the ratings list. Choices come from what the user may see."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from evaluations.models import Campaign, Rating
from zonehub.forms import BootstrapFilterSet
from zonehub.models import Workstation


class RatingFilterSet(BootstrapFilterSet):
    campaign = django_filters.ModelChoiceFilter(label=_("campaign"), queryset=Campaign.objects.none())
    value = django_filters.ChoiceFilter(label=_("rating"), choices=Rating.Value.choices)
    workstation = django_filters.ModelChoiceFilter(label=_("workstation"), field_name="enterprise__workstation",
                                                   queryset=Workstation.objects.none())
    q = django_filters.CharFilter(label=_("Search"), method="search")
    o = django_filters.OrderingFilter(
        label=_("sort by"),
        fields=[("enterprise__name", "enterprise"), ("steward__user__name", "steward"), ("value", "value"),
                ("updated_at", "updated_at")],
        field_labels={"enterprise": _("enterprise"), "-enterprise": _("enterprise (reversed)"),
                      "steward": _("steward"), "-steward": _("steward (reversed)"),
                      "value": _("rating"), "-value": _("rating (reversed)"),
                      "updated_at": _("rated on"), "-updated_at": _("rated on (newest first)")},
    )

    class Meta:
        model = Rating
        fields = ["campaign", "value", "workstation", "q"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["campaign"].queryset = Campaign.objects.visible_to(user).order_by("-year", "-half")
        self.filters["workstation"].queryset = Workstation.objects.visible_to(user).order_by("name")

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(enterprise__name__icontains=value) | Q(steward__user__name__icontains=value))
