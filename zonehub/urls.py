from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django_ratelimit.decorators import ratelimit
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from zonehub import views

urlpatterns = [
    path("", include("portal.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("notifications/", views.NotificationListView.as_view(), name="notifications"),
    path("notifications/read/", views.notifications_mark_read, name="notifications_mark_read"),
    # Before django.contrib.auth.urls so it wins: the login form, capped per client address
    # (guessing a password is also locked per username by django-axes).
    path("accounts/login/",
         ratelimit(group="login", key="ip", rate="zonehub.ratelimit.login_rate", method="POST")(
             auth_views.LoginView.as_view()),
         name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # Stewards' pages under an enterprise's address (its assign page), before the enterprises app's own.
    path("enterprises/", include("stewards.enterprise_urls")),
    path("enterprises/", include("enterprises.urls")),
    path("requests/", include("stewards.urls")),
    path("projects/", include("projects.urls")),
    path("evaluations/", include("evaluations.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("portal.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api_docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api_redoc"),
]
