import functools
from functools import wraps
from pathlib import Path

import drf_spectacular_sidecar
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import FileResponse, Http404, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from zonehub.models import Notification
from zonehub.notifications import notification_mark_read
from zonehub.pagination import CappedPaginator


class RoleRequiredMixin(LoginRequiredMixin):
    """A page for some roles only. Others get 403; anonymous users go to the login page.

    ``allowed_roles`` is the one declaration of who may open the page: the menu and the
    permission matrix read it too (zonehub.roles.view_roles). Groups are in zonehub/roles.py."""

    allowed_roles: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and self.allowed_roles and user.effective_role not in self.allowed_roles:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def role_required(*roles: str):
    """``RoleRequiredMixin`` for a function view: others get 403, anonymous users go to the login
    page. The roles are kept on the view as ``allowed_roles`` (decorators above it that use
    ``functools.wraps``, such as ``login_required`` and ``require_POST``, carry them on), where
    the menu and the permission matrix read them."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if user.effective_role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = tuple(roles)
        return wrapped

    return decorator


@never_cache
def healthz(request):
    """Liveness for load balancers: the database and the broker, each "ok" or "error"."""
    result = {"status": "ok", "database": "ok", "broker": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any database failure is reported, not raised
        result["database"] = "error"
    try:
        from zonehub.celery import app

        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:  # noqa: BLE001
        result["broker"] = "error"
    if "error" in result.values():
        result["status"] = "error"
    return JsonResponse(result, status=200 if result["status"] == "ok" else 503)


class NotificationListView(LoginRequiredMixin, ListView):
    template_name = "zonehub/notification_list.html"
    paginate_by = 30
    paginator_class = CappedPaginator

    def get_queryset(self):
        return Notification.objects.visible_to(self.request.user)


@login_required
@require_POST
def notifications_mark_read(request):
    notification_mark_read(user=request.user)
    return redirect("notifications")


# --- the product's own error pages (zonehub/urls.py: handler403, handler404, handler500) -----------

def _back_url(request) -> str:
    """The page the user came from, when it is one of ours (never an outside address)."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}) \
            and referer != request.build_absolute_uri():
        return referer
    return ""


def permission_denied(request, exception=None):
    message = str(exception) if exception is not None and str(exception) else ""
    return render(request, "403.html", {"message": message, "back_url": _back_url(request)}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", {"back_url": _back_url(request)}, status=404)


def server_error(request):
    """The 500 page with the menu when the page can still be drawn; a plain one when even that fails
    (the database is down, say), so an error never hides behind another."""
    try:
        return render(request, "500.html", {"back_url": _back_url(request)}, status=500)
    except Exception:  # noqa: BLE001 - the fallback must not fail
        return HttpResponseServerError(
            "<!doctype html><meta charset=utf-8><title>出错了</title><h1>出错了 · Server error</h1>"
            "<p>页面暂时无法显示，已记录该错误。<a href=\"/\">返回首页</a></p>")


@functools.cache
def _redoc_script() -> bytes:
    """The sidecar's Redoc bundle with its "API docs by Redocly" logo, the one file it loads from the
    internet, left out (an empty src: Redoc then hides the image)."""
    path = Path(drf_spectacular_sidecar.__file__).parent / "static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
    return path.read_bytes().replace(b"https://cdn.redoc.ly/redoc/logo-mini.svg", b"")


def redoc_standalone(request):
    response = HttpResponse(_redoc_script(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response


# Shown in the browser rather than downloaded: files a browser renders without running anything.
INLINE_TYPES = {"application/pdf", "image/jpeg", "image/png", "image/gif", "image/webp"}


def serve_stored_file(stored, *, content_type: str, filename: str) -> FileResponse:
    """A checked upload (a request's attachment, a node's evidence), once the caller has checked the
    user may see it: inline when the browser renders it harmlessly, else as a download; never
    sniffed, and under a policy that runs nothing. A file gone from storage is a 404."""
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404 from None
    inline = content_type in INLINE_TYPES
    response = FileResponse(handle, as_attachment=not inline, filename=filename)
    if inline:
        response["Content-Type"] = content_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response
