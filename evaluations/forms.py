from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evaluations.models import Campaign, Rating
from stewards.forms import StewardChoiceField
from stewards.models import Steward
from zonehub.forms import BootstrapFormMixin
from zonehub.workdays import local_date


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
