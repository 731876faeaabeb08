"""Stewards' yearly grades (seed 002): the appraisal becomes a grade A–D by thresholds, and a
finding of subjective lack of effort (主观不努力) caps it and bars the steward from that year's
awards and promotion."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zonehub.scoping import ScopedQuerySet

PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


class StewardGradePolicy(models.Model):
    """The thresholds of the stewards' yearly grade, in per cent, set by an administrator. A grade
    needs every measure at or above its thresholds; a measure with nothing to measure (no rating,
    no month served, no request) is not held against the steward. One row; the first read creates
    it with the defaults below."""

    a_satisfaction = models.DecimalField(_("A: satisfied ratings at least (%)"), max_digits=5, decimal_places=1,
                                         default=Decimal("95"), validators=PERCENT)
    a_visits = models.DecimalField(_("A: months visited at least (%)"), max_digits=5, decimal_places=1,
                                   default=Decimal("90"), validators=PERCENT)
    a_accepted = models.DecimalField(_("A: requests accepted in time at least (%)"), max_digits=5, decimal_places=1,
                                     default=Decimal("90"), validators=PERCENT)
    a_answered = models.DecimalField(_("A: escalations answered in time at least (%)"), max_digits=5,
                                     decimal_places=1, default=Decimal("90"), validators=PERCENT)
    a_decisions = models.DecimalField(_("A: meeting decisions closed in time at least (%)"), max_digits=5,
                                       decimal_places=1, default=Decimal("90"), validators=PERCENT)
    b_satisfaction = models.DecimalField(_("B: satisfied ratings at least (%)"), max_digits=5, decimal_places=1,
                                         default=Decimal("90"), validators=PERCENT)
    b_visits = models.DecimalField(_("B: months visited at least (%)"), max_digits=5, decimal_places=1,
                                   default=Decimal("80"), validators=PERCENT)
    b_accepted = models.DecimalField(_("B: requests accepted in time at least (%)"), max_digits=5, decimal_places=1,
                                     default=Decimal("75"), validators=PERCENT)
    b_answered = models.DecimalField(_("B: escalations answered in time at least (%)"), max_digits=5,
                                     decimal_places=1, default=Decimal("80"), validators=PERCENT)
    b_decisions = models.DecimalField(_("B: meeting decisions closed in time at least (%)"), max_digits=5,
                                       decimal_places=1, default=Decimal("80"), validators=PERCENT)
    c_satisfaction = models.DecimalField(_("C: satisfied ratings at least (%)"), max_digits=5, decimal_places=1,
                                         default=Decimal("80"), validators=PERCENT)
    c_visits = models.DecimalField(_("C: months visited at least (%)"), max_digits=5, decimal_places=1,
                                   default=Decimal("60"), validators=PERCENT)
    c_accepted = models.DecimalField(_("C: requests accepted in time at least (%)"), max_digits=5, decimal_places=1,
                                     default=Decimal("50"), validators=PERCENT)
    c_answered = models.DecimalField(_("C: escalations answered in time at least (%)"), max_digits=5,
                                     decimal_places=1, default=Decimal("60"), validators=PERCENT)
    c_decisions = models.DecimalField(_("C: meeting decisions closed in time at least (%)"), max_digits=5,
                                       decimal_places=1, default=Decimal("60"), validators=PERCENT)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("steward grade thresholds")
        verbose_name_plural = _("steward grade thresholds")

    def __str__(self):
        return str(_("steward grade thresholds"))

    @classmethod
    def current(cls) -> "StewardGradePolicy":
        policy = cls.objects.order_by("pk").first()
        if policy is None:
            # Read back as stored ("90.0", not "90"): what a row keeps of it is the same every time.
            policy = cls.objects.create()
            policy.refresh_from_db()
        return policy

    def thresholds(self) -> dict[str, dict[str, Decimal]]:
        """{grade: {measure: lowest per cent}} for A, B and C; below C is D."""
        return {grade: {measure: getattr(self, f"{grade.lower()}_{measure}")
                        for measure in ("satisfaction", "visits", "accepted", "answered", "decisions")}
                for grade in ("A", "B", "C")}


class StewardGradeQuerySet(ScopedQuerySet):
    def _visible_to_steward(self, user):
        return self.filter(steward__user=user)

    def _visible_to_workstation_head(self, user):
        return self.filter(steward__workstation_id=user.workstation_id)

    def _visible_to_assessment(self, user):
        return self.all()


class StewardYearGrade(models.Model):
    """A steward's grade for a year, as computed from the appraisal (``figures``: each measure's
    numerator, denominator and per cent) and the thresholds then in force. Computing the year again
    (it may be computed while the year runs) replaces the row; the pay sheets keep what they read."""

    steward = models.ForeignKey("stewards.Steward", verbose_name=_("steward"), on_delete=models.PROTECT,
                                related_name="year_grades")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    # "" when there was nothing to assess (no rating, no month served, no request): never an A.
    grade = models.CharField(_("grade"), max_length=1, blank=True)
    # The grade the thresholds gave, before a finding capped it.
    grade_by_thresholds = models.CharField(_("grade by the thresholds"), max_length=1, blank=True)
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    thresholds = models.JSONField(_("thresholds"), default=dict, blank=True)
    findings = models.PositiveSmallIntegerField(_("findings of subjective lack of effort"), default=0)
    eligible = models.BooleanField(_("eligible for awards and promotion"), default=True)
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("computed by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    objects = StewardGradeQuerySet.as_manager()

    class Meta:
        verbose_name = _("steward's yearly grade")
        verbose_name_plural = _("stewards' yearly grades")
        ordering = ["-year", "steward__user__name"]
        constraints = [
            models.UniqueConstraint(fields=["steward", "year"], name="one_steward_grade_per_year"),
            models.CheckConstraint(condition=Q(grade__in=["", "A", "B", "C", "D"]), name="steward_grade_a_to_d"),
        ]

    def __str__(self):
        return f"{self.steward} {self.year}: {self.grade or '—'}"

    @property
    def assessed(self) -> bool:
        return bool(self.grade)

    @property
    def capped(self) -> bool:
        return self.grade != self.grade_by_thresholds


class FindingQuerySet(ScopedQuerySet):
    def _visible_to_steward(self, user):
        return self.filter(steward__user=user)

    def _visible_to_workstation_head(self, user):
        return self.filter(steward__workstation_id=user.workstation_id)

    def _visible_to_assessment(self, user):
        return self.all()


class EffortFinding(models.Model):
    """A finding of subjective lack of effort (主观不努力) against a steward for a year, recorded by
    the head of its workstation or a leader, with the reason. (A leader's finding on a replacement
    case, ``ReplacementCase.lack_of_effort``, counts the same.) Never deleted."""

    steward = models.ForeignKey("stewards.Steward", verbose_name=_("steward"), on_delete=models.PROTECT,
                                related_name="effort_findings")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("finding of subjective lack of effort")
        verbose_name_plural = _("findings of subjective lack of effort")
        ordering = ["-recorded_at", "-pk"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="effort_finding_has_reason",
                                              violation_error_message=_("Give the reason for the finding."))]

    def __str__(self):
        return f"{self.steward} {self.year}"
