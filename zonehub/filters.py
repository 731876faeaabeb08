"""What every list's FilterSet is made of: one FilterSet per model serves its page and its API.

The page renders the FilterSet's form (``page_fields`` only, so the page shows what it always
showed); the API (``FilterBackend``) reads every filter from the query string, and
drf-spectacular documents them all. Where the page offers one value and the API many, one filter
reads both (``OneOrManyChoiceFilter``); where the page offers a select of objects and the API
takes a plain id, one filter does both (``IdFilter`` with a ``queryset``)."""

from collections.abc import Sequence

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters.conf import settings as filter_settings
from django_filters.rest_framework import DjangoFilterBackend

from zonehub.forms import bootstrapify
from zonehub.workdays import month_bounds, month_error, parse_month

# The largest id a database column can hold: a larger number is a 400, not an OverflowError (500).
MAX_ID = 2**63 - 1


class FilterSet(django_filters.FilterSet):
    """A list's filters, for its page and its API.

    ``page_fields`` names the fields the page's filter form shows, in order (``None``: all of
    them); the others are the API's, and still filter when a page URL carries them. A subclass
    that hides fields by role sets ``self.page_fields`` in ``__init__``. ``user`` is given by the
    page views and the API's filter backend alike; a subclass that needs it takes it as required.
    """

    page_fields: Sequence[str] | None = None

    def __init__(self, data=None, queryset=None, *, user=None, **kwargs):
        super().__init__(data, queryset, **kwargs)

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_bootstrapped", False):
            bootstrapify(form)
            form._bootstrapped = True
        return form

    @property
    def page_form_fields(self) -> list[forms.BoundField]:
        """The bound fields the page's filter form shows (templates/includes/filter_form.html)."""
        form = self.form
        names = self.filters if self.page_fields is None else self.page_fields
        return [form[name] for name in names if name in form.fields]


class FilterBackend(DjangoFilterBackend):
    """The API's filter backend (settings: DEFAULT_FILTER_BACKENDS): the list's own FilterSet, the
    one its page uses, given the user as the page gives it, so choices and fields that depend on
    the user read the same way for both. A FilterSet built from ``filterset_fields`` takes none."""

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and issubclass(filterset_class, FilterSet):
            kwargs["user"] = request.user
        return kwargs


class SearchFilter(django_filters.CharFilter):
    """The list's search box: the words, trimmed, found in any of ``fields`` (icontains); with
    ``id_field``, "123" or "#123" also finds the row of that id. An empty box leaves the list alone.

    One definition for every list, so "search" means the same everywhere."""

    def __init__(self, *, fields: Sequence[str], id_field: str | None = None, **kwargs):
        kwargs.setdefault("label", _("Search"))
        super().__init__(**kwargs)
        self.search_fields = tuple(fields)
        self.id_field = id_field

    def filter(self, qs, value):
        value = (value or "").strip()
        if not value:
            return qs
        query = Q()
        for name in self.search_fields:
            query |= Q(**{f"{name}__icontains": value})
        number = self.as_id(value) if self.id_field else None
        if number is not None:
            query |= Q(**{self.id_field: number})
        return qs.filter(query)

    @staticmethod
    def as_id(value: str) -> int | None:
        """"123" or "#123" as an id; anything else (or a number no column can hold) is not one."""
        digits = value.lstrip("#")
        if not (digits.isascii() and digits.isdigit()):
            return None
        number = int(digits)
        return number if number <= MAX_ID else None


class OneOrManySelect(forms.Select):
    """A single <select> on the page that reads one value or many: the page sends ``?status=a``,
    an API client ``?status=a&status=b``. Its first option is the empty one ("all")."""

    def __init__(self, *args, empty_label=filter_settings.EMPTY_CHOICE_LABEL, **kwargs):
        super().__init__(*args, **kwargs)
        self.empty_label = empty_label

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else data.get(name)
        if values is None:
            return []
        if not isinstance(values, (list, tuple)):
            values = [values]
        return [v for v in values if v not in ("", None)]

    def value_omitted_from_data(self, data, files, name):
        return False  # as for SelectMultiple: no value is a value (none chosen)

    def format_value(self, value):
        return super().format_value(value) or [""]  # nothing chosen: the empty option is selected

    def optgroups(self, name, value, attrs=None):
        choices = self.choices
        self.choices = [("", self.empty_label), *choices]
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = choices


