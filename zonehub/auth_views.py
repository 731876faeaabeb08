"""The login and password pages, with the rules of zonehub.auth: the login page says when a
session ends; the change page says why a change is asked for."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import View

from zonehub import auth, phone_login
from zonehub.auth_forms import PasswordChangeForm, PhoneLoginForm, SetPasswordForm
from zonehub.ratelimit import client_ip, login_code_refusal


def _session_rules() -> dict:
    return {
        "session_idle_minutes": settings.ZONEHUB_SESSION_IDLE_MINUTES,
        "session_max_hours": settings.ZONEHUB_SESSION_MAX_HOURS,
        "enterprise_session_max_hours": settings.ZONEHUB_ENTERPRISE_SESSION_MAX_HOURS,
    }


class LoginView(auth_views.LoginView):
    def get_context_data(self, **kwargs):
        return super().get_context_data(
            **_session_rules(), phone_login_enabled=phone_login.phone_login_enabled(), **kwargs,
        )


class PhoneLoginView(View):
    """The login page's other tab: an enterprise user's mobile number and SMS code. One form, two
    buttons: "get a code" (the number alone) and "log in". Whatever was typed stays on the page;
    the answer to "get a code" is the same whether or not the number is an enterprise user's."""

    template_name = "registration/login_phone.html"

    def _next(self, request) -> str:
        target = request.POST.get("next") or request.GET.get("next") or ""
        if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
            return target
        return ""

    def render(self, request, form, *, status=200, **context):
        return render(request, self.template_name, {
            "form": form, "next": self._next(request), "enabled": phone_login.phone_login_enabled(),
            "code_minutes": settings.ZONEHUB_LOGIN_CODE_MINUTES,
            "interval_seconds": settings.ZONEHUB_LOGIN_CODE_INTERVAL_SECONDS, **_session_rules(), **context,
        }, status=status)

    def get(self, request):
        return self.render(request, PhoneLoginForm())

    def post(self, request):
        # Enter or "log in" with no code yet asks for one.
        action = "login" if request.POST.get("action") == "login" and request.POST.get("code", "").strip() else "send"
        form = PhoneLoginForm(request.POST, action=action)
        if not phone_login.phone_login_enabled() or not form.is_valid():
            return self.render(request, form)
        mobile = form.cleaned_data["phone"]
        if action == "send":
            refusal = login_code_refusal(request, mobile)
            if refusal:
                form.add_error(None, refusal)
                return self.render(request, form)
            phone_login.login_code_send(phone=mobile, ip=client_ip(request))
            return self.render(request, form, code_sent=True)
        user = authenticate(request, username=phone_login.lockout_username(mobile), phone=mobile,
                            sms_code=form.cleaned_data["code"])
        if user is None:
            form.add_error("code", _("The code is wrong or no longer valid. Check the latest SMS, or get a new code."))
            return self.render(request, form)
        auth_login(request, user)
        return redirect(self._next(request) or settings.LOGIN_REDIRECT_URL)


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
