from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from enterprises.models import Enterprise
from stewards import selectors
from stewards.models import (
    Escalation,
    EscalationProgress,
    LedgerItem,
    RequestAttachment,
    RequestComment,
    ServiceRequest,
    Steward,
    StewardAssignment,
    Visit,
)
from stewards.services import DESCRIPTION_MAX_LENGTH, attachment_validate, description_too_long_message
from zonehub.events import EVENT_LABELS
from zonehub.models import Department, Event
from zonehub.workdays import WorkCalendar, workdays_left


class StewardSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="user.display_name", read_only=True)
    phone = serializers.CharField(source="user.phone", read_only=True)
    workstation = serializers.CharField(source="workstation.name", read_only=True, default=None)

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


# --- service requests, escalations, visits, ledger ---------------------------------------------

class AttachmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = RequestAttachment
        fields = ["id", "original_name", "size", "content_type", "uploaded_at"]


class EscalationBriefSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = Escalation
        fields = ["id", "department", "department_name", "status", "sent_at", "due_at", "overdue_at",
                  "needs_consultation", "replied_at", "answered_on_time"]


class ServiceRequestSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    steward_name = serializers.CharField(source="steward.user.display_name", read_only=True, default=None)
    steward_phone = serializers.CharField(source="steward.user.phone", read_only=True, default=None)

    class Meta:
        model = ServiceRequest
        fields = ["id", "enterprise", "enterprise_name", "category", "title", "urgency", "channel", "status",
                  "steward", "steward_name", "steward_phone", "created_at", "accept_due_at", "accepted_at",
                  "reported_at", "auto_close_due_at", "closed_at", "close_reason", "reopen_count"]
        read_only_fields = fields


class ServiceRequestDetailSerializer(ServiceRequestSerializer):
    escalations = EscalationBriefSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta(ServiceRequestSerializer.Meta):
        fields = [*ServiceRequestSerializer.Meta.fields, "description", "report", "resolved_directly",
                  "accept_flagged_at", "visit", "escalations", "attachments"]
        read_only_fields = fields


_lazy_format = lazy(lambda message, **params: str(message) % params, str)


