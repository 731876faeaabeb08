"""The audit pages (audit administrators only): /audit/ the event history, /audit/logins/ the login records."""

from django.urls import path

from zonehub import audit_views

app_name = "audit"

urlpatterns = [
    path("", audit_views.EventListView.as_view(), name="events"),
    path("logins/", audit_views.LoginRecordListView.as_view(), name="logins"),
]
