"""Stewards' pages that live under an enterprise's address (included at ``enterprises/`` before
the enterprises app's own URLconf)."""

from django.urls import path

from stewards import serving_views, views

app_name = "assignments"
urlpatterns = [
    path("<int:pk>/assign/", views.AssignStewardView.as_view(), name="assign"),
    # Issue 16: the name plate (电话名牌) of one enterprise, and of a whole workstation at once.
    path("<int:pk>/nameplate/", serving_views.NameplateView.as_view(), name="nameplate"),
    path("nameplates/", serving_views.NameplatesView.as_view(), name="nameplates"),
]
