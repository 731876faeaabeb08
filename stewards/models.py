from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zonehub.scoping import ScopedQuerySet


class StewardQuerySet(ScopedQuerySet):
    def _visible_to_enterprise(self, user):
        # An enterprise sees its stewards: name and phone are how it reaches them.
        return self.filter(
            Exists(StewardAssignment.objects.active().filter(
                steward=OuterRef("pk"), enterprise_id=user.enterprise_id))
        )

    def _visible_to_steward(self, user):
        return self.filter(user__workstation_id=user.workstation_id)

    _visible_to_workstation_head = _visible_to_steward

    def active(self):
        return self.filter(is_active=True, user__is_active=True)


class Steward(models.Model):
    """A committee cadre serving enterprises (服务管家/服务专员). Its workstation is its user's."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="steward"
    )
    title = models.CharField(_("position"), max_length=50, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = StewardQuerySet.as_manager()

    class Meta:
        verbose_name = _("steward")
        verbose_name_plural = _("stewards")
        ordering = ["user__name"]

    def __str__(self):
        return self.user.display_name

    @property
    def name(self) -> str:
        return self.user.display_name

    @property
    def phone(self) -> str:
        return self.user.phone

    @property
    def workstation(self):
        return self.user.workstation


class AssignmentQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(ended_at__isnull=True)

    def _visible_to_enterprise(self, user):
        return self.filter(enterprise_id=user.enterprise_id)

    def _visible_to_steward(self, user):
        return self.filter(steward__user=user)

    def _visible_to_workstation_head(self, user):
        return self.filter(Q(enterprise__workstation_id=user.workstation_id)
                           | Q(steward__user__workstation_id=user.workstation_id))


class StewardAssignment(models.Model):
    """Who serves an enterprise, from when to when, and why it ended. Rows are never deleted:
    ending an assignment sets ``ended_at``; the database allows one open row per enterprise."""

    class EndReason(models.TextChoices):
        REASSIGNED = "reassigned", _("reassigned by the workstation head")
        UNSATISFIED = "unsatisfied", _("rated unsatisfied")
        STEWARD_LEFT = "steward_left", _("steward left the post")
        ENTERPRISE_LEFT = "enterprise_left", _("enterprise left the zone")

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT,
        related_name="steward_assignments",
    )
    steward = models.ForeignKey(
        Steward, verbose_name=_("steward"), on_delete=models.PROTECT, related_name="assignments"
    )
    started_at = models.DateTimeField(_("from"), default=timezone.now)
    ended_at = models.DateTimeField(_("to"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=20, choices=EndReason.choices, blank=True)
    end_note = models.CharField(_("note"), max_length=200, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("steward assignment")
        verbose_name_plural = _("steward assignments")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"], condition=Q(ended_at__isnull=True),
                name="one_active_steward_per_enterprise",
                violation_error_message=_(
                    "This enterprise already has an active steward: end that assignment first "
                    "(or use “assign steward”, which does both)."
                ),
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="assignment_ends_after_start",
                violation_error_message=_("An assignment cannot end before it starts."),
            ),
        ]
        indexes = [
            models.Index(fields=["steward"], condition=Q(ended_at__isnull=True), name="assignment_active_idx"),
        ]

    def __str__(self):
        return f"{self.steward} → {self.enterprise}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None
