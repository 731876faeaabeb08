"""Industry chains and in-zone supply matchmaking (产业链撮合, 三方购销; seed 000).

- ``ChainLink`` (环节): one step of an industry chain (the zone's 主导产业, ``enterprises.IndustryChain``)
  from upstream to downstream, with its unit; ``Product``: what is made and bought on a link.
- ``SupplyOffer`` / ``SupplyNeed``: what an enterprise sells (yearly capacity) and buys (yearly
  volume, and where it buys it now). Their price is the enterprise's own: no other firm sees it.
- ``MatchCase`` (撮合): a buyer's need and a supplier's offer brought together by the operations
  centre (运营中心): identified → talks → contract signed → supplying → done, or failed with a
  reason. ``CaseObstacle``: a service request (stewards) raised for what stands in the way.
- ``SupplyContract`` (三方购销合同): buyer, supplier and the operations company; the buyer pays the
  company, the company pays the supplier, the supplier delivers. ``Delivery`` and ``Payment`` are
  recorded against it; the company's fee is the delivered quantity × its fee per unit.

Who may do what is ``supply.services``; who sees which row is the querysets below. Nothing is
deleted: an offer or a need is withdrawn, a case fails.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stewards.models import served_enterprise_ids, workstation_enterprise_ids
from zonehub.scoping import ScopedQuerySet

ZERO = Decimal(0)
CENT = Decimal("0.01")


class Source(models.TextChoices):
    """Where a buyer gets an input now: what the local supply ratio (本地配套率) counts."""

    ZONE = "zone", _("in the zone")
    PROVINCE = "province", _("elsewhere in the province")
    OUTSIDE = "outside", _("outside the province")
    IMPORTED = "imported", _("imported")


# --- the chain map ------------------------------------------------------------------------------

class ChainLink(models.Model):
    """One link (环节) of an industry chain, upstream first (``position``). Volumes on a link are in
    its ``unit``: every product of the link is counted in it, so supply and demand add up."""

    chain = models.ForeignKey("enterprises.IndustryChain", verbose_name=_("industry chain"), on_delete=models.PROTECT,
                              related_name="supply_links")
    name = models.CharField(_("name"), max_length=60)
    position = models.PositiveSmallIntegerField(_("position"), default=0,
                                                help_text=_("Upstream first: 1 is the first link of the chain."))
    unit = models.CharField(_("unit"), max_length=10, default="吨")
    description = models.CharField(_("description"), max_length=200, blank=True)
    # A gap turned into an investment target (a 重大招商 five-key item), linked back here.
    target = models.ForeignKey("projects.FiveKeyItem", verbose_name=_("investment target"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    target_set_at = models.DateTimeField(_("made an investment target"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("chain link")
        verbose_name_plural = _("chain links")
        ordering = ["chain", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "name"], name="chain_link_name_once",
                                    violation_error_message=_("This chain already has a link of that name.")),
        ]

    def __str__(self):
        return f"{self.chain} · {self.name}"

    def get_absolute_url(self):
        return reverse("supply:chain_detail", args=[self.chain_id]) + f"#link-{self.pk}"


class Product(models.Model):
    link = models.ForeignKey(ChainLink, verbose_name=_("chain link"), on_delete=models.PROTECT, related_name="products")
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["link__chain", "link__position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["link", "name"], name="product_name_once_per_link",
                                    violation_error_message=_("This link already has a product of that name.")),
        ]

    def __str__(self):
        return self.name


# --- offers and needs -----------------------------------------------------------------------------

class DeclarationQuerySet(ScopedQuerySet):
    """Offers and needs: an enterprise's own, its steward's enterprises, a workstation's, and the
    whole zone for the operations centre (leaders and administrators see everything)."""

    def _visible_to_enterprise(self, user):
        return self.filter(enterprise_id=user.enterprise_id)

    def _visible_to_steward(self, user):
        return self.filter(enterprise_id__in=served_enterprise_ids(user))

    def _visible_to_workstation_head(self, user):
        return self.filter(enterprise_id__in=workstation_enterprise_ids(user))

    def _visible_to_operations(self, user):
        return self.all()

    def active(self):
        return self.filter(is_active=True)


class Declaration(models.Model):
    """What offers and needs share (each declares its own ``enterprise``, for its reverse name)."""

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    # The product's link, kept on the row: the suggestions and the chain map read by it.
    link = models.ForeignKey(ChainLink, verbose_name=_("chain link"), on_delete=models.PROTECT, related_name="+")
    # The enterprise's own price (元 per unit of the link): never shown to another firm.
    unit_price = models.DecimalField(_("unit price (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("declared by"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("declared"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = DeclarationQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def unit(self) -> str:
        return self.link.unit


class SupplyOffer(Declaration):
    """What an enterprise sells: a product and its yearly capacity."""

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                   related_name="supply_offers")
    yearly_capacity = models.DecimalField(_("yearly capacity"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("supply offer")
        verbose_name_plural = _("supply offers")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "product"], condition=Q(is_active=True),
                                    name="supply_offer_once_per_product",
                                    violation_error_message=_("The enterprise already offers this product.")),
            models.CheckConstraint(condition=Q(yearly_capacity__gt=0), name="supply_offer_capacity_positive"),
        ]
        indexes = [
            # The chain map's largest suppliers of a link, and the suggestions (one query per need),
            # read from the index alone: a link's offers by capacity, with their product and firm.
            models.Index(fields=["link", "yearly_capacity", "product", "enterprise"], condition=Q(is_active=True),
                         name="supply_offer_link_idx"),
            models.Index(fields=["enterprise", "is_active"], name="supply_offer_enterprise_idx"),
            # The suggestions' offers of a need's own product, the largest first.
            models.Index(fields=["product", "-yearly_capacity", "-id"], condition=Q(is_active=True),
                         name="supply_offer_product_idx"),
        ]

    def __str__(self):
        return f"{self.enterprise} · {self.product}"


class SupplyNeed(Declaration):
    """What an enterprise buys: a product, its yearly volume, and where it comes from now."""

    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                   related_name="supply_needs")
    yearly_volume = models.DecimalField(_("yearly volume"), max_digits=14, decimal_places=2)
    current_source = models.CharField(_("bought from"), max_length=10, choices=Source.choices)

    class Meta:
        verbose_name = _("supply need")
        verbose_name_plural = _("supply needs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "product"], condition=Q(is_active=True),
                                    name="supply_need_once_per_product",
                                    violation_error_message=_("The enterprise already declared a need for this product.")),
            models.CheckConstraint(condition=Q(yearly_volume__gt=0), name="supply_need_volume_positive"),
        ]
        indexes = [
            # The chain map's sums by link, read from the index alone.
            models.Index(fields=["link", "current_source", "yearly_volume"], condition=Q(is_active=True),
                         name="supply_need_link_idx"),
            models.Index(fields=["enterprise", "is_active"], name="supply_need_enterprise_idx"),
            # The operations centre's suggestions: the largest needs bought outside the zone first.
            models.Index(fields=["-yearly_volume", "-id"], condition=Q(is_active=True) & ~Q(current_source="zone"),
                         name="supply_need_to_match_idx"),
        ]

    def __str__(self):
        return f"{self.enterprise} · {self.product}"


# --- roll-ups: what the home pages and the chain map read instead of every offer and need -------

class NeedTally(models.Model):
    """The needs summed by link, by where they are bought, and by the months (local time) they were
    declared and withdrawn (``withdrawn`` empty while active): a few hundred rows however many needs
    the zone declares. The leader's panel, the operations centre's home and the chain map read it;
    ``supply.services.rollups_recount`` counts a link's rows again in the transaction of every
    change to its needs, so it always equals the rows."""

    link = models.ForeignKey(ChainLink, verbose_name=_("chain link"), on_delete=models.CASCADE, related_name="+")
    current_source = models.CharField(_("bought from"), max_length=10, choices=Source.choices)
    declared = models.DateField(_("month declared"))
    withdrawn = models.DateField(_("month withdrawn"), null=True, blank=True)
    volume = models.DecimalField(_("yearly volume"), max_digits=18, decimal_places=2, default=ZERO)
    needs = models.PositiveIntegerField(_("needs"), default=0)

    class Meta:
        verbose_name = _("needs roll-up")
        verbose_name_plural = _("needs roll-ups")

    def __str__(self):
        return f"{self.link_id} {self.current_source} {self.declared:%Y-%m}: {self.needs}"


class OfferTally(models.Model):
    """A link's active offers: how many, their yearly capacity, and how many firms offer (kept as
    ``NeedTally``)."""

    link = models.OneToOneField(ChainLink, verbose_name=_("chain link"), on_delete=models.CASCADE, primary_key=True,
                                related_name="+")
    offers = models.PositiveIntegerField(_("offers"), default=0)
    suppliers = models.PositiveIntegerField(_("suppliers"), default=0)
    capacity = models.DecimalField(_("yearly capacity"), max_digits=18, decimal_places=2, default=ZERO)

    class Meta:
        verbose_name = _("offers roll-up")
        verbose_name_plural = _("offers roll-ups")

    def __str__(self):
        return f"{self.link_id}: {self.offers}"


# --- matchmaking cases ----------------------------------------------------------------------------

class Stage(models.TextChoices):
    IDENTIFIED = "identified", _("identified")
    TALKS = "talks", _("in talks")
    SIGNED = "signed", _("contract signed")
    SUPPLYING = "supplying", _("supplying")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


OPEN_STAGES = (Stage.IDENTIFIED, Stage.TALKS, Stage.SIGNED, Stage.SUPPLYING)
CLOSED_STAGES = (Stage.DONE, Stage.FAILED)


def _party_filter(enterprise_ids) -> Q:
    return Q(buyer_id__in=enterprise_ids) | Q(supplier_id__in=enterprise_ids)


class MatchCaseQuerySet(ScopedQuerySet):
    """An enterprise sees the cases it is a party to; a steward those of the enterprises it serves
    (either side); the operations centre every case."""

    def _visible_to_enterprise(self, user):
        return self.filter(Q(buyer_id=user.enterprise_id) | Q(supplier_id=user.enterprise_id))

    def _visible_to_steward(self, user):
        return self.filter(_party_filter(served_enterprise_ids(user)))

    def _visible_to_workstation_head(self, user):
        return self.filter(_party_filter(workstation_enterprise_ids(user)))

    def _visible_to_operations(self, user):
        return self.all()

    def open(self):
        return self.filter(stage__in=OPEN_STAGES)


class MatchCase(models.Model):
    """A buyer's need and a supplier's offer brought together, with the broker who runs it."""

    need = models.ForeignKey(SupplyNeed, verbose_name=_("need"), on_delete=models.PROTECT, related_name="cases")
    offer = models.ForeignKey(SupplyOffer, verbose_name=_("offer"), on_delete=models.PROTECT, related_name="cases")
    buyer = models.ForeignKey("enterprises.Enterprise", verbose_name=_("buyer"), on_delete=models.PROTECT,
                              related_name="supply_cases_bought")
    supplier = models.ForeignKey("enterprises.Enterprise", verbose_name=_("supplier"), on_delete=models.PROTECT,
                                 related_name="supply_cases_supplied")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    link = models.ForeignKey(ChainLink, verbose_name=_("chain link"), on_delete=models.PROTECT, related_name="+")
    chain = models.ForeignKey("enterprises.IndustryChain", verbose_name=_("industry chain"), on_delete=models.PROTECT,
                              related_name="+")
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.IDENTIFIED)
    broker = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("broker"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+",
                               help_text=_("The operations centre staff member who runs the case."))
    suggested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("suggested by"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("what was found"), blank=True)
    failure_reason = models.TextField(_("why it failed"), blank=True)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    stage_changed_at = models.DateTimeField(_("stage changed"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = MatchCaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("matchmaking case")
        verbose_name_plural = _("matchmaking cases")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["need", "offer"], condition=Q(stage__in=OPEN_STAGES),
                                    name="match_case_open_once",
                                    violation_error_message=_("A case between this need and this offer is already open.")),
            models.CheckConstraint(condition=~Q(stage="failed") | ~Q(failure_reason=""),
                                   name="match_case_failed_has_reason"),
        ]
        indexes = [
            models.Index(fields=["stage", "-opened_at"], name="match_case_stage_idx"),
            models.Index(fields=["buyer", "-opened_at"], name="match_case_buyer_idx"),
            models.Index(fields=["supplier", "-opened_at"], name="match_case_supplier_idx"),
            models.Index(fields=["need", "stage"], name="match_case_need_idx"),
        ]

    def __str__(self):
        return f"{self.product}: {self.supplier} → {self.buyer}"

    def get_absolute_url(self):
        return reverse("supply:case_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES


class CaseObstacle(models.Model):
    """Something in the way of a case (payment terms, road access, a power line), raised as a
    service request of the buyer or the supplier and escalated on the stewards' clock."""

    case = models.ForeignKey(MatchCase, verbose_name=_("matchmaking case"), on_delete=models.PROTECT,
                             related_name="obstacles")
    request = models.ForeignKey("stewards.ServiceRequest", verbose_name=_("service request"), on_delete=models.PROTECT,
                                related_name="supply_obstacles")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("raised by"), on_delete=models.PROTECT,
                                  related_name="+")
    raised_at = models.DateTimeField(_("raised"), default=timezone.now)

    class Meta:
        verbose_name = _("case obstacle")
        verbose_name_plural = _("case obstacles")
        ordering = ["raised_at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "request"], name="case_obstacle_once")]

    def __str__(self):
        return f"{self.case_id}: #{self.request_id}"


# --- three-party contracts -----------------------------------------------------------------------

class ContractQuerySet(ScopedQuerySet):
    def _visible_to_enterprise(self, user):
        return self.filter(Q(buyer_id=user.enterprise_id) | Q(supplier_id=user.enterprise_id))

    def _visible_to_steward(self, user):
        return self.filter(_party_filter(served_enterprise_ids(user)))

    def _visible_to_workstation_head(self, user):
        return self.filter(_party_filter(workstation_enterprise_ids(user)))

    def _visible_to_operations(self, user):
        return self.all()


class SupplyContract(models.Model):
    """A three-party purchase-and-sale contract (三方购销合同): the buyer pays the operations company
    the unit price plus its fee per unit, the company pays the supplier the unit price, the
    supplier delivers directly. The running totals (delivered, paid each way) are kept by the
    services under the contract's row lock; the balances follow from them."""

    case = models.OneToOneField(MatchCase, verbose_name=_("matchmaking case"), on_delete=models.PROTECT,
                                related_name="contract")
    number = models.CharField(_("contract number"), max_length=30, unique=True)
    buyer = models.ForeignKey("enterprises.Enterprise", verbose_name=_("buyer"), on_delete=models.PROTECT,
                              related_name="supply_contracts_bought")
    supplier = models.ForeignKey("enterprises.Enterprise", verbose_name=_("supplier"), on_delete=models.PROTECT,
                                 related_name="supply_contracts_supplied")
    operator = models.CharField(_("operations company"), max_length=100)
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    link = models.ForeignKey(ChainLink, verbose_name=_("chain link"), on_delete=models.PROTECT, related_name="+")
    chain = models.ForeignKey("enterprises.IndustryChain", verbose_name=_("industry chain"), on_delete=models.PROTECT,
                              related_name="+")
    unit = models.CharField(_("unit"), max_length=10)
    quantity = models.DecimalField(_("contracted quantity"), max_digits=14, decimal_places=2)
    unit_price = models.DecimalField(_("unit price to the supplier (yuan)"), max_digits=12, decimal_places=2)
    fee_rate = models.DecimalField(_("operations fee per unit (yuan)"), max_digits=10, decimal_places=2)
    starts_on = models.DateField(_("term starts"))
    ends_on = models.DateField(_("term ends"))
    signed_on = models.DateField(_("signed on"))
    payment_terms = models.TextField(_("payment terms"), blank=True)
    # What each side reported it saves per unit against its old terms (元 per unit).
    buyer_saving = models.DecimalField(_("buyer's saving per unit (yuan)"), max_digits=10, decimal_places=2,
                                       default=ZERO)
    supplier_saving = models.DecimalField(_("supplier's saving per unit (yuan)"), max_digits=10, decimal_places=2,
                                          default=ZERO)
    broker = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("broker"), on_delete=models.PROTECT,
                               related_name="+")
    delivered = models.DecimalField(_("quantity delivered"), max_digits=14, decimal_places=2, default=ZERO)
    paid_by_buyer = models.DecimalField(_("paid by the buyer (yuan)"), max_digits=16, decimal_places=2, default=ZERO)
    paid_to_supplier = models.DecimalField(_("paid to the supplier (yuan)"), max_digits=16, decimal_places=2,
                                           default=ZERO)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("three-party contract")
        verbose_name_plural = _("three-party contracts")
        ordering = ["-signed_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="supply_contract_quantity_positive"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="supply_contract_term_in_order"),
            models.CheckConstraint(condition=Q(delivered__lte=models.F("quantity")), name="supply_contract_not_overdelivered"),
        ]
        indexes = [
            models.Index(fields=["broker", "signed_on"], name="supply_contract_broker_idx"),
            models.Index(fields=["signed_on"], name="supply_contract_signed_idx"),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("supply:contract_detail", args=[self.pk])

    # --- the arithmetic (README "Supply matchmaking") ---

    @property
    def buyer_price(self) -> Decimal:
        """What the buyer pays the company per unit: the supplier's price and the company's fee."""
        return self.unit_price + self.fee_rate

    @property
    def remaining(self) -> Decimal:
        return self.quantity - self.delivered

    @property
    def buyer_due(self) -> Decimal:
        return (self.delivered * self.buyer_price).quantize(CENT)

    @property
    def buyer_balance(self) -> Decimal:
        """Above 0: the buyer owes the company; below 0: the company holds the buyer's advance."""
        return self.buyer_due - self.paid_by_buyer

    @property
    def supplier_due(self) -> Decimal:
        return (self.delivered * self.unit_price).quantize(CENT)

    @property
    def supplier_balance(self) -> Decimal:
        """Above 0: the company owes the supplier; below 0: the supplier was paid ahead of delivery."""
        return self.supplier_due - self.paid_to_supplier

    @property
    def fee_income(self) -> Decimal:
        return (self.delivered * self.fee_rate).quantize(CENT)

    @property
    def saving_to_date(self) -> Decimal:
        return (self.delivered * (self.buyer_saving + self.supplier_saving)).quantize(CENT)

    @property
    def delivered_share(self) -> float:
        return float(100 * self.delivered / self.quantity) if self.quantity else 0.0


class _ThroughContractQuerySet(ScopedQuerySet):
    def _visible_to_enterprise(self, user):
        return self.filter(contract__in=SupplyContract.objects.visible_to(user).values("pk"))

    _visible_to_steward = _visible_to_enterprise
    _visible_to_workstation_head = _visible_to_enterprise

    def _visible_to_operations(self, user):
        return self.all()


class Delivery(models.Model):
    """One batch delivered by the supplier straight to the buyer."""

    contract = models.ForeignKey(SupplyContract, verbose_name=_("contract"), on_delete=models.PROTECT,
                                 related_name="deliveries")
    delivered_on = models.DateField(_("delivered on"))
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=2)
    batch = models.CharField(_("batch"), max_length=50, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = _ThroughContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-delivered_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="supply_delivery_quantity_positive")]
        indexes = [
            models.Index(fields=["delivered_on"], name="supply_delivery_day_idx"),
            models.Index(fields=["contract", "delivered_on"], name="supply_delivery_contract_idx"),
        ]

    def __str__(self):
        return f"{self.contract} {self.delivered_on}: {self.quantity}"


class PaymentQuerySet(_ThroughContractQuerySet):
    def _visible_to_enterprise(self, user):
        # Each side sees its own payments only: what the company paid the other side is its price.
        return self.filter(Q(contract__buyer_id=user.enterprise_id, direction=Payment.Direction.BUYER_TO_COMPANY)
                           | Q(contract__supplier_id=user.enterprise_id, direction=Payment.Direction.COMPANY_TO_SUPPLIER))


class Payment(models.Model):
    class Direction(models.TextChoices):
        BUYER_TO_COMPANY = "buyer_to_company", _("buyer to the company")
        COMPANY_TO_SUPPLIER = "company_to_supplier", _("company to the supplier")

    contract = models.ForeignKey(SupplyContract, verbose_name=_("contract"), on_delete=models.PROTECT,
                                 related_name="payments")
    direction = models.CharField(_("direction"), max_length=20, choices=Direction.choices)
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=16, decimal_places=2)
    reference = models.CharField(_("reference"), max_length=50, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-paid_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="supply_payment_amount_positive")]
        indexes = [models.Index(fields=["contract", "paid_on"], name="supply_payment_contract_idx")]

    def __str__(self):
        return f"{self.contract} {self.get_direction_display()} {self.amount}"
