"""What enterprises sell and buy: offers and needs, declared on the enterprise's supply page (by
the enterprise, its steward during a visit, or the operations centre), imported from Excel, or
changed and withdrawn. Each change is an event on the enterprise's history."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from supply.events import SupplyEvent
from supply.models import OPEN_STAGES, MatchCase, Product, Source, SupplyNeed, SupplyOffer
from supply.services._shared import PRICE_MAX, can_edit_declarations, decimal_in, text_in
from supply.services.rollups import NEEDS, OFFERS, rollups_touch
from zonehub.events import record_event
from zonehub.numbers import amount_text
from zonehub.permissions import require

OFFER = "offer"
NEED = "need"
MODELS = {OFFER: SupplyOffer, NEED: SupplyNeed}
AMOUNT_FIELD = {OFFER: "yearly_capacity", NEED: "yearly_volume"}
ROLLUP = {OFFER: OFFERS, NEED: NEEDS}
# The fields the roll-ups count (``supply.services.rollups``): a change to another is not counted again.
ROLLED_UP = {"product", "link", "yearly_capacity", "yearly_volume", "current_source"}
EVENTS = {
    OFFER: (SupplyEvent.OFFER_DECLARED, SupplyEvent.OFFER_CHANGED, SupplyEvent.OFFER_WITHDRAWN),
    NEED: (SupplyEvent.NEED_DECLARED, SupplyEvent.NEED_CHANGED, SupplyEvent.NEED_WITHDRAWN),
}


def declaration_check(kind: str, *, product, amount, unit_price=None, note: str = "", current_source=None) -> dict:
    """The fields of an offer (``kind`` "offer") or a need ("need") checked and tidied, every
    problem at once by field: what a page, the API and the import's preview all ask."""
    errors: dict = {}
    values: dict = {}
    if not isinstance(product, Product):
        errors["product"] = [_("Choose the product from the list.")]
    else:
        values["product"] = product
    amount_field = AMOUNT_FIELD[kind]
    for field, call in (
        (amount_field, lambda: decimal_in(amount, amount_field, message=_("Give the yearly capacity.") if kind == OFFER
                                          else _("Give the yearly volume."))),
        ("unit_price", lambda: decimal_in(unit_price, "unit_price", required=False, limit=PRICE_MAX)),
        ("note", lambda: text_in(note, "note", limit=200)),
    ):
        try:
            values[field] = call()
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if kind == NEED:
        if current_source not in Source.values:
            errors["current_source"] = [_("Say where the enterprise buys it now.")]
        else:
            values["current_source"] = current_source
    if errors:
        raise ValidationError(errors)
    return values


def _require(actor, enterprise) -> None:
    require(can_edit_declarations(actor, enterprise),
            _("Only the enterprise, its steward and the operations centre declare what it sells and buys."))


def _summary(kind: str, row) -> str:
    amount = getattr(row, AMOUNT_FIELD[kind])
    return f"{row.product.name} {amount_text(amount, row.link.unit)}/年"


def _create(kind: str, *, actor, enterprise, **fields):
    _require(actor, enterprise)
    values = declaration_check(kind, **fields)
    model = MODELS[kind]
    product = values["product"]
    if model.objects.filter(enterprise=enterprise, product=product, is_active=True).exists():
        raise ValidationError({"product": _("The enterprise already declared this product: change that line instead.")})
    amount_field = AMOUNT_FIELD[kind]
    extra = {"current_source": values["current_source"]} if kind == NEED else {}
    try:
        with transaction.atomic():
            row = model.objects.create(
                enterprise=enterprise, product=product, link_id=product.link_id, unit_price=values["unit_price"],
                note=values["note"], created_by=actor, **{amount_field: values[amount_field]}, **extra)
    except IntegrityError:  # declared meanwhile by someone else
        raise ValidationError({"product": _("The enterprise already declared this product: change that line instead.")}) \
            from None
    rollups_touch(ROLLUP[kind], row.link_id)
    record_event(row, root=enterprise, actor=actor, kind=EVENTS[kind][0], note=_summary(kind, row))
    return row


