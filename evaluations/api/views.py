"""The evaluations API: same services, same scoping as the pages."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response

from evaluations import selectors, services
from evaluations.api import serializers as s
from evaluations.filters import RatingFilterSet
from evaluations.models import Campaign, DepartmentMonthlyGrade, Rating, ReplacementCase
from stewards.models import Steward
from zonehub.api import ScopedReadOnlyViewSet, ScopedViewSetMixin
from zonehub.filters import query_id
from zonehub.models import Role
from zonehub.workdays import local_date, month_error, parse_month


class CampaignViewSet(ScopedReadOnlyViewSet):
    queryset = Campaign.objects.all().order_by("-year", "-half")
    serializer_class = s.CampaignSerializer
    filterset_fields = ["year", "half", "status"]
    search_fields: list = []

    @extend_schema(request=s.CampaignOpenSerializer, responses={201: s.CampaignSerializer})
    @action(detail=False, methods=["post"], url_path="open")
    def open_campaign(self, request):
        """Open the campaign of a half-year by hand (leaders and administrators)."""
        data = s.CampaignOpenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        campaign = services.campaign_open(year=data.validated_data["year"], half=data.validated_data["half"],
                                          actor=request.user)
        return Response(s.CampaignSerializer(campaign).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: s.CampaignSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the campaign now: unsatisfied ratings open replacement cases. Before its planned
        close, ``reason`` (why it ends early) is required."""
        campaign = self.get_object()
        services.campaign_close(campaign=campaign, actor=request.user, reason=str(request.data.get("reason", "")))
        campaign.refresh_from_db()
        return Response(s.CampaignSerializer(campaign).data)

    @extend_schema(responses={200: s.CampaignResultsSerializer})
    @action(detail=True, methods=["get"])
    def results(self, request, pk=None):
        """Participation and satisfaction per workstation and steward (leaders; heads for their workstation)."""
        if request.user.effective_role not in (Role.LEADER, Role.ADMIN, Role.WORKSTATION_HEAD):
            raise PermissionDenied
        campaign = self.get_object()
        r = selectors.campaign_results(user=request.user, campaign=campaign)
        return Response(s.CampaignResultsSerializer({
            "expected": r.expected, "rated_enterprises": r.rated_enterprises, "participation": r.participation,
            "satisfied": r.satisfied, "unsatisfied": r.unsatisfied, "rate": r.rate,
            "by_workstation": r.by_workstation, "by_steward": r.by_steward}).data)


class RatingViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Ratings the user may see: an enterprise its own; a steward its own of closed campaigns;
    a workstation head its workstation's; leaders all. Enterprise users create and change them."""

    queryset = Rating.objects.all()
    serializer_class = s.RatingSerializer
    filterset_class = RatingFilterSet  # the ratings page's (evaluations.filters)
    # Newest campaign first, read off an index (ordering by joined names sorts every rating).
    ordering = ["-campaign_id", "enterprise_id", "steward_id"]
    search_fields: list = []

    def get_queryset(self):
        return selectors.rating_list(self.request.user).order_by(*self.ordering)

    @extend_schema(request=s.RatingCreateSerializer, responses={201: s.RatingSerializer})
    def create(self, request):
        """Rate a steward (enterprise users). A second rating of the same steward in the same
        campaign is refused: change the first one with PATCH."""
        data = s.RatingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = request.user
        if user.effective_role != Role.ENTERPRISE:
            raise PermissionDenied
        campaign = Campaign.objects.visible_to(user).filter(pk=data.validated_data["campaign"]).first()
        if campaign is None:
            raise DRFValidationError({"campaign": [str(_msg_no_campaign())]})
        # Only among its own stewards, as on the page: an error never names another steward.
        steward = selectors.steward_to_rate(user.enterprise, campaign, data.validated_data["steward"])
        if steward is None:
            raise DRFValidationError({"steward": [str(_msg_not_yours())]})
        rating = services.rating_create(campaign=campaign, enterprise=user.enterprise, steward=steward,
                                        value=data.validated_data["value"], reason=data.validated_data["reason"],
                                        actor=user)
        return Response(s.RatingSerializer(rating).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.RatingChangeSerializer, responses={200: s.RatingSerializer})
    def partial_update(self, request, pk=None):
        """Change a rating while its campaign is open (enterprise users)."""
        rating = self.get_object()
        data = s.RatingChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rating = services.rating_change(rating=rating, value=data.validated_data["value"],
                                        reason=data.validated_data["reason"], actor=request.user)
        return Response(s.RatingSerializer(rating).data)


def _msg_no_campaign():
    from django.utils.translation import gettext as _

    return _("There is no such campaign.")


def _msg_not_yours():
    from django.utils.translation import gettext as _

    return _("That steward is not one of your enterprise's stewards.")


