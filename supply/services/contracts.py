"""Three-party contracts (三方购销): signed on a case by the operations centre, then deliveries and
payments recorded against them; each side's reported saving per unit; and the daily sweep that
tells the broker of contracts whose term has ended or that are fully delivered.

The arithmetic (README "Supply matchmaking"): the buyer pays the company the unit price plus the
company's fee per unit; the company pays the supplier the unit price; fee income is the delivered
quantity × the fee per unit. The running totals live on the contract, updated under its row lock.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from supply.events import SupplyEvent
from supply.models import Delivery, MatchCase, Payment, Stage, SupplyContract
from supply.services._shared import (
    MONEY_MAX,
    PRICE_MAX,
    decimal_in,
    is_operations,
    party_users,
    text_in,
)
from supply.services.cases import _lock as _lock_case
from supply.services.cases import _move, case_summary, require_case_action
from zonehub.dates import cn_date
from zonehub.events import record_event
from zonehub.models import Role
from zonehub.notifications import notify
from zonehub.numbers import amount_text, yuan
from zonehub.workdays import date_in_range, local_date

BUYER = "buyer"
SUPPLIER = "supplier"


def _today() -> dt.date:
    return local_date(timezone.now())


def _next_number(year: int) -> str:
    prefix = f"SG{year}-"
    last = (SupplyContract.objects.filter(number__startswith=prefix).order_by("-number")
            .values_list("number", flat=True).first())
    try:
        seq = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    except ValueError:
        seq = SupplyContract.objects.filter(number__startswith=prefix).count() + 1
    return f"{prefix}{seq:04d}"


@transaction.atomic
def contract_sign(*, case: MatchCase, actor, quantity, unit_price, fee_rate, starts_on: dt.date | None,
                  ends_on: dt.date | None, signed_on: dt.date | None = None, payment_terms: str = "",
                  buyer_saving=None, supplier_saving=None, number: str = "") -> SupplyContract:
    """The three parties sign: the case moves to "contract signed", both enterprises and their
    stewards are told. ``number``: the paper contract's, or one is given (SG2026-0001)."""
    case = _lock_case(case)
    require_case_action(actor, case, "sign")
    today = _today()
    errors: dict = {}

    def check(field, call):
        try:
            return call()
        except ValidationError as exc:
            errors.update(exc.message_dict)
            return None

    quantity = check("quantity", lambda: decimal_in(quantity, "quantity", message=_("Give the contracted quantity.")))
    unit_price = check("unit_price", lambda: decimal_in(unit_price, "unit_price", limit=PRICE_MAX,
                                                        message=_("Give the unit price paid to the supplier.")))
    fee_rate = check("fee_rate", lambda: decimal_in(fee_rate, "fee_rate", allow_zero=True, limit=PRICE_MAX,
                                                    message=_("Give the operations fee per unit (0 if none).")))
    buyer_saving = check("buyer_saving", lambda: decimal_in(buyer_saving, "buyer_saving", allow_zero=True,
                                                            required=False, limit=PRICE_MAX))
    supplier_saving = check("supplier_saving", lambda: decimal_in(supplier_saving, "supplier_saving", allow_zero=True,
                                                                  required=False, limit=PRICE_MAX))
    signed_on = signed_on or today
    check("signed_on", lambda: date_in_range(signed_on, field="signed_on", latest=today,
                                             too_late=_("The day cannot be in the future.")))
    check("starts_on", lambda: date_in_range(starts_on, field="starts_on"))
    check("ends_on", lambda: date_in_range(ends_on, field="ends_on"))
    if starts_on and ends_on and ends_on < starts_on and "ends_on" not in errors:
        errors["ends_on"] = [_("The term cannot end before it starts.")]
    payment_terms = check("payment_terms", lambda: text_in(payment_terms, "payment_terms", limit=2000))
    number = check("number", lambda: text_in(number, "number", limit=30))
    if number and SupplyContract.objects.filter(number=number).exists():
        errors["number"] = [_("Another contract has this number.")]
    if errors:
        raise ValidationError(errors)
    broker = case.broker or actor
    try:
        with transaction.atomic():
            contract = SupplyContract.objects.create(
                case=case, number=number or _next_number(signed_on.year), buyer_id=case.buyer_id,
                supplier_id=case.supplier_id, operator=settings.ZONEHUB_OPERATIONS_COMPANY, product_id=case.product_id,
                link_id=case.link_id, chain_id=case.chain_id, unit=case.link.unit, quantity=quantity,
                unit_price=unit_price, fee_rate=fee_rate, starts_on=starts_on, ends_on=ends_on, signed_on=signed_on,
                payment_terms=payment_terms, buyer_saving=buyer_saving or 0, supplier_saving=supplier_saving or 0,
                broker=broker, created_by=actor)
    except IntegrityError:
        raise ValidationError({"number": _("Another contract has this number.")}) from None
    extra = []
    if case.broker_id is None:
        case.broker = broker
        extra.append("broker")
    _move(case, actor=actor, to_stage=Stage.SIGNED, kind=SupplyEvent.CONTRACT_SIGNED, extra_fields=extra,
          note=_("Contract %(number)s: %(quantity)s, %(start)s to %(end)s") % {
              "number": contract.number, "quantity": amount_text(quantity, contract.unit),
              "start": cn_date(starts_on), "end": cn_date(ends_on)})
    notify(party_users(case.buyer_id, case.supplier_id), kind="supply.contract_signed",
           key=f"supply-contract:{contract.pk}:signed", url=contract.get_absolute_url(),
           title=_("Three-party contract %(number)s signed: %(title)s") % {
               "number": contract.number, "title": case_summary(case, quantity)})
    return contract


