"""Policies (政策) and their push to the enterprises that qualify (精准滴灌, seed 004).

- ``Policy``: the catalogue kept by the committee's staff: what the policy is, its benefit, its
  application window, the department that handles it, its status (draft → published → withdrawn,
  or expired once its window has closed), and its eligibility conditions, structured (tags all of
  / any of, chains, parks, ownership, size, years in the zone, thresholds on the latest yearly
  indicators) so that they become one database query (``policies.conditions``).
- ``PolicyPush``: the policy pushed to one enterprise, once ever (a unique constraint), with why
  it qualified then; what the enterprise did with it (viewed, not needed, applied through a 政策兑现
  service request) and what came of it (redeemed with an amount, or refused with a reason).

Every write goes through ``policies.services``; nothing is deleted.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stewards.models import served_enterprise_ids, workstation_enterprise_ids
from zonehub.scoping import ScopedQuerySet


class PolicyQuerySet(ScopedQuerySet):
    # Enterprises read the published catalogue, and the policies pushed to them whatever became of
    # them since (withdrawn, expired: their 政策匹配 page and notifications link there); the staff
    # also what was withdrawn or has expired; drafts are the editors' (leaders and administrators
    # see everything).
    def _visible_to_enterprise(self, user):
        pushed = PolicyPush.objects.filter(policy_id=OuterRef("pk"), enterprise_id=user.enterprise_id)
        return self.filter(Q(status=Policy.Status.PUBLISHED) | (~Q(status=Policy.Status.DRAFT) & Exists(pushed)))

    def _visible_to_steward(self, user):
        return self.exclude(status=Policy.Status.DRAFT)

    _visible_to_workstation_head = _visible_to_steward
    _visible_to_department = _visible_to_steward


def _full_text_upload_to(instance, filename):
    # Never the user's file name on disk (kept in ``full_text_name``); served only through a view.
    ext = filename.rsplit(".", 1)[-1].lower()[:10] if "." in filename else "bin"
    return f"policies/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{ext}"


class Policy(models.Model):
    class Level(models.TextChoices):
        NATIONAL = "national", _("national")
        PROVINCIAL = "provincial", _("provincial")
        MUNICIPAL = "municipal", _("municipal")
        ZONE = "zone", _("zone")

    class Kind(models.TextChoices):
        SUBSIDY = "subsidy", _("subsidy or award")
        TAX = "tax", _("tax relief")
        INTEREST = "interest", _("interest subsidy")
        TALENT = "talent", _("talent")
        QUALIFICATION = "qualification", _("qualification")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        WITHDRAWN = "withdrawn", _("withdrawn")
        EXPIRED = "expired", _("expired")

    class BenefitType(models.TextChoices):
        AMOUNT = "amount", _("a fixed amount")
        CEILING = "ceiling", _("up to a ceiling")
        RATE = "rate", _("a rate")

    title = models.CharField(_("title"), max_length=200)
    issuer = models.CharField(_("issuing body"), max_length=100)
    document_number = models.CharField(_("document number"), max_length=100, blank=True)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    summary = models.TextField(_("summary"))
    full_text = models.FileField(_("full text"), upload_to=_full_text_upload_to, max_length=200, blank=True)
    full_text_name = models.CharField(_("file name"), max_length=200, blank=True)
    benefit_type = models.CharField(_("benefit"), max_length=10, choices=BenefitType.choices,
                                    default=BenefitType.CEILING)
    benefit_amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    benefit_rate = models.DecimalField(_("rate (%)"), max_digits=6, decimal_places=2, null=True, blank=True)
    benefit_note = models.CharField(_("benefit in words"), max_length=200, blank=True)
    opens_on = models.DateField(_("applications open"))
    closes_on = models.DateField(_("applications close"))
    materials = models.TextField(_("materials to submit"), blank=True)
    department = models.ForeignKey(
        "zonehub.Department", verbose_name=_("handling department"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="policies",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)

    # --- who qualifies (policies.conditions turns these into one query) ---
    tags_all = models.ManyToManyField(
        "enterprises.EnterpriseTag", verbose_name=_("tags required (all of)"), blank=True,
        related_name="policies_requiring_all",
    )
    tags_any = models.ManyToManyField(
        "enterprises.EnterpriseTag", verbose_name=_("tags required (any of)"), blank=True,
        related_name="policies_requiring_any",
    )
    industries = models.ManyToManyField("enterprises.IndustryChain", verbose_name=_("industry chains"), blank=True,
                                        related_name="policies")
    parks = models.ManyToManyField("enterprises.Park", verbose_name=_("parks"), blank=True, related_name="policies")
    ownerships = models.JSONField(_("ownership"), default=list, blank=True)
    above_designated_size = models.BooleanField(_("above designated size"), null=True, blank=True)
    # Counted from the enterprise's registration in the zone (Enterprise.created_at): ZoneHub keeps
    # no founding date.
    min_years_in_zone = models.PositiveSmallIntegerField(_("years in the zone at least"), null=True, blank=True)
    min_revenue = models.DecimalField(_("revenue at least (10k yuan)"), max_digits=14, decimal_places=2,
                                      null=True, blank=True)
    max_revenue = models.DecimalField(_("revenue at most (10k yuan)"), max_digits=14, decimal_places=2,
                                      null=True, blank=True)
    min_output = models.DecimalField(_("industrial output at least (10k yuan)"), max_digits=14, decimal_places=2,
                                     null=True, blank=True)
    min_tax = models.DecimalField(_("tax paid at least (10k yuan)"), max_digits=14, decimal_places=2,
                                  null=True, blank=True)
    min_employees = models.PositiveIntegerField(_("employees at least"), null=True, blank=True)
    max_employees = models.PositiveIntegerField(_("employees at most"), null=True, blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("published by"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdraw_reason = models.TextField(_("why it was withdrawn"), blank=True)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "closes_on"], name="policy_status_closes_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(closes_on__gte=models.F("opens_on")), name="policy_window_in_order",
                                   violation_error_message=_("The window cannot close before it opens.")),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("policies:detail", args=[self.pk])

    def is_open_on(self, day) -> bool:
        """Applications are taken: published, and ``day`` within the window (both days included)."""
        return self.status == self.Status.PUBLISHED and self.opens_on <= day <= self.closes_on


class PolicyPushQuerySet(ScopedQuerySet):
    def _visible_to_enterprise(self, user):
        return self.filter(enterprise_id=user.enterprise_id)

    def _visible_to_steward(self, user):
        return self.filter(enterprise_id__in=served_enterprise_ids(user))

    def _visible_to_workstation_head(self, user):
        return self.filter(enterprise_id__in=workstation_enterprise_ids(user))

    def _visible_to_department(self, user):
        # The department handling a policy sees who it was pushed to, and records the outcomes.
        return self.filter(policy__department_id=user.department_id)


class PolicyPush(models.Model):
    """One policy pushed to one enterprise, once ever: the unique constraint is what makes a second
    publication, a concurrent re-match or a task run twice push nothing more."""

    class Status(models.TextChoices):
        PUSHED = "pushed", _("pushed")
        DECLINED = "declined", _("marked not needed")
        APPLIED = "applied", _("applied")
        REDEEMED = "redeemed", _("redeemed")
        REFUSED = "refused", _("not approved")

    policy = models.ForeignKey(Policy, verbose_name=_("policy"), on_delete=models.PROTECT, related_name="pushes")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                   related_name="policy_pushes")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PUSHED)
    # Why it qualified when it was pushed: the conditions, as policies.conditions describes them.
    reasons = models.JSONField(_("why it qualifies"), default=list, blank=True)
    created_at = models.DateTimeField(_("pushed"), default=timezone.now)
    notified_at = models.DateTimeField(_("notified"), null=True, blank=True)
    viewed_at = models.DateTimeField(_("viewed"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    declined_at = models.DateTimeField(_("marked not needed"), null=True, blank=True)
    decline_reason = models.CharField(_("why it is not needed"), max_length=200, blank=True)
    request = models.ForeignKey("stewards.ServiceRequest", verbose_name=_("service request"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="policy_pushes")
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)
    approved_amount = models.DecimalField(_("amount redeemed (yuan)"), max_digits=14, decimal_places=2, null=True,
                                          blank=True)
    approved_on = models.DateField(_("redeemed on"), null=True, blank=True)
    refuse_reason = models.TextField(_("why it was refused"), blank=True)
    outcome_at = models.DateTimeField(_("outcome recorded"), null=True, blank=True)
    outcome_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("outcome recorded by"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")

    objects = PolicyPushQuerySet.as_manager()

    class Meta:
        verbose_name = _("policy push")
        verbose_name_plural = _("policy pushes")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "enterprise"], name="policy_push_once",
                                    violation_error_message=_("This policy was already pushed to this enterprise.")),
            models.CheckConstraint(
                condition=~Q(status="redeemed") | Q(approved_amount__isnull=False, approved_on__isnull=False),
                name="policy_push_redeemed_has_amount"),
            models.CheckConstraint(condition=~Q(status="refused") | ~Q(refuse_reason=""),
                                   name="policy_push_refused_has_reason"),
        ]
        indexes = [
            models.Index(fields=["enterprise", "status"], name="policy_push_enterprise_idx"),
            models.Index(fields=["policy", "status"], name="policy_push_policy_idx"),
            # What the notification task and the reminder sweep look for, and nothing else.
            models.Index(fields=["id"], condition=Q(notified_at__isnull=True), name="policy_push_unnotified_idx"),
            models.Index(fields=["policy"], condition=Q(status="pushed", reminded_at__isnull=True),
                         name="policy_push_unreminded_idx"),
        ]

    def __str__(self):
        return f"{self.policy} → {self.enterprise}"

    @property
    def has_applied(self) -> bool:
        return self.applied_at is not None
