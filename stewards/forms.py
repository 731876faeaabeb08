"""The forms of the request pages. They check the shape of the input only; every rule about
the request itself lives in ``stewards.services`` and comes back as a ValidationError that the
view puts on the form."""

import datetime as dt

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
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
    ("萧刚（东区工作站）"). Querysets select ``user__workstation``."""
    workstation = steward.user.workstation
    return f"{steward.name}（{workstation.name}）" if workstation else steward.name


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
            super().clean(f, initial)
            try:
                services.attachment_validate(file=f)
            except ValidationError as exc:
                for message in exc.messages:
                    errors.append(
                        ValidationError(_("“%(name)s”: %(message)s") % {"name": f.name, "message": message})
                    )
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


class RequestFieldsMixin(forms.Form):
    category = forms.ChoiceField(label=_("category"), choices=ServiceRequest.Category.choices)
    title = forms.CharField(label=_("title"), max_length=200,
                            help_text=_("One line that says what you need, e.g. “power capacity increase for line 2”."))
    description = forms.CharField(
        label=_("description"), widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What happened, what you need, and by when."),
    )
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


class EscalateForm(BootstrapFormMixin, forms.Form):
    departments = forms.ModelMultipleChoiceField(
        label=_("departments"), queryset=Department.objects.none(), widget=forms.CheckboxSelectMultiple,
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
    request_category = forms.ChoiceField(
        label=_("category"), choices=ServiceRequest.Category.choices, required=False,
    )
    request_title = forms.CharField(label=_("title"), max_length=200, required=False)
    request_description = _text(_("description"), rows=3, required=False)
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
    category = forms.ChoiceField(label=_("category"), choices=ServiceRequest.Category.choices,
                                 initial=ServiceRequest.Category.OTHER)
    title = forms.CharField(label=_("title"), max_length=200)
    description = _text(_("description"), rows=4)
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


class AssignStewardForm(BootstrapFormMixin, forms.Form):
    """The enterprise's new steward: one of the active stewards the user may see."""

    steward = StewardChoiceField(
        label=_("New steward"), queryset=Steward.objects.none(),
        error_messages={"required": _("Choose the steward who will serve this enterprise."),
                        "invalid_choice": _("Choose one of the stewards in the list.")},
    )
    note = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["steward"].queryset = Steward.objects.visible_to(user).active().select_related("user__workstation")
