"""The forms of the request pages. They check the shape of the input only; every rule about
the request itself lives in ``stewards.services`` and comes back as a ValidationError that the
view puts on the form."""

import datetime as dt

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise
from stewards import services
from stewards.models import ServiceRequest, Steward
from zonehub.forms import BootstrapFormMixin, PickerChoiceField
from zonehub.models import Department
from zonehub.workdays import local_date

MAX_FILES = 10


def steward_label(steward: Steward) -> str:
    """A steward as a picker shows it: with its unit, so two people named alike differ
    ("萧刚（东区工作站）"), and a cadre serving beside another role says which ("刘伟（东区工作站，
    领导）", issue 16). Querysets select ``workstation`` (or ``user__workstation``, which a user of
    a workstation serves in)."""
    if Steward.workstation.is_cached(steward) or not steward.user.workstation_id:
        workstation = steward.workstation
    else:
        workstation = steward.user.workstation
    parts = [workstation.name] if workstation else []
    if steward.serves_beside_role:
        parts.append(str(steward.user.get_role_display()))
    return f"{steward.name}（{'，'.join(parts)}）" if parts else steward.name


class StewardChoiceField(PickerChoiceField):
    """A steward picker: searches as you type beyond 50 stewards, each shown with its unit."""

    def label_from_instance(self, obj):
        return steward_label(obj)



class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern). Each file is checked by the
    backend's validator, so the page and the API refuse exactly the same files."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        files = [f for f in files if f]
        if not files and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(files) > MAX_FILES:
            raise ValidationError(
                _("At most %(n)d files at a time.") % {"n": MAX_FILES}, code="too_many",
            )
        errors = []
        for f in files:
            try:
                super().clean(f, initial)
                services.attachment_validate(file=f)
            except ValidationError as exc:
                # The backend's messages name the file already (“a.exe” is not an allowed type);
                # Django's own ("The submitted file is empty.") do not: each file is named once.
                name = services.attachment_name(f.name)
                for message in exc.messages:
                    errors.append(ValidationError(
                        message if name in message else _("“%(name)s”: %(message)s") % {"name": name, "message": message}
                    ))
        if errors:
            errors.append(ValidationError(_("Nothing was saved: choose the files again (the rest of the form is kept).")))
            raise ValidationError(errors)
        return files


def note_files_not_kept(form) -> None:
    """A form that comes back with an error cannot give its files back (a browser never refills
    a file input), and nothing is saved: name the valid files the user chose, under the file
    field, so that they are chosen again rather than lost without a word. (Files refused for
    their own sake already say so on the field.)"""
    name = "attachments"
    if name not in form.fields or not form.errors or form.has_error(name) or not form.files:
        return
    key = form.add_prefix(name)
    files = form.files.getlist(key) if hasattr(form.files, "getlist") else [form.files.get(key)]
    names = [services.attachment_name(f.name) for f in files if f]
    if names:
        form.add_error(name, ValidationError(
            _("Not kept, because the form has errors: %(names)s. Choose these files again before you send the "
              "form.") % {"names": "、".join(names)}, code="files_not_kept"))


def _text(label, *, max_length=None, rows=4, required=True, help_text=""):
    if max_length:
        return forms.CharField(label=label, max_length=max_length, required=required, help_text=help_text)
    return forms.CharField(
        label=label, required=required, help_text=help_text, widget=forms.Textarea(attrs={"rows": rows}),
    )


_lazy_format = lazy(lambda message, **params: str(message) % params, str)


def category_field(*, required: bool = True) -> forms.ChoiceField:
    """The request category, chosen on purpose: an empty "please choose" first, so nobody files
    a request under the first category by not looking (issue 12)."""
    return forms.ChoiceField(
        label=_("category"), required=required, choices=[("", _("Please choose")), *ServiceRequest.Category.choices],
        error_messages={"required": _("Choose the category of the request.")},
    )


