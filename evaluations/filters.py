"""Filters of the ratings list, its page and its API. Choices come from what the user may see."""

import django_filters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from evaluations.models import AssessmentPlan, Campaign, DepartmentMonthlyGrade, PaySheet, Rating
from zonehub.filters import FilterSet, IdFilter, SearchFilter
from zonehub.models import Workstation
from zonehub.workdays import month_error, parse_month


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


class AssessmentPlanFilterSet(FilterSet):
    """The plans (the API's list): of a year, of a department (``default`` for the default plan)."""

    year = django_filters.NumberFilter(label=_("year"), min_value=2000, max_value=2100)
    department = IdFilter(label=_("department"), field_name="department_id")
    default = django_filters.BooleanFilter(label=_("default plan"), field_name="department", lookup_expr="isnull")

    class Meta:
        model = AssessmentPlan
        fields = ["year", "department", "default"]


class AssessmentResultFilterSet(FilterSet):
    """A month's results (``month=YYYY-MM``), a department's, a grade's."""

    month = django_filters.CharFilter(label=_("month (YYYY-MM)"), method="filter_month")
    department = IdFilter(label=_("department"), field_name="department_id")
    grade = django_filters.ChoiceFilter(label=_("grade"), choices=DepartmentMonthlyGrade.Grade.choices)

    class Meta:
        model = DepartmentMonthlyGrade
        fields = ["month", "department", "grade"]

    def filter_month(self, queryset, name, value):
        month = parse_month(value)
        if month is None:
            raise ValidationError({"month": month_error()})
        return queryset.filter(month=month)


class PaySheetFilterSet(FilterSet):
    status = django_filters.ChoiceFilter(label=_("status"), choices=PaySheet.Status.choices)
    year = django_filters.NumberFilter(label=_("year"), field_name="period_start__year", min_value=2000,
                                       max_value=2100)

    class Meta:
        model = PaySheet
        fields = ["status", "year"]
