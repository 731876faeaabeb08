"""Guessing and flooding: who the client is, how fast it may log in or submit, and what it sees
when it is stopped.

Two libraries do the counting (settings, "Guessing and flooding"): django-axes locks a
username+address pair after repeated failed logins; django-ratelimit caps the login form and the
request form per address or user, and ``SubmissionRateThrottle`` does the same for the API. All
three read the client address from ``client_ip`` so they agree on who someone is.
"""

import ipaddress

from axes.helpers import get_cool_off
from django.conf import settings
from django.shortcuts import render
from rest_framework.throttling import SimpleRateThrottle


def client_ip(request) -> str:
    """REMOTE_ADDR, or, behind ZONEHUB_TRUSTED_PROXIES proxies, the address the outermost of them
    saw: that many entries from the right of X-Forwarded-For. Entries further left were written by
    the client and are never trusted; a header shorter than promised falls back to REMOTE_ADDR."""
    remote = request.META.get("REMOTE_ADDR") or "0.0.0.0"
    proxies = settings.ZONEHUB_TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < proxies:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-proxies]))
    except ValueError:
        return remote


# django-ratelimit reads these at each request, so a changed setting applies at once.
def login_rate(group, request) -> str:
    return settings.ZONEHUB_RATELIMIT_LOGIN


def submit_rate(group, request) -> str:
    return settings.ZONEHUB_RATELIMIT_SUBMIT


def api_auth_rate(group, request) -> str:
    return settings.ZONEHUB_RATELIMIT_API_AUTH


def password_reset_rate(group, request) -> str:
    return settings.ZONEHUB_RATELIMIT_PASSWORD_RESET


def password_reset_email_key(group, request) -> str:
    """The account a reset is asked for, as typed (an unknown address counts too: the page
    answers the same either way, and must not tell which addresses exist)."""
    return request.POST.get("email", "").strip().lower()


def ratelimited(request, exception):
    """RATELIMIT_VIEW: the friendly 429 page. Nothing was saved: the limit is checked before the
    view runs."""
    response = render(request, "429.html", status=429)
    response["Retry-After"] = "60"
    return response


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the login page, with why it refuses and for how long, and the form
    for anyone else on this device."""
    minutes = max(1, int(get_cool_off(request).total_seconds() // 60))
    context = {"locked_out": True, "cool_off_minutes": minutes, "next": request.POST.get("next", "")}
    return render(request, "registration/locked_out.html", context, status=429)


class SubmissionRateThrottle(SimpleRateThrottle):
    """Per user (per address for the anonymous), and only for creating on views that declare
    ``throttle_scope = "submit"``: reads and follow-up actions are never counted."""

    scope = "submit"

    def __init__(self):
        # The rate is read per request (override_settings and env changes apply), not at import.
        pass

    def allow_request(self, request, view):
        if not settings.RATELIMIT_ENABLE or getattr(view, "throttle_scope", None) != self.scope:
            return True
        if request.method != "POST" or getattr(view, "action", None) != "create":
            return True
        self.rate = settings.ZONEHUB_RATELIMIT_SUBMIT
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_ident(self, request):
        return client_ip(request)

    def get_cache_key(self, request, view):
        ident = request.user.pk if request.user and request.user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


# --- Login by mobile number and SMS code (zonehub/phone_login.py) --------------------------------

def login_code_phone_rate(group, request) -> str:
    return settings.ZONEHUB_RATELIMIT_LOGIN_CODE_PHONE


def login_code_ip_rate(group, request) -> str:
    return settings.ZONEHUB_RATELIMIT_LOGIN_CODE_IP


def login_code_refusal(request, mobile: str) -> str | None:
    """Why no code may be sent now, or None: the address asked too often, the number asked too
    often, or less than ZONEHUB_LOGIN_CODE_INTERVAL_SECONDS ago. Counted for every number asked,
    known or not, so the answer tells nothing of which numbers exist. Each refused ask counts too."""
    from django.core.cache import cache
    from django.utils.translation import gettext
    from django_ratelimit.core import is_ratelimited

    if is_ratelimited(request, group="login_code_ip", key="ip", rate=login_code_ip_rate, increment=True):
        return gettext("Too many codes were asked from your network. Please try again later, or log in with "
                       "your password.")
    if is_ratelimited(request, group="login_code_phone", key=lambda group, request: mobile,
                      rate=login_code_phone_rate, increment=True):
        return gettext("Too many codes were asked for this number. Please try again later, or log in with "
                       "your password.")
    seconds = settings.ZONEHUB_LOGIN_CODE_INTERVAL_SECONDS
    if seconds > 0 and settings.RATELIMIT_ENABLE and not cache.add(f"zonehub:login-code-interval:{mobile}", 1,
                                                                     timeout=seconds):
        return gettext("A code was sent to this number less than %(seconds)s seconds ago. Please wait "
                       "before asking again.") % {"seconds": seconds}
    return None
