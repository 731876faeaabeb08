from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from projects import services
from projects.models import (
    Approval,
    ConstructionNode,
    CoordinationNote,
    FiveKeyItem,
    FiveKeyNode,
    Project,
    ProjectStageChange,
    ProjectStewardAssignment,
    UnitMonthlyScore,
)
from zonehub.admin_base import AuditedModelAdmin


class ApprovalInline(admin.TabularInline):
    model = Approval
    extra = 0


class ConstructionNodeInline(admin.TabularInline):
    model = ConstructionNode
    extra = 0


@admin.register(Project)
class ProjectAdmin(AuditedModelAdmin):
    list_display = ["name", "stage", "industry", "investor", "total_investment", "signed_on"]
    list_filter = ["stage", "industry"]
    search_fields = ["name", "investor__name"]
    autocomplete_fields = ["investor"]
    # The stage moves through projects.services.project_stage_change, which keeps its history.
    readonly_fields = ["stage", "signed_on", "land_granted_on", "started_on", "completed_on", "production_on"]
    inlines = [ApprovalInline, ConstructionNodeInline]


@admin.register(ProjectStageChange)
class ProjectStageChangeAdmin(AuditedModelAdmin):
    list_display = ["project", "from_stage", "to_stage", "changed_on", "changed_by"]
    list_filter = ["to_stage"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProjectStewardAssignment)
class ProjectStewardAssignmentAdmin(AuditedModelAdmin):
    list_display = ["project", "steward", "started_at", "ended_at"]
    autocomplete_fields = ["steward"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Approval)
class ApprovalAdmin(AuditedModelAdmin):
    list_display = ["project", "kind", "department", "status", "due_on", "approved_on"]
    list_filter = ["kind", "status", "department"]
    search_fields = ["project__name"]


class RecountAfterDeleteMixin:
    """After rows are deleted, ``recount`` the values of ``recount_field`` they held (the years or
    the items whose stored progress they counted in), as the services do after their own changes."""

    recount_field = ""

    def recount(self, values) -> None:
        raise NotImplementedError

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self.recount({getattr(obj, self.recount_field)})

    def delete_queryset(self, request, queryset):
        values = set(queryset.values_list(self.recount_field, flat=True))
        super().delete_queryset(request, queryset)
        self.recount(values)


class FiveKeyNodeInline(admin.TabularInline):
    model = FiveKeyNode
    extra = 0
    readonly_fields = ["completed_on", "evidence", "completed_by"]


@admin.register(FiveKeyItem)
class FiveKeyItemAdmin(RecountAfterDeleteMixin, AuditedModelAdmin):
    list_display = ["title", "year", "category", "lead_leader", "responsible_unit", "claim", "lagging_since"]
    list_filter = ["year", "category", "responsible_unit", "claim"]
    search_fields = ["title", "goal"]
    filter_horizontal = ["cooperating_units"]
    readonly_fields = ["claim", "claim_unit", "claimed_at", "claim_confirmed_on", "lagging_since",
                       "progress_status", "progress_late_days", "progress_late_node", "progress_done",
                       "progress_total", "progress_on"]
    inlines = [FiveKeyNodeInline]
    actions = ["confirm_claims"]
    recount_field = "year"

    def save_model(self, request, obj, form, change):
        before = FiveKeyItem.objects.filter(pk=obj.pk).values_list("year", "category").first() if change else None
        super().save_model(request, obj, form, change)
        if before is not None and before != (obj.year, obj.category):
            # Counted under another year or category now: both years are counted again.
            services.fivekey_progress_days_clear([before[0], obj.year])

    def recount(self, years) -> None:
        services.fivekey_progress_days_clear(years)

    def save_related(self, request, form, formsets, change):
        # The nodes edited inline change the item's progress: store it as the services do.
        super().save_related(request, form, formsets, change)
        services.fivekey_items_progress_store([form.instance.pk])

    @admin.action(description=_("Confirm the pending claims"))
    def confirm_claims(self, request, queryset):
        done = 0
        for item in queryset.filter(claim=FiveKeyItem.Claim.PENDING):
            services.fivekey_claim_decide(item=item, actor=request.user, confirm=True)
            done += 1
        messages.success(request, _("%(n)s claims confirmed.") % {"n": done})


@admin.register(FiveKeyNode)
class FiveKeyNodeAdmin(RecountAfterDeleteMixin, AuditedModelAdmin):
    list_display = ["name", "item", "planned_date", "completed_on", "completed_by"]
    list_filter = ["item__year", "item__category"]
    search_fields = ["name", "item__title"]
    readonly_fields = ["completed_on", "evidence", "completed_by"]
    recount_field = "item_id"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.fivekey_items_progress_store([obj.item_id])

    def recount(self, item_ids) -> None:
        services.fivekey_items_progress_store(item_ids)


@admin.register(CoordinationNote)
class CoordinationNoteAdmin(AuditedModelAdmin):
    list_display = ["item", "author", "created_at"]


@admin.register(UnitMonthlyScore)
class UnitMonthlyScoreAdmin(AuditedModelAdmin):
    list_display = ["department", "year", "month", "score", "on_time", "late", "open", "claimed"]
    list_filter = ["year", "month"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
