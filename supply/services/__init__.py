"""Writes of the supply app: one function per state change, each checking who may, validating (a
ValidationError in the user's language, nothing changed), writing in one transaction and
recording an event; notices are rows sent after the commit (``zonehub.notifications``).

Sections (no cycle): ``_shared`` (who may, numbers, recipients) ← ``chains`` (links, products,
gap → investment target), ``declarations`` (offers, needs), ``cases`` (the case table
``CASE_ACTIONS``, stages, obstacles) ← ``contracts`` (sign, deliveries, payments, savings, sweep);
``rollups`` (the offers' and needs' roll-ups) ← ``declarations``, which count them again in each
change's transaction.
"""

from supply.services._shared import (
    can_edit_declarations,
    is_leader,
    is_operations,
    sees_price_of,
    serves,
)
from supply.services.cases import (
    BUYER,
    CASE_ACTIONS,
    SUPPLIER,
    case_advance,
    case_can,
    case_fail,
    case_open,
    case_take,
    obstacle_link,
    obstacle_raise,
)
from supply.services.chains import gap_target_create, link_create, product_create
from supply.services.contracts import contract_sign, contracts_sweep, delivery_record, payment_record, saving_report
from supply.services.declarations import (
    NEED,
    OFFER,
    declaration_check,
    need_declare,
    need_update,
    need_withdraw,
    offer_declare,
    offer_update,
    offer_withdraw,
)
from supply.services.rollups import rollups_deferred, rollups_recount

__all__ = [
    "BUYER", "CASE_ACTIONS", "NEED", "OFFER", "SUPPLIER", "can_edit_declarations", "case_advance", "case_can",
    "case_fail", "case_open", "case_take", "contract_sign", "contracts_sweep", "declaration_check", "delivery_record",
    "gap_target_create", "is_leader", "is_operations", "link_create", "need_declare", "need_update", "need_withdraw",
    "obstacle_link", "obstacle_raise", "offer_declare", "offer_update", "offer_withdraw", "payment_record",
    "product_create", "saving_report", "sees_price_of", "serves", "rollups_deferred", "rollups_recount",
]
