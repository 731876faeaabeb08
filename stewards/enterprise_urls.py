"""Stewards' pages that live under an enterprise's address (included at ``enterprises/`` before
the enterprises app's own URLconf)."""

from django.urls import path

from stewards import views

app_name = "assignments"
urlpatterns = [
    path("<int:pk>/assign/", views.AssignStewardView.as_view(), name="assign"),
]
