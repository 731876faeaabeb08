from django.contrib import admin

from supply.models import ChainLink, MatchCase, Product, SupplyContract, SupplyNeed, SupplyOffer
from zonehub.admin_base import AuditedModelAdmin


class ProductInline(admin.TabularInline):
    model = Product
    extra = 0


@admin.register(ChainLink)
class ChainLinkAdmin(AuditedModelAdmin):
    """The chain map's links and their products: their words may be corrected here; new links and
    products are added on the chain page (supply.services), which records who did it."""

    list_display = ["chain", "position", "name", "unit", "target"]
    list_filter = ["chain"]
    search_fields = ["name"]
    readonly_fields = ["target", "target_set_at", "created_at"]
    inlines = [ProductInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class _ReadOnly(AuditedModelAdmin):
    """Read-only: every change goes through the pages' services, which record it and tell whom it
    concerns."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SupplyOffer)
class SupplyOfferAdmin(_ReadOnly):
    list_display = ["enterprise", "product", "yearly_capacity", "is_active", "created_at"]
    list_filter = ["is_active", "link__chain"]
    search_fields = ["enterprise__name", "product__name"]


@admin.register(SupplyNeed)
class SupplyNeedAdmin(_ReadOnly):
    list_display = ["enterprise", "product", "yearly_volume", "current_source", "is_active", "created_at"]
    list_filter = ["is_active", "current_source", "link__chain"]
    search_fields = ["enterprise__name", "product__name"]


@admin.register(MatchCase)
class MatchCaseAdmin(_ReadOnly):
    list_display = ["pk", "product", "supplier", "buyer", "stage", "broker", "opened_at"]
    list_filter = ["stage", "chain"]
    search_fields = ["buyer__name", "supplier__name", "product__name"]


@admin.register(SupplyContract)
class SupplyContractAdmin(_ReadOnly):
    list_display = ["number", "product", "supplier", "buyer", "quantity", "delivered", "fee_rate", "signed_on"]
    search_fields = ["number", "buyer__name", "supplier__name"]
