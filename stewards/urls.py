from django.urls import path

from stewards import serving_views, views

app_name = "stewards"
urlpatterns = [
    path("", views.RequestListView.as_view(), name="request_list"),
    path("new/", views.RequestCreateView.as_view(), name="request_create"),
    path("log/", views.OnBehalfCreateView.as_view(), name="request_log"),
    path("worklist/", views.WorklistView.as_view(), name="worklist"),
    path("visits/new/", views.VisitCreateView.as_view(), name="visit_create"),
    path("<int:pk>/", views.RequestDetailView.as_view(), name="request_detail"),
    path("<int:pk>/files/<int:file_pk>/", views.AttachmentDownloadView.as_view(), name="attachment"),
    path("<int:pk>/attach/", views.AttachView.as_view(), name="request_attach"),
    path("<int:pk>/accept/", views.AcceptView.as_view(), name="request_accept"),
    path("<int:pk>/comment/", views.CommentView.as_view(), name="request_comment"),
    path("<int:pk>/resolve/", views.ResolveView.as_view(), name="request_resolve"),
    path("<int:pk>/escalate/", views.EscalateView.as_view(), name="request_escalate"),
    path("<int:pk>/report/", views.ReportBackView.as_view(), name="request_report"),
    path("<int:pk>/confirm/", views.ConfirmView.as_view(), name="request_confirm"),
    path("<int:pk>/reopen/", views.ReopenView.as_view(), name="request_reopen"),
    path("inbox/", views.InboxView.as_view(), name="inbox"),
    path("escalations/", views.EscalationListView.as_view(), name="escalation_list"),
    path("escalations/<int:pk>/", views.EscalationDetailView.as_view(), name="escalation_detail"),
    path("escalations/<int:pk>/reply/", views.ReplyView.as_view(), name="escalation_reply"),
    path("escalations/<int:pk>/consult/", views.ConsultView.as_view(), name="escalation_consult"),
    path("escalations/<int:pk>/progress/", views.ProgressView.as_view(), name="escalation_progress"),
    path("escalations/<int:pk>/conclude/", views.ConcludeView.as_view(), name="escalation_conclude"),
    path("escalations/<int:pk>/return/", views.ReturnView.as_view(), name="escalation_return"),
    path("ledger/", views.LedgerView.as_view(), name="ledger"),
    # Issue 16: 一键直达 to the workstation head; the visits page (走访).
    path("<int:pk>/direct-line/", serving_views.DirectLineRaiseView.as_view(), name="direct_line_raise"),
    path("<int:pk>/direct-line/act/", serving_views.DirectLineActView.as_view(), name="direct_line_act"),
    path("visits/", serving_views.VisitsView.as_view(), name="visits"),
    path("ledger/new/", views.LedgerItemCreateView.as_view(), name="ledger_create"),
    path("ledger/<int:pk>/dispatch/", views.DispatchView.as_view(), name="ledger_dispatch"),
    path("ledger/<int:pk>/claim/", views.ClaimView.as_view(), name="ledger_claim"),
]
