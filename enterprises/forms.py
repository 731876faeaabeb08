from django import forms
from django.utils.translation import gettext_lazy as _

from zonehub.forms import BootstrapFormMixin


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
