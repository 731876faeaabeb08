from django.contrib import admin

from policies.models import Policy, PolicyPush
from zonehub.admin_base import AuditedModelAdmin


@admin.register(Policy)
class PolicyAdmin(AuditedModelAdmin):
    """Policies are created, published and withdrawn on their pages (policies.services), which push
    them and tell the enterprises; here their words may be corrected. A change of conditions here
    reaches new enterprises with the nightly match."""

    list_display = ["title", "document_number", "level", "kind", "status", "opens_on", "closes_on", "department"]
    list_filter = ["status", "level", "kind", "department"]
    search_fields = ["title", "document_number", "issuer"]
    filter_horizontal = ["tags_all", "tags_any", "industries", "parks"]
    readonly_fields = ["status", "created_by", "created_at", "published_at", "published_by", "withdrawn_at",
                       "withdraw_reason", "full_text_name"]
    # The full text has no public address (MEDIA_URL is None): the policy's page serves it.
    exclude = ["full_text"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PolicyPush)
class PolicyPushAdmin(AuditedModelAdmin):
    """Read-only: a push is made once by the services and followed on the pages."""

    list_display = ["policy", "enterprise", "status", "created_at", "viewed_at", "applied_at", "approved_amount"]
    list_filter = ["status", "policy"]
    search_fields = ["enterprise__name", "policy__title"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
