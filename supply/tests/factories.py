"""What the supply app's tests (and the permission matrix) build: the objects of one side of the
``zone`` fixture, through the services as the pages would."""

import datetime as dt

from supply import services
from supply.models import Source
from tests.factories import EnterpriseFactory, IndustryChainFactory


def side_objects(*, enterprise, steward, workstation, ops, today: dt.date) -> dict:
    """One side's chain, link, the enterprise's offer and need, a case in talks where it buys from
    a supplier its steward also serves, and a signed contract on a second case."""
    chain = IndustryChainFactory(name=f"{enterprise.name}链")
    link = services.link_create(actor=ops, chain=chain, name="电解铝")
    sells, buys, also = (services.product_create(actor=ops, link=link, name=name) for name in ("铝板带", "铝液", "铝锭"))
    supplier = EnterpriseFactory(workstation=workstation, steward=steward, industry=chain)
    offer = services.offer_declare(actor=ops, enterprise=enterprise, product=sells, yearly_capacity=1000, unit_price=21000)
    need = services.need_declare(actor=ops, enterprise=enterprise, product=buys, yearly_volume=6000,
                                 current_source=Source.OUTSIDE, unit_price=19000)
    case = services.case_open(actor=ops, need=need, offer=services.offer_declare(
        actor=ops, enterprise=supplier, product=buys, yearly_capacity=9000, unit_price=18600))
    services.case_advance(case=case, actor=ops, action="talks")
    second = services.case_open(
        actor=ops, need=services.need_declare(actor=ops, enterprise=enterprise, product=also, yearly_volume=500,
                                              current_source=Source.PROVINCE),
        offer=services.offer_declare(actor=ops, enterprise=supplier, product=also, yearly_capacity=800))
    contract = services.contract_sign(case=second, actor=ops, quantity=400, unit_price=19000, fee_rate=15,
                                      starts_on=today, ends_on=today + dt.timedelta(days=300))
    return {"chain": chain, "link": link, "offer": offer, "need": need, "supply_case": case,
            "supply_contract": contract}


def matrix_objects(zone, users) -> dict:
    """The A and B side of every supply route with an id (tests/test_permission_matrix.py)."""
    today = dt.date(2026, 11, 23)
    sides = [side_objects(enterprise=ent, steward=steward, workstation=ws, ops=users["operations"], today=today)
             for ent, steward, ws in ((zone.ent_a, zone.steward_a, zone.ws_a), (zone.ent_b, zone.steward_b, zone.ws_b))]
    return {kind: [side[kind] for side in sides] for kind in sides[0]}
