from rest_framework import serializers

from meetings.models import AgendaItem, Decision, Invitation, Meeting, SupervisionNotice


class AgendaItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgendaItem
        fields = ["id", "position", "source", "title", "request", "escalation", "project", "discussion"]
        read_only_fields = fields


class InvitationSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = Invitation
        fields = ["id", "department", "department_name", "status", "attendees", "decline_reason", "answered_at",
                  "reminded_at"]
        read_only_fields = fields


class MeetingSerializer(serializers.ModelSerializer):
    notice_code = serializers.CharField(read_only=True)
    minutes_code = serializers.CharField(read_only=True)
    items = serializers.SerializerMethodField()
    invitations = InvitationSerializer(many=True, read_only=True)
    enterprises = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    heads = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = ["id", "kind", "status", "title", "purpose", "starts_at", "place", "on_site", "site_enterprise",
                  "month", "workstation", "convened_by", "convened_at", "notice_code", "minutes_code", "attendees",
                  "summary", "minutes_at", "cancelled_at", "cancel_reason", "items", "invitations", "enterprises",
                  "heads"]
        read_only_fields = fields

    def get_items(self, meeting) -> list[dict]:
        items = meeting.items.all()
        user = self.context["request"].user
        if user.effective_role == "enterprise":  # its own items only (a joint meeting holds others')
            items = [i for i in items if i.request_id and i.request.enterprise_id == user.enterprise_id]
        return AgendaItemSerializer(items, many=True).data


class DecisionSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(read_only=True)
    meeting_title = serializers.CharField(source="meeting.title", read_only=True)

    class Meta:
        model = Decision
        fields = ["id", "meeting", "meeting_title", "item", "position", "text", "department", "steward", "owner_name",
                  "request", "project", "working_days", "created_at", "due_at", "reminded_at", "overdue_at", "status",
                  "closed_at", "closed_on_time", "evidence"]
        read_only_fields = fields


class CloseSerializer(serializers.Serializer):
    evidence = serializers.CharField(max_length=2000)


class SupervisionNoticeSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True, allow_null=True, default=None)

    class Meta:
        model = SupervisionNotice
        fields = ["id", "code", "year", "number", "escalation", "decision", "request", "department", "department_name",
                  "sequence", "reason", "respond_by", "issued_by", "issued_at", "leaders_told"]
        read_only_fields = fields
