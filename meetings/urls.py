from django.urls import path

from meetings import views

app_name = "meetings"
urlpatterns = [
    path("", views.MeetingListView.as_view(), name="list"),
    path("new/", views.meeting_create, name="create"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/convene/", views.meeting_convene, name="convene"),
    path("<int:pk>/cancel/", views.meeting_cancel, name="cancel"),
    path("<int:pk>/answer/", views.invitation_answer, name="answer"),
    path("<int:pk>/minutes/", views.meeting_minutes, name="minutes"),
    path("<int:pk>/notice.docx", views.notice_docx, name="notice_docx"),
    path("<int:pk>/notice/print/", views.notice_print, name="notice_print"),
    path("<int:pk>/minutes.docx", views.minutes_docx, name="minutes_docx"),
    path("<int:pk>/minutes/print/", views.minutes_print, name="minutes_print"),
    path("decisions/", views.DecisionListView.as_view(), name="decision_list"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision_detail"),
    path("decisions/<int:pk>/close/", views.decision_close, name="decision_close"),
    path("decisions/<int:pk>/evidence/", views.decision_evidence, name="decision_evidence"),
    path("decisions/<int:pk>/supervise/", views.decision_supervise, name="decision_supervise"),
    path("escalations/<int:pk>/supervise/", views.escalation_supervise, name="escalation_supervise"),
    path("supervision/", views.NoticeListView.as_view(), name="notice_list"),
    path("supervision/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("supervision/<int:pk>/notice.docx", views.supervision_docx, name="supervision_docx"),
    path("supervision/<int:pk>/print/", views.supervision_print, name="supervision_print"),
    path("flags/", views.FlagListView.as_view(), name="flag_list"),
    path("flags/new/", views.flag_create, name="flag_create"),
]
