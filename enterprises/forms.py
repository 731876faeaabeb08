from django import forms
from django.utils.translation import gettext_lazy as _

from stewards.models import Steward
from zonehub.forms import BootstrapFormMixin


class AssignStewardForm(BootstrapFormMixin, forms.Form):
    steward = forms.ModelChoiceField(
        label=_("New steward"), queryset=Steward.objects.none(),
        error_messages={"required": _("Choose the steward who will serve this enterprise."),
                        "invalid_choice": _("Choose one of the stewards in the list.")},
    )
    note = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["steward"].queryset = Steward.objects.visible_to(user).active().select_related("user")
