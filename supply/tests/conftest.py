import datetime as dt

import pytest
import time_machine

from supply import services
from supply.models import Source
from tests.factories import EnterpriseFactory, IndustryChainFactory, UserFactory
from zonehub.models import Role
from zonehub.workdays import SHANGHAI

# Every test of the app lives on one Monday morning of a week without holidays.
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def supply_zone(zone, now, django_capture_on_commit_callbacks):
    """The shared ``zone`` (two of everything) with a chain map and the two sides' firms: on A's side
    the buyer ``ent_a`` (A's enterprise) needs molten aluminium from outside the province and
    ``ent_a2`` (served by A's steward too) offers it; on B's side ``ent_b2`` offers it as well and
    ``ent_b`` needs ingots. An operations centre user ``ops`` declared them."""
    with django_capture_on_commit_callbacks(execute=True):
        z = zone
        z.ops = UserFactory(role=Role.OPERATIONS, username="ops")
        z.chain = IndustryChainFactory(name="新材料")
        z.chain2 = IndustryChainFactory(name="新能源")
        z.smelting = services.link_create(actor=z.ops, chain=z.chain, name="电解铝")
        z.parts = services.link_create(actor=z.ops, chain=z.chain, name="汽车轻量化部件")
        z.molten = services.product_create(actor=z.ops, link=z.smelting, name="铝液")
        z.ingot = services.product_create(actor=z.ops, link=z.smelting, name="铝锭")
        z.tray = services.product_create(actor=z.ops, link=z.parts, name="电池托盘")
        z.ent_a2 = EnterpriseFactory(name="甲方供方铝业", workstation=z.ws_a, steward=z.steward_a)
        z.ent_user_a2 = UserFactory(role=Role.ENTERPRISE, enterprise=z.ent_a2)
        z.ent_b2 = EnterpriseFactory(name="乙方供方铝业", workstation=z.ws_b, steward=z.steward_b)
        z.ent_user_b2 = UserFactory(role=Role.ENTERPRISE, enterprise=z.ent_b2)
        z.offer_a = services.offer_declare(actor=z.ops, enterprise=z.ent_a2, product=z.molten, yearly_capacity=200000,
                                           unit_price="18600")
        z.need_a = services.need_declare(actor=z.ops, enterprise=z.ent_a, product=z.molten, yearly_volume=60000,
                                         current_source=Source.OUTSIDE, unit_price="19200")
        z.offer_b = services.offer_declare(actor=z.ops, enterprise=z.ent_b2, product=z.molten, yearly_capacity=50000,
                                           unit_price="18500")
        z.need_b = services.need_declare(actor=z.ops, enterprise=z.ent_b, product=z.ingot, yearly_volume=20000,
                                         current_source=Source.ZONE, unit_price="19100")
        z.need_tray = services.need_declare(actor=z.ops, enterprise=z.ent_b, product=z.tray, yearly_volume=12000,
                                            current_source=Source.OUTSIDE)
    return z


@pytest.fixture
def signed(supply_zone, django_capture_on_commit_callbacks):
    """A's case, opened by the operations centre and signed: 26,000 t at 18,600 元/t plus 15 元/t."""
    z = supply_zone
    with django_capture_on_commit_callbacks(execute=True):
        z.case = services.case_open(actor=z.ops, need=z.need_a, offer=z.offer_a, note="付款方式谈不拢")
        z.contract = services.contract_sign(case=z.case, actor=z.ops, quantity="26,000", unit_price="18600", fee_rate="15",
                                            starts_on=NOW.date(), ends_on=NOW.date() + dt.timedelta(days=364),
                                            buyer_saving="300", supplier_saving="200")
    return z
