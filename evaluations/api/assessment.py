"""The API of assessment and pay (issue 19): the plans and the results for the leaders and the
assessment office, the pay sheets for the same (administrators excluded: pay is nobody else's),
and each person's own at ``/api/me/assessment/``. Same services, same scoping as the pages."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from evaluations import assessment_selectors as selectors
from evaluations import pay
from evaluations.filters import AssessmentPlanFilterSet, AssessmentResultFilterSet, PaySheetFilterSet
from evaluations.indicators import LIBRARY
from evaluations.models import AssessmentPlan, DepartmentMonthlyGrade, PayLine, PaySheet, PlanIndicator, reads_all_pay
from zonehub.api import ScopedViewSetMixin
from zonehub.filters import MAX_ID
from zonehub.models import Role
from zonehub.workdays import month_error, parse_month


class LeadersAndOffice(BasePermission):
    """Leaders, administrators and the assessment office (plans and results)."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and (user.sees_everything or user.role == Role.ASSESSMENT))


class PayReaders(BasePermission):
    """Leaders and the assessment office: pay is not the administrator's to read."""

    def has_permission(self, request, view):
        return reads_all_pay(request.user)


# --- serializers -------------------------------------------------------------------------------

class PlanIndicatorSerializer(serializers.ModelSerializer):
    key = serializers.CharField(read_only=True)
    label = serializers.SerializerMethodField()

    class Meta:
        model = PlanIndicator
        fields = ["key", "label", "method", "weight", "target", "per_unit", "position"]
        read_only_fields = fields

    def get_label(self, obj) -> str:
        return obj.entered.name if obj.entered_id else str(LIBRARY[obj.code].label) \
            if obj.code in LIBRARY else obj.code


class AssessmentPlanSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True, allow_null=True, default=None)
    indicators = PlanIndicatorSerializer(many=True, read_only=True)

    class Meta:
        model = AssessmentPlan
        fields = ["id", "department", "department_name", "year", "version", "effective_from", "note", "created_at",
                  "indicators"]
        read_only_fields = fields


class ResultIndicatorSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    method = serializers.CharField()
    weight = serializers.CharField(allow_null=True)
    target = serializers.CharField(allow_null=True)
    per_unit = serializers.CharField(allow_null=True)
    value = serializers.CharField(allow_null=True)
    num = serializers.IntegerField(allow_null=True)
    den = serializers.IntegerField(allow_null=True)
    points = serializers.CharField(allow_null=True)
    counted = serializers.BooleanField()
    note = serializers.CharField(allow_blank=True)


class AssessmentResultSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)
    plan_version = serializers.IntegerField(source="plan.version", read_only=True, allow_null=True, default=None)
    indicators = serializers.SerializerMethodField()

    class Meta:
        model = DepartmentMonthlyGrade
        fields = ["id", "department", "department_name", "month", "score", "grade", "plan", "plan_version",
                  "indicators", "computed_at"]
        read_only_fields = fields

    def get_indicators(self, obj) -> list[dict]:
        rows = selectors.result_breakdown(obj)["rows"]
        return ResultIndicatorSerializer([{k: v for k, v in r.items() if k != "entered"} for r in rows], many=True).data


class PayCorrectionSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    reason = serializers.CharField()
    recorded_at = serializers.DateTimeField()


class PayLineSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="user.display_name", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    corrections = PayCorrectionSerializer(many=True, read_only=True)
    paid = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    period = serializers.CharField(source="sheet.label", read_only=True)

    class Meta:
        model = PayLine
        fields = ["id", "sheet", "period", "user", "name", "username", "kind", "base", "months", "department",
                  "unit_grade", "unit_score", "own_grade", "unit_coefficient", "own_coefficient", "coefficient",
                  "weighted", "amount", "corrections", "paid"]
        read_only_fields = fields


class PaySheetSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)
    lines = serializers.SerializerMethodField()

    class Meta:
        model = PaySheet
        fields = ["id", "label", "period", "period_start", "status", "pool", "rules", "note", "drafted_at",
                  "approved_at", "lines"]
        read_only_fields = fields

    def get_lines(self, obj) -> list[dict]:
        lines = self.context.get("lines")
        if lines is None:
            return []
        return PayLineSerializer(lines, many=True).data


class PaySheetDraftSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="YYYY-MM: the period's first month")
    pool = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True, min_value=0)
    note = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_period(self, value):
        month = parse_month(value)
        if month is None:
            raise serializers.ValidationError(month_error())
        return month


