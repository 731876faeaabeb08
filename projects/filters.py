"""Filters of the project lists: the project page and its API share ``ProjectFilterSet``; the
others are the API's alone."""

import django_filters
from django.utils.translation import gettext_lazy as _

from projects.models import Approval, FiveKeyItem, FiveKeyNode, Project
from zonehub.filters import FilterSet, SearchFilter


class ProjectFilterSet(FilterSet):
    q = SearchFilter(fields=["name", "investor__name"])
    # A whole year a date can have: ?signed_year=1e131 used to reach the year lookup and give a 500.
    signed_year = django_filters.NumberFilter(label=_("Signed in year"), field_name="signed_on", lookup_expr="year",
                                              min_value=1, max_value=9999, decimal_places=0)
    o = django_filters.OrderingFilter(
        label=_("sort by"),
        fields=[("name", "name"), ("stage", "stage"), ("total_investment", "total_investment"), ("signed_on", "signed_on"),
                ("created_at", "created_at")],
        field_labels={"name": _("name"), "-name": _("name (reversed)"), "stage": _("stage"), "-stage": _("stage (reversed)"),
                      "total_investment": _("total investment"), "-total_investment": _("total investment (largest first)"),
                      "signed_on": _("signed on"), "-signed_on": _("signed on (newest first)"),
                      "created_at": _("created"), "-created_at": _("created (newest first)")},
    )

    class Meta:
        model = Project
        fields = ["q", "stage", "industry", "signed_year"]


class ApprovalFilterSet(django_filters.FilterSet):
    class Meta:
        model = Approval
        fields = ["project", "kind", "status", "department"]


class FiveKeyItemFilterSet(django_filters.FilterSet):
    class Meta:
        model = FiveKeyItem
        fields = ["year", "category", "responsible_unit", "lead_leader", "claim"]


class FiveKeyNodeFilterSet(django_filters.FilterSet):
    open = django_filters.BooleanFilter(label=_("Not done yet"), field_name="completed_on", lookup_expr="isnull")

    class Meta:
        model = FiveKeyNode
        fields = {"item": ["exact"], "item__year": ["exact"], "item__responsible_unit": ["exact"],
                  "planned_date": ["gte", "lte"]}
