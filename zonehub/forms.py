"""Form helpers every app uses: Bootstrap classes, so each form looks the same on a phone.
The filters of lists (FilterSets, their widgets) are in ``zonehub.filters``."""

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


# --- Pickers that search as you type -----------------------------------------------------------
# Issue 13: a leader scrolled 153 enterprises to find one. A picker of more than PICKER_LIMIT
# choices is a text box that searches as you type: an <input list> whose <datalist> holds the same
# choices as the <select> would (the form's queryset, scoped to the user), filtered by the browser
# as the user types. No script is needed (a Content-Security-Policy allows none inline); the text
# sent back is the chosen label, read back to its id here. A label shared by two rows carries the
# row's number ("萧刚（东区工作站） #12"), so two people named alike can be told apart.

PICKER_LIMIT = 50


class SearchSelect(forms.Select):
    """A <select> while its choices are few (``limit``), a search box beyond."""

    limit = PICKER_LIMIT

    def __init__(self, attrs=None, choices=(), *, limit: int | None = None):
        super().__init__(attrs, choices)
        if limit is not None:
            self.limit = limit

    def _options(self) -> list[tuple[str, str]]:
        """(value, text) of every choice but the empty one; a text shared by two rows gets the id."""
        pairs = [(str(value), str(label)) for value, label in self.choices if value not in ("", None)]
        counts: dict[str, int] = {}
        for _value, label in pairs:
            counts[label] = counts.get(label, 0) + 1
        return [(value, label if counts[label] == 1 else f"{label} #{value}") for value, label in pairs]

    def render(self, name, value, attrs=None, renderer=None):
        options = self._options()
        if len(options) <= self.limit:
            return super().render(name, value, attrs, renderer)
        from django.forms.utils import flatatt
        from django.utils.html import format_html, format_html_join
        from django.utils.translation import gettext

        final = self.build_attrs(self.attrs, attrs)
        css = final.get("class", "").replace("form-select", "form-control").strip()
        list_id = f"{final.get('id') or name}-choices"
        current = "" if value in (None, "") else str(value[0] if isinstance(value, (list, tuple)) else value)
        text = next((label for option_value, label in options if option_value == current), current)
        final.update({"type": "search", "name": name, "value": text, "list": list_id, "autocomplete": "off",
                      "class": css or "form-control", "data-picker": "search",
                      "placeholder": gettext("Type to search among %(n)s") % {"n": len(options)}})
        return format_html('<input{}><datalist id="{}">{}</datalist>', flatatt(final), list_id,
                           format_html_join("", '<option value="{}"></option>', ((label,) for _v, label in options)))

    def value_from_datadict(self, data, files, name):
        raw = data.get(name)
        if raw is None or not isinstance(raw, str):
            return raw
        text = raw.strip()
        if not text or (text.isascii() and text.isdigit()):
            return text  # a <select>'s value, or nothing
        matches = [value for value, label in self._options() if label == text]
        if len(matches) == 1:
            return matches[0]
        # "… #12": the id a shared label carries.
        head, sep, tail = text.rpartition("#")
        if sep and tail.isascii() and tail.isdigit():
            return tail
        return text  # not a choice: the field says so ("invalid_choice")


class PickerChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField whose widget searches as you type beyond ``PICKER_LIMIT`` choices;
    ``label`` (a function of the row) says how a row reads, e.g. a person with their unit."""

    widget = SearchSelect

    def __init__(self, *args, label_from=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._label_from = label_from

    def label_from_instance(self, obj):
        return self._label_from(obj) if self._label_from else super().label_from_instance(obj)