class DescriptionField(forms.CharField):
    """A description of at most ``services.DESCRIPTION_MAX_LENGTH`` characters, with a live
    counter under the box (``data-maxlength-counter``, zonehub.js). No ``maxlength`` attribute:
    a browser would cut a long paste short without a word; the counter warns and the server says
    what to do, with the text kept."""

    def __init__(self, *, rows=5, help_text=None, **kwargs):
        """``help_text`` may use ``%(max)s``, the limit."""
        limit = services.DESCRIPTION_MAX_LENGTH
        # Fields are built at import: every text is formatted lazily, in the language of the page.
        widget = forms.Textarea(attrs={
            "rows": rows, "data-maxlength-counter": limit,
            "data-counter-text": _lazy_format(_("%(n)s / %(max)s characters typed"), n="{n}", max=limit),
            "data-counter-over": _lazy_format(_("%(over)s characters over the limit: shorten it or attach a file"),
                                              over="{over}"),
        })
        super().__init__(
            label=_("description"), max_length=limit, widget=widget,
            help_text=_lazy_format(help_text or _(
                "At most %(max)s characters; attach longer material (plans, letters, tables) as files."), max=limit),
            error_messages={"max_length": _(
                "The description has %(show_value)d characters; keep it within %(limit_value)d and attach "
                "longer material as files.")},
            **kwargs,
        )

    def to_python(self, value):
        # A browser sends each line break as CRLF but counts it as one character.
        return super().to_python(value).replace("\r\n", "\n")

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


class RequestFieldsMixin(forms.Form):
    category = category_field()
    title = forms.CharField(label=_("title"), max_length=200,
                            help_text=_("One line that says what you need, e.g. “power capacity increase for line 2”."))
    description = DescriptionField(help_text=_(
        "What happened, what you need, and by when. At most %(max)s characters; attach longer material (plans, "
        "letters, tables) as files."))
    urgency = forms.ChoiceField(
        label=_("urgency"), choices=ServiceRequest.Urgency.choices, initial=ServiceRequest.Urgency.NORMAL,
        widget=forms.RadioSelect,
    )
    attachments = MultipleFileField(
        label=_("attachments"),
        help_text=_("PDF, pictures or Office documents; several files may be chosen."),
    )


class RequestForm(BootstrapFormMixin, RequestFieldsMixin):
    """An enterprise user's request (channel: web form)."""

    field_order = ["category", "title", "description", "urgency", "attachments"]


ON_BEHALF_CHANNELS = [
    (ServiceRequest.Channel.PHONE, ServiceRequest.Channel.PHONE.label),
    (ServiceRequest.Channel.VISIT, ServiceRequest.Channel.VISIT.label),
    (ServiceRequest.Channel.COMPLAINT_MEETING, ServiceRequest.Channel.COMPLAINT_MEETING.label),
]


