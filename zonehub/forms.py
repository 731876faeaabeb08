"""Form helpers every app uses: Bootstrap classes, so each form looks the same on a phone."""

import django_filters
from django import forms


def bootstrapify(form: forms.BaseForm) -> forms.BaseForm:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
            css = "form-check-input" if isinstance(widget, forms.CheckboxInput) else ""
        elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
            css = "form-select"
        else:
            css = "form-control"
        if css:
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
    return form


class BootstrapFormMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrapify(self)


class BootstrapFilterSet(django_filters.FilterSet):
    @property
    def form(self):
        form = super().form
        if not getattr(form, "_bootstrapped", False):
            bootstrapify(form)
            form._bootstrapped = True
        return form


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
                chosen = [v for v in value if v]
                rows = list(queryset.filter(pk__in=chosen)) if chosen else []
            empty = [("", field.empty_label)] if field.empty_label is not None else []
            self.choices = empty + [(field.prepare_value(obj), field.label_from_instance(obj)) for obj in rows]
        return super().optgroups(name, value, attrs)
