"""Admin pages record their changes in the same event history as the pages' changes."""

from django.contrib import admin

from zonehub.events import CoreEvent, record_event


class AuditedModelAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        record_event(
            obj, actor=request.user, kind=CoreEvent.ADMIN_CHANGED if change else CoreEvent.ADMIN_ADDED,
            data={"fields": sorted(form.changed_data)} if change else {},
        )

    def delete_model(self, request, obj):
        record_event(obj, actor=request.user, kind=CoreEvent.ADMIN_DELETED, data={"repr": str(obj)[:200]})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            record_event(obj, actor=request.user, kind=CoreEvent.ADMIN_DELETED, data={"repr": str(obj)[:200]})
        super().delete_queryset(request, queryset)
