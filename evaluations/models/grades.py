"""The monthly grades of departments (DESIGN.md rule 6) and their thresholds."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zonehub.models import Role
from zonehub.scoping import ScopedQuerySet


class GradePolicy(models.Model):
    """The grade thresholds (以成绩定等级), set by an administrator. One row; the first read
    creates it with the defaults below."""

    a_min = models.DecimalField(_("lowest score for A"), max_digits=5, decimal_places=1, default=Decimal("90"))
    b_min = models.DecimalField(_("lowest score for B"), max_digits=5, decimal_places=1, default=Decimal("80"))
    c_min = models.DecimalField(_("lowest score for C"), max_digits=5, decimal_places=1, default=Decimal("60"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("grade thresholds")
        verbose_name_plural = _("grade thresholds")
        constraints = [
            models.CheckConstraint(
                condition=Q(a_min__gt=models.F("b_min")) & Q(b_min__gt=models.F("c_min")) & Q(c_min__gte=0)
                & Q(a_min__lte=100),
                name="grade_thresholds_descend",
                violation_error_message=_("Thresholds must descend: 100 ≥ A > B > C ≥ 0."),
            ),
        ]

    def __str__(self):
        return f"A≥{self.a_min} B≥{self.b_min} C≥{self.c_min}"

    @classmethod
    def current(cls) -> "GradePolicy":
        policy = cls.objects.order_by("pk").first()
        if policy is None:
            # Read back as stored ("90.0", not "90"): what a row keeps of it is the same every time.
            policy = cls.objects.create()
            policy.refresh_from_db()
        return policy

    def grade_for(self, score: Decimal) -> str:
        if score >= self.a_min:
            return "A"
        if score >= self.b_min:
            return "B"
        if score >= self.c_min:
            return "C"
        return "D"


class GradeQuerySet(ScopedQuerySet):
    # The ranking is published to all staff; the detail behind a score is not (see with_detail_for).
    def _visible_to_department(self, user):
        return self.all()

    _visible_to_steward = _visible_to_department
    _visible_to_workstation_head = _visible_to_department
    # The assessment office (考核办) keeps the plans and reads every result, detail included.
    _visible_to_assessment = _visible_to_department

    def with_detail_for(self, user):
        """The rows whose detail (which escalations were late) the user may read: leaders, admins
        and the assessment office all, a department user its own department's only."""
        qs = self.visible_to(user)
        if user.is_authenticated and (user.sees_everything or user.role == Role.ASSESSMENT):
            return qs
        if user.is_authenticated and user.role == "department":
            return qs.filter(department_id=user.department_id)
        return qs.none()


class DepartmentMonthlyGrade(models.Model):
    """以业绩定成绩、以成绩定等级: a department's score and grade for one month, kept as computed
    (see evaluations.services.department_score for the formula). A month in which the department
    had nothing to assess (无考核事项) keeps its row with no score and no grade: it is not ranked."""

    class Grade(models.TextChoices):
        A = "A", "A"
        B = "B", "B"
        C = "C", "C"
        D = "D", "D"

    department = models.ForeignKey(
        "zonehub.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="monthly_grades"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    escalations_due = models.PositiveIntegerField(
        _("replies due"), default=0,
        help_text=_("Replies due in the month, and escalations still unanswered past their deadline when it began."))
    escalations_carried = models.PositiveIntegerField(
        _("still overdue from earlier months"), default=0,
        help_text=_("Of the replies due: escalations due in an earlier month and still unanswered when this one began."))
    replied_on_time = models.PositiveIntegerField(_("replied on time"), default=0)
    overdue = models.PositiveIntegerField(_("overdue escalations"), default=0)
    returned = models.PositiveIntegerField(_("returned escalations"), default=0)
    nodes_on_time = models.PositiveIntegerField(_("five-key nodes on time"), default=0)
    nodes_late = models.PositiveIntegerField(_("five-key nodes late"), default=0)
    nodes_open = models.PositiveIntegerField(_("five-key nodes still open"), default=0)
    nodes_claimed = models.PositiveIntegerField(_("five-key items claimed"), default=0)
    nodes_carried = models.PositiveIntegerField(
        _("five-key nodes late from earlier months"), default=0,
        help_text=_("Of the nodes counted: nodes due in an earlier month and still open when this one began."))
    # None and "" when the department had nothing to assess in the month (无考核事项).
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices, blank=True)
    # Ids behind the numbers, so the detail page shows exactly what was counted; and, under
    # "indicators", each indicator of the plan with its value, target, weight and points.
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    # The plan version the month was scored with: recomputing the month uses it again, so a plan
    # changed later never rewrites a past month (evaluations.services.department_grades_compute).
    plan = models.ForeignKey(
        "evaluations.AssessmentPlan", verbose_name=_("assessment plan"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="results",
    )
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)

    objects = GradeQuerySet.as_manager()

    class Meta:
        verbose_name = _("department monthly grade")
        verbose_name_plural = _("department monthly grades")
        ordering = ["-month", models.F("score").desc(nulls_last=True), "department__name"]
        constraints = [
            models.UniqueConstraint(fields=["department", "month"], name="one_grade_per_department_month"),
            models.CheckConstraint(
                condition=Q(grade__in=["A", "B", "C", "D"], score__isnull=False) | Q(grade="", score__isnull=True),
                name="grade_is_a_to_d_or_none"),
        ]

    def __str__(self):
        if self.score is None:
            return f"{self.department} {self.month:%Y-%m}: {_('nothing to assess')}"
        return f"{self.department} {self.month:%Y-%m}: {self.score} {self.grade}"

    @property
    def assessed(self) -> bool:
        """False when the department had nothing to assess in the month (无考核事项)."""
        return self.score is not None

    @property
    def nodes_counted(self) -> int:
        return self.nodes_on_time + self.nodes_late + self.nodes_open

    @property
    def parts(self) -> dict:
        """How the score was made, as computed ("replies", "nodes": due, done, counted, points,
        max; see evaluations.services.department_score_parts). Empty for rows computed before
        the parts were kept."""
        return {part["part"]: part for part in (self.detail or {}).get("parts", [])}

    @property
    def penalties(self) -> dict:
        detail = self.detail or {}
        return {"overdue": detail.get("overdue_penalty"), "returned": detail.get("returned_penalty"),
                "bonus": detail.get("bonus"), "base": detail.get("base")}

    @property
    def indicators(self) -> list[dict]:
        """Each indicator of the plan as scored (see evaluations.indicators.score_plan); empty for
        rows computed before plans existed (their plan's breakdown is worked out on the page)."""
        return list((self.detail or {}).get("indicators", []))

    @property
    def on_time_rate(self):
        return None if not self.escalations_due else self.replied_on_time / self.escalations_due
