from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from stewards.models import (
    Escalation,
    EscalationProgress,
    LedgerItem,
    RequestAttachment,
    RequestComment,
    ServiceRequest,
    Steward,
    StewardAssignment,
    Visit,
)
from zonehub.admin_base import AuditedModelAdmin


class StewardAdminForm(forms.ModelForm):
    class Meta:
        model = Steward
        fields = ["user", "title", "workstation", "is_active"]

    def clean(self):
        # Issue 16: a user of a workstation serves in it; anyone else (a leader, a department user)
        # is given the workstation it serves in.
        cleaned = super().clean()
        user, workstation = cleaned.get("user"), cleaned.get("workstation")
        if user is not None and user.workstation_id and workstation is not None and workstation.pk != user.workstation_id:
            self.add_error("workstation", _("%(name)s belongs to %(workstation)s and serves there.") % {
                "name": user.display_name, "workstation": user.workstation.name})
        if user is not None and not user.workstation_id and workstation is None:
            self.add_error("workstation", _("Choose the workstation in which %(name)s will serve.") % {
                "name": user.display_name})
        return cleaned


@admin.register(Steward)
class StewardAdmin(AuditedModelAdmin):
    form = StewardAdminForm
    list_display = ["__str__", "title", "workstation", "is_active"]
    list_filter = ["is_active", "workstation"]
    search_fields = ["user__name", "user__phone", "user__username"]
    autocomplete_fields = ["user", "workstation"]
    list_select_related = ["user", "workstation"]


class StewardAssignmentAdminForm(forms.ModelForm):
    class Meta:
        model = StewardAssignment
        fields = ["enterprise", "steward", "started_at", "ended_at", "end_reason", "end_note", "assigned_by"]

    def clean(self):
        cleaned = super().clean()
        enterprise, steward = cleaned.get("enterprise"), cleaned.get("steward")
        if self.instance.pk is None and enterprise and steward and cleaned.get("ended_at") is None:
            from stewards.services import steward_assignment_check

            try:
                steward_assignment_check(enterprise=enterprise, steward=steward, on=cleaned.get("started_at"))
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned


@admin.register(StewardAssignment)
class StewardAssignmentAdmin(AuditedModelAdmin):
    form = StewardAssignmentAdminForm
    list_display = ["enterprise", "steward", "started_at", "ended_at", "end_reason"]
    list_filter = ["end_reason"]
    search_fields = ["enterprise__name", "steward__user__name"]
    autocomplete_fields = ["enterprise", "steward"]
    # History is never deleted: an assignment is ended, not removed.

    def has_delete_permission(self, request, obj=None):
        return False


# --- requests, escalations, visits, ledger ---------------------------------------------------
# Read-mostly: every state change goes through stewards.services (the pages or the API), so
# the admin shows the rows and their history but neither edits workflow fields nor deletes.


class _ReadOnlyWorkflowAdmin(AuditedModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RequestAttachmentInline(admin.TabularInline):
    model = RequestAttachment
    extra = 0
    fields = ["original_name", "size", "content_type", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    can_delete = False


class EscalationInline(admin.TabularInline):
    model = Escalation
    extra = 0
    fields = ["department", "status", "sent_at", "due_at", "overdue_at", "replied_at", "answered_on_time"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True


@admin.register(ServiceRequest)
class ServiceRequestAdmin(_ReadOnlyWorkflowAdmin):
    list_display = ["__str__", "enterprise", "category", "channel", "status", "steward", "created_at"]
    list_filter = ["status", "category", "channel", "urgency", "close_reason"]
    search_fields = ["title", "enterprise__name"]
    date_hierarchy = "created_at"
    list_select_related = ["enterprise", "steward__user"]
    inlines = [EscalationInline, RequestAttachmentInline]


@admin.register(Escalation)
class EscalationAdmin(_ReadOnlyWorkflowAdmin):
    list_display = ["__str__", "department", "status", "sent_at", "due_at", "overdue_at", "answered_on_time"]
    list_filter = ["status", "needs_consultation", "department", ("overdue_at", admin.EmptyFieldListFilter)]
    search_fields = ["request__title", "request__enterprise__name", "department__name"]
    date_hierarchy = "sent_at"
    list_select_related = ["request", "department"]


@admin.register(EscalationProgress)
class EscalationProgressAdmin(_ReadOnlyWorkflowAdmin):
    list_display = ["escalation", "reported_at", "on_time"]
    list_select_related = ["escalation__request", "escalation__department"]


@admin.register(RequestComment)
class RequestCommentAdmin(_ReadOnlyWorkflowAdmin):
    list_display = ["request", "author", "created_at"]
    list_select_related = ["request", "author"]


@admin.register(RequestAttachment)
class RequestAttachmentAdmin(_ReadOnlyWorkflowAdmin):
    list_display = ["original_name", "request", "size", "content_type", "uploaded_at"]
    list_select_related = ["request"]
    # An upload has no public address (MEDIA_URL is None: only the checking view serves it), so the
    # read-only page cannot link the file itself: it showed a server error.
    exclude = ["file"]


@admin.register(Visit)
class VisitAdmin(_ReadOnlyWorkflowAdmin):
    list_display = ["enterprise", "steward", "visited_on"]
    list_filter = ["visited_on"]
    search_fields = ["enterprise__name", "steward__user__name"]
    list_select_related = ["enterprise", "steward__user"]


@admin.register(LedgerItem)
class LedgerItemAdmin(_ReadOnlyWorkflowAdmin):
    list_display = ["title", "enterprise", "meeting_date", "status", "department"]
    list_filter = ["status", "department"]
    search_fields = ["title", "enterprise__name"]
    list_select_related = ["enterprise", "department"]
