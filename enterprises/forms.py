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


class ImportUploadForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("The sheet holds"), choices=(("enterprises", _("enterprises")), ("projects", _("major projects"))),
        error_messages={"required": _("Choose what the sheet holds."),
                        "invalid_choice": _("Choose enterprises or major projects.")},
    )
    file = forms.FileField(
        label=_("Excel file (.xlsx)"), help_text=_("Fill in the template, then upload it here. Nothing is imported "
                                                  "before you have read the check and confirmed."),
        error_messages={"required": _("Choose the Excel file to upload."),
                        "empty": _("The file is empty: choose the filled-in sheet.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
