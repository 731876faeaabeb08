"""The meetings' forms. They only read and check what was typed; the services write and check
again, so a page and the API refuse the same things."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise
from meetings.models import Meeting
from stewards.models import Steward
from stewards.services import ATTACHMENT_EXTENSIONS_TEXT
from zonehub.forms import BootstrapFormMixin
from zonehub.models import Department, Role, User
from zonehub.workdays import SHANGHAI

CHECKS = forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})
WHEN = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _head_label(user) -> str:
    return f"{user.display_name}（{user.workstation.name}）" if user.workstation_id else user.display_name


class MeetingForm(BootstrapFormMixin, forms.Form):
    """Convene a meeting: what about (``subjects``, the keys of ``selectors.Subject``), when, where,
    who is invited."""

    kind = forms.ChoiceField(label=_("kind"), choices=Meeting.Kind.choices, initial=Meeting.Kind.ORDINARY)
    title = forms.CharField(label=_("title"), max_length=200)
    purpose = forms.CharField(label=_("purpose"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                              help_text=_("What the meeting is to settle."))
    subjects = forms.MultipleChoiceField(label=_("what the meeting is about"), widget=CHECKS)
    starts_at = forms.DateTimeField(label=_("time"), widget=WHEN, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    on_site = forms.BooleanField(label=_("on-site office at the enterprise (现场办公)"), required=False)
    site_enterprise = forms.ModelChoiceField(label=_("enterprise visited"), required=False,
                                             queryset=Enterprise.objects.none())
    place = forms.CharField(label=_("place"), max_length=200, required=False,
                            help_text=_("A meeting room, or where at the enterprise the on-site office is held."))
    departments = forms.ModelMultipleChoiceField(label=_("departments invited"), required=False,
                                                 queryset=Department.objects.none(), widget=CHECKS)
    heads = forms.ModelMultipleChoiceField(label=_("workstation heads invited"), required=False,
                                           queryset=User.objects.none(), widget=CHECKS)
    enterprises = forms.ModelMultipleChoiceField(label=_("enterprises invited"), required=False,
                                                 queryset=Enterprise.objects.none(), widget=CHECKS)

    def __init__(self, *args, user, subjects, enterprises=None, joint_allowed: bool = False, fixed_kind=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.subject_map = {s.key: s for s in subjects}
        self.fields["subjects"].choices = [(s.key, s.label) for s in subjects]
        self.fields["departments"].queryset = Department.objects.filter(is_active=True).order_by("name")
        self.fields["heads"].queryset = (User.objects.filter(role=Role.WORKSTATION_HEAD, is_active=True)
                                         .exclude(pk=user.pk).select_related("workstation").order_by("workstation__name"))
        self.fields["heads"].label_from_instance = _head_label
        # The enterprises invited, and where an on-site office is held: those the meeting is about (a
        # short list), never the whole zone.
        concerned = enterprises if enterprises is not None else Enterprise.objects.none()
        self.fields["site_enterprise"].queryset = concerned
        self.fields["enterprises"].queryset = concerned
        if fixed_kind:
            self.fields["kind"].choices = [(k, v) for k, v in Meeting.Kind.choices if k == fixed_kind]
            self.fields["kind"].initial = fixed_kind
        elif not joint_allowed:
            self.fields["kind"].choices = [(k, v) for k, v in Meeting.Kind.choices if k == Meeting.Kind.ORDINARY]

    def clean_starts_at(self):
        value = self.cleaned_data["starts_at"]
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=SHANGHAI)
        return value

    def chosen_subjects(self) -> list:
        return [self.subject_map[key] for key in self.cleaned_data.get("subjects", []) if key in self.subject_map]


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("why it is cancelled"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class InvitationForm(BootstrapFormMixin, forms.Form):
    ANSWERS = [("attend", _("we attend")), ("decline", _("we cannot attend"))]

    answer = forms.ChoiceField(label=_("answer"), choices=ANSWERS, widget=forms.RadioSelect, initial="attend")
    attendees = forms.CharField(label=_("who attends (name and post)"), max_length=300, required=False,
                                help_text=_("For example: 王芳 副局长；李明 科长"))
    reason = forms.CharField(label=_("why not"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class MinutesForm(BootstrapFormMixin, forms.Form):
    attendees = forms.CharField(label=_("attendees"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                                help_text=_("Who attended: names and units."))
    summary = forms.CharField(label=_("other matters"), required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"discussion_{item.pk}"] = forms.CharField(
                label=item.title, required=False, max_length=4000, initial=item.discussion,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))

    def discussions(self) -> dict[int, str]:
        return {item.pk: self.cleaned_data.get(f"discussion_{item.pk}", "") for item in self.items}

    def discussion_fields(self):
        return [self[f"discussion_{item.pk}"] for item in self.items]


class DecisionForm(BootstrapFormMixin, forms.Form):
    """One decision of the minutes; a row left empty is no decision."""

    text = forms.CharField(label=_("decision"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))
    department = forms.ModelChoiceField(label=_("responsible department"), required=False,
                                        queryset=Department.objects.none())
    steward = forms.ModelChoiceField(label=_("or responsible steward"), required=False, queryset=Steward.objects.none())
    working_days = forms.IntegerField(label=_("working days"), min_value=1, max_value=60, required=False)
    item = forms.TypedChoiceField(label=_("concerns"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(is_active=True).order_by("name")
        self.fields["steward"].queryset = Steward.objects.active().select_related("user").order_by("user__name")
        self.fields["working_days"].initial = settings.ZONEHUB_DECISION_WORKING_DAYS
        self.fields["item"].choices = [("", "—")] + [(item.pk, item.title[:80]) for item in items]

    @property
    def is_blank(self) -> bool:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return not (data.get("text") or "").strip()


class BaseDecisionFormSet(forms.BaseFormSet):
    def __init__(self, *args, items=(), **kwargs):
        self.items = list(items)
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "items": self.items}


DecisionFormSet = forms.formset_factory(DecisionForm, formset=BaseDecisionFormSet, extra=3, max_num=30,
                                        validate_max=True)


class CloseForm(BootstrapFormMixin, forms.Form):
    evidence = forms.CharField(label=_("what was done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    file = forms.FileField(label=_("evidence file"), required=False,
                           help_text=_("Optional: %(types)s.") % {"types": ATTACHMENT_EXTENSIONS_TEXT})


class SupervisionForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("what is required"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("What the department must do, and by when: it is printed in the notice."))


class FlagForm(BootstrapFormMixin, forms.Form):
    subject = forms.ChoiceField(label=_("request or escalation"))
    reason = forms.CharField(label=_("why it needs the joint meeting"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Which workstations or departments it crosses, and what is stuck."))

    def __init__(self, *args, subjects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.subject_map = {s.key: s for s in subjects}
        self.fields["subject"].choices = [("", "—")] + [(s.key, s.label) for s in subjects]


def local_input(value: dt.datetime | None) -> str:
    return value.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M") if value else ""
