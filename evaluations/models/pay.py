"""以等级定薪酬 (seed 001): grade coefficients and posts, set by administrators and dated; the pay
sheets the assessment office drafts and a leader approves (then locked: a change is a recorded
correction, never an edit); and the post rotation pool (岗位周转池、能上能下).

Who sees pay: the person their own line (of an approved sheet), the assessment office and the
leaders everything; nobody else, administrators included (``PayQuerySet``)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zonehub.models import Role
from zonehub.scoping import ScopedQuerySet

PAY_READERS = (Role.LEADER, Role.ASSESSMENT)


def reads_all_pay(user) -> bool:
    """Leaders and the assessment office; not the system administrator (pay is nobody else's)."""
    return bool(user is not None and user.is_authenticated and user.is_active
                and not user.is_superuser and user.role in PAY_READERS)


class PayQuerySet(ScopedQuerySet):
    """Pay is not "everything" the administrator sees: ``visible_to`` is decided here, not by role
    methods. Rows of a person (``_own``): their own; the rest: nothing."""

    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if reads_all_pay(user):
            return self.all()
        return self._own(user)

    def _own(self, user):
        return self.none()


class PayCoefficients(models.Model):
    """The grade coefficients from a date on (以等级定薪酬), set by an administrator. A sheet reads
    the row in force on its period's first day and keeps it."""

    effective_from = models.DateField(_("applies from"), unique=True)
    a = models.DecimalField(_("coefficient for A"), max_digits=4, decimal_places=2, default=Decimal("1.20"))
    b = models.DecimalField(_("coefficient for B"), max_digits=4, decimal_places=2, default=Decimal("1.00"))
    c = models.DecimalField(_("coefficient for C"), max_digits=4, decimal_places=2, default=Decimal("0.80"))
    d = models.DecimalField(_("coefficient for D"), max_digits=4, decimal_places=2, default=Decimal("0.60"))
    ungraded = models.DecimalField(_("coefficient with no grade"), max_digits=4, decimal_places=2,
                                   default=Decimal("1.00"),
                                   help_text=_("For a unit with nothing to assess in the period (无考核事项)."))
    auxiliary_share = models.DecimalField(
        _("share of the unit's grade an auxiliary post follows"), max_digits=3, decimal_places=2,
        default=Decimal("0.50"),
        help_text=_("Auxiliary post coefficient = 1 + share × (unit coefficient − 1); its own grade is not applied."))
    note = models.CharField(_("note"), max_length=200, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("set by"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("set"), default=timezone.now)

    class Meta:
        verbose_name = _("grade coefficients")
        verbose_name_plural = _("grade coefficients")
        ordering = ["-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(a__gte=0, b__gte=0, c__gte=0, d__gte=0, ungraded__gte=0, auxiliary_share__gte=0,
                            auxiliary_share__lte=1),
                name="pay_coefficients_in_range",
                violation_error_message=_("Coefficients cannot be negative; the auxiliary share is between 0 and 1.")),
        ]

    def __str__(self):
        return f"A {self.a} · B {self.b} · C {self.c} · D {self.d} ({self.effective_from:%Y-%m-%d})"

    def for_grade(self, grade: str) -> Decimal:
        return {"A": self.a, "B": self.b, "C": self.c, "D": self.d}.get(grade or "", self.ungraded)

    def as_dict(self) -> dict:
        return {key: str(getattr(self, key)) for key in ("a", "b", "c", "d", "ungraded", "auxiliary_share")}


class PayPostQuerySet(PayQuerySet):
    def _own(self, user):
        return self.filter(user=user)

    def visible_to(self, user):
        # The administrator sets the posts and their bases (it does not see what anyone is paid).
        if user is not None and user.is_authenticated and user.is_active and user.is_admin:
            return self.all()
        return super().visible_to(user)


