from django.contrib import admin

from stewards.models import Steward, StewardAssignment
from zonehub.admin_base import AuditedModelAdmin


@admin.register(Steward)
class StewardAdmin(AuditedModelAdmin):
    list_display = ["__str__", "title", "is_active"]
    list_filter = ["is_active", "user__workstation"]
    search_fields = ["user__name", "user__phone", "user__username"]
    autocomplete_fields = ["user"]


@admin.register(StewardAssignment)
class StewardAssignmentAdmin(AuditedModelAdmin):
    list_display = ["enterprise", "steward", "started_at", "ended_at", "end_reason"]
    list_filter = ["end_reason"]
    search_fields = ["enterprise__name", "steward__user__name"]
    autocomplete_fields = ["enterprise", "steward"]
    # History is never deleted: an assignment is ended, not removed.

    def has_delete_permission(self, request, obj=None):
        return False
