from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evaluations import services
from evaluations.models import (
    AssessmentPlan,
    Campaign,
    DepartmentMonthlyGrade,
    EnteredIndicator,
    GradePolicy,
    PayCoefficients,
    PayPost,
    Rating,
    ReplacementCase,
    StewardGradePolicy,
    StewardYearGrade,
)
from zonehub.admin_base import AuditedModelAdmin
from zonehub.workdays import local_date


def _report(modeladmin, request, func):
    try:
        func()
    except (ValidationError, PermissionDenied) as exc:
        modeladmin.message_user(request, "; ".join(getattr(exc, "messages", [str(exc)])), messages.ERROR)
        return False
    return True


@admin.action(description=_("Open the campaign of the current half-year"))
def open_current(modeladmin, request, queryset):
    today = local_date(timezone.now())
    if _report(modeladmin, request, lambda: services.campaign_open(
            year=today.year, half=services.half_of(today), actor=request.user)):
        modeladmin.message_user(request, _("The campaign is open."), messages.SUCCESS)


@admin.action(description=_("Close the selected campaigns now"))
def close_selected(modeladmin, request, queryset):
    for campaign in queryset.filter(status=Campaign.Status.OPEN):
        if _report(modeladmin, request, lambda c=campaign: services.campaign_close(campaign=c, actor=request.user)):
            modeladmin.message_user(request, _("%(campaign)s is closed.") % {"campaign": campaign}, messages.SUCCESS)


@admin.register(Campaign)
class CampaignAdmin(AuditedModelAdmin):
    list_display = ["__str__", "status", "opened_at", "closes_at", "closed_at"]
    list_filter = ["status", "half"]
    actions = [open_current, close_selected]
    # Campaigns change state only through the services (opening notifies, closing opens cases).
    readonly_fields = ["year", "half", "status", "opened_at", "opened_by", "closes_at", "closed_at", "closed_by",
                       "expected_enterprises", "close_reason", "reopened_at", "reopen_reason"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        # "Open" needs no selection.
        if request.method == "POST" and request.POST.get("action") == "open_current" \
                and not request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME):
            open_current(self, request, self.get_queryset(request).none())
            from django.shortcuts import redirect

            return redirect(request.get_full_path())
        return super().changelist_view(request, extra_context)


@admin.register(Rating)
class RatingAdmin(AuditedModelAdmin):
    list_display = ["campaign", "enterprise", "steward", "value", "updated_at"]
    list_filter = ["campaign", "value", "steward_role"]
    search_fields = ["enterprise__name", "steward__user__name"]
    readonly_fields = ["campaign", "enterprise", "steward", "steward_role", "value", "reason", "rated_by",
                       "created_at", "updated_at"]

    # What an enterprise said is never edited or removed by anyone else.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReplacementCase)
class ReplacementCaseAdmin(AuditedModelAdmin):
    list_display = ["enterprise", "steward", "campaign", "status", "due_at", "new_steward", "lack_of_effort"]
    list_filter = ["status", "campaign", "lack_of_effort"]
    search_fields = ["enterprise__name", "steward__user__name"]
    readonly_fields = [f.name for f in ReplacementCase._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(GradePolicy)
class GradePolicyAdmin(AuditedModelAdmin):
    list_display = ["__str__", "a_min", "b_min", "c_min", "updated_at"]

    def has_add_permission(self, request):
        return not GradePolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.action(description=_("Compute the selected months again"))
def recompute(modeladmin, request, queryset):
    months = sorted(set(queryset.values_list("month", flat=True)))
    for month in months:
        services.department_grades_compute(month=month)
    modeladmin.message_user(request, _("%(n)s month(s) computed again.") % {"n": len(months)}, messages.SUCCESS)


@admin.register(DepartmentMonthlyGrade)
class DepartmentMonthlyGradeAdmin(AuditedModelAdmin):
    list_display = ["department", "month", "score", "grade", "computed_at"]
    list_filter = ["month", "grade"]
    actions = [recompute]
    readonly_fields = [f.name for f in DepartmentMonthlyGrade._meta.fields]

    def has_add_permission(self, request):
        return False


# --- assessment and pay (issue 19) ---------------------------------------------------------------
# The administrator sets the coefficients, the posts and the stewards' thresholds here, dated. Pay
# sheets, lines and corrections are not in the admin: pay is read by leaders and the assessment
# office only, on their pages.

@admin.register(PayCoefficients)
class PayCoefficientsAdmin(AuditedModelAdmin):
    list_display = ["effective_from", "a", "b", "c", "d", "ungraded", "auxiliary_share", "note"]
    exclude = ["set_by", "created_at"]

    def has_change_permission(self, request, obj=None):
        # A row a sheet has read is history: a new rate is a new dated row.
        return obj is None or not obj.sheets.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            obj.set_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(PayPost)
class PayPostAdmin(AuditedModelAdmin):
    list_display = ["user", "kind", "base", "department", "effective_from", "active"]
    list_filter = ["kind", "department", "active"]
    search_fields = ["user__name", "user__username"]
    autocomplete_fields = ["user"]
    exclude = ["set_by", "created_at"]

    def has_change_permission(self, request, obj=None):
        return obj is None or not obj.lines.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            obj.set_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(StewardGradePolicy)
class StewardGradePolicyAdmin(AuditedModelAdmin):
    list_display = ["__str__", "updated_at"]

    def has_add_permission(self, request):
        return not StewardGradePolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(AuditedModelAdmin):
    """Written by the assessment office's pages (with their events); the admin shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AssessmentPlan)
class AssessmentPlanAdmin(ReadOnlyAdmin):
    list_display = ["year", "department", "version", "effective_from", "created_at"]
    list_filter = ["year", "department"]


@admin.register(EnteredIndicator)
class EnteredIndicatorAdmin(AuditedModelAdmin):
    list_display = ["name", "unit", "direction", "is_active"]
    fields = ["name", "unit", "direction", "description", "is_active"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StewardYearGrade)
class StewardYearGradeAdmin(ReadOnlyAdmin):
    list_display = ["steward", "year", "grade", "eligible", "computed_at"]
    list_filter = ["year", "grade", "eligible"]
