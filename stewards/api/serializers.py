from rest_framework import serializers

from stewards.models import Steward, StewardAssignment


class StewardSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="user.display_name", read_only=True)
    phone = serializers.CharField(source="user.phone", read_only=True)
    workstation = serializers.CharField(source="user.workstation.name", read_only=True, default=None)

    class Meta:
        model = Steward
        fields = ["id", "name", "phone", "title", "workstation", "is_active"]


class StewardAssignmentSerializer(serializers.ModelSerializer):
    steward_name = serializers.CharField(source="steward.user.display_name", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)

    class Meta:
        model = StewardAssignment
        fields = ["id", "enterprise", "enterprise_name", "steward", "steward_name", "started_at",
                  "ended_at", "end_reason", "end_note"]