def _lock(contract: SupplyContract) -> tuple[SupplyContract, MatchCase]:
    case = _lock_case(contract.case)
    contract = SupplyContract.objects.select_for_update(of=("self",)).select_related("buyer", "supplier", "product").get(
        pk=contract.pk)
    return contract, case


@transaction.atomic
def delivery_record(*, contract: SupplyContract, actor, delivered_on: dt.date | None, quantity, batch: str = "",
                    note: str = "") -> Delivery:
    """A batch delivered, supplier to buyer. The first one moves the case to "supplying". No more
    than the contract's quantity is ever delivered."""
    contract, case = _lock(contract)
    require_case_action(actor, case, "deliver")
    errors: dict = {}
    today = _today()
    try:
        quantity = decimal_in(quantity, "quantity", message=_("Give the quantity delivered."))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        delivered_on = date_in_range(
            delivered_on, field="delivered_on", earliest=contract.starts_on, latest=min(today, contract.ends_on),
            too_early=_("The contract's term starts on %(day)s.") % {"day": cn_date(contract.starts_on)},
            too_late=_("The day cannot be in the future.") if today <= contract.ends_on
            else _("The contract's term ended on %(day)s.") % {"day": cn_date(contract.ends_on)})
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        batch = text_in(batch, "batch", limit=50)
        note = text_in(note, "note", limit=200)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if "quantity" not in errors and quantity > contract.remaining:
        errors["quantity"] = [_("Only %(left)s remain to be delivered under this contract.") % {
            "left": amount_text(contract.remaining, contract.unit)}]
    if errors:
        raise ValidationError(errors)
    delivery = Delivery.objects.create(contract=contract, delivered_on=delivered_on, quantity=quantity, batch=batch,
                                       note=note, recorded_by=actor)
    SupplyContract.objects.filter(pk=contract.pk).update(delivered=F("delivered") + quantity)
    contract.refresh_from_db(fields=["delivered"])
    if case.stage == Stage.SIGNED:
        _move(case, actor=actor, to_stage=Stage.SUPPLYING)
    text = _("%(day)s: %(quantity)s delivered") % {"day": cn_date(delivered_on),
                                                    "quantity": amount_text(quantity, contract.unit)}
    if batch:
        text += _(" (batch %(batch)s)") % {"batch": batch}
    record_event(delivery, root=case, actor=actor, kind=SupplyEvent.DELIVERY_RECORDED, note=text,
                 data={"contract": contract.number})
    notify(party_users(contract.buyer_id, contract.supplier_id), kind="supply.delivery",
           key=f"supply-delivery:{delivery.pk}", url=contract.get_absolute_url(),
           title=_("Contract %(number)s: %(text)s") % {"number": contract.number, "text": text})
    return delivery


