"""The forms by which users choose their own password: the change page (knowing the current
one) and the reset link sent to their e-mail. Both save through ``zonehub.auth.password_change``,
which marks the password as the user's own; any other way of setting one (the admin, a command)
marks it as set by someone else (User.set_password)."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from zonehub import auth
from zonehub.channels.sms import normalize_mobile
from zonehub.forms import BootstrapFormMixin


class PasswordChangeForm(BootstrapFormMixin, auth_forms.PasswordChangeForm):
    def save(self, commit=True):
        return auth.password_change(user=self.user, password=self.cleaned_data["new_password1"])


class SetPasswordForm(BootstrapFormMixin, auth_forms.SetPasswordForm):
    def save(self, commit=True):
        return auth.password_change(user=self.user, password=self.cleaned_data["new_password1"])


class PhoneLoginForm(BootstrapFormMixin, forms.Form):
    """An enterprise user's login by mobile number and SMS code: ``action`` "send" asks for a code
    (the number alone is checked), "login" logs in with it."""

    phone = forms.CharField(label=_("Mobile number"), max_length=20,
                            widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}))
    code = forms.CharField(label=_("SMS code"), max_length=6, required=False,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))

    def __init__(self, *args, action: str = "send", **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action

    def clean_phone(self):
        mobile = normalize_mobile(self.cleaned_data["phone"])
        if mobile is None:
            raise forms.ValidationError(_("Enter an 11-digit mainland mobile number."))
        return mobile

    def clean_code(self):
        code = "".join(self.cleaned_data.get("code", "").split())
        if self.action == "login" and not (len(code) == 6 and code.isdigit()):
            raise forms.ValidationError(_("Enter the 6-digit code from the SMS."))
        return code
