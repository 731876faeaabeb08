from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evaluations import services
from evaluations.models import Campaign, DepartmentMonthlyGrade, GradePolicy, Rating, ReplacementCase
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
