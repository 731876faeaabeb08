from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from stewards import selectors, services
from stewards.api.serializers import (
    AttachFilesSerializer,
    AttachmentSerializer,
    CommentSerializer,
    ConclusionSerializer,
    DispatchSerializer,
    EmptySerializer,
    EscalateSerializer,
    EscalationSerializer,
    EventSerializer,
    LedgerItemSerializer,
    ProgressSerializer,
    ReasonSerializer,
    ReplySerializer,
    ReportSerializer,
    RequestLogSerializer,
    ServiceRequestCreateSerializer,
    ServiceRequestDetailSerializer,
    ServiceRequestSerializer,
    StewardAssignmentSerializer,
    StewardSerializer,
    VisitSerializer,
)
from stewards.filters import (
    EscalationListFilterSet,
    LedgerItemFilterSet,
    ServiceRequestFilterSet,
    VisitFilterSet,
)
from stewards.models import Escalation, LedgerItem, RequestComment, ServiceRequest, Steward, StewardAssignment, Visit
from zonehub.api import ScopedReadOnlyViewSet, ScopedViewSetMixin


class StewardViewSet(ScopedReadOnlyViewSet):
    queryset = Steward.objects.select_related("user", "workstation")
    serializer_class = StewardSerializer
    filterset_fields = ["is_active"]
    search_fields = ["user__name", "user__phone"]


class StewardAssignmentViewSet(ScopedReadOnlyViewSet):
    queryset = StewardAssignment.objects.select_related("steward__user", "enterprise")
    serializer_class = StewardAssignmentSerializer
    filterset_fields = ["enterprise", "steward"]


# --- service requests, escalations, visits, ledger ---------------------------------------------
# Same services and the same scoping as the pages: get_object() reads through visible_to, so
# "missing" and "not yours" are both 404; a service's PermissionDenied is a 403 and its
# ValidationError a 400 (zonehub.api.exception_handler).


class _ServiceActionMixin:
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _detail(self, pk, status=200):
        obj = self.get_queryset().get(pk=pk)
        return Response(self.detail_serializer_class(obj, context=self.get_serializer_context()).data, status=status)


