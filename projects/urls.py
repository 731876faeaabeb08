from django.urls import path

from projects import views

app_name = "projects"
urlpatterns = [
    path("", views.ProjectListView.as_view(), name="project_list"),
    path("new/", views.ProjectCreateView.as_view(), name="project_create"),
    path("investment/", views.InvestmentView.as_view(), name="investment"),
    # Issue 16: projects without a project steward; a project's blockers escalated like requests.
    path("uncovered/", views.UncoveredProjectListView.as_view(), name="uncovered"),
    path("<int:pk>/blockers/new/", views.BlockerRaiseView.as_view(), name="blocker_raise"),
    path("<int:pk>/", views.ProjectDetailView.as_view(), name="project_detail"),
    path("<int:pk>/edit/", views.ProjectEditView.as_view(), name="project_edit"),
    path("<int:pk>/stage/", views.ProjectStageView.as_view(), name="project_stage"),
    path("<int:pk>/steward/", views.ProjectStewardView.as_view(), name="project_steward"),
    path("<int:pk>/approvals/new/", views.ProjectPartAddView.as_view(part="approval"), name="approval_add"),
    path("<int:pk>/construction-nodes/new/", views.ProjectPartAddView.as_view(part="node"), name="construction_node_add"),
    path("approvals/<int:pk>/", views.ApprovalUpdateView.as_view(), name="approval_update"),
    path("construction-nodes/<int:pk>/done/", views.ConstructionNodeDoneView.as_view(), name="construction_node_done"),
    path("fivekey/", views.BoardView.as_view(), name="board"),
    path("fivekey/print/", views.BoardPrintView.as_view(), name="board_print"),
    path("fivekey/export.xlsx", views.BoardExportView.as_view(), name="board_export"),
    path("fivekey/ranking/", views.RankingView.as_view(), name="ranking"),
    path("fivekey/new/", views.ItemCreateView.as_view(), name="item_create"),
    path("fivekey/<int:pk>/", views.ItemDetailView.as_view(), name="item_detail"),
    path("fivekey/<int:pk>/edit/", views.ItemEditView.as_view(), name="item_edit"),
    path("fivekey/<int:pk>/nodes/new/", views.NodeFormView.as_view(), name="node_add"),
    path("fivekey/nodes/<int:node_pk>/edit/", views.NodeFormView.as_view(), name="node_edit"),
    path("fivekey/nodes/<int:pk>/done/", views.NodeCompleteView.as_view(), name="node_complete"),
    path("fivekey/nodes/<int:node_pk>/evidence/<int:file_pk>/", views.NodeEvidenceDownloadView.as_view(),
         name="node_evidence"),
    path("fivekey/<int:pk>/claim/", views.ItemActionView.as_view(action="claim"), name="item_claim"),
    path("fivekey/<int:pk>/claim/confirm/", views.ItemActionView.as_view(action="confirm"), name="claim_confirm"),
    path("fivekey/<int:pk>/claim/decline/", views.ItemActionView.as_view(action="decline"), name="claim_decline"),
    path("fivekey/<int:pk>/coordinate/", views.ItemActionView.as_view(action="coordinate"), name="item_coordinate"),
]
