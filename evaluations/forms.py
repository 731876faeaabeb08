from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evaluations.indicators import LIBRARY
from evaluations.models import Campaign, EnteredIndicator, PlanIndicator, Rating, RotationCase
from stewards.forms import StewardChoiceField
from stewards.models import Steward
from zonehub.filters import MAX_ID
from zonehub.forms import BootstrapFormMixin
from zonehub.models import Department
from zonehub.workdays import local_date, month_error, parse_month


class RatingForm(BootstrapFormMixin, forms.Form):
    """Satisfied or unsatisfied, nothing else; a reason when unsatisfied."""

    value = forms.ChoiceField(
        label=_("Your rating"), choices=Rating.Value.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": _("Choose satisfied or unsatisfied."),
                        "invalid_choice": _("Choose satisfied or unsatisfied: there is nothing in between.")},
    )
    reason = forms.CharField(
        label=_("Why not satisfied"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when you are not satisfied: what went wrong?"),
    )

    def clean(self):
        data = super().clean()
        if data.get("value") == Rating.Value.UNSATISFIED and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why you are not satisfied: the reason is required."))
        return data


class CampaignOpenForm(BootstrapFormMixin, forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2999)
    half = forms.ChoiceField(label=_("Half-year"), choices=Campaign.Half.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = local_date(timezone.now())
        self.fields["year"].initial = today.year
        self.fields["half"].initial = "H1" if today.month <= 6 else "H2"


class StewardChoiceForm(BootstrapFormMixin, forms.Form):
    steward = StewardChoiceField(
        label=_("New steward"), queryset=Steward.objects.none(),
        error_messages={"required": _("Choose the new steward."),
                        "invalid_choice": _("Choose one of the stewards in the list.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["steward"].queryset = Steward.objects.visible_to(user).active().select_related("user__workstation")


class OverrideForm(StewardChoiceForm):
    reason = forms.CharField(label=_("Why this steward may go back"), widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Give the reason for letting the steward go back.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["steward"].label = _("Steward allowed back")


class ReviewForm(BootstrapFormMixin, forms.Form):
    lack_of_effort = forms.TypedChoiceField(
        label=_("Subjective lack of effort (主观不努力)?"), coerce=lambda v: v == "yes",
        choices=[("yes", _("Yes: subjective lack of effort")), ("no", _("No"))],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": _("Say whether it was subjective lack of effort.")},
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Give the reason for the finding.")})


# --- assessment and pay (issue 19) -------------------------------------------------------------

class EnteredIndicatorForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60,
                           error_messages={"required": _("Give the indicator a name.")})
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False, help_text=_("万元, 个, 家…"))
    direction = forms.ChoiceField(label=_("Direction"), choices=EnteredIndicator.Direction.choices)
    description = forms.CharField(label=_("What it counts and what evidence it needs"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))


def indicator_choices() -> list[tuple[str, str]]:
    """The library, as one list: the computed indicators, then the entered ones in use."""
    choices = [("", "—")]
    choices += [(code, str(meta.label)) for code, meta in LIBRARY.items()]
    choices += [(f"entered:{i.pk}", f"{i.name}（{_('entered')}）")
                for i in EnteredIndicator.objects.filter(is_active=True).order_by("name")]
    return choices


def _is_rate(key: str) -> bool:
    return key in LIBRARY and LIBRARY[key].kind == "rate"


class PlanItemForm(BootstrapFormMixin, forms.Form):
    """One indicator of a plan. A rate's target is typed in per cent (95 for 95%)."""

    key = forms.ChoiceField(label=_("Indicator"), required=False, choices=())
    method = forms.ChoiceField(label=_("Scored as"), required=False, choices=PlanIndicator.Method.choices)
    weight = forms.DecimalField(label=_("Weight (points)"), required=False, min_value=0, max_digits=6,
                                decimal_places=2, error_messages={"invalid": _("Give a number.")})
    target = forms.DecimalField(label=_("Target"), required=False, min_value=0, max_digits=14, decimal_places=4,
                                error_messages={"invalid": _("Give a number.")})
    per_unit = forms.DecimalField(label=_("Points per unit"), required=False, min_value=0, max_digits=8,
                                  decimal_places=2, error_messages={"invalid": _("Give a number.")})

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].choices = choices

    def item(self) -> dict:
        data = self.cleaned_data
        target = data.get("target")
        if target is not None and _is_rate(data.get("key") or ""):
            target = target / 100
        return {"key": data.get("key") or "", "method": data.get("method"), "weight": data.get("weight"),
                "target": target, "per_unit": data.get("per_unit")}


class BasePlanItemFormSet(forms.BaseFormSet):
    def __init__(self, *args, choices=(), **kwargs):
        self.choices = choices
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "choices": self.choices}

    @property
    def empty_form(self):
        form = self.form(auto_id=self.auto_id, prefix=self.add_prefix("__prefix__"), empty_permitted=True,
                         use_required_attribute=False, choices=self.choices, renderer=self.renderer)
        self.add_fields(form, None)
        return form


PlanItemFormSet = forms.formset_factory(PlanItemForm, formset=BasePlanItemFormSet, extra=0, max_num=20,
                                        absolute_max=20)


def plan_item_initial(plan) -> list[dict]:
    """A version's indicators as the form's rows (a rate's target in per cent)."""
    rows = []
    for row in plan.indicators.all():
        target = row.target
        if target is not None and _is_rate(row.key):
            target = (target * 100).normalize()
        rows.append({"key": row.key, "method": row.method, "weight": row.weight.normalize(),
                     "target": target if target is None else target.normalize(),
                     "per_unit": row.per_unit if row.per_unit is None else row.per_unit.normalize()})
    return rows


class PlanForm(BootstrapFormMixin, forms.Form):
    department = forms.ModelChoiceField(label=_("Department"), required=False, queryset=Department.objects.none(),
                                        empty_label=_("Default plan (departments without their own)"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100,
                              error_messages={"required": _("Give the year of the plan.")})
    note = forms.CharField(label=_("Why this version"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("Required for a change: it is recorded."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(is_active=True).order_by("name")


class ActualForm(BootstrapFormMixin, forms.Form):
    value = forms.DecimalField(label=_("Actual"), max_digits=14, decimal_places=4,
                               error_messages={"required": _("Give the actual as a number."),
                                               "invalid": _("Give the actual as a number.")})
    evidence = forms.CharField(label=_("Evidence"), widget=forms.Textarea(attrs={"rows": 2}),
                               error_messages={"required": _("Give the evidence for the actual (a document, a "
                                                             "contract, a report).")})
    evidence_file = forms.FileField(label=_("Evidence file"), required=False)


class PaySheetDraftForm(BootstrapFormMixin, forms.Form):
    period = forms.CharField(label=_("Period (its first month)"), widget=forms.DateInput(attrs={"type": "month"}),
                             error_messages={"required": _("Choose the period.")})
    pool = forms.DecimalField(label=_("Pool (yuan)"), required=False, min_value=0, max_digits=14, decimal_places=2,
                              help_text=_("Empty: the sum of the bases of the period."),
                              error_messages={"invalid": _("Give the pool in yuan, or leave it empty.")})
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_period(self):
        month = parse_month(self.cleaned_data["period"])
        if month is None:
            raise forms.ValidationError(month_error())
        return month


class PaySheetRecomputeForm(BootstrapFormMixin, forms.Form):
    pool = forms.DecimalField(label=_("Pool (yuan)"), required=False, min_value=0, max_digits=14, decimal_places=2,
                              help_text=_("Empty: the sum of the bases of the period."),
                              error_messages={"invalid": _("Give the pool in yuan, or leave it empty.")})


class CorrectionForm(BootstrapFormMixin, forms.Form):
    line = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)
    amount = forms.DecimalField(label=_("Change (yuan)"), max_digits=12, decimal_places=2,
                                help_text=_("Positive to add, negative to take off."),
                                error_messages={"required": _("Give the change in yuan: positive to add, negative "
                                                              "to take off."),
                                                "invalid": _("Give the change in yuan: positive to add, negative to "
                                                             "take off.")})
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Give the reason for the correction.")})


class FindingForm(BootstrapFormMixin, forms.Form):
    steward = StewardChoiceField(label=_("Steward"), queryset=Steward.objects.none(),
                                 error_messages={"required": _("Choose the steward."),
                                                 "invalid_choice": _("Choose one of the stewards in the list.")})
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Give the reason for the finding.")})

    def __init__(self, *args, stewards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["steward"].queryset = stewards


class RotationDecideForm(BootstrapFormMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=RotationCase.Outcome.choices,
                                error_messages={"required": _("Choose the outcome: stays, moves to another post, "
                                                              "moves down or moves up.")})
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("Give the reason for the outcome.")})


def add_service_errors(form, exc) -> None:
    """A service's ValidationError shown on the form: by field where it names one of the form's,
    above the form otherwise (what the user typed stays in the fields)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)
