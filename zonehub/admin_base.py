"""Admin pages record their changes in the same event history as the pages' changes.

Every ModelAdmin registered on the site derives from ``AuditedModelAdmin`` (tests/test_audit.py
walks the registry): an addition, a change, a deletion — of the row itself or of a row edited
inline with it — is an event, whoever makes it. ``RoleAdmin`` is for the admin pages of the
separation of duties (三员分立), whose answers come from the user's role rather than from Django's
model permissions, since there a superuser may not do everything: the system administrator does
not grant roles nor touch the audit trail.
"""

from django.contrib import admin

from zonehub.events import CoreEvent, record_event
from zonehub.models import Role


def picking_for_user_form(request) -> bool:
    """The security administrator choosing a user's unit (enterprise, department, workstation)
    in the user form: the admin's autocomplete asks the unit's own ModelAdmin for leave to list
    names, which the security administrator, who sees no unit's pages, would not otherwise get."""
    match = getattr(request, "resolver_match", None)
    user = request.user
    return (
        match is not None and match.url_name == "autocomplete"
        and request.GET.get("app_label") == "zonehub" and request.GET.get("model_name") == "user"
        and user.is_active and user.is_staff and user.effective_role == Role.SECURITY_ADMIN
    )


class AuditedModelAdmin(admin.ModelAdmin):
    def audit_data(self, obj) -> dict:
        """What a deletion event keeps of the row that is gone."""
        return {"repr": str(obj)[:200]}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        record_event(
            obj, actor=request.user, kind=CoreEvent.ADMIN_CHANGED if change else CoreEvent.ADMIN_ADDED,
            data={"fields": sorted(form.changed_data)} if change else {},
        )

    def save_formset(self, request, form, formset, change):
        """Rows edited inline (a calendar year's days, an enterprise's contacts) are changes too,
        each on the timeline of the row they belong to."""
        parent = form.instance
        # Recorded before they go: a deleted row has no id left to name it by.
        for inline_form in formset.deleted_forms:
            obj = inline_form.instance
            if obj.pk is not None:
                record_event(obj, actor=request.user, kind=CoreEvent.ADMIN_DELETED, root=parent,
                             data=self.audit_data(obj))
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            record_event(obj, actor=request.user, kind=CoreEvent.ADMIN_ADDED, root=parent)
        for obj, fields in formset.changed_objects:
            record_event(obj, actor=request.user, kind=CoreEvent.ADMIN_CHANGED, root=parent,
                         data={"fields": sorted(fields)})

    def delete_model(self, request, obj):
        record_event(obj, actor=request.user, kind=CoreEvent.ADMIN_DELETED, data=self.audit_data(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            record_event(obj, actor=request.user, kind=CoreEvent.ADMIN_DELETED, data=self.audit_data(obj))
        super().delete_queryset(request, queryset)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or (obj is None and picking_for_user_form(request))


class RoleAdmin(AuditedModelAdmin):
    """An admin page whose permissions are roles (zonehub.models.Role), not model permissions.

    ``view_roles`` may look, ``change_roles`` may also edit (and look), ``add_roles`` and
    ``delete_roles`` may add and delete; an empty tuple is nobody, superusers included (a
    superuser's role is the system administrator's). Django's "delete selected" action is offered
    only to those who may delete."""

    view_roles: tuple[str, ...] = ()
    change_roles: tuple[str, ...] = ()
    add_roles: tuple[str, ...] = ()
    delete_roles: tuple[str, ...] = ()

    @staticmethod
    def role_of(request) -> str | None:
        user = request.user
        return user.effective_role if user.is_active and user.is_staff else None

    def has_view_permission(self, request, obj=None):
        role = self.role_of(request)
        return role in self.view_roles or role in self.change_roles

    def has_change_permission(self, request, obj=None):
        return self.role_of(request) in self.change_roles

    def has_add_permission(self, request):
        return self.role_of(request) in self.add_roles

    def has_delete_permission(self, request, obj=None):
        return self.role_of(request) in self.delete_roles

    def has_module_permission(self, request):
        return self.has_view_permission(request)