class ReplacementCaseViewSet(ScopedReadOnlyViewSet):
    queryset = ReplacementCase.objects.all()
    serializer_class = s.ReplacementCaseSerializer
    filterset_fields = ["campaign", "status", "workstation"]
    search_fields: list = []

    def get_queryset(self):
        return selectors.case_list(self.request.user)

    def _steward(self, pk):
        steward = Steward.objects.visible_to(self.request.user).filter(pk=pk).select_related("user").first()
        if steward is None:
            raise DRFValidationError({"steward": ["—"]})
        return steward

    @extend_schema(request=s.CaseNameSerializer, responses={200: s.ReplacementCaseSerializer})
    @action(detail=True, methods=["post"], url_path="name")
    def name_steward(self, request, pk=None):
        """The workstation head names the new steward."""
        case = self.get_object()
        data = s.CaseNameSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.replacement_name(case=case, steward=self._steward(data.validated_data["steward"]),
                                         actor=request.user)
        return Response(s.ReplacementCaseSerializer(self.get_queryset().get(pk=case.pk)).data)

    @extend_schema(request=s.CaseOverrideSerializer, responses={200: s.ReplacementCaseSerializer})
    @action(detail=True, methods=["post"], url_path="allow-back")
    def allow_back(self, request, pk=None):
        """A leader lets a steward go back to the enterprise that rated it unsatisfied."""
        case = self.get_object()
        data = s.CaseOverrideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.replacement_allow_back(case=case, steward=self._steward(data.validated_data["steward"]),
                                        reason=data.validated_data["reason"], actor=request.user)
        return Response(s.ReplacementCaseSerializer(self.get_queryset().get(pk=case.pk)).data)

    @extend_schema(request=s.CaseReviewSerializer, responses={200: s.ReplacementCaseSerializer})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """The leaders record whether it was subjective lack of effort (主观不努力)."""
        case = self.get_object()
        data = s.CaseReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.case_review(case=case, lack_of_effort=data.validated_data["lack_of_effort"],
                             reason=data.validated_data["reason"], actor=request.user)
        return Response(s.ReplacementCaseSerializer(self.get_queryset().get(pk=case.pk)).data)


class AppraisalViewSet(viewsets.ViewSet):
    """The yearly steward appraisal (viewable mid-year), for the stewards the user may see."""

    serializer_class = s.AppraisalSerializer

    @extend_schema(parameters=[OpenApiParameter("year", OpenApiTypes.INT), OpenApiParameter("workstation", OpenApiTypes.INT),
                               OpenApiParameter("sort", OpenApiTypes.STR)],
                   responses={200: s.AppraisalSerializer(many=True)})
    def list(self, request):
        if request.user.effective_role not in (Role.STEWARD, Role.WORKSTATION_HEAD, Role.LEADER, Role.ADMIN):
            raise PermissionDenied
        today = local_date(timezone.now())
        try:
            year = int(request.query_params.get("year", today.year))
        except ValueError as exc:
            raise DRFValidationError({"year": ["—"]}) from exc
        try:  # the filters' own id field: a number no column holds is a 400, not an OverflowError
            workstation = query_id(request.query_params.get("workstation"))
        except DjangoValidationError as exc:
            raise DRFValidationError({"workstation": exc.messages}) from exc
        if not 2000 <= year <= 2999:
            raise DRFValidationError({"year": ["2000–2999"]})
        rows = selectors.appraisal_list(user=request.user, year=year, workstation_id=workstation, today=today,
                                        sort=request.query_params.get("sort", "workstation"))
        return Response(s.AppraisalSerializer(rows, many=True).data)


class GradeViewSet(ScopedReadOnlyViewSet):
    """Department grades: the ranking is published to staff; the detail (which escalations were
    late) only to leaders, admins and the department itself."""

    queryset = DepartmentMonthlyGrade.objects.all()
    serializer_class = s.GradeSerializer
    filterset_fields = ["department", "grade", "month"]
    ordering = ["-month", "-score"]
    search_fields: list = []

    def get_queryset(self):
        qs = super().get_queryset().select_related("department").order_by(*self.ordering)
        if self.action == "retrieve":
            return qs & DepartmentMonthlyGrade.objects.with_detail_for(self.request.user)
        return qs.defer("detail")  # the rows behind a grade are read one grade at a time

    def get_serializer_class(self):
        return s.GradeDetailSerializer if self.action == "retrieve" else s.GradeSerializer

    @extend_schema(parameters=[OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM")],
                   responses={200: s.GradeSerializer(many=True)})
    @action(detail=False, methods=["get"])
    def ranking(self, request):
        """One month's ranking, best first."""
        month = parse_month(request.query_params.get("month"))
        if month is None:
            raise DRFValidationError({"month": [month_error()]})
        rows = selectors.grade_ranking(user=request.user, month=month)
        return Response(s.GradeSerializer([r.grade for r in rows], many=True).data)