class PayCorrectionCreateSerializer(serializers.Serializer):
    line = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    reason = serializers.CharField()


class MyAssessmentSerializer(serializers.Serializer):
    lines = PayLineSerializer(many=True)
    unit_grades = AssessmentResultSerializer(many=True)
    steward_grades = serializers.ListField(child=serializers.DictField())


# --- viewsets --------------------------------------------------------------------------------

class AssessmentPlanViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Every version of every plan: its indicators, weights and targets, and the month it applies from."""

    queryset = AssessmentPlan.objects.all()
    serializer_class = AssessmentPlanSerializer
    permission_classes = [IsAuthenticated, LeadersAndOffice]
    filterset_class = AssessmentPlanFilterSet
    ordering = ["-year", "department_id", "-version"]
    search_fields: list = []

    def get_queryset(self):
        return (super().get_queryset().select_related("department")
                .prefetch_related("indicators__entered").order_by(*self.ordering))


class AssessmentResultViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The departments' monthly results: score, grade, the plan version, and each indicator's value,
    target, weight and points."""

    queryset = DepartmentMonthlyGrade.objects.all()
    serializer_class = AssessmentResultSerializer
    permission_classes = [IsAuthenticated, LeadersAndOffice]
    filterset_class = AssessmentResultFilterSet
    ordering = ["-month", "department_id"]
    search_fields: list = []

    def get_queryset(self):
        return (DepartmentMonthlyGrade.objects.with_detail_for(self.request.user)
                .select_related("department", "plan").prefetch_related("plan__indicators").order_by(*self.ordering))


class PaySheetViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The pay sheets (leaders and the assessment office). ``POST`` drafts one (the assessment
    office); ``approve`` locks it (a leader); ``corrections`` records a change to a locked line."""

    queryset = PaySheet.objects.all()
    serializer_class = PaySheetSerializer
    permission_classes = [IsAuthenticated, PayReaders]
    filterset_class = PaySheetFilterSet
    ordering = ["-period_start"]
    search_fields: list = []

    def get_queryset(self):
        return super().get_queryset().select_related("coefficients").order_by(*self.ordering)

    def _detail(self, sheet, code=status.HTTP_200_OK):
        lines = selectors.with_paid(selectors.pay_lines(self.request.user, sheet))
        return Response(PaySheetSerializer(sheet, context={"lines": lines}).data, status=code)

    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object())

    @extend_schema(request=PaySheetDraftSerializer, responses={201: PaySheetSerializer})
    def create(self, request, *args, **kwargs):
        data = PaySheetDraftSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        sheet = pay.pay_sheet_draft(period_start_on=data.validated_data["period"], pool=data.validated_data.get("pool"),
                                    note=data.validated_data.get("note", ""), actor=request.user)
        return self._detail(sheet, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: PaySheetSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        sheet = pay.pay_sheet_approve(sheet=self.get_object(), actor=request.user)
        return self._detail(sheet)

    @extend_schema(request=PayCorrectionCreateSerializer, responses={201: PaySheetSerializer})
    @action(detail=True, methods=["post"])
    def corrections(self, request, pk=None):
        sheet = self.get_object()
        data = PayCorrectionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        line = PayLine.objects.visible_to(request.user).filter(sheet=sheet, pk=data.validated_data["line"]).first()
        if line is None:
            raise DRFValidationError({"line": ["—"]})
        pay.pay_correction_record(line=line, amount=data.validated_data["amount"], reason=data.validated_data["reason"],
                                  actor=request.user)
        return self._detail(sheet, status.HTTP_201_CREATED)


class MyAssessmentViewSet(viewsets.ViewSet):
    """Your own assessment and pay: your lines of approved sheets (with corrections), your unit's
    last twelve months, your yearly grades as a steward. Nobody else's, whoever asks."""

    serializer_class = MyAssessmentSerializer

    @extend_schema(responses={200: MyAssessmentSerializer})
    def list(self, request):
        mine = selectors.my_assessment(request.user)
        return Response({
            "lines": PayLineSerializer(mine["lines"], many=True).data,
            "unit_grades": AssessmentResultSerializer(mine["unit_grades"], many=True).data,
            "steward_grades": [{"year": g.year, "grade": g.grade, "grade_by_thresholds": g.grade_by_thresholds,
                                "eligible": g.eligible, "findings": g.findings, "figures": g.figures}
                               for g in mine["steward_grades"]],
        })
