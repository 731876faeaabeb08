"""Pages of the supply app. Thin: read through selectors, write through one service each; what the
user typed survives an error. Sections: ``chains`` (the chain map), ``declarations`` (offers,
needs, an enterprise's supply page), ``cases`` (suggestions, cases, obstacles, signing),
``contracts`` (contracts, deliveries, payments, savings), ``figures`` (figures, the import)."""

from supply.views.cases import (
    CaseListView,
    case_detail,
    case_open,
    case_stage,
    contract_sign,
    obstacle_link,
    obstacle_raise,
    suggestions,
)
from supply.views.chains import chain_detail, chain_list, gap_target, link_create, product_create
from supply.views.contracts import (
    ContractListView,
    DeliveryListView,
    contract_detail,
    delivery_record,
    payment_record,
    saving_report,
)
from supply.views.declarations import (
    NeedListView,
    OfferListView,
    enterprise_page,
    mine,
    need_create,
    need_edit,
    need_withdraw,
    offer_create,
    offer_edit,
    offer_withdraw,
)
from supply.views.figures import ImportView, figures

__all__ = [
    "CaseListView", "ContractListView", "DeliveryListView", "ImportView", "NeedListView", "OfferListView",
    "case_detail", "case_open", "case_stage", "chain_detail", "chain_list", "contract_detail", "contract_sign",
    "delivery_record", "enterprise_page", "figures", "gap_target", "link_create", "mine", "need_create", "need_edit",
    "need_withdraw", "obstacle_link", "obstacle_raise", "offer_create", "offer_edit", "offer_withdraw",
    "payment_record", "product_create", "saving_report", "suggestions",
]
