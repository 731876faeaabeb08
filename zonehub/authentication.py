"""API Basic auth with a cap on failed attempts per client address (issue 14): django-axes locks
one username from one address after a few failures, which does not stop one address trying one
password on many usernames. After ZONEHUB_RATELIMIT_API_AUTH failures, Basic-auth requests from
that address are refused (429) without checking the password, until the window passes."""

from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage
from drf_spectacular.authentication import BasicScheme
from rest_framework.authentication import BasicAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, Throttled

from zonehub.ratelimit import api_auth_rate

GROUP = "api-basic-auth-failures"


def _failures(request, *, increment: bool):
    # key "ip" is zonehub.ratelimit.client_ip (RATELIMIT_IP_META_KEY), as for the login form.
    return get_usage(request, group=GROUP, key="ip", rate=api_auth_rate, increment=increment)


class RateLimitedBasicAuthentication(BasicAuthentication):
    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != b"basic":
            return None
        usage = _failures(request._request, increment=False)
        # limit 0 is django-ratelimit's answer when the cache failed: let the request through.
        if usage is not None and usage["limit"] and usage["count"] >= usage["limit"]:
            raise Throttled(wait=max(usage["time_left"], 1), detail=_(
                "Too many failed logins from your address. Wait a while before trying again."))
        try:
            return super().authenticate(request)
        except AuthenticationFailed:
            _failures(request._request, increment=True)
            raise


class RateLimitedBasicScheme(BasicScheme):
    """The OpenAPI schema describes it as plain Basic auth, which it is."""

    target_class = RateLimitedBasicAuthentication
