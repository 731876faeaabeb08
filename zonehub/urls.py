from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView
from django_ratelimit.decorators import ratelimit
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from zonehub import auth_views as zonehub_auth_views
from zonehub import views

urlpatterns = [
    path("", include("portal.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("notifications/", views.NotificationListView.as_view(), name="notifications"),
    path("notifications/read/", views.notifications_mark_read, name="notifications_mark_read"),
    # Which channels each kind of notice goes by, for every signed-in user (issue 20).
    path("notifications/settings/", views.NotificationSettingsView.as_view(), name="notification_settings"),
    # The audit trail, for the audit administrator (三员分立): events and login records.
    path("audit/", include("zonehub.audit_urls")),
    # Before django.contrib.auth.urls so it wins: the login form, capped per client address
    # (guessing a password is also locked per username by django-axes).
    path("accounts/login/",
         ratelimit(group="login", key="ip", rate="zonehub.ratelimit.login_rate", method="POST")(
             zonehub_auth_views.LoginView.as_view()),
         name="login"),
    # The enterprise users' login by mobile number and SMS code: its POSTs count with the login form's.
    path("accounts/login/phone/",
         ratelimit(group="login", key="ip", rate="zonehub.ratelimit.login_rate", method="POST")(
             zonehub_auth_views.PhoneLoginView.as_view()),
         name="login_phone"),
    # One's own password is changed on one page (also from the admin's link); a reset e-mail is
    # asked at most ZONEHUB_RATELIMIT_PASSWORD_RESET times per address and per e-mail address.
    path("accounts/password_change/", zonehub_auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("admin/password_change/", RedirectView.as_view(pattern_name="password_change")),
    path("accounts/password_reset/",
         ratelimit(group="password_reset_ip", key="ip", rate="zonehub.ratelimit.password_reset_rate", method="POST")(
             ratelimit(group="password_reset_email", key="zonehub.ratelimit.password_reset_email_key",
                       rate="zonehub.ratelimit.password_reset_rate", method="POST")(
                 auth_views.PasswordResetView.as_view())),
         name="password_reset"),
    path("accounts/reset/<uidb64>/<token>/", zonehub_auth_views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # Stewards' pages under an enterprise's address (its assign page), before the enterprises app's own.
    path("enterprises/", include("stewards.enterprise_urls")),
    path("enterprises/", include("enterprises.urls")),
    path("requests/", include("stewards.urls")),
    path("projects/", include("projects.urls")),
    path("evaluations/", include("evaluations.urls")),
    path("policies/", include("policies.urls")),
    path("supply/", include("supply.urls")),
    path("meetings/", include("meetings.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("portal.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: no inline script under the CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api_docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api_redoc"),
    path("api/redoc/redoc.standalone.js", views.redoc_standalone, name="redoc_standalone"),
]

# The product's own error pages, in the user's language, with the menu and a way back.
handler403 = "zonehub.views.permission_denied"
handler404 = "zonehub.views.page_not_found"
handler500 = "zonehub.views.server_error"
