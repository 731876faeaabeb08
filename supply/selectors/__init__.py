"""Reads of the supply app, scoped to the user first. Sections: ``lists`` (the rows, each scoped,
with what their pages show), ``chains`` (the chain map, the local supply ratio, the suggestions),
``figures`` (by month and chain, the home panels, and the month's figures evaluations reads)."""

from supply.selectors.chains import (
    RATIO_DAYS,
    ChainFigures,
    LinkFigures,
    chain_list_figures,
    chain_map,
    link_figures,
    local_ratio,
    need_suggestions,
    needs_loaded,
    open_cases_for,
    suggestion_needs,
    today,
    zone_ratio,
)
from supply.selectors.figures import (
    broker_month_figures,
    by_chain,
    cases_by_stage,
    figures,
    home_panels,
    leader_supply_panel,
    monthly,
    months_to,
    totals,
    zone_month_figures,
)
from supply.selectors.lists import (
    case_get,
    case_list,
    case_obstacles,
    case_timeline,
    contract_get,
    contract_list,
    delivery_list,
    enterprise_declarations,
    need_get,
    need_list,
    offer_get,
    offer_list,
    payment_list,
    supply_enterprise_get,
)

__all__ = [
    "RATIO_DAYS", "ChainFigures", "LinkFigures", "broker_month_figures", "by_chain", "case_get", "case_list",
    "case_obstacles", "case_timeline", "cases_by_stage", "chain_list_figures", "chain_map", "contract_get",
    "contract_list", "delivery_list", "enterprise_declarations", "figures", "home_panels", "leader_supply_panel",
    "link_figures", "local_ratio", "monthly", "months_to", "need_get", "need_list", "need_suggestions", "offer_get",
    "needs_loaded", "offer_list", "open_cases_for", "payment_list", "suggestion_needs", "supply_enterprise_get",
    "today", "totals", "zone_month_figures", "zone_ratio",
]
