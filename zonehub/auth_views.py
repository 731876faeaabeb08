"""The login and password pages, with the rules of zonehub.auth: the login page says when a
session ends; the change page says why a change is asked for."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from zonehub import auth
from zonehub.auth_forms import PasswordChangeForm, SetPasswordForm


class LoginView(auth_views.LoginView):
    def get_context_data(self, **kwargs):
        return super().get_context_data(
            session_idle_minutes=settings.ZONEHUB_SESSION_IDLE_MINUTES,
            session_max_hours=settings.ZONEHUB_SESSION_MAX_HOURS,
            enterprise_session_max_hours=settings.ZONEHUB_ENTERPRISE_SESSION_MAX_HOURS,
            **kwargs,
        )


class PasswordChangeView(auth_views.PasswordChangeView):
    """The user's own change; the only page a user sees while a change is asked of them
    (zonehub.middleware.PasswordChangeRequiredMiddleware)."""

    form_class = PasswordChangeForm
    success_url = reverse_lazy("home")

    def get_context_data(self, **kwargs):
        reason = auth.password_change_reason(user=self.request.user)
        return super().get_context_data(
            change_reason=reason, change_message=auth.password_change_message(reason) if reason else "", **kwargs,
        )

    def form_valid(self, form):
        response = super().form_valid(form)  # saves, and keeps this session logged in
        messages.success(self.request, _("Your password has been changed."))
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
