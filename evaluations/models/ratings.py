"""Half-yearly satisfaction ratings of stewards and the replacements they cause (DESIGN.md rule 4)."""


from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zonehub.scoping import ScopedQuerySet


class CampaignQuerySet(ScopedQuerySet):
    # Every signed-in role may see that a campaign exists and when it runs; what each may see
    # of the ratings inside it is decided by RatingQuerySet.
    def _visible_to_enterprise(self, user):
        return self.all()

    _visible_to_steward = _visible_to_enterprise
    _visible_to_workstation_head = _visible_to_enterprise
    _visible_to_department = _visible_to_enterprise

    def open(self):
        return self.filter(status=Campaign.Status.OPEN)

    def closed(self):
        return self.filter(status=Campaign.Status.CLOSED)


class Campaign(models.Model):
    """One satisfaction survey per half-year (满意度评价). Created when it opens, by the beat
    sweep on the configured date or by hand; it closes once, after which ratings are final."""

    class Half(models.TextChoices):
        H1 = "H1", _("first half")
        H2 = "H2", _("second half")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2999)])
    half = models.CharField(_("half-year"), max_length=2, choices=Half.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+", help_text=_("Empty when opened on schedule."),
    )
    # Exclusive instant (00:00 Asia/Shanghai after the last working day), like every deadline.
    closes_at = models.DateTimeField(_("closes"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("closed by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    # Enterprises that had a steward to rate when the campaign closed: participation's denominator.
    expected_enterprises = models.PositiveIntegerField(_("enterprises expected to rate"), null=True, blank=True)
    # Why a leader ended it before its planned close (required then); kept after a reopening.
    close_reason = models.TextField(_("why it was ended early"), blank=True)
    reopened_at = models.DateTimeField(_("reopened"), null=True, blank=True)
    reopen_reason = models.TextField(_("why it was reopened"), blank=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("rating campaign")
        verbose_name_plural = _("rating campaigns")
        ordering = ["-year", "-half"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "half"], name="one_campaign_per_half_year",
                violation_error_message=_("There is already a campaign for this half-year."),
            ),
            models.CheckConstraint(
                condition=Q(half__in=["H1", "H2"]), name="campaign_half_is_h1_or_h2",
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True) | Q(status="closed", closed_at__isnull=False),
                name="campaign_closed_has_closed_at",
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.get_half_display()}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def label(self) -> str:
        return str(self)


class RatingQuerySet(ScopedQuerySet):
    def _visible_to_enterprise(self, user):
        return self.filter(enterprise_id=user.enterprise_id)

    def _visible_to_steward(self, user):
        # Stewards never see who rated them what until the campaign has closed.
        return self.filter(steward__user=user, campaign__status=Campaign.Status.CLOSED)

    def _visible_to_workstation_head(self, user):
        return self.filter(Q(enterprise__workstation_id=user.workstation_id)
                           | Q(steward__workstation_id=user.workstation_id))


class Rating(models.Model):
    """An enterprise's verdict on one of its stewards in one campaign: satisfied or unsatisfied,
    nothing in between ("不搞‘比较满意、很满意、非常满意’之类的文字游戏")."""

    class Value(models.TextChoices):
        SATISFIED = "satisfied", _("satisfied")
        UNSATISFIED = "unsatisfied", _("unsatisfied")

    class StewardRole(models.TextChoices):
        ENTERPRISE = "enterprise", _("enterprise steward")
        PROJECT = "project", _("project steward")

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="ratings")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="ratings"
    )
    steward = models.ForeignKey(
        "stewards.Steward", verbose_name=_("steward"), on_delete=models.PROTECT, related_name="ratings"
    )
    steward_role = models.CharField(
        _("as"), max_length=10, choices=StewardRole.choices, default=StewardRole.ENTERPRISE
    )
    value = models.CharField(_("rating"), max_length=12, choices=Value.choices)
    reason = models.TextField(_("reason"), blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("rated by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("rated"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)

    objects = RatingQuerySet.as_manager()

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["campaign", "enterprise__name", "steward__user__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "enterprise", "steward"], name="one_rating_per_campaign_enterprise_steward",
                violation_error_message=_("This enterprise has already rated this steward in this campaign."),
            ),
            models.CheckConstraint(
                condition=Q(value__in=["satisfied", "unsatisfied"]), name="rating_is_satisfied_or_unsatisfied",
                violation_error_message=_("A rating is either satisfied or unsatisfied."),
            ),
            models.CheckConstraint(
                condition=Q(value="satisfied") | ~Q(reason=""), name="unsatisfied_rating_has_reason",
                violation_error_message=_("Say why you are not satisfied."),
            ),
        ]
        indexes = [models.Index(fields=["steward", "campaign"], name="rating_steward_idx"),
                   models.Index(fields=["-campaign", "enterprise", "steward"], name="rating_api_order_idx")]

    def __str__(self):
        return f"{self.enterprise} → {self.steward}: {self.get_value_display()}"

    @property
    def is_unsatisfied(self) -> bool:
        return self.value == self.Value.UNSATISFIED


class CaseQuerySet(ScopedQuerySet):
    def _visible_to_workstation_head(self, user):
        return self.filter(workstation_id=user.workstation_id)

    def _visible_to_enterprise(self, user):
        return self.filter(enterprise_id=user.enterprise_id)

    def _visible_to_steward(self, user):
        # Cases exist only once a campaign has closed, so a steward may see its own.
        return self.filter(steward__user=user)

    def pending(self):
        return self.filter(status=ReplacementCase.Status.PENDING)


class ReplacementCase(models.Model):
    """无条件撤换: an unsatisfied rating takes the steward off the enterprise. The head of the
    enterprise's workstation names the new steward within a number of working days; leaders
    review the case for subjective lack of effort (主观不努力)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for a new steward")
        REPLACED = "replaced", _("new steward named")
        WITHDRAWN = "withdrawn", _("withdrawn: the campaign was reopened")

    rating = models.OneToOneField(Rating, verbose_name=_("rating"), on_delete=models.PROTECT, related_name="case")
    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="cases")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="replacement_cases"
    )
    steward = models.ForeignKey(
        "stewards.Steward", verbose_name=_("steward rated unsatisfied"), on_delete=models.PROTECT,
        related_name="replacement_cases",
    )
    # The enterprise's workstation when the case opened: whose head must act.
    workstation = models.ForeignKey(
        "zonehub.Workstation", verbose_name=_("workstation"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    due_at = models.DateTimeField(_("new steward due"))
    reminded_at = models.DateTimeField(_("head reminded"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("marked overdue"), null=True, blank=True)
    new_steward = models.ForeignKey(
        "stewards.Steward", verbose_name=_("new steward"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    replaced_at = models.DateTimeField(_("replaced"), null=True, blank=True)
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("named by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    # A leader may let a steward go back to the enterprise that rated it unsatisfied this year.
    override_steward = models.ForeignKey(
        "stewards.Steward", verbose_name=_("steward allowed back"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    override_reason = models.TextField(_("why it may go back"), blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("allowed by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    # The leaders' review: None until reviewed; True is a finding of subjective lack of effort.
    lack_of_effort = models.BooleanField(_("subjective lack of effort"), null=True, blank=True)
    review_reason = models.TextField(_("review reason"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("replacement case")
        verbose_name_plural = _("replacement cases")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "withdrawn"]) | Q(new_steward__isnull=False,
                                                                     replaced_at__isnull=False),
                name="replaced_case_names_new_steward",
            ),
            models.CheckConstraint(
                condition=Q(lack_of_effort__isnull=True) | ~Q(review_reason=""),
                name="effort_review_has_reason",
                violation_error_message=_("A review needs a reason."),
            ),
        ]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(status="pending"), name="case_pending_due_idx"),
        ]

    def __str__(self):
        return f"{self.enterprise} / {self.steward} ({self.campaign})"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def is_overdue(self) -> bool:
        return self.is_pending and timezone.now() >= self.due_at
