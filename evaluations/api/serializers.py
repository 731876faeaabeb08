from rest_framework import serializers

from evaluations.models import Campaign, DepartmentMonthlyGrade, Rating, ReplacementCase


class CampaignSerializer(serializers.ModelSerializer):
    class Meta:
        model = Campaign
        fields = ["id", "year", "half", "status", "opened_at", "closes_at", "closed_at", "expected_enterprises"]


class CampaignOpenSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2999)
    half = serializers.ChoiceField(choices=Campaign.Half.choices)


class CampaignResultsSerializer(serializers.Serializer):
    expected = serializers.IntegerField()
    rated_enterprises = serializers.IntegerField()
    participation = serializers.FloatField(allow_null=True)
    satisfied = serializers.IntegerField()
    unsatisfied = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    by_workstation = serializers.ListField(child=serializers.DictField())
    by_steward = serializers.ListField(child=serializers.DictField())


class RatingSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    steward_name = serializers.CharField(source="steward.name", read_only=True)

    class Meta:
        model = Rating
        fields = ["id", "campaign", "enterprise", "enterprise_name", "steward", "steward_name", "steward_role",
                  "value", "reason", "created_at", "updated_at"]
        read_only_fields = fields


class RatingCreateSerializer(serializers.Serializer):
    """An enterprise user rates one of its stewards: satisfied or unsatisfied, nothing else."""

    campaign = serializers.IntegerField()
    steward = serializers.IntegerField()
    value = serializers.ChoiceField(choices=Rating.Value.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class RatingChangeSerializer(serializers.Serializer):
    value = serializers.ChoiceField(choices=Rating.Value.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ReplacementCaseSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    steward_name = serializers.CharField(source="steward.name", read_only=True)
    new_steward_name = serializers.CharField(source="new_steward.name", read_only=True, allow_null=True, default=None)
    campaign_label = serializers.CharField(source="campaign.label", read_only=True)

    class Meta:
        model = ReplacementCase
        fields = ["id", "campaign", "campaign_label", "enterprise", "enterprise_name", "steward", "steward_name",
                  "workstation", "status", "opened_at", "due_at", "overdue_at", "new_steward", "new_steward_name",
                  "replaced_at", "lack_of_effort", "review_reason", "reviewed_at"]
        read_only_fields = fields


class CaseNameSerializer(serializers.Serializer):
    steward = serializers.IntegerField()


class CaseOverrideSerializer(serializers.Serializer):
    steward = serializers.IntegerField()
    reason = serializers.CharField()


class CaseReviewSerializer(serializers.Serializer):
    lack_of_effort = serializers.BooleanField()
    reason = serializers.CharField()


class AppraisalSerializer(serializers.Serializer):
    steward = serializers.IntegerField(source="steward.pk")
    name = serializers.CharField()
    workstation = serializers.CharField()
    year = serializers.IntegerField()
    h1_satisfied = serializers.IntegerField()
    h1_unsatisfied = serializers.IntegerField()
    h2_satisfied = serializers.IntegerField()
    h2_unsatisfied = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    requests_handled = serializers.IntegerField()
    accepted = serializers.IntegerField()
    accepted_on_time = serializers.IntegerField()
    escalations_due = serializers.IntegerField()
    escalations_on_time = serializers.IntegerField()
    visits = serializers.IntegerField()
    visit_months_required = serializers.IntegerField()
    visit_months_met = serializers.IntegerField()
    replacements = serializers.IntegerField()
    findings = serializers.IntegerField()
    eligible = serializers.BooleanField()


class GradeSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = DepartmentMonthlyGrade
        fields = ["id", "department", "department_name", "month", "score", "grade", "escalations_due",
                  "replied_on_time", "overdue", "returned", "nodes_on_time", "nodes_late", "nodes_open",
                  "nodes_claimed", "computed_at"]
        read_only_fields = fields


class GradeDetailSerializer(GradeSerializer):
    late_escalations = serializers.SerializerMethodField()
    overdue_escalations = serializers.SerializerMethodField()
    returned_escalations = serializers.SerializerMethodField()

    class Meta(GradeSerializer.Meta):
        fields = [*GradeSerializer.Meta.fields, "late_escalations", "overdue_escalations", "returned_escalations"]
        read_only_fields = fields

    def get_late_escalations(self, obj) -> list[int]:
        return list(obj.detail.get("late", []))

    def get_overdue_escalations(self, obj) -> list[int]:
        return list(obj.detail.get("overdue", []))

    def get_returned_escalations(self, obj) -> list[int]:
        return list(obj.detail.get("returned", []))
