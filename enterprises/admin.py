from django.contrib import admin

from enterprises.models import (
    Enterprise,
    EnterpriseContact,
    EnterpriseIndicator,
    EnterpriseTag,
    ImportBatch,
    IndustryChain,
    Park,
)
from zonehub.admin_base import AuditedModelAdmin


class ContactInline(admin.TabularInline):
    model = EnterpriseContact
    extra = 0


class IndicatorInline(admin.TabularInline):
    model = EnterpriseIndicator
    extra = 0


@admin.register(Enterprise)
class EnterpriseAdmin(AuditedModelAdmin):
    list_display = ["name", "credit_code", "industry", "park", "workstation", "above_designated_size", "is_active"]
    list_filter = ["industry", "park", "workstation", "above_designated_size", "ownership", "tags", "is_active"]
    search_fields = ["name", "credit_code"]
    filter_horizontal = ["tags"]
    inlines = [ContactInline, IndicatorInline]


@admin.register(EnterpriseIndicator)
class EnterpriseIndicatorAdmin(AuditedModelAdmin):
    list_display = ["enterprise", "year", "revenue", "output", "tax", "employees"]
    list_filter = ["year"]
    search_fields = ["enterprise__name"]
    autocomplete_fields = ["enterprise"]


for model in (IndustryChain, Park, EnterpriseTag):
    admin.site.register(model, AuditedModelAdmin, search_fields=["name"])


@admin.register(ImportBatch)
class ImportBatchAdmin(AuditedModelAdmin):
    """Read-only: imports are made and confirmed on the import page, through the services. A
    deletion is an event (AuditedModelAdmin)."""

    list_display = ["created_at", "file_name", "kind", "status", "total", "created_count", "updated_count",
                    "unchanged_count", "created_by"]
    list_filter = ["kind", "status"]
    search_fields = ["file_name"]
    # An upload has no public address (MEDIA_URL is None), so the read-only page cannot link the
    # workbook itself: it showed a server error. Its name is file_name.
    exclude = ["file"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
