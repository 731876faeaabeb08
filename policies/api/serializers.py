from rest_framework import serializers

from policies.conditions import policy_conditions, reasons_text
from policies.models import Policy, PolicyPush


class ConditionSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="tag, tags_any, industry, park, ownership, size, years, min_revenue, "
                                           "max_revenue, min_output, min_tax, min_employees, max_employees")
    params = serializers.DictField()
    label = serializers.CharField()


class PolicySerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True, allow_null=True, default=None)
    tags_all = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    tags_any = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    industries = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    parks = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    conditions = serializers.SerializerMethodField()

    class Meta:
        model = Policy
        fields = ["id", "title", "issuer", "document_number", "level", "kind", "summary", "benefit_type",
                  "benefit_amount", "benefit_rate", "benefit_note", "opens_on", "closes_on", "materials", "department",
                  "department_name", "status", "published_at", "withdrawn_at", "withdraw_reason",
                  "tags_all", "tags_any", "industries", "parks", "ownerships", "above_designated_size",
                  "min_years_in_zone", "min_revenue", "max_revenue", "min_output", "min_tax", "min_employees",
                  "max_employees", "conditions"]
        read_only_fields = fields

    @staticmethod
    def _conditions(policy):
        return [{"code": c.code, "params": c.params, "label": c.label} for c in policy_conditions(policy)]

    def get_conditions(self, policy) -> list[dict]:
        return ConditionSerializer(self._conditions(policy), many=True).data


class CheckSerializer(serializers.Serializer):
    label = serializers.CharField()
    met = serializers.BooleanField()


class MatchSerializer(serializers.Serializer):
    """One enterprise against a policy's conditions."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    credit_code = serializers.CharField()
    industry = serializers.CharField(source="industry.name")
    park = serializers.CharField(source="park.name")
    checks = serializers.SerializerMethodField()
    missing = serializers.CharField(help_text="The one condition a near miss fails; empty when it qualifies.")

    def get_checks(self, row) -> list[dict]:
        return CheckSerializer([{"label": label, "met": met} for label, met in row.checks], many=True).data


class MatchPageSerializer(serializers.Serializer):
    """A page of matches, as every list of the API pages (``?page=``, ``?cursor=``)."""

    count = serializers.IntegerField(allow_null=True)
    count_capped = serializers.BooleanField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = MatchSerializer(many=True)


class PolicyPushSerializer(serializers.ModelSerializer):
    policy_title = serializers.CharField(source="policy.title", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    reasons = serializers.SerializerMethodField()

    class Meta:
        model = PolicyPush
        fields = ["id", "policy", "policy_title", "enterprise", "enterprise_name", "status", "reasons", "created_at",
                  "notified_at", "viewed_at", "reminded_at", "declined_at", "decline_reason", "request", "applied_at",
                  "approved_amount", "approved_on", "refuse_reason", "outcome_at"]
        read_only_fields = fields

    def get_reasons(self, push) -> list[str]:
        return reasons_text(push.reasons)


class ApplySerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class OutcomeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[("redeemed", "redeemed"), ("refused", "refused")])
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True, default=None)
    approved_on = serializers.DateField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
