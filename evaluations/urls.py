from django.urls import path

from evaluations import views

app_name = "evaluations"
urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("open/", views.campaign_open, name="campaign_open"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/close/", views.campaign_close, name="campaign_close"),
    path("campaigns/<int:pk>/reopen/", views.campaign_reopen, name="campaign_reopen"),
    path("campaigns/<int:pk>/export/", views.campaign_export, name="campaign_export"),
    path("campaigns/<int:pk>/rate/<int:steward_pk>/", views.rate, name="rate"),
    path("ratings/", views.RatingListView.as_view(), name="rating_list"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/name/", views.case_name, name="case_name"),
    path("cases/<int:pk>/override/", views.case_override, name="case_override"),
    path("cases/<int:pk>/review/", views.case_review, name="case_review"),
    path("appraisal/", views.appraisal, name="appraisal"),
    path("grades/", views.grade_list, name="grade_list"),
    path("grades/recompute/", views.grade_recompute, name="grade_recompute"),
    path("grades/<int:pk>/", views.grade_detail, name="grade_detail"),
]