class OnBehalfForm(BootstrapFormMixin, RequestFieldsMixin):
    """A steward logs a request it took by phone, on a visit or at a complaint meeting."""

    enterprise = PickerChoiceField(
        label=_("enterprise"), queryset=Enterprise.objects.none(),
        error_messages={"required": _("Choose the enterprise the request comes from."),
                        "invalid_choice": _("Choose one of the enterprises you serve.")},
    )
    channel = forms.ChoiceField(label=_("channel"), choices=ON_BEHALF_CHANNELS, widget=forms.RadioSelect)

    field_order = ["enterprise", "channel", "category", "title", "description", "urgency", "attachments"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.visible_to(user).filter(is_active=True).order_by("name")


class AttachForm(BootstrapFormMixin, forms.Form):
    attachments = MultipleFileField(
        label=_("attachments"), required=True,
        help_text=_("PDF, pictures or Office documents; several files may be chosen."),
        error_messages={"required": _("Choose at least one file.")},
    )


class CommentForm(BootstrapFormMixin, forms.Form):
    body = _text(_("message"), rows=3)


class ReportForm(BootstrapFormMixin, forms.Form):
    report = _text(_("report to the enterprise"), rows=4,
                   help_text=_("What was done and the outcome: the enterprise reads this and confirms or reopens."))


class ReasonForm(BootstrapFormMixin, forms.Form):
    reason = _text(_("reason"), rows=3)


class ConfirmForm(forms.Form):
    """A button with no fields (accept, confirm, claim): the form only carries the CSRF token."""


class _DepartmentsByKind(ModelChoiceIterator):
    """The departments in groups by kind (functional bureaus, then outside agencies), each
    ordered by name: the only grouping the organisation model offers."""

    def __iter__(self):
        rows = list(self.queryset.order_by("name", "pk"))
        for kind, label in Department.Kind.choices:
            group = [self.choice(d) for d in rows if d.kind == kind]
            if group:
                yield (label, group)

    def __len__(self):
        return self.queryset.count()


class DepartmentCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes in their groups under a box that filters them as you type (by name or short
    name; zonehub.js, ``data-filter-*``). Without a script the box stays hidden and every
    department shows. A department already ticked stays in sight whatever is typed."""

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)["widget"]
        groups = []
        for group_name, options, _index in context["optgroups"]:
            # The input inside its label, as Django draws a checkbox: the whole line is the target.
            items = format_html_join("", (
                '<div data-filter-item data-filter-text="{}"><label for="{}">'
                '<input type="checkbox" name="{}" value="{}" id="{}"{}> {}</label></div>'
            ), (
                (_filter_text(o), o["attrs"]["id"], o["name"], o["value"], o["attrs"]["id"],
                 mark_safe(" checked") if o["selected"] else "", o["label"]) for o in options
            ))
            if group_name:
                groups.append(format_html(
                    '<fieldset class="mb-2" data-filter-group><legend class="fs-6 fw-semibold text-secondary mb-1">{}'
                    '</legend>{}</fieldset>', group_name, items))
            else:
                groups.append(items)
        return format_html(
            '<div class="border rounded p-2" data-filter-list data-testid="department-picker">'
            '<input type="search" class="form-control mb-2" data-filter-input hidden autocomplete="off" '
            'placeholder="{}" aria-label="{}">{}'
            '<p class="small text-secondary mb-0" data-filter-empty hidden>{}</p></div>',
            _("Type to find a department"), _("Find a department"), mark_safe("".join(groups)),
            _("No department matches what you typed."),
        )


def _filter_text(option) -> str:
    department = getattr(option["value"], "instance", None)
    if department is None:
        return str(option["label"])
    return department.name if department.short_name in ("", department.name) else f"{department.name} {department.short_name}"


class DepartmentsField(forms.ModelMultipleChoiceField):
    iterator = _DepartmentsByKind
    widget = DepartmentCheckboxes


class EscalateForm(BootstrapFormMixin, forms.Form):
    departments = DepartmentsField(
        label=_("departments"), queryset=Department.objects.none(),
        error_messages={"required": _("Choose at least one department to escalate to."),
                        "invalid_choice": _("Choose departments from the list."),
                        "invalid_pk_value": _("Choose departments from the list.")},
    )
    reason = _text(_("reason"), rows=3, help_text=_("What you need from the department."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = Department.objects.visible_to(user).filter(is_active=True)
        self.fields["departments"].help_text = _("Each department gets its own clock of %(days)s working days.") % {
            "days": settings.ZONEHUB_REPLY_WORKING_DAYS}


class ReplyForm(BootstrapFormMixin, forms.Form):
    reply = _text(_("reply"), rows=4, help_text=_("Your answer to the steward: replying stops the clock."))


class ProgressForm(BootstrapFormMixin, forms.Form):
    text = _text(_("progress"), rows=3)


class ConcludeForm(BootstrapFormMixin, forms.Form):
    conclusion = _text(_("conclusion"), rows=4)


class VisitForm(BootstrapFormMixin, forms.Form):
    enterprise = PickerChoiceField(
        label=_("enterprise"), queryset=Enterprise.objects.none(),
        error_messages={"required": _("Choose the enterprise you visited."),
                        "invalid_choice": _("Choose one of the enterprises you serve.")},
    )
    visited_on = forms.DateField(label=_("visit date"), widget=forms.DateInput(attrs={"type": "date"}))
    findings = _text(_("findings"), rows=4, required=False)
    make_request = forms.BooleanField(
        label=_("Turn a finding into a request"), required=False,
        help_text=_("The request is logged on the enterprise's behalf (channel: visit) and accepted by you."),
    )
    # Empty means "no request from this visit"; ``clean`` asks for it when one is made.
    request_category = category_field(required=False)
    request_title = forms.CharField(label=_("title"), max_length=200, required=False)
    request_description = DescriptionField(rows=3, required=False)
    request_urgency = forms.ChoiceField(
        label=_("urgency"), choices=ServiceRequest.Urgency.choices, initial=ServiceRequest.Urgency.NORMAL,
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.visible_to(user).filter(is_active=True).order_by("name")
        self.fields["visited_on"].initial = local_date(timezone.now())

    def clean_visited_on(self):
        day = self.cleaned_data["visited_on"]
        if day > local_date(timezone.now()):
            raise ValidationError(_("A visit cannot be in the future."))
        if day < local_date(timezone.now()) - dt.timedelta(days=366):
            raise ValidationError(_("Log visits within a year of the day they happened."))
        return day

    def clean(self):
        data = super().clean()
        if data.get("make_request"):
            for name in ("request_category", "request_title", "request_description"):
                if not data.get(name):
                    self.add_error(name, _("Needed to turn the finding into a request."))
        return data

    def requests_payload(self) -> list[dict]:
        data = self.cleaned_data
        if not data.get("make_request"):
            return []
        return [{
            "category": data["request_category"], "title": data["request_title"],
            "description": data["request_description"],
            "urgency": data.get("request_urgency") or ServiceRequest.Urgency.NORMAL,
        }]


class LedgerItemForm(BootstrapFormMixin, forms.Form):
    enterprise = PickerChoiceField(
        label=_("enterprise"), queryset=Enterprise.objects.none(),
        error_messages={"required": _("Choose the enterprise that raised the item."),
                        "invalid_choice": _("Choose an enterprise from the list.")},
    )
    meeting_date = forms.DateField(label=_("meeting date"), widget=forms.DateInput(attrs={"type": "date"}))
    category = category_field()
    title = forms.CharField(label=_("title"), max_length=200)
    description = DescriptionField(rows=4)
    department = forms.ModelChoiceField(
        label=_("responsible department"), queryset=Department.objects.none(), required=False,
        help_text=_("Leave empty to keep it on the ledger for a department to claim."),
        error_messages={"invalid_choice": _("Choose a department from the list.")},
    )
    reason = _text(_("note to the department"), rows=2, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.visible_to(user).filter(is_active=True).order_by("name")
        self.fields["department"].queryset = Department.objects.visible_to(user).filter(is_active=True)
        self.fields["meeting_date"].initial = local_date(timezone.now())

    def clean_meeting_date(self):
        day = self.cleaned_data["meeting_date"]
        if day > local_date(timezone.now()):
            raise ValidationError(_("The meeting cannot be in the future."))
        return day


class DispatchForm(BootstrapFormMixin, forms.Form):
    department = forms.ModelChoiceField(
        label=_("responsible department"), queryset=Department.objects.none(),
        error_messages={"required": _("Choose the department to dispatch the item to."),
                        "invalid_choice": _("Choose a department from the list.")},
    )
    reason = _text(_("note to the department"), rows=2, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.visible_to(user).filter(is_active=True)


def cadre_label(user) -> str:
    """A cadre who may start serving, with its unit and role ("王芳（发展改革局，部门用户）")."""
    unit = user.department.name if user.department_id else user.workstation.name if user.workstation_id else ""
    parts = [p for p in (unit, str(user.get_role_display())) if p]
    return f"{user.display_name}（{'，'.join(parts)}）"


class AssignStewardForm(BootstrapFormMixin, forms.Form):
    """The enterprise's new steward: one of the active stewards the user may see, or another
    cadre (a leader, a department user, a head of the enterprise's workstation) who then serves
    beside its role (issue 16, 全员)."""

    steward = StewardChoiceField(
        label=_("New steward"), queryset=Steward.objects.none(), required=False,
        error_messages={"invalid_choice": _("Choose one of the stewards in the list.")},
    )
    person = PickerChoiceField(
        label=_("Or another cadre, who serves beside their role"), queryset=Steward.objects.none(), required=False,
        label_from=cadre_label, help_text=_("A leader, a department's staff member or the workstation head."),
        error_messages={"invalid_choice": _("Choose one of the cadres in the list.")},
    )
    note = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args, user, enterprise=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["steward"].queryset = Steward.objects.visible_to(user).active().select_related(
            "user", "workstation")
        cadres = services.cadres_without_capacity()
        if enterprise is not None:
            cadres = cadres.filter(models.Q(workstation__isnull=True) | models.Q(workstation_id=enterprise.workstation_id))
        self.fields["person"].queryset = cadres

    def clean(self):
        data = super().clean()
        if not self.errors and bool(data.get("steward")) == bool(data.get("person")):
            raise ValidationError(_("Choose the steward who will serve this enterprise (one of the stewards, or "
                                    "another cadre)."))
        return data
