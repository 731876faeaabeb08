from django.urls import path

from policies import views

app_name = "policies"
urlpatterns = [
    path("", views.PolicyListView.as_view(), name="list"),
    path("new/", views.PolicyCreateView.as_view(), name="create"),
    path("mine/", views.my_policies, name="mine"),
    path("figures/", views.policy_figures, name="figures"),
    path("import/", views.PolicyImportView.as_view(), name="import"),
    path("pushes/", views.PushListView.as_view(), name="push_list"),
    path("pushes/<int:pk>/apply/", views.push_apply, name="push_apply"),
    path("pushes/<int:pk>/decline/", views.push_decline, name="push_decline"),
    path("pushes/<int:pk>/outcome/", views.push_outcome, name="push_outcome"),
    path("<int:pk>/", views.policy_detail, name="detail"),
    path("<int:pk>/edit/", views.PolicyEditView.as_view(), name="edit"),
    path("<int:pk>/publish/", views.policy_publish, name="publish"),
    path("<int:pk>/withdraw/", views.policy_withdraw, name="withdraw"),
    path("<int:pk>/matches/", views.policy_matches, name="matches"),
    path("<int:pk>/full-text/", views.policy_full_text, name="full_text"),
]
