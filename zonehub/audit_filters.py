"""The filters of the audit pages: a date range (Beijing days), a user, what happened or how a
sign-in ended. One FilterSet narrows both kinds of login record (zonehub.audit.login_record_sources)."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zonehub.audit import LoginResult
from zonehub.events import EVENT_LABELS
from zonehub.filters import FilterSet
from zonehub.models import Event
from zonehub.workdays import start_of_day

# The days a record can bear: the product did not exist before, and a date far out (0001-01-01,
# 9999-12-31) is the form's error, not an overflow in the query.
EARLIEST_DAY = dt.date(2000, 1, 1)
LATEST_DAY = dt.date(2099, 12, 31)


class DayField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def validate(self, value):
        super().validate(value)
        if value and not EARLIEST_DAY <= value <= LATEST_DAY:
            raise forms.ValidationError(
                _("Enter a date between %(first)s and %(last)s.") % {"first": EARLIEST_DAY, "last": LATEST_DAY},
                code="out_of_range")


class DayFromFilter(django_filters.Filter):
    """Records from the start of this day (Beijing time) on: a range on the column, so its index serves."""

    field_class = DayField

    def filter(self, qs, value):
        return qs.filter(**{f"{self.field_name}__gte": start_of_day(value)}) if value else qs


class DayUntilFilter(django_filters.Filter):
    """Records up to the end of this day (Beijing time)."""

    field_class = DayField

    def filter(self, qs, value):
        return qs.filter(**{f"{self.field_name}__lt": start_of_day(value + dt.timedelta(days=1))}) if value else qs


def event_kind_choices():
    """Every declared kind of event, by its label in the user's language."""
    return sorted(((kind, label) for kind, label in EVENT_LABELS.items()), key=lambda choice: str(choice[1]))


class EventFilterSet(FilterSet):
    """The event history on the audit page."""

    date_from = DayFromFilter(field_name="created_at", label=_("from"))
    date_to = DayUntilFilter(field_name="created_at", label=_("until"))
    user = django_filters.CharFilter(label=_("user (login or name)"), method="filter_user", max_length=150)
    kind = django_filters.ChoiceFilter(label=_("what"), choices=event_kind_choices, empty_label=_("all"))

    class Meta:
        model = Event
        fields: list[str] = []

    def filter_user(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        actors = get_user_model().objects.filter(Q(username__iexact=value) | Q(name__icontains=value)).values("pk")
        return queryset.filter(actor__in=actors)


class LoginRecordFilterSet(FilterSet):
    """The login records on the audit page: successes and refusals alike."""

    date_from = DayFromFilter(field_name="attempt_time", label=_("from"))
    date_to = DayUntilFilter(field_name="attempt_time", label=_("until"))
    user = django_filters.CharFilter(label=_("login name"), field_name="username", lookup_expr="icontains",
                                     max_length=150)
    result = django_filters.ChoiceFilter(label=_("result"), choices=LoginResult.choices, empty_label=_("all"))
