"""django-filter FilterSets of the requests API (the pages keep theirs in stewards/filters.py)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from stewards.models import Escalation, LedgerItem, ServiceRequest, Visit


class IdFilter(django_filters.NumberFilter):
    """A plain id: a whole number the database can hold, or a 400 (a decimal such as 1e300 used to
    reach the database and come back as a 500)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


# The multiple-choice filters are on the row's own columns: no join, so no DISTINCT (which would make
# the database sort every matching row, description included, before taking a page).
class ServiceRequestAPIFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ServiceRequest.Status.choices, distinct=False, label=_("status"))
    category = django_filters.MultipleChoiceFilter(choices=ServiceRequest.Category.choices, distinct=False, label=_("category"))
    urgency = django_filters.ChoiceFilter(choices=ServiceRequest.Urgency.choices, label=_("urgency"))
    channel = django_filters.MultipleChoiceFilter(choices=ServiceRequest.Channel.choices, distinct=False, label=_("channel"))
    # Plain ids: filtering inside the user's scope needs no lookup of the enterprise itself.
    enterprise = IdFilter(field_name="enterprise_id", label=_("enterprise"))
    steward = IdFilter(field_name="steward_id", label=_("steward"))
    created_after = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label=_("submitted from"))
    created_before = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label=_("submitted until"))
    open = django_filters.BooleanFilter(method="filter_open", label=_("not closed"))

    class Meta:
        model = ServiceRequest
        fields = ["status", "category", "urgency", "channel", "enterprise", "steward"]

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.exclude(status=ServiceRequest.Status.CLOSED) if value else queryset.filter(
            status=ServiceRequest.Status.CLOSED)


class EscalationAPIFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Escalation.Status.choices, distinct=False, label=_("status"))
    department = IdFilter(field_name="department_id", label=_("department"))
    request = IdFilter(field_name="request_id", label=_("service request"))
    overdue = django_filters.BooleanFilter(field_name="overdue_at", lookup_expr="isnull", exclude=True,
                                           label=_("marked overdue"))
    open = django_filters.BooleanFilter(method="filter_open", label=_("still open"))
    sent_after = django_filters.DateFilter(field_name="sent_at", lookup_expr="date__gte", label=_("sent from"))
    sent_before = django_filters.DateFilter(field_name="sent_at", lookup_expr="date__lte", label=_("sent until"))

    class Meta:
        model = Escalation
        fields = ["status", "department", "request", "needs_consultation"]

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        condition = Q(status__in=Escalation.OPEN_STATUSES)
        return queryset.filter(condition) if value else queryset.exclude(condition)


class VisitAPIFilterSet(django_filters.FilterSet):
    enterprise = IdFilter(field_name="enterprise_id", label=_("enterprise"))
    steward = IdFilter(field_name="steward_id", label=_("steward"))
    visited_after = django_filters.DateFilter(field_name="visited_on", lookup_expr="gte", label=_("visited from"))
    visited_before = django_filters.DateFilter(field_name="visited_on", lookup_expr="lte", label=_("visited until"))

    class Meta:
        model = Visit
        fields = ["enterprise", "steward"]


class LedgerItemAPIFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=LedgerItem.Status.choices, distinct=False, label=_("status"))
    department = IdFilter(field_name="department_id", label=_("department"))
    enterprise = IdFilter(field_name="enterprise_id", label=_("enterprise"))

    class Meta:
        model = LedgerItem
        fields = ["status", "department", "enterprise"]
