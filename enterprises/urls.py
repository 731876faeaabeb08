from django.urls import path

from enterprises import views

app_name = "enterprises"
urlpatterns = [
    path("", views.EnterpriseListView.as_view(), name="list"),
    path("uncovered/", views.UncoveredEnterpriseListView.as_view(), name="uncovered"),
    path("<int:pk>/", views.EnterpriseDetailView.as_view(), name="detail"),
    path("<int:pk>/assign/", views.AssignStewardView.as_view(), name="assign"),
]
