from django.contrib import admin

from meetings.models import Decision, Meeting, SupervisionNotice
from zonehub.admin_base import AuditedModelAdmin


class _ReadOnly(AuditedModelAdmin):
    """Read-only: meetings, decisions and chase-ups are made and changed on their pages
    (meetings.services), which number them, keep their clocks and tell who must hear."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(_ReadOnly):
    list_display = ["title", "kind", "status", "starts_at", "notice_number", "minutes_number", "workstation"]
    list_filter = ["kind", "status"]
    search_fields = ["title"]


@admin.register(Decision)
class DecisionAdmin(_ReadOnly):
    list_display = ["text", "department", "steward", "due_at", "status", "overdue_at", "closed_on_time"]
    list_filter = ["status", "department"]
    search_fields = ["text"]
    exclude = ["evidence_file"]  # no public address (MEDIA_URL is None): the decision's page serves it


@admin.register(SupervisionNotice)
class SupervisionNoticeAdmin(_ReadOnly):
    list_display = ["year", "number", "department", "sequence", "issued_at", "leaders_told"]
    list_filter = ["year", "department"]
