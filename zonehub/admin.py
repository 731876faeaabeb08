"""The core's admin pages, and the separation of duties (三员分立) in the admin.

- the system administrator (role ``admin``, and every superuser) runs the system: calendar,
  departments, workstations, notifications, and users' person and unit; it neither grants roles
  (role, superuser, staff, active, groups, permissions) nor reads or touches the audit trail;
- the security administrator (``security_admin``, a staff account) adds, changes and deletes
  users, grants roles and groups, sets passwords, and lifts login lockouts;
- the audit administrator (``audit_admin``) reads the events and the login records on the audit
  pages (zonehub/audit_views.py), read-only here too if given staff status.

Events and django-axes' records are deleted by no one, from no page.
"""

from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.admin import AccessFailureLogAdmin as AxesAccessFailureLogAdmin
from axes.admin import AccessLogAdmin as AxesAccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from zonehub import audit, delivery, services
from zonehub.admin_base import AuditedModelAdmin, RoleAdmin
from zonehub.calendar_notice_admin import CalendarNoticeAdminMixin
from zonehub.events import CoreEvent, record_event
from zonehub.models import CalendarDay, CalendarYear, Department, Event, Notification, Role, User, Workstation
from zonehub.models.channels import DepartmentRobot, NotificationDelivery

admin.site.site_header = _("ZoneHub administration")
admin.site.site_title = _("ZoneHub")

SYSTEM_ADMIN = (Role.ADMIN,)
SECURITY_ADMIN = (Role.SECURITY_ADMIN,)
AUDIT_ADMIN = (Role.AUDIT_ADMIN,)

# What grants a role: only the security administrator changes these, and never on their own account.
PRIVILEGE_FIELDS = ("role", "is_superuser", "is_staff", "is_active", "groups", "user_permissions")


def _plain(value):
    """A form value as the event keeps it (JSON): groups and permissions by name."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    try:
        return sorted(str(item) for item in value)
    except TypeError:
        return str(value)


def _reregister(model, admin_class):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, admin_class)


@admin.register(User)
class UserAdmin(RoleAdmin, BaseUserAdmin):
    view_roles = SYSTEM_ADMIN
    change_roles = SYSTEM_ADMIN + SECURITY_ADMIN
    add_roles = SECURITY_ADMIN
    delete_roles = SECURITY_ADMIN

    list_display = ["username", "name", "role", "enterprise", "department", "workstation", "is_active"]
    list_filter = ["role", "is_active", "is_staff", "is_superuser", "department", "workstation"]
    search_fields = ["username", "name", "phone", "email"]
    autocomplete_fields = ["enterprise", "department", "workstation"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("name", "phone", "email")}),
        (_("Role and unit"), {"fields": ("role", "enterprise", "department", "is_department_head", "workstation")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined", "password_changed_at", "password_set_by")}),
    )
    # Facts, not settings: nobody edits when someone last signed in or changed their password.
    readonly_fields = ("last_login", "date_joined", "password_changed_at", "password_set_by")
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "name", "phone", "role", "enterprise",
                                                  "department", "workstation", "password1", "password2")}),
    )

    def grants_roles(self, request, obj=None) -> bool:
        """The security administrator, on anyone's account but their own."""
        return self.role_of(request) == Role.SECURITY_ADMIN and (obj is None or obj.pk != request.user.pk)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and not self.grants_roles(request, obj):
            fields += [name for name in PRIVILEGE_FIELDS if name not in fields]
        return fields

    def save_model(self, request, obj, form, change):
        if change and not self.grants_roles(request, obj):
            # The fields are read-only on the form; this is the same rule for a hand-made POST.
            for name in PRIVILEGE_FIELDS:
                if name in form.changed_data:
                    raise PermissionDenied
        super().save_model(request, obj, form, change)
        changed = {name: [_plain(form.initial.get(name)), _plain(form.cleaned_data.get(name))]
                   for name in PRIVILEGE_FIELDS if name in form.changed_data}
        if changed:
            old_role, new_role = changed.get("role", [obj.role, obj.role])
            record_event(obj, actor=request.user, kind=CoreEvent.USER_PRIVILEGES_CHANGED,
                         from_state=old_role or "", to_state=new_role or "", data=changed)

    def audit_data(self, obj) -> dict:
        return {"repr": str(obj)[:200], "username": obj.username, "role": obj.role,
                "is_superuser": obj.is_superuser, "is_staff": obj.is_staff}

    def user_change_password(self, request, id, form_url=""):
        """Setting someone's password is the security administrator's (the user is then asked to
        change it at the next login); it is an event."""
        if self.role_of(request) != Role.SECURITY_ADMIN:
            raise PermissionDenied
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, unquote(id))
            record_event(user, actor=request.user, kind=CoreEvent.USER_PASSWORD_SET)
        return response


class GroupAdmin(RoleAdmin, BaseGroupAdmin):
    """Groups carry permissions: granting them is the security administrator's."""

    view_roles = change_roles = add_roles = delete_roles = SECURITY_ADMIN


_reregister(Group, GroupAdmin)


