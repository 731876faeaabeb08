from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef
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
        from stewards.models import StewardAssignment

        return self.filter(
            Exists(StewardAssignment.objects.active().filter(
                enterprise=OuterRef("pk"), steward__user=user))
        )

    def _visible_to_workstation_head(self, user):
        return self.filter(workstation_id=user.workstation_id)

    def without_active_steward(self):
        from stewards.models import StewardAssignment

        return self.filter(~Exists(StewardAssignment.objects.active().filter(enterprise=OuterRef("pk"))))


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

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name"]

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


