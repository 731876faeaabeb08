"""Filters of the ratings list, its page and its API. Choices come from what the user may see."""

import django_filters
from django.utils.translation import gettext_lazy as _

from evaluations.models import Campaign, Rating
from zonehub.filters import FilterSet, IdFilter, SearchFilter
from zonehub.models import Workstation


class RatingFilterSet(FilterSet):
    """The ratings list (page and API); ``steward`` is the API's."""

    # Ids through the filters' one guarded field (zonehub.filters.IdFilter), a select on the page.
    campaign = IdFilter(label=_("campaign"), field_name="campaign_id", queryset=Campaign.objects.none())
    value = django_filters.ChoiceFilter(label=_("rating"), choices=Rating.Value.choices)
    workstation = IdFilter(label=_("workstation"), field_name="enterprise__workstation_id",
                           queryset=Workstation.objects.none())
    q = SearchFilter(fields=["enterprise__name", "steward__user__name"])
    o = django_filters.OrderingFilter(
        label=_("sort by"),
        fields=[("enterprise__name", "enterprise"), ("steward__user__name", "steward"), ("value", "value"),
                ("updated_at", "updated_at")],
        # Ascending labels are looked up by the model field, descending ones by the parameter.
        field_labels={"enterprise__name": _("enterprise"), "-enterprise": _("enterprise (reversed)"),
                      "steward__user__name": _("steward"), "-steward": _("steward (reversed)"),
                      "value": _("rating"), "-value": _("rating (reversed)"),
                      "updated_at": _("rated on"), "-updated_at": _("rated on (newest first)")},
    )

    # The API's: any steward's id, as the API always took it (the list is scoped already).
    steward = IdFilter(label=_("steward"), field_name="steward_id")

    page_fields = ["campaign", "value", "workstation", "q", "o"]

    class Meta:
        model = Rating
        fields = ["campaign", "value", "workstation", "q", "steward"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.filters["campaign"].queryset = Campaign.objects.visible_to(user).order_by("-year", "-half")
        self.filters["workstation"].queryset = Workstation.objects.visible_to(user).order_by("name")