class OneOrManyChoiceFilter(django_filters.MultipleChoiceFilter):
    """A choice filter the page shows as one select and the API reads as many values (OR).

    No DISTINCT (``distinct=False``): it filters the row's own column, and DISTINCT would make the
    database sort every matching row before taking a page."""

    def __init__(self, *args, empty_label=filter_settings.EMPTY_CHOICE_LABEL, **kwargs):
        kwargs.setdefault("distinct", False)
        kwargs.setdefault("widget", OneOrManySelect(empty_label=empty_label))
        super().__init__(*args, **kwargs)


class IdField(forms.ModelChoiceField):
    """A plain id: a whole number a database column can hold, or the IntegerField's error (a
    decimal such as 1e300 used to reach the database and come back as a 500). The object is never
    looked up: the list is already scoped to the user, so an id outside it finds nothing.

    With a ``queryset``, the page shows it as a select of those objects."""

    def __init__(self, queryset=None, *, min_value=1, max_value=MAX_ID, **kwargs):
        self.number = forms.IntegerField(min_value=min_value, max_value=max_value, required=False)
        super().__init__(queryset, **kwargs)

    def to_python(self, value):
        return self.number.clean(value)

    def validate(self, value):
        forms.Field.validate(self, value)  # required or not; no lookup in the queryset


def query_id(value) -> int | None:
    """An id read by hand from a query string (a page that is not a FilterSet: the appraisal's
    ``?workstation=``), through the same field as every filter's: None when absent, the field's
    ValidationError when it is not an id a column can hold (``9223372036854775808`` gave a 500)."""
    return IdField(required=False).clean(value)


class IdFilter(django_filters.NumberFilter):
    """Filter by a plain id (``field_name`` such as ``enterprise_id``): no join, no lookup.

    ``queryset`` (also settable after construction, per user) is what the page's select lists;
    an API-only filter needs none."""

    field_class = IdField

    def __init__(self, *args, queryset=None, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
        self.queryset = queryset

    @property
    def field(self):
        if not hasattr(self, "_field"):
            self.extra["queryset"] = self.queryset
            if self.queryset is None:
                # Nothing to list: a number box. A select of no queryset fails to render (the
                # browsable API draws every filter of a list, the API's own ones included).
                self.extra["widget"] = forms.NumberInput(attrs={"min": 1})
        return super().field


class MonthField(forms.CharField):
    """A month written "2026-11" (the browser's ``<input type="month">``), as its first day. Anything
    else, a month outside the years the product works with included ("0001-01", "9999-12": month
    arithmetic on them used to give a 500), is the form's error, said in the user's language."""

    widget = forms.TextInput(attrs={"type": "month"})

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        month = parse_month(value)
        if month is None:
            raise ValidationError(month_error(), code="invalid")
        return month


class MonthFilter(django_filters.Filter):
    """Rows whose ``field_name`` (an instant) falls in the month, Beijing time."""

    field_class = MonthField

    def filter(self, qs, value):
        if value is None:
            return qs
        start, end = month_bounds(value)
        return qs.filter(**{f"{self.field_name}__gte": start, f"{self.field_name}__lt": end})


class BoundedModelSelect(forms.Select):
    """A <select> of model choices that lists them only while they are few (``limit``).

    A leader's "enterprise" filter would otherwise carry every enterprise of the zone in every
    page. Beyond the limit it offers only the choice already made (a link from a dashboard keeps
    working) and the list's search box finds the rest by name. One query either way.
    """

    limit = 300

    def optgroups(self, name, value, attrs=None):
        iterator = self.choices
        queryset = getattr(iterator, "queryset", None)
        if queryset is not None:
            field = iterator.field
            rows = list(queryset[: self.limit + 1])
            if len(rows) > self.limit:
                # Only what could be an id: ?enterprise=1e300 is the form's error, not a 500 here.
                chosen = [v for v in value if v.isascii() and v.isdigit() and int(v) <= MAX_ID]
                rows = list(queryset.filter(pk__in=chosen)) if chosen else []
            empty = [("", field.empty_label)] if field.empty_label is not None else []
            self.choices = empty + [(field.prepare_value(obj), field.label_from_instance(obj)) for obj in rows]
        return super().optgroups(name, value, attrs)