@transaction.atomic
def payment_record(*, contract: SupplyContract, actor, direction: str, paid_on: dt.date | None, amount,
                   reference: str = "") -> Payment:
    """Money moved: buyer → company, or company → supplier. Either may run ahead of the deliveries
    (the company may pay the supplier in advance: that is what the three-party contract is for)."""
    contract, case = _lock(contract)
    require_case_action(actor, case, "pay")
    errors: dict = {}
    if direction not in Payment.Direction.values:
        errors["direction"] = [_("Say who paid whom.")]
    today = _today()
    try:
        amount = decimal_in(amount, "amount", limit=MONEY_MAX, message=_("Give the amount paid, in yuan."))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        paid_on = date_in_range(paid_on, field="paid_on", earliest=contract.signed_on, latest=today,
                                too_early=_("The contract was signed on %(day)s.") % {"day": cn_date(contract.signed_on)},
                                too_late=_("The day cannot be in the future."))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        reference = text_in(reference, "reference", limit=50)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    payment = Payment.objects.create(contract=contract, direction=direction, paid_on=paid_on, amount=amount,
                                     reference=reference, recorded_by=actor)
    total = "paid_by_buyer" if direction == Payment.Direction.BUYER_TO_COMPANY else "paid_to_supplier"
    SupplyContract.objects.filter(pk=contract.pk).update(**{total: F(total) + amount})
    text = _("%(day)s: %(direction)s, %(amount)s") % {"day": cn_date(paid_on), "direction": payment.get_direction_display(),
                                                      "amount": yuan(amount)}
    record_event(payment, root=case, actor=actor, kind=SupplyEvent.PAYMENT_RECORDED, note=text,
                 data={"contract": contract.number, "direction": direction})
    party = contract.buyer_id if direction == Payment.Direction.BUYER_TO_COMPANY else contract.supplier_id
    notify(party_users(party), kind="supply.payment", key=f"supply-payment:{payment.pk}", url=contract.get_absolute_url(),
           title=_("Contract %(number)s: %(text)s") % {"number": contract.number, "text": text})
    return payment


@transaction.atomic
def saving_report(*, contract: SupplyContract, actor, side: str, amount) -> SupplyContract:
    """A side's saving per unit against its old terms, as it reports it (the enterprise itself, or
    the operations centre for it): the saving to date is the delivered quantity × both savings."""
    contract, case = _lock(contract)
    require_case_action(actor, case, "report_saving")
    if side not in (BUYER, SUPPLIER):
        raise ValidationError({"side": _("Say whose saving it is: the buyer's or the supplier's.")})
    own = contract.buyer_id if side == BUYER else contract.supplier_id
    if not is_operations(actor) and not (actor.role == Role.ENTERPRISE and actor.enterprise_id == own):
        raise PermissionDenied(_("An enterprise reports its own saving only."))
    amount = decimal_in(amount, "amount", allow_zero=True, limit=PRICE_MAX,
                        message=_("Give the saving per unit, in yuan (0 if none)."))
    field = "buyer_saving" if side == BUYER else "supplier_saving"
    before = getattr(contract, field)
    if before != amount:
        setattr(contract, field, amount)
        contract.save(update_fields=[field])
        record_event(contract, root=case, actor=actor, kind=SupplyEvent.SAVING_REPORTED,
                     note=_("%(amount)s per %(unit)s") % {"amount": yuan(amount), "unit": contract.unit},
                     data={"side": side})
    return contract


# --- the daily sweep ----------------------------------------------------------------------------

def contracts_sweep(*, now: dt.datetime | None = None) -> int:
    """Cases still supplying whose contract's term has ended, or that are fully delivered: their
    broker is told once (a notification's dedupe key) to close the case. Safe to run twice."""
    today = local_date(now or timezone.now())
    due = (SupplyContract.objects.filter(case__stage=Stage.SUPPLYING)
           .filter(ends_on__lt=today) | SupplyContract.objects.filter(case__stage=Stage.SUPPLYING,
                                                                       delivered__gte=F("quantity")))
    told = 0
    for contract in due.select_related("case", "broker").order_by("pk"):
        if contract.broker_id is None or not contract.broker.is_active:
            continue
        told += notify([contract.broker], kind="supply.contract_ended", key=f"supply-contract:{contract.pk}:ended",
                       url=contract.case.get_absolute_url(),
                       title=_("Contract %(number)s is fully delivered or its term has ended: close the case") % {
                           "number": contract.number})
    return told