def _update(kind: str, row, *, actor, **fields):
    model = MODELS[kind]
    row = model.objects.select_for_update(of=("self",)).select_related("enterprise", "product", "link").get(pk=row.pk)
    _require(actor, row.enterprise)
    if not row.is_active:
        raise ValidationError(_("This line was withdrawn: declare it again instead."))
    amount_field = AMOUNT_FIELD[kind]
    current = {"product": row.product, "amount": getattr(row, amount_field), "unit_price": row.unit_price,
               "note": row.note}
    if kind == NEED:
        current["current_source"] = row.current_source
    values = declaration_check(kind, **(current | fields))
    if values["product"].pk != row.product_id:
        if model.objects.filter(enterprise=row.enterprise, product=values["product"], is_active=True).exists():
            raise ValidationError({"product": _("The enterprise already declared this product: change that line instead.")})
        if MatchCase.objects.filter(**{kind: row}, stage__in=OPEN_STAGES).exists():
            raise ValidationError({"product": _("An open matchmaking case depends on this line: its product cannot "
                                                "change until the case is closed.")})
    changed = []
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed.append(name)
    old_link = row.link_id
    if "product" in changed:
        row.link_id = row.product.link_id
        changed.append("link")
    if changed:
        row.save(update_fields=[*changed, "updated_at"])
        row.refresh_from_db(fields=["link"])
        if ROLLED_UP.intersection(changed):
            rollups_touch(ROLLUP[kind], old_link, row.link_id)
        record_event(row, root=row.enterprise, actor=actor, kind=EVENTS[kind][1], note=_summary(kind, row),
                     data={"fields": sorted(changed)})
    return row


def _withdraw(kind: str, row, *, actor):
    model = MODELS[kind]
    row = model.objects.select_for_update(of=("self",)).select_related("enterprise", "product", "link").get(pk=row.pk)
    _require(actor, row.enterprise)
    if not row.is_active:
        raise ValidationError(_("This line is already withdrawn."))
    if MatchCase.objects.filter(**{kind: row}, stage__in=OPEN_STAGES).exists():
        raise ValidationError(_("An open matchmaking case depends on this line: it can be withdrawn once the case is "
                                "done or has failed."))
    row.is_active, row.withdrawn_at = False, timezone.now()
    row.save(update_fields=["is_active", "withdrawn_at", "updated_at"])
    rollups_touch(ROLLUP[kind], row.link_id)
    record_event(row, root=row.enterprise, actor=actor, kind=EVENTS[kind][2], note=_summary(kind, row))
    return row


@transaction.atomic
def offer_declare(*, actor, enterprise, product, yearly_capacity, unit_price=None, note: str = "") -> SupplyOffer:
    """The enterprise sells ``product``, ``yearly_capacity`` a year (in the link's unit)."""
    return _create(OFFER, actor=actor, enterprise=enterprise, product=product, amount=yearly_capacity,
                   unit_price=unit_price, note=note)


@transaction.atomic
def offer_update(*, offer: SupplyOffer, actor, **fields) -> SupplyOffer:
    if "yearly_capacity" in fields:
        fields["amount"] = fields.pop("yearly_capacity")
    return _update(OFFER, offer, actor=actor, **fields)


@transaction.atomic
def offer_withdraw(*, offer: SupplyOffer, actor) -> SupplyOffer:
    return _withdraw(OFFER, offer, actor=actor)


@transaction.atomic
def need_declare(*, actor, enterprise, product, yearly_volume, current_source: str, unit_price=None,
                 note: str = "") -> SupplyNeed:
    """The enterprise buys ``product``, ``yearly_volume`` a year, now from ``current_source``."""
    return _create(NEED, actor=actor, enterprise=enterprise, product=product, amount=yearly_volume,
                   current_source=current_source, unit_price=unit_price, note=note)


@transaction.atomic
def need_update(*, need: SupplyNeed, actor, **fields) -> SupplyNeed:
    if "yearly_volume" in fields:
        fields["amount"] = fields.pop("yearly_volume")
    return _update(NEED, need, actor=actor, **fields)


@transaction.atomic
def need_withdraw(*, need: SupplyNeed, actor) -> SupplyNeed:
    return _withdraw(NEED, need, actor=actor)
