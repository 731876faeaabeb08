"""Tailored assessment plans (个性化定制考核指标、动态调整, seed 001).

- ``EnteredIndicator``: an indicator of the library that no app computes (investment signed, say):
  the assessment office enters its monthly actual, with evidence (``MonthlyActual``). The computed
  ones are code, one registry entry each (``evaluations.indicators.LIBRARY``).
- ``AssessmentPlan``: one version of a department's plan for a year (no department: the default
  plan, for departments without their own). A version is never edited: a change is a new version,
  effective from the next month and recorded with its reason; a month keeps the version it was
  scored with (``DepartmentMonthlyGrade.plan``).
- ``PlanIndicator``: one indicator of a version: how it scores, its weight and its target.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zonehub.scoping import ScopedQuerySet


class LibraryQuerySet(ScopedQuerySet):
    # The library is no secret: everyone who reads a plan reads what its indicators mean.
    def _visible_to_department(self, user):
        return self.all()

    _visible_to_assessment = _visible_to_department


class EnteredIndicator(models.Model):
    """An indicator whose monthly actual the assessment office enters, with evidence."""

    class Direction(models.TextChoices):
        HIGHER = "higher", _("higher is better")
        LOWER = "lower", _("lower is better")

    name = models.CharField(_("name"), max_length=60, unique=True,
                            error_messages={"unique": _("The library already has an indicator of this name.")})
    unit = models.CharField(_("unit"), max_length=20, blank=True, help_text=_("万元, 个, 家, %…"))
    direction = models.CharField(_("direction"), max_length=6, choices=Direction.choices, default=Direction.HIGHER)
    description = models.TextField(_("what it counts and what evidence it needs"), blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = LibraryQuerySet.as_manager()

    class Meta:
        verbose_name = _("entered indicator")
        verbose_name_plural = _("entered indicators")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def code(self) -> str:
        return f"entered:{self.pk}"


class PlanQuerySet(ScopedQuerySet):
    # A department reads its own plans and the default plan; the assessment office keeps them all.
    def _visible_to_department(self, user):
        return self.filter(Q(department_id=user.department_id) | Q(department__isnull=True))

    def _visible_to_assessment(self, user):
        return self.all()

    def in_force(self, *, department_id, month):
        """The versions that could apply to ``department_id`` in ``month``, the one in force first:
        the department's own (latest effective, then latest version), then the default plan's."""
        return (self.filter(year=month.year, effective_from__lte=month)
                .filter(Q(department_id=department_id) | Q(department__isnull=True))
                .order_by(models.F("department_id").desc(nulls_last=True), "-effective_from", "-version"))


class AssessmentPlan(models.Model):
    """One version of the plan of a department (or the default plan) for a year."""

    department = models.ForeignKey(
        "zonehub.Department", verbose_name=_("department"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="assessment_plans", help_text=_("Empty: the default plan, for departments without their own."),
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    # The first day of the month from which it applies: a change made during the year applies from
    # the next month, so the months already scored keep the version they were scored with.
    effective_from = models.DateField(_("applies from"))
    note = models.TextField(_("why this version"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("made by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("made"), default=timezone.now)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment plan")
        verbose_name_plural = _("assessment plans")
        ordering = ["-year", "department__name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["department", "year", "version"], name="plan_version_once",
                                    condition=Q(department__isnull=False)),
            models.UniqueConstraint(fields=["year", "version"], name="default_plan_version_once",
                                    condition=Q(department__isnull=True)),
        ]

    def __str__(self):
        return f"{self.year} {self.department or _('default plan')} v{self.version}"

    def get_absolute_url(self):
        return reverse("evaluations:plan_detail", args=[self.pk])

    @property
    def is_default(self) -> bool:
        return self.department_id is None

    @property
    def label(self) -> str:
        return str(self.department.name if self.department_id else _("default plan"))


class PlanIndicator(models.Model):
    """One indicator of a plan version: what it reads, how it scores, its weight and target.

    Methods (the page and README show the arithmetic):
      ratio      points = weight × min(1, value ÷ target)           (higher is better)
      penalty    points = max(0, weight − per unit × max(0, value − target))  (lower is better)
      bonus      adds min(weight, per unit × value) on top of the score
      deduction  takes per unit × max(0, value − target) off the score (at most weight, 0: no cap)
    The score is 100 × the points of the ratio and penalty indicators that had a value ÷ their
    weights, plus the bonuses, minus the deductions, kept within 0–100."""

    class Method(models.TextChoices):
        RATIO = "ratio", _("points by completion (higher is better)")
        PENALTY = "penalty", _("points lost above the target (lower is better)")
        BONUS = "bonus", _("bonus on top of the score")
        DEDUCTION = "deduction", _("deduction from the score")

    plan = models.ForeignKey(AssessmentPlan, verbose_name=_("plan"), on_delete=models.CASCADE,
                             related_name="indicators")
    # A computed indicator's code (evaluations.indicators.LIBRARY), or "entered" with ``entered``.
    code = models.CharField(_("indicator"), max_length=40)
    entered = models.ForeignKey(EnteredIndicator, verbose_name=_("entered indicator"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="plan_rows")
    method = models.CharField(_("scored as"), max_length=10, choices=Method.choices)
    weight = models.DecimalField(_("weight (points)"), max_digits=6, decimal_places=2, default=Decimal(0))
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=4, null=True, blank=True)
    per_unit = models.DecimalField(_("points per unit"), max_digits=8, decimal_places=2, null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("plan indicator")
        verbose_name_plural = _("plan indicators")
        ordering = ["plan", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(code="entered", entered__isnull=False) | (~Q(code="entered")
                                                                                        & Q(entered__isnull=True)),
                                   name="plan_indicator_entered_names_it"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="plan_indicator_weight_not_negative"),
        ]

    def __str__(self):
        return f"{self.plan}: {self.code}"

    @property
    def key(self) -> str:
        """The indicator as the library names it: a computed code, or ``entered:<id>``."""
        return f"entered:{self.entered_id}" if self.code == "entered" else self.code


class ActualQuerySet(ScopedQuerySet):
    def _visible_to_department(self, user):
        return self.filter(department_id=user.department_id)

    def _visible_to_assessment(self, user):
        return self.all()


def _evidence_upload_to(instance, filename):
    import uuid

    ext = filename.rsplit(".", 1)[-1].lower()[:10] if "." in filename else "bin"
    return f"evaluations/evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{ext}"


class MonthlyActual(models.Model):
    """The actual of an entered indicator for a department and month, with its evidence. Changed
    only through ``evaluations.plans.actual_record``, which keeps the value before on the timeline."""

    indicator = models.ForeignKey(EnteredIndicator, verbose_name=_("indicator"), on_delete=models.PROTECT,
                                  related_name="actuals")
    department = models.ForeignKey("zonehub.Department", verbose_name=_("department"), on_delete=models.PROTECT,
                                   related_name="assessment_actuals")
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    value = models.DecimalField(_("actual"), max_digits=14, decimal_places=4)
    evidence = models.TextField(_("evidence"))
    evidence_file = models.FileField(_("evidence file"), upload_to=_evidence_upload_to, max_length=200, blank=True)
    evidence_file_name = models.CharField(_("file name"), max_length=200, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT,
                                   related_name="+")
    entered_at = models.DateTimeField(_("entered"), default=timezone.now)

    objects = ActualQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly actual")
        verbose_name_plural = _("monthly actuals")
        ordering = ["-month", "department__name", "indicator__name"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "department", "month"], name="one_actual_per_month",
                                    violation_error_message=_("This month's actual is already entered: change it.")),
            models.CheckConstraint(condition=~Q(evidence=""), name="actual_has_evidence",
                                   violation_error_message=_("Give the evidence for the actual.")),
        ]

    def __str__(self):
        return f"{self.department} {self.month:%Y-%m} {self.indicator}: {self.value}"