class DescriptionField(serializers.CharField):
    """A description within ``DESCRIPTION_MAX_LENGTH`` characters, refused with the page's message
    (issue 12). A CRLF counts as one character, as on the page; the validator only tells the
    schema the limit (``maxLength``): the value it sees is already within it."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("description"))
        kwargs.setdefault("help_text", _lazy_format(_("At most %(max)s characters; attach longer material as files."),
                                                    max=DESCRIPTION_MAX_LENGTH))
        super().__init__(**kwargs)
        self.validators.append(MaxLengthValidator(DESCRIPTION_MAX_LENGTH))

    def to_internal_value(self, data):
        value = super().to_internal_value(data).replace("\r\n", "\n")
        if len(value) > DESCRIPTION_MAX_LENGTH:
            raise serializers.ValidationError(description_too_long_message(len(value)), code="max_length")
        return value


class ServiceRequestCreateSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=ServiceRequest.Category.choices, label=_("category"))
    title = serializers.CharField(max_length=200, label=_("title"))
    description = DescriptionField()
    urgency = serializers.ChoiceField(choices=ServiceRequest.Urgency.choices, default=ServiceRequest.Urgency.NORMAL,
                                      label=_("urgency"))
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list, label=_("attachments"))

    def validate_files(self, files):
        for f in files:
            try:
                attachment_validate(file=f)
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.messages) from exc
        return files


class RequestLogSerializer(ServiceRequestCreateSerializer):
    enterprise = serializers.PrimaryKeyRelatedField(queryset=Enterprise.objects.all(), label=_("enterprise"))
    # The full choice set keeps one enum in the schema; the service refuses "web form" with a message.
    channel = serializers.ChoiceField(choices=ServiceRequest.Channel.choices, label=_("channel"))


class EmptySerializer(serializers.Serializer):
    pass


class CommentSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.display_name", read_only=True)
    body = serializers.CharField(label=_("message"))

    class Meta:
        model = RequestComment
        fields = ["id", "body", "author_name", "created_at"]
        read_only_fields = ["id", "author_name", "created_at"]


class ReportSerializer(serializers.Serializer):
    report = serializers.CharField(label=_("report to the enterprise"))


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(label=_("reason"))


class AttachFilesSerializer(serializers.Serializer):
    files = serializers.ListField(child=serializers.FileField(), allow_empty=False, label=_("attachments"))

    validate_files = ServiceRequestCreateSerializer.validate_files


class EscalateSerializer(serializers.Serializer):
    departments = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), many=True, allow_empty=True, label=_("departments"))
    reason = serializers.CharField(label=_("reason"))


class EventSerializer(serializers.ModelSerializer):
    label = serializers.SerializerMethodField()
    actor_name = serializers.CharField(source="actor.display_name", read_only=True, default=None)

    class Meta:
        model = Event
        fields = ["id", "kind", "label", "actor_name", "from_state", "to_state", "note", "data", "created_at"]

    def get_label(self, event) -> str:
        return str(EVENT_LABELS.get(event.kind, event.kind))


class EscalationNotesMixin:
    """The working notes of an escalation (``selectors.ESCALATION_NOTES``) are null for who may
    not read them (the enterprise), as the request page leaves them out: one rule for both."""

    note_fields: tuple[str, ...] = ()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and not selectors.escalation_notes_visible(request.user):
            for name in self.note_fields:
                if name in data:
                    data[name] = None
        return data


def _note(label):
    return serializers.CharField(read_only=True, allow_null=True, label=label,
                                 help_text=_("Null for enterprise users: the notes are between the steward and "
                                             "the department."))


class EscalationSerializer(EscalationNotesMixin, serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)
    request_title = serializers.CharField(source="request.title", read_only=True)
    enterprise_name = serializers.CharField(source="request.enterprise.name", read_only=True)
    workdays_left = serializers.SerializerMethodField()
    reason = _note(_("reason"))
    consultation_reason = _note(_("why joint consultation is needed"))
    reply = _note(_("reply"))
    conclusion = _note(_("conclusion"))
    return_reason = _note(_("why it was returned"))
    note_fields = selectors.ESCALATION_NOTES

    class Meta:
        model = Escalation
        fields = ["id", "request", "request_title", "enterprise_name", "department", "department_name", "status",
                  "reason", "sent_at", "due_at", "workdays_left", "reminded_at", "overdue_at", "clock_stopped_at",
                  "answered_on_time", "needs_consultation", "consultation_reason", "consultation_marked_at",
                  "next_progress_due_at", "progress_overdue_count", "concluded_at", "conclusion", "replied_at",
                  "reply", "returned_at", "return_reason"]
        read_only_fields = fields

    def get_workdays_left(self, escalation) -> int | None:
        """Working days left after today: 0 on the last day, negative once late; null once the
        clock has stopped."""
        if escalation.clock_stopped_at is not None:
            return None
        calendar = self.context.setdefault("work_calendar", WorkCalendar())
        return workdays_left(timezone.now(), escalation.due_at, calendar=calendar)


class ReplySerializer(serializers.Serializer):
    reply = serializers.CharField(label=_("reply"))


class ProgressSerializer(EscalationNotesMixin, serializers.ModelSerializer):
    text = serializers.CharField(label=_("progress"))
    note_fields = ("text",)

    class Meta:
        model = EscalationProgress
        fields = ["id", "text", "reported_at", "on_time"]
        read_only_fields = ["id", "reported_at", "on_time"]


class ConclusionSerializer(serializers.Serializer):
    conclusion = serializers.CharField(label=_("conclusion"))


class VisitRequestSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=ServiceRequest.Category.choices)
    title = serializers.CharField(max_length=200)
    description = DescriptionField()
    urgency = serializers.ChoiceField(choices=ServiceRequest.Urgency.choices, default=ServiceRequest.Urgency.NORMAL)


class VisitSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    steward_name = serializers.CharField(source="steward.user.display_name", read_only=True)
    enterprise = serializers.PrimaryKeyRelatedField(queryset=Enterprise.objects.all(), label=_("enterprise"))
    requests = VisitRequestSerializer(many=True, required=False, write_only=True, label=_("requests from findings"))

    class Meta:
        model = Visit
        fields = ["id", "enterprise", "enterprise_name", "steward", "steward_name", "visited_on", "findings",
                  "created_at", "requests"]
        read_only_fields = ["id", "steward", "created_at"]


class LedgerItemSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True, default=None)
    enterprise = serializers.PrimaryKeyRelatedField(queryset=Enterprise.objects.all(), label=_("enterprise"))
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True, label=_("department"))
    reason = serializers.CharField(required=False, allow_blank=True, write_only=True, label=_("reason"))
    description = DescriptionField()

    class Meta:
        model = LedgerItem
        fields = ["id", "enterprise", "enterprise_name", "category", "title", "description", "meeting_date", "status",
                  "department", "department_name", "recorded_at", "dispatched_at", "claimed_at", "request", "reason"]
        read_only_fields = ["id", "status", "recorded_at", "dispatched_at", "claimed_at", "request"]


class DispatchSerializer(serializers.Serializer):
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), label=_("department"))
    reason = serializers.CharField(required=False, allow_blank=True, label=_("reason"))
