from rest_framework import serializers

from enterprises.models import Enterprise


class EnterpriseSerializer(serializers.ModelSerializer):
    industry = serializers.StringRelatedField()
    park = serializers.StringRelatedField()
    workstation = serializers.StringRelatedField()
    steward_name = serializers.CharField(read_only=True, allow_null=True)
    steward_phone = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = Enterprise
        fields = [
            "id", "name", "credit_code", "industry", "park", "workstation", "above_designated_size",
            "ownership", "address", "legal_representative", "contact_name", "contact_phone", "is_active",
            "steward_name", "steward_phone",
        ]
