import functools
import logging
from functools import wraps
from pathlib import Path

import drf_spectacular_sidecar
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import FileResponse, Http404, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from zonehub.channels import configured_channels
from zonehub.models import Channel, DepartmentRobot, Notification, Role
from zonehub.notification_forms import NotificationSettingsForm
from zonehub.notification_settings import notification_settings_get, notification_settings_update
from zonehub.notifications import deliveries_for, notification_mark_read
from zonehub.pagination import CappedPaginator
from zonehub.roles import admits_user

logger = logging.getLogger(__name__)


class RoleRequiredMixin(LoginRequiredMixin):
    """A page for some roles only. Others get 403; anonymous users go to the login page.

    ``allowed_roles`` is the one declaration of who may open the page: the menu and the
    permission matrix read it too (zonehub.roles.view_roles). Groups are in zonehub/roles.py."""

    allowed_roles: tuple[str, ...] = ()
    # Capacities (zonehub.scoping) admitted beside the roles: a department user serving
    # enterprises as a steward opens the steward's pages that declare ``("steward",)``.
    allowed_capacities: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and self.allowed_roles and not admits_user(self, user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class UserFilterSetMixin:
    """A list page (django-filter's FilterView) whose FilterSet takes the user: its choices and
    its filters are what that user may see."""

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "user": self.request.user}


def role_required(*roles: str, capacities: tuple[str, ...] = ()):
    """``RoleRequiredMixin`` for a function view: others get 403, anonymous users go to the login
    page. The roles are kept on the view as ``allowed_roles`` (decorators above it that use
    ``functools.wraps``, such as ``login_required`` and ``require_POST``, carry them on), where
    the menu and the permission matrix read them; ``capacities`` likewise."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not admits_user(wrapped, user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = tuple(roles)
        wrapped.allowed_capacities = tuple(capacities)
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
        logger.warning("healthz: the broker did not answer", exc_info=True)
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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Each notification's channels and how each went (one query for the page).
        page = list(context["object_list"])
        found = deliveries_for(page)
        for notification in page:
            notification.channel_deliveries = found.get(notification.pk, [])
        context["object_list"] = page
        return context


class NotificationSettingsView(LoginRequiredMixin, View):
    """通知设置: which channels each topic of notice goes by, for the signed-in user (the bell always)."""

    template_name = "zonehub/notification_settings.html"

    def render(self, request, form, row):
        user = request.user
        robot = None
        if user.role == Role.DEPARTMENT and user.department_id:
            robot = DepartmentRobot.objects.filter(department_id=user.department_id, is_active=True).first()
        configured = configured_channels()
        addresses = {Channel.EMAIL: user.email, Channel.SMS: user.phone, Channel.WECOM: row.wecom_userid}
        channels = [{"channel": c, "configured": c in configured, "address": addresses[c]}
                    for c in (Channel.EMAIL, Channel.SMS, Channel.WECOM)]
        return render(request, self.template_name, {
            "form": form, "grid": form.grid(), "channels": channels, "robot": robot,
            "group_configured": Channel.GROUP in configured,
        })

    def get(self, request):
        row = notification_settings_get(user=request.user)
        return self.render(request, NotificationSettingsForm(settings_row=row), row)

    def post(self, request):
        row = notification_settings_get(user=request.user)
        form = NotificationSettingsForm(request.POST, settings_row=row)
        if form.is_valid():
            try:
                notification_settings_update(user=request.user, actor=request.user, channels=form.channels(),
                                             wecom_userid=form.cleaned_data["wecom_userid"])
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.error_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, exc)
            else:
                messages.success(request, _("Your notification settings are saved."))
                return redirect("notification_settings")
        return self.render(request, form, row)


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