class PayPost(models.Model):
    """A person's post from a date on: its kind, its monthly performance-pay base, and the unit
    whose grade it follows. A change is a new row; the row in force on a period's first day
    counts for that period."""

    class Kind(models.TextChoices):
        PERFORMANCE = "performance", _("performance post")
        AUXILIARY = "auxiliary", _("auxiliary post")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT,
                             related_name="pay_posts")
    kind = models.CharField(_("post kind"), max_length=12, choices=Kind.choices, default=Kind.PERFORMANCE)
    base = models.DecimalField(_("monthly performance-pay base (yuan)"), max_digits=10, decimal_places=2)
    department = models.ForeignKey("zonehub.Department", verbose_name=_("unit whose grade it follows"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    effective_from = models.DateField(_("applies from"))
    # A person who leaves is given a row with ``active`` off: from then on they are on no sheet.
    active = models.BooleanField(_("on the pay sheets"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("set by"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("set"), default=timezone.now)

    objects = PayPostQuerySet.as_manager()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["user__name", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["user", "effective_from"], name="one_post_per_person_and_date",
                                    violation_error_message=_("This person already has a post from this date.")),
            models.CheckConstraint(condition=Q(base__gte=0), name="post_base_not_negative",
                                   violation_error_message=_("The base cannot be negative.")),
        ]

    def __str__(self):
        return f"{self.user} {self.get_kind_display()} {self.base} ({self.effective_from:%Y-%m-%d})"


class PaySheetQuerySet(PayQuerySet):
    def drafts(self):
        return self.filter(status=PaySheet.Status.DRAFT)


class PaySheet(models.Model):
    """The performance pay of one period (a month, or a quarter: ZONEHUB_PAY_PERIOD): drafted by
    the assessment office, approved by a leader, and then locked."""

    class Period(models.TextChoices):
        MONTH = "month", _("month")
        QUARTER = "quarter", _("quarter")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        APPROVED = "approved", _("approved and locked")

    period = models.CharField(_("period"), max_length=7, choices=Period.choices, default=Period.MONTH)
    period_start = models.DateField(_("period begins"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    pool = models.DecimalField(_("performance-pay pool (yuan)"), max_digits=14, decimal_places=2)
    coefficients = models.ForeignKey(PayCoefficients, verbose_name=_("grade coefficients"), on_delete=models.PROTECT,
                                     related_name="sheets")
    # The coefficients and grade thresholds as they were read, so the sheet explains itself later.
    rules = models.JSONField(_("rules read"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("drafted by"), on_delete=models.PROTECT,
                                   related_name="+")
    drafted_at = models.DateTimeField(_("drafted"), default=timezone.now)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    objects = PaySheetQuerySet.as_manager()

    class Meta:
        verbose_name = _("pay sheet")
        verbose_name_plural = _("pay sheets")
        ordering = ["-period_start", "period"]
        constraints = [
            models.UniqueConstraint(fields=["period", "period_start"], name="one_pay_sheet_per_period",
                                    violation_error_message=_("There is already a pay sheet for this period.")),
            models.CheckConstraint(condition=Q(status="draft") | Q(approved_at__isnull=False, approved_by__isnull=False),
                                   name="approved_sheet_says_who"),
            models.CheckConstraint(condition=Q(pool__gte=0), name="pay_pool_not_negative"),
        ]

    def __str__(self):
        return self.label

    def get_absolute_url(self):
        return reverse("evaluations:pay_sheet_detail", args=[self.pk])

    @property
    def label(self) -> str:
        if self.period == self.Period.QUARTER:
            return f"{self.period_start.year}年第{(self.period_start.month - 1) // 3 + 1}季度"
        return f"{self.period_start.year}年{self.period_start.month}月"

    @property
    def months(self) -> int:
        return 3 if self.period == self.Period.QUARTER else 1

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.APPROVED


class PayLineQuerySet(PayQuerySet):
    def _own(self, user):
        # A person reads their own line once the sheet is approved: a draft may still change.
        return self.filter(user=user, sheet__status=PaySheet.Status.APPROVED)


class PayLine(models.Model):
    """One person's line of a sheet, with every figure it was computed from (the arithmetic is
    ``evaluations.pay.pay_line_amounts``; README "Assessment and pay")."""

    sheet = models.ForeignKey(PaySheet, verbose_name=_("pay sheet"), on_delete=models.CASCADE, related_name="lines")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT,
                             related_name="pay_lines")
    post = models.ForeignKey(PayPost, verbose_name=_("post"), on_delete=models.PROTECT, related_name="lines")
    kind = models.CharField(_("post kind"), max_length=12, choices=PayPost.Kind.choices)
    base = models.DecimalField(_("monthly base"), max_digits=10, decimal_places=2)
    months = models.PositiveSmallIntegerField(_("months"), default=1)
    department = models.ForeignKey("zonehub.Department", verbose_name=_("unit"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    unit_grade = models.CharField(_("unit's grade"), max_length=1, blank=True)
    unit_score = models.DecimalField(_("unit's score"), max_digits=5, decimal_places=1, null=True, blank=True)
    own_grade = models.CharField(_("own grade"), max_length=1, blank=True)
    unit_coefficient = models.DecimalField(_("unit coefficient"), max_digits=6, decimal_places=4)
    own_coefficient = models.DecimalField(_("own coefficient"), max_digits=6, decimal_places=4, null=True, blank=True)
    coefficient = models.DecimalField(_("coefficient"), max_digits=8, decimal_places=4)
    weighted = models.DecimalField(_("weighted base"), max_digits=16, decimal_places=6)
    amount = models.DecimalField(_("performance pay (yuan)"), max_digits=12, decimal_places=2)
    # Where the grades came from: the month rows (ids), the steward's yearly grade (id).
    sources = models.JSONField(_("sources"), default=dict, blank=True)

    objects = PayLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("pay line")
        verbose_name_plural = _("pay lines")
        ordering = ["sheet", "department__name", "user__name", "pk"]
        constraints = [models.UniqueConstraint(fields=["sheet", "user"], name="one_pay_line_per_person")]

    def __str__(self):
        return f"{self.sheet} {self.user}: {self.amount}"


class PayCorrectionQuerySet(PayQuerySet):
    def _own(self, user):
        return self.filter(line__user=user, line__sheet__status=PaySheet.Status.APPROVED)


class PayCorrection(models.Model):
    """A change to a locked line: an amount added (or taken off, negative) with its reason. The
    line itself is never edited; what is paid is its amount plus its corrections."""

    line = models.ForeignKey(PayLine, verbose_name=_("pay line"), on_delete=models.PROTECT, related_name="corrections")
    amount = models.DecimalField(_("change (yuan)"), max_digits=12, decimal_places=2)
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = PayCorrectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("pay correction")
        verbose_name_plural = _("pay corrections")
        ordering = ["recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="pay_correction_has_reason"),
            models.CheckConstraint(condition=~Q(amount=0), name="pay_correction_changes_something"),
        ]

    def __str__(self):
        return f"{self.line}: {self.amount:+}"


class RotationQuerySet(PayQuerySet):
    def open(self):
        return self.filter(outcome="")


class RotationCase(models.Model):
    """能上能下: a unit or a person graded D in ZONEHUB_ROTATION_D_PERIODS consecutive periods is
    listed in the post rotation pool (岗位周转池) for review; a leader records the outcome."""

    class Subject(models.TextChoices):
        UNIT = "unit", _("unit")
        PERSON = "person", _("person")

    class Outcome(models.TextChoices):
        STAY = "stay", _("stays in post")
        MOVE = "move", _("moves to another post")
        DOWN = "down", _("moves down")
        UP = "up", _("moves up")

    subject = models.CharField(_("who"), max_length=6, choices=Subject.choices)
    department = models.ForeignKey("zonehub.Department", verbose_name=_("unit"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="rotation_cases")
    # The periods graded D, oldest first: [{"period": "2026-09", "grade": "D", "score": "55.0", "row": id}].
    periods = models.JSONField(_("periods graded D"), default=list)
    # What makes the listing happen once: the subject and the last period of the run.
    key = models.CharField(max_length=80, unique=True)
    listed_at = models.DateTimeField(_("listed"), default=timezone.now)
    outcome = models.CharField(_("outcome"), max_length=4, choices=Outcome.choices, blank=True)
    outcome_reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    objects = RotationQuerySet.as_manager()

    class Meta:
        verbose_name = _("rotation pool entry")
        verbose_name_plural = _("rotation pool")
        ordering = ["outcome", "-listed_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(subject="unit", department__isnull=False, user__isnull=True)
                                   | Q(subject="person", user__isnull=False), name="rotation_names_its_subject"),
            models.CheckConstraint(condition=Q(outcome="") | (~Q(outcome_reason="") & Q(decided_at__isnull=False)),
                                   name="rotation_outcome_has_reason"),
        ]

    def __str__(self):
        return f"{self.name}: {self.periods_label}"

    @property
    def name(self) -> str:
        return str(self.department if self.subject == self.Subject.UNIT else self.user)

    @property
    def periods_label(self) -> str:
        return "、".join(f"{p['period']} {p['grade']}" for p in self.periods)

    @property
    def is_open(self) -> bool:
        return not self.outcome