class DepartmentRobotForm(forms.ModelForm):
    class Meta:
        model = DepartmentRobot
        fields = ["provider", "token", "secret", "is_active"]
        widgets = {"token": forms.TextInput(attrs={"size": 80}), "secret": forms.PasswordInput(render_value=True)}


class DepartmentRobotInline(admin.StackedInline):
    """The department's group chat robot (issue 20): every notice to its users is posted there once."""

    model = DepartmentRobot
    form = DepartmentRobotForm
    extra = 0
    max_num = 1


@admin.register(Department)
class DepartmentAdmin(AuditedModelAdmin):
    list_display = ["name", "short_name", "kind", "phone", "is_active", "group_robot"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["chat_robot"]
    search_fields = ["name", "short_name"]
    inlines = [DepartmentRobotInline]
    actions = ["robot_test"]

    @admin.display(description=_("group robot"))
    def group_robot(self, obj):
        robot = getattr(obj, "chat_robot", None)
        if robot is None:
            return "—"
        return robot.get_provider_display() if robot.is_active else _("%(provider)s (off)") % {
            "provider": robot.get_provider_display()}

    @admin.action(description=_("Send a test message to the group chat"))
    def robot_test(self, request, queryset):
        for department in queryset.select_related("chat_robot"):
            ok, answer = delivery.robot_test_send(department=department)
            messages.add_message(request, messages.SUCCESS if ok else messages.ERROR,
                                 _("%(department)s: %(answer)s") % {"department": department, "answer": answer})


@admin.register(Workstation)
class WorkstationAdmin(AuditedModelAdmin):
    list_display = ["name", "area", "phone"]
    search_fields = ["name"]


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 1
    ordering = ["date"]


@admin.register(CalendarYear)
class CalendarYearAdmin(CalendarNoticeAdminMixin, AuditedModelAdmin):
    """The working-day calendar moves every deadline: every addition, change and deletion of a
    year or of its days is an event (AuditedModelAdmin), and an edit recomputes the deadlines. A
    year is imported from the State Council's notice on a page of its own (CalendarNoticeAdminMixin)."""

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


class NotificationDeliveryInline(admin.TabularInline):
    """Each channel's delivery, as it went: facts, not settings."""

    model = NotificationDelivery
    extra = 0
    can_delete = False
    fields = ["channel", "address", "status", "attempts", "next_attempt_at", "sent_at", "answer", "last_error"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(AuditedModelAdmin):
    list_display = ["created_at", "recipient", "kind", "title", "read_at", "delivery"]
    list_filter = ["kind", "delivery"]
    search_fields = ["title", "recipient__username", "recipient__name"]
    raw_id_fields = ["recipient"]
    inlines = [NotificationDeliveryInline]


# --- The audit trail: read by the audit administrator, deleted by no one ----------------------


@admin.register(Event)
class EventAdmin(RoleAdmin):
    """The history is append-only: nobody adds, edits or deletes it, not even a superuser. The
    audit pages (/audit/) are where it is read; here only the audit administrator may look."""

    view_roles = AUDIT_ADMIN
    list_display = ["created_at", "actor", "kind", "subject_type", "subject_id", "from_state", "to_state"]
    list_filter = ["kind", "subject_type"]
    list_select_related = ["actor", "subject_type"]
    search_fields = ["kind", "note"]
    date_hierarchy = "created_at"


class _LoginRecordAdmin(RoleAdmin):
    """django-axes' login records: read by the security and the audit administrators, changed and
    deleted by no one (a purge by age only, zonehub.audit.login_records_purge)."""

    view_roles = SECURITY_ADMIN + AUDIT_ADMIN


class AccessLogAdmin(_LoginRecordAdmin, AxesAccessLogAdmin):
    actions = None


class AccessFailureLogAdmin(_LoginRecordAdmin, AxesAccessFailureLogAdmin):
    actions = None


class AccessAttemptAdmin(_LoginRecordAdmin, AxesAccessAttemptAdmin):
    """The lockouts: a username+address pair at the failure limit cannot sign in until the
    cool-off ends or the security administrator lifts it (an event); the refused sign-ins stay in
    the failure log."""

    actions = ["lift_lockout"]

    def has_lift_permission(self, request) -> bool:
        return self.role_of(request) == Role.SECURITY_ADMIN

    # axes names these two columns by their method names, in English ("Status", "Expiration").
    @admin.display(description=_("status"))
    def status(self, obj):
        if obj.failures_since_start >= settings.AXES_FAILURE_LIMIT:
            return _("Locked Out")
        return _("%(n)s attempts left") % {"n": settings.AXES_FAILURE_LIMIT - obj.failures_since_start}

    @admin.display(description=_("Expires At"))
    def expiration(self, obj):
        return super().expiration(obj)

    @admin.action(description=_("Lift the lockout (let them sign in again)"), permissions=["lift"])
    def lift_lockout(self, request, queryset):
        count = audit.login_lockout_lift(attempts=list(queryset), actor=request.user)
        messages.success(request, _("%(n)s lockout(s) lifted.") % {"n": count})


_reregister(AccessLog, AccessLogAdmin)
_reregister(AccessFailureLog, AccessFailureLogAdmin)
_reregister(AccessAttempt, AccessAttemptAdmin)
