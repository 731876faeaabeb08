from django.contrib import admin

from enterprises.models import Enterprise, EnterpriseContact, EnterpriseIndicator, EnterpriseTag, IndustryChain, Park
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
