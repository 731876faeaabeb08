from django.urls import path

from enterprises import import_views, views

app_name = "enterprises"
urlpatterns = [
    path("", views.EnterpriseListView.as_view(), name="list"),
    path("uncovered/", views.UncoveredEnterpriseListView.as_view(), name="uncovered"),
    path("<int:pk>/", views.EnterpriseDetailView.as_view(), name="detail"),
    path("import/", import_views.ImportView.as_view(), name="import"),
    path("import/template/<str:kind>.xlsx", import_views.ImportTemplateView.as_view(), name="import_template"),
    path("import/<int:pk>/", import_views.ImportDetailView.as_view(), name="import_detail"),
    path("import/<int:pk>/progress/", import_views.ImportProgressView.as_view(), name="import_progress"),
    path("import/<int:pk>/confirm/", import_views.ImportConfirmView.as_view(), name="import_confirm"),
    path("import/<int:pk>/resume/", import_views.ImportResumeView.as_view(), name="import_resume"),
]
