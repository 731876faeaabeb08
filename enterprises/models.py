import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enterprises.validators import normalize_credit_code, validate_credit_code
from zonehub.scoping import ScopedQuerySet


class IndustryChain(models.Model):
    """A leading industry chain of the zone (主导产业)."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("industry chain")
        verbose_name_plural = _("industry chains")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Park(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        verbose_name = _("park")
        verbose_name_plural = _("parks")
        ordering = ["name"]

    def __str__(self):
        return self.name


class EnterpriseTag(models.Model):
    name = models.CharField(_("name"), max_length=30, unique=True)

    class Meta:
        verbose_name = _("enterprise tag")
        verbose_name_plural = _("enterprise tags")
        ordering = ["name"]

    def __str__(self):
        return self.name


class EnterpriseQuerySet(ScopedQuerySet):
    def _visible_to_enterprise(self, user):
        return self.filter(pk=user.enterprise_id)

    def _visible_to_steward(self, user):
        # The enterprises whose open assignment is the user's. Once the stewards app has read them
        # for this request (``stewards.models.served_enterprise_ids``), by that list: the database
        # then reads a handful of enterprises by key instead of joining the whole zone.
        served = getattr(user, "_served_enterprise_ids", None)
        if served is not None:
            return self.filter(pk__in=served)
        # Otherwise through the reverse relation of the assignments (stewards builds on
        # enterprises). A subquery, so no row is repeated.
        return self.filter(pk__in=Enterprise.objects.filter(
            steward_assignments__ended_at__isnull=True, steward_assignments__steward__user=user).values("pk"))

    def _visible_to_workstation_head(self, user):
        return self.filter(workstation_id=user.workstation_id)

    def visited_this_month(self, visited: bool, today=None):
        """The monthly visit (走访): enterprises with (or, active ones, without) a visit logged in
        the month of ``today`` (Beijing time). Through the reverse relation of the stewards'
        visits: for each enterprise a look at its own visits of the month, by index."""
        from zonehub.workdays import local_date, month_start, next_month_start

        month = month_start(today or local_date(timezone.now()))
        logged = models.Exists(Enterprise.objects.filter(pk=models.OuterRef("pk"), visits__visited_on__gte=month,
                                                         visits__visited_on__lt=next_month_start(month)))
        return self.filter(logged) if visited else self.filter(is_active=True).exclude(logged)

    def without_active_steward(self):
        """No open steward assignment (``has_steward``, kept by the stewards app)."""
        return self.filter(has_steward=False)


class Enterprise(models.Model):
    class Ownership(models.TextChoices):
        CENTRAL_SOE = "central_soe", _("central state-owned")
        LOCAL_SOE = "local_soe", _("local state-owned")
        PRIVATE = "private", _("private")
        FOREIGN = "foreign", _("foreign-invested")
        MIXED = "mixed", _("mixed ownership")

    name = models.CharField(_("name"), max_length=100, unique=True)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, unique=True, validators=[validate_credit_code],
        error_messages={"unique": _("An enterprise with this credit code is already registered.")},
    )
    industry = models.ForeignKey(
        IndustryChain, verbose_name=_("industry chain"), on_delete=models.PROTECT,
        related_name="enterprises",
    )
    park = models.ForeignKey(Park, verbose_name=_("park"), on_delete=models.PROTECT, related_name="enterprises")
    workstation = models.ForeignKey(
        "zonehub.Workstation", verbose_name=_("workstation"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="enterprises",
        help_text=_("The stewards' workstation responsible for this enterprise."),
    )
    above_designated_size = models.BooleanField(_("above designated size"), default=False)
    tags = models.ManyToManyField(EnterpriseTag, verbose_name=_("tags"), blank=True, related_name="enterprises")
    ownership = models.CharField(_("ownership"), max_length=12, choices=Ownership.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("in the zone"), default=True)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    # Whether an open steward assignment serves it: kept by the stewards app whenever an assignment
    # is saved (stewards.services.enterprises_steward_flag_refresh), so that "enterprises without
    # a steward" is read off a small index instead of an anti-join over the zone.
    has_steward = models.BooleanField(_("has a steward"), default=False, editable=False)

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name"]
        indexes = [models.Index(fields=["name"], condition=models.Q(is_active=True, has_steward=False),
                                name="enterprise_uncovered_idx")]

    def __str__(self):
        return self.name

    def clean(self):
        self.credit_code = normalize_credit_code(self.credit_code)


class EnterpriseContact(models.Model):
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=50)
    title = models.CharField(_("position"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        verbose_name = _("enterprise contact")
        verbose_name_plural = _("enterprise contacts")

    def __str__(self):
        return self.name


class IndicatorQuerySet(ScopedQuerySet):
    def _visible_to_enterprise(self, user):
        return self.filter(enterprise_id=user.enterprise_id)

    def _visible_to_steward(self, user):
        return self.filter(enterprise__in=Enterprise.objects.visible_to(user))

    _visible_to_workstation_head = _visible_to_steward


class EnterpriseIndicator(models.Model):
    """The yearly figures of an enterprise, in 万元 (ten thousand yuan)."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.CASCADE, related_name="indicators"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1990)])
    revenue = models.DecimalField(_("revenue (10k yuan)"), max_digits=14, decimal_places=2, default=0)
    output = models.DecimalField(_("industrial output (10k yuan)"), max_digits=14, decimal_places=2, default=0)
    tax = models.DecimalField(_("tax paid (10k yuan)"), max_digits=14, decimal_places=2, default=0)
    employees = models.PositiveIntegerField(_("employees"), default=0)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("yearly indicator")
        verbose_name_plural = _("yearly indicators")
        ordering = ["enterprise", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "year"], name="indicator_once_per_year",
                violation_error_message=_("This enterprise already has figures for that year."),
            ),
        ]

    def __str__(self):
        return f"{self.enterprise} {self.year}"




class ImportBatchQuerySet(ScopedQuerySet):
    """Imports are an administrator's tool: only leaders/admins pass ``visible_to`` (see ScopedQuerySet)."""


def _import_upload_to(instance, filename):
    # Under MEDIA_ROOT/imports/, which no URL serves (MEDIA_URL is None); the user's file name is
    # kept in ``file_name`` only, never in a path.
    return f"imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.xlsx"


class ImportBatch(models.Model):
    """One uploaded sheet: validated (preview), then imported all-or-nothing once an admin confirms."""

    class Kind(models.TextChoices):
        ENTERPRISES = "enterprises", _("enterprises")
        PROJECTS = "projects", _("major projects")

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("waiting to be checked")
        VALIDATING = "validating", _("being checked")
        INVALID = "invalid", _("has errors")
        VALID = "valid", _("ready to import")
        CONFIRMED = "confirmed", _("importing")
        DONE = "done", _("imported")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=_import_upload_to, max_length=255)
    file_name = models.CharField(_("file name"), max_length=200)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.UPLOADED)
    total = models.PositiveIntegerField(_("rows"), default=0)
    progress = models.PositiveIntegerField(_("rows checked"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    preview = models.JSONField(_("preview"), default=list, blank=True)
    to_create = models.PositiveIntegerField(_("to create"), default=0)
    to_update = models.PositiveIntegerField(_("to update"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    message = models.CharField(_("message"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("confirmed by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("Excel import")
        verbose_name_plural = _("Excel imports")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.file_name}"

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.UPLOADED, self.Status.VALIDATING, self.Status.CONFIRMED)

    @property
    def percent(self) -> int:
        return min(100, int(self.progress * 100 / self.total)) if self.total else 0
