from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from zonehub import services
from zonehub.admin_base import AuditedModelAdmin
from zonehub.models import CalendarDay, CalendarYear, Department, Event, Notification, User, Workstation

admin.site.site_header = _("ZoneHub administration")
admin.site.site_title = _("ZoneHub")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "name", "role", "enterprise", "department", "workstation", "is_active"]
    list_filter = ["role", "is_active", "department", "workstation"]
    search_fields = ["username", "name", "phone", "email"]
    autocomplete_fields = ["enterprise", "department", "workstation"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("name", "phone", "email")}),
        (_("Role and unit"), {"fields": ("role", "enterprise", "department", "is_department_head", "workstation")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "name", "phone", "role", "enterprise",
                                                  "department", "workstation", "password1", "password2")}),
    )


@admin.register(Department)
class DepartmentAdmin(AuditedModelAdmin):
    list_display = ["name", "short_name", "kind", "phone", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name"]


@admin.register(Workstation)
class WorkstationAdmin(AuditedModelAdmin):
    list_display = ["name", "area", "phone"]
    search_fields = ["name"]


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 1
    ordering = ["date"]


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "provisional", "source", "updated_at"]
    list_filter = ["provisional", "source"]
    inlines = [CalendarDayInline]
    actions = ["publish"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.calendar_year_edited(calendar_year=form.instance, actor=request.user)

    @admin.action(description=_("Mark as published (the official notice has been entered)"))
    def publish(self, request, queryset):
        for calendar_year in queryset:
            services.calendar_year_publish(calendar_year=calendar_year, actor=request.user)
        messages.success(request, _("Deadlines on these years will be computed again."))


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "kind", "subject_type", "subject_id", "from_state", "to_state"]
    list_filter = ["kind", "subject_type"]
    search_fields = ["kind", "note"]
    date_hierarchy = "created_at"

    # The history is append-only: nobody edits or deletes it, not even in the admin.
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "title", "read_at", "delivery"]
    list_filter = ["kind", "delivery"]
    search_fields = ["title", "recipient__username", "recipient__name"]
    raw_id_fields = ["recipient"]
