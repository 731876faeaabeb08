"""The request-wide rules of issue 14 (等保2.0 level 3). Their order in settings.MIDDLEWARE: after
the session, authentication and messages, so each sees the logged-in user; all four check before
the view and before any middleware reads the body (CSRF reads it only in ``process_view``).

Only page logins are concerned: an API call with Basic auth is authenticated by the view (DRF),
so it has no session to time out and is not sent to a page; its answers are still never cached.

Besides these, LanguageMiddleware (issue 13) picks the interface language, where Django's
LocaleMiddleware stood."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _

from zonehub import auth


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


class BodySizeLimitMiddleware:
    """Refuse a body over ZONEHUB_MAX_BODY_MB from its Content-Length, before a byte of it is
    read (Django would otherwise write every uploaded file to disk first). The reverse proxy
    should refuse it even earlier (README, client_max_body_size)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.ZONEHUB_MAX_BODY_MB * 1024 * 1024
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit and length > limit:
            message = _("What you sent is larger than %(mb)s MB, the most this site accepts at once: nothing was "
                        "saved. Send fewer or smaller files at a time.") % {"mb": settings.ZONEHUB_MAX_BODY_MB}
            if _is_api(request):
                response = JsonResponse({"detail": message}, status=413)
            else:
                response = render(request, "413.html", {"message": message}, status=413)
            # The unread body must not be taken for the next request on a kept-alive connection.
            response["Connection"] = "close"
            return response
        return self.get_response(request)


class SessionTimeoutMiddleware:
    """Log a page session out after ZONEHUB_SESSION_IDLE_MINUTES without a request, and after
    ZONEHUB_SESSION_MAX_HOURS (enterprise users: ZONEHUB_ENTERPRISE_SESSION_MAX_HOURS) in all.
    The request then goes on as an anonymous one: a page sends to the login form, which says
    why; htmx is told to load the login page instead of swapping it into a fragment."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and auth.session_limits_on():
            now = timezone.now().timestamp()
            reason = auth.session_end_reason(user=user, session=request.session, now=now)
            if reason:
                message = auth.session_end_message(user=user, reason=reason)
                logout(request)
                messages.warning(request, message)
                if getattr(request, "htmx", False):
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = reverse("login")
                    return response
            else:
                auth.session_seen(session=request.session, now=now)
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """A user whose password someone else set, or whose password is too old, sees only the
    password-change page (and may log out or switch language) until they choose a new one."""

    ALLOWED_URL_NAMES = ("password_change", "password_change_done", "logout", "admin:logout", "set_language", "healthz")

    def __init__(self, get_response):
        self.get_response = get_response
        self._allowed: tuple[str, ...] | None = None

    def allowed(self, path: str) -> bool:
        if self._allowed is None:
            self._allowed = tuple(reverse(name) for name in self.ALLOWED_URL_NAMES)
        return path in self._allowed or path.startswith("/" + settings.STATIC_URL.lstrip("/"))

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not self.allowed(request.path_info):
            reason = auth.password_change_reason(user=user)
            if reason:
                if _is_api(request):
                    return JsonResponse({"detail": auth.password_change_message(reason)}, status=403)
                if getattr(request, "htmx", False):
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = reverse("password_change")
                    return response
                return redirect("password_change")
        return self.get_response(request)


class NoStoreMiddleware:
    """Whatever a logged-in user is shown — pages, API answers, exports, attachments — is kept by
    no browser cache or proxy (a shared office PC, the back button after logging out)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # DRF sets request.user on the Django request too, so Basic-auth API answers count.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response


class LanguageMiddleware:
    """The interface speaks the language the user chose, else Chinese (settings.LANGUAGE_CODE).

    Django's LocaleMiddleware, which this replaces, falls back on the browser's Accept-Language:
    a leader whose browser is set to English got an English ZoneHub without asking (issue 13). The
    choice is the cookie Django's ``set_language`` view sets (LANGUAGE_COOKIE_NAME, kept for
    LANGUAGE_COOKIE_AGE): it outlives logging out and in, and nothing else is read. Placed where
    LocaleMiddleware was, before anything that renders a page."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.languages else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        # The same URL answers in two languages, told apart by the cookie alone.
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response
