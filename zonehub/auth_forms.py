"""The forms by which users choose their own password: the change page (knowing the current
one) and the reset link sent to their e-mail. Both save through ``zonehub.auth.password_change``,
which marks the password as the user's own; any other way of setting one (the admin, a command)
marks it as set by someone else (User.set_password)."""

from django.contrib.auth import forms as auth_forms

from zonehub import auth
from zonehub.forms import BootstrapFormMixin


class PasswordChangeForm(BootstrapFormMixin, auth_forms.PasswordChangeForm):
    def save(self, commit=True):
        return auth.password_change(user=self.user, password=self.cleaned_data["new_password1"])


class SetPasswordForm(BootstrapFormMixin, auth_forms.SetPasswordForm):
    def save(self, commit=True):
        return auth.password_change(user=self.user, password=self.cleaned_data["new_password1"])