@extend_schema_view(
    list=extend_schema(summary="Service requests the user may see"),
    retrieve=extend_schema(summary="One service request, with its escalations and attachments"),
    create=extend_schema(summary="Submit a request (enterprise users)", request=ServiceRequestCreateSerializer,
                         responses={201: ServiceRequestDetailSerializer}),
)
class ServiceRequestViewSet(_ServiceActionMixin, ScopedViewSetMixin, mixins.ListModelMixin,
                            mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    queryset = ServiceRequest.objects.select_related("enterprise", "steward__user")
    serializer_class = ServiceRequestSerializer
    detail_serializer_class = ServiceRequestDetailSerializer
    filterset_class = ServiceRequestFilterSet  # the page's (stewards.filters)
    search_fields = ["title", "enterprise__name"]
    ordering_fields = ["created_at", "status", "category"]
    ordering = ["-created_at", "-id"]
    throttle_scope = "submit"  # creating is rate-limited per user (zonehub.ratelimit)

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action != "list":
            # The escalations the user may see (a department: its own, not its peers'), as on the page.
            qs = qs.prefetch_related(
                Prefetch("escalations", queryset=selectors.request_escalations(self.request.user)),
                "attachments",
            )
        return qs

    def get_serializer_class(self):
        if self.action == "create":
            return ServiceRequestCreateSerializer
        if self.action == "retrieve":
            return ServiceRequestDetailSerializer
        return ServiceRequestSerializer

    def create(self, request, *args, **kwargs):
        data = self._input(ServiceRequestCreateSerializer)
        obj = services.request_submit(actor=request.user, **data)
        return self._detail(obj.pk, status=201)

    @extend_schema(summary="Log a request on the enterprise's behalf (stewards)", request=RequestLogSerializer,
                   responses={201: ServiceRequestDetailSerializer})
    @action(detail=False, methods=["post"])
    def log(self, request):
        data = self._input(RequestLogSerializer)
        obj = services.request_log_on_behalf(actor=request.user, **data)
        return self._detail(obj.pk, status=201)

    @extend_schema(summary="Accept the request (its steward)", request=EmptySerializer,
                   responses=ServiceRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        services.request_accept(request=self.get_object(), actor=request.user)
        return self._detail(pk)

    @extend_schema(summary="Messages between the enterprise and the steward; POST writes one",
                   request=CommentSerializer, responses=CommentSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def comments(self, request, pk=None):
        sr = self.get_object()
        if request.method == "POST":
            data = self._input(CommentSerializer)
            comment = services.request_comment(request=sr, actor=request.user, body=data["body"])
            return Response(CommentSerializer(comment).data, status=201)
        rows = RequestComment.objects.filter(request=sr).select_related("author")
        return Response(CommentSerializer(rows, many=True).data)

    @extend_schema(summary="Add files (PDF, images, Office documents)", request=AttachFilesSerializer,
                   responses={201: AttachmentSerializer(many=True)})
    @action(detail=True, methods=["post"])
    def attach(self, request, pk=None):
        data = self._input(AttachFilesSerializer)
        saved = services.request_attach(request=self.get_object(), actor=request.user, files=data["files"])
        return Response(AttachmentSerializer(saved, many=True).data, status=201)

    @extend_schema(summary="Solved by the steward: report to the enterprise", request=ReportSerializer,
                   responses=ServiceRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        data = self._input(ReportSerializer)
        services.request_resolve_directly(request=self.get_object(), actor=request.user, report=data["report"])
        return self._detail(pk)

    @extend_schema(summary="Escalate to one or more departments (吹哨)", request=EscalateSerializer,
                   responses={201: EscalationSerializer(many=True)})
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        data = self._input(EscalateSerializer)
        created = services.request_escalate(request=self.get_object(), actor=request.user,
                                            departments=data["departments"], reason=data["reason"])
        rows = (Escalation.objects.filter(pk__in=[e.pk for e in created])
                .select_related("department", "request__enterprise").order_by("pk"))
        return Response(EscalationSerializer(rows, many=True, context=self.get_serializer_context()).data, status=201)

    @extend_schema(summary="Report back to the enterprise once every department has answered",
                   request=ReportSerializer, responses=ServiceRequestDetailSerializer)
    @action(detail=True, methods=["post"], url_path="report-back")
    def report_back(self, request, pk=None):
        data = self._input(ReportSerializer)
        services.request_report_back(request=self.get_object(), actor=request.user, report=data["report"])
        return self._detail(pk)

    @extend_schema(summary="The enterprise confirms it resolved: closed", request=EmptySerializer,
                   responses=ServiceRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        services.request_confirm(request=self.get_object(), actor=request.user)
        return self._detail(pk)

    @extend_schema(summary="The enterprise reopens it, with a reason: back to the steward", request=ReasonSerializer,
                   responses=ServiceRequestDetailSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        data = self._input(ReasonSerializer)
        services.request_reopen(request=self.get_object(), actor=request.user, reason=data["reason"])
        return self._detail(pk)

    @extend_schema(summary="The request's timeline, escalation events included", request=None,
                   responses=EventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def events(self, request, pk=None):
        rows = selectors.request_events(self.get_object(), user=request.user)
        return Response(EventSerializer(rows, many=True).data)


class EscalationViewSet(_ServiceActionMixin, ScopedReadOnlyViewSet):
    queryset = Escalation.objects.select_related("department", "request__enterprise")
    serializer_class = EscalationSerializer
    detail_serializer_class = EscalationSerializer
    filterset_class = EscalationListFilterSet  # the cross-department list page's
    search_fields = ["request__title", "request__enterprise__name"]
    ordering_fields = ["sent_at", "due_at", "status"]
    ordering = ["-sent_at", "-id"]  # newest first, read off an index; ?ordering=due_at for deadlines

    @extend_schema(summary="Reply (答复): stops the clock", request=ReplySerializer, responses=EscalationSerializer)
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        data = self._input(ReplySerializer)
        services.escalation_reply(escalation=self.get_object(), actor=request.user, reply=data["reply"])
        return self._detail(pk)

    @extend_schema(summary="Mark as needing joint consultation (需会商)", request=ReasonSerializer,
                   responses=EscalationSerializer)
    @action(detail=True, methods=["post"])
    def consultation(self, request, pk=None):
        data = self._input(ReasonSerializer)
        services.escalation_mark_consultation(escalation=self.get_object(), actor=request.user, reason=data["reason"])
        return self._detail(pk)

    @extend_schema(summary="Progress reports of a consultation case; POST adds one", request=ProgressSerializer,
                   responses=ProgressSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def progress(self, request, pk=None):
        escalation = self.get_object()
        if request.method == "POST":
            data = self._input(ProgressSerializer)
            row = services.escalation_progress_report(escalation=escalation, actor=request.user, text=data["text"])
            return Response(ProgressSerializer(row).data, status=201)
        return Response(ProgressSerializer(escalation.progress_reports.all(), many=True,
                                           context=self.get_serializer_context()).data)

    @extend_schema(summary="Conclude a consultation case", request=ConclusionSerializer, responses=EscalationSerializer)
    @action(detail=True, methods=["post"])
    def conclude(self, request, pk=None):
        data = self._input(ConclusionSerializer)
        services.escalation_conclude(escalation=self.get_object(), actor=request.user, conclusion=data["conclusion"])
        return self._detail(pk)

    @extend_schema(summary="Return it to the steward as not the department's business", request=ReasonSerializer,
                   responses=EscalationSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        data = self._input(ReasonSerializer)
        services.escalation_return(escalation=self.get_object(), actor=request.user, reason=data["reason"])
        return self._detail(pk)


@extend_schema_view(create=extend_schema(summary="Log a visit (stewards); findings may become requests"))
class VisitViewSet(_ServiceActionMixin, ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                   mixins.CreateModelMixin, viewsets.GenericViewSet):
    queryset = Visit.objects.select_related("enterprise", "steward__user")
    serializer_class = VisitSerializer
    detail_serializer_class = VisitSerializer
    filterset_class = VisitFilterSet
    ordering = ["-visited_on", "-id"]

    def create(self, request, *args, **kwargs):
        data = self._input(VisitSerializer)
        visit = services.visit_log(actor=request.user, enterprise=data["enterprise"], visited_on=data["visited_on"],
                                   findings=data.get("findings", ""), requests=data.get("requests") or [])
        return self._detail(visit.pk, status=201)


@extend_schema_view(create=extend_schema(summary="Record a complaint-meeting item (leaders); with a department it "
                                                 "is dispatched at once"))
class LedgerItemViewSet(_ServiceActionMixin, ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        mixins.CreateModelMixin, viewsets.GenericViewSet):
    queryset = LedgerItem.objects.select_related("enterprise", "department")
    serializer_class = LedgerItemSerializer
    detail_serializer_class = LedgerItemSerializer
    filterset_class = LedgerItemFilterSet  # the ledger page's
    search_fields = ["title", "enterprise__name"]
    ordering = ["-meeting_date", "-id"]

    def create(self, request, *args, **kwargs):
        data = self._input(LedgerItemSerializer)
        item = services.ledger_item_record(
            actor=request.user, enterprise=data["enterprise"], title=data["title"], description=data["description"],
            meeting_date=data["meeting_date"], category=data.get("category", ServiceRequest.Category.OTHER),
            department=data.get("department"), reason=data.get("reason", ""),
        )
        return self._detail(item.pk, status=201)

    @extend_schema(summary="Dispatch to a department (leaders)", request=DispatchSerializer,
                   responses=LedgerItemSerializer)
    @action(detail=True, methods=["post"])
    def dispatch_to(self, request, pk=None):
        data = self._input(DispatchSerializer)
        services.ledger_item_dispatch(item=self.get_object(), actor=request.user, department=data["department"],
                                      reason=data.get("reason", ""))
        return self._detail(pk)

    @extend_schema(summary="Claim for one's department (认领)", request=EmptySerializer, responses=LedgerItemSerializer)
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        services.ledger_item_claim(item=self.get_object(), actor=request.user)
        return self._detail(pk)
