from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from projects.models import Approval, Category, FiveKeyItem, FiveKeyNode, Project, ProjectStewardAssignment, Stage
from projects.progress import Status, item_progress
from stewards.models import Steward


class ApprovalSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = Approval
        fields = ["id", "project", "kind", "department", "department_name", "status", "started_on", "due_on",
                  "approved_on", "note"]
        read_only_fields = fields


class ApprovalUpdateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Approval.Status.choices)
    started_on = serializers.DateField(required=False, allow_null=True)
    due_on = serializers.DateField(required=False, allow_null=True)
    approved_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ProjectSerializer(serializers.ModelSerializer):
    industry = serializers.StringRelatedField()
    investor_name = serializers.CharField(source="investor.name", read_only=True, default=None)

    class Meta:
        model = Project
        fields = ["id", "name", "investor", "investor_name", "industry", "total_investment",
                  "planned_investment_this_year", "funds_in_place", "agreed_annual_output", "land_mu", "floor_area",
                  "stage", "signed_on", "land_granted_on", "started_on", "completed_on", "production_on",
                  "planned_start", "planned_completion"]
        read_only_fields = fields


class ProjectStewardAssignSerializer(serializers.Serializer):
    steward = serializers.PrimaryKeyRelatedField(queryset=Steward.objects.active().select_related("user"))
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)


class ProjectStewardAssignmentSerializer(serializers.ModelSerializer):
    steward_name = serializers.CharField(source="steward.name", read_only=True)

    class Meta:
        model = ProjectStewardAssignment
        fields = ["id", "project", "steward", "steward_name", "started_at", "ended_at"]
        read_only_fields = fields


class StageChangeSerializer(serializers.Serializer):
    to_stage = serializers.ChoiceField(choices=Stage.choices)
    on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class FiveKeyNodeSerializer(serializers.ModelSerializer):
    class Meta:
        model = FiveKeyNode
        fields = ["id", "item", "name", "planned_date", "completed_on", "evidence", "completed_by"]
        read_only_fields = fields


class NodeCompleteSerializer(serializers.Serializer):
    completed_on = serializers.DateField()
    evidence = serializers.CharField()


class FiveKeyItemSerializer(serializers.ModelSerializer):
    nodes = FiveKeyNodeSerializer(many=True, read_only=True)
    cooperating_units = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    status = serializers.SerializerMethodField()
    workdays_late = serializers.SerializerMethodField()
    lagging_since = serializers.SerializerMethodField()

    class Meta:
        model = FiveKeyItem
        fields = ["id", "category", "year", "title", "goal", "lead_leader", "responsible_unit", "cooperating_units",
                  "enterprise", "project", "claim", "claim_unit", "lagging_since", "status", "workdays_late", "nodes"]
        read_only_fields = fields

    def _progress(self, item):
        cache = self.context.setdefault("_progress", {})
        if item.pk not in cache:
            cache[item.pk] = item_progress(item.nodes.all(), today=self.context["today"],
                                           calendar=self.context["calendar"])
        return cache[item.pk]

    @extend_schema_field(serializers.ChoiceField(choices=Status.choices))
    def get_status(self, item) -> str:
        """lagging, done_late (a node due by today was completed after its due date), on_schedule or ahead."""
        return self._progress(item).status

    def get_workdays_late(self, item) -> int:
        """Working days late of the node the status names: the latest open one while lagging, the
        one done latest for done_late; 0 otherwise."""
        return self._progress(item).workdays_late

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_lagging_since(self, item):
        """The first day of the current lagging spell (the day after a late node's due date); null
        when not lagging."""
        return self._progress(item).lagging_since


class FiveKeyItemWriteSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=Category.choices)
    year = serializers.IntegerField()
    title = serializers.CharField(max_length=200)
    goal = serializers.CharField(required=False, allow_blank=True, default="")
    lead_leader = serializers.IntegerField()
    responsible_unit = serializers.IntegerField(required=False, allow_null=True, default=None)
    # Bounded: an id beyond 64 bits reached SQLite in "pk IN (...)" and came back as a 500.
    cooperating_units = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
                                              required=False, default=list)

