from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ENTERPRISE = "enterprise", _("enterprise user")
    STEWARD = "steward", _("steward")
    WORKSTATION_HEAD = "workstation_head", _("workstation head")
    DEPARTMENT = "department", _("department user")
    LEADER = "leader", _("leader")
    ADMIN = "admin", _("administrator")
    # The operations centre (运营中心) of the committee's company (管委会+公司): brokers supply between
    # zone firms and runs the three-party contracts (the supply app).
    OPERATIONS = "operations", _("operations centre staff")
    # The assessment office (考核办): keeps the departments' assessment plans and drafts the pay
    # sheets (the evaluations app).
    ASSESSMENT = "assessment", _("assessment office")
    # The separation of duties (三员分立, GB/T 22239-2019 level 3): the system administrator
    # (ADMIN) runs the system; the security administrator grants roles and lifts lockouts; the
    # audit administrator reads the event history and the login records and changes nothing.
    SECURITY_ADMIN = "security_admin", _("security administrator")
    AUDIT_ADMIN = "audit_admin", _("audit administrator")


class PasswordSetBy(models.TextChoices):
    """Who set a login's current password: the user, or someone else, who knows it too."""

    USER = "user", _("the user")
    OTHER = "other", _("someone else")
    DEMO = "demo", _("the demo data")


class User(AbstractUser):
    """One login. Its role says what it does; the link says which unit it acts for."""

    name = models.CharField(_("full name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("enterprise"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="users",
    )
    department = models.ForeignKey(
        "zonehub.Department", verbose_name=_("department"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="members",
    )
    workstation = models.ForeignKey(
        "zonehub.Workstation", verbose_name=_("workstation"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="members",
    )
    is_department_head = models.BooleanField(
        _("department head"), default=False,
        help_text=_("Receives the department's overdue alerts."),
    )
    # A password someone else set (an administrator, a command) is changed at the next login, and
    # every password after ZONEHUB_PASSWORD_MAX_AGE_DAYS (zonehub.auth.password_change_reason).
    # Demo logins are marked DEMO and never asked. Set in save(), from set_password().
    password_changed_at = models.DateTimeField(_("password changed"), default=timezone.now)
    password_set_by = models.CharField(
        _("password set by"), max_length=10, choices=PasswordSetBy.choices, default=PasswordSetBy.USER,
    )
    # Capacities held beside the role (zonehub.scoping, issue 16: a department user who also serves
    # enterprises as a steward): kept by the app that owns each capacity, read with the user's row,
    # so asking costs no query.
    capacities = models.JSONField(_("capacities"), default=list, blank=True, editable=False)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="user_role_has_its_unit",
                condition=(
                    (~Q(role=Role.ENTERPRISE) | Q(enterprise__isnull=False))
                    & (~Q(role=Role.DEPARTMENT) | Q(department__isnull=False))
                    & (~Q(role__in=[Role.STEWARD, Role.WORKSTATION_HEAD]) | Q(workstation__isnull=False))
                ),
                violation_error_message=_(
                    "An enterprise user needs an enterprise, a department user a department, "
                    "and a steward or workstation head a workstation."
                ),
            ),
        ]
        # Who to tell: the sweep and the services look up leaders and heads by role, among a
        # hundred thousand enterprise users at scale.
        indexes = [models.Index(fields=["role"], name="user_role_idx")]

    def __str__(self):
        return self.name or self.username

    def set_password(self, raw_password, *, by_self: bool = False):
        """``by_self``: the user chose it (changed it, or reset it through their e-mail). Any other
        new password was set by someone who knows it, and the user is asked to change it."""
        super().set_password(raw_password)
        self._password_by_self = by_self

    def save(self, *args, **kwargs):
        # ``_password`` is set by set_password() until the next save; a rehash at login (a new
        # hasher) clears it first, so only a new password moves the date and the mark.
        if self._password is not None:
            self.password_changed_at = timezone.now()
            self.password_set_by = PasswordSetBy.USER if getattr(self, "_password_by_self", False) else PasswordSetBy.OTHER
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "password_changed_at", "password_set_by"}
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.name or self.get_full_name() or self.username

    @property
    def effective_role(self) -> str:
        """Superusers act as administrators whatever their role field says."""
        return Role.ADMIN if self.is_superuser else self.role

    @property
    def sees_everything(self) -> bool:
        return self.is_superuser or self.role in (Role.LEADER, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN

    @property
    def is_leader(self) -> bool:
        return self.role == Role.LEADER
