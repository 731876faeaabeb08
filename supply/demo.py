"""The supply app's part of the demo zone, lived on the replay's clock (``zonehub.demo.Replay``):

- at the launch the operations centre maps two chains, each link with its products: the
  aluminium line of 新材料 (氧化铝 → 电解铝 → 铝板带箔 → 铝型材及精深加工 → 汽车轻量化部件) and the
  lithium-battery materials of 新能源 (碳酸锂 → 正极材料 → 电解液 → 电池铝箔); in the first weeks
  the zone's firms declare what they sell and buy, so that each chain has a gap (no zone firm makes
  汽车轻量化部件, nor 电解液);
- seed 000's story: the central state-owned smelter sells molten aluminium (铝液) and is paid on
  delivery; its neighbour, the demo enterprise, buys it from outside the province and wants to
  pay first. The operations centre opens a case, talks begin, the buyer's steward raises the road
  between the two plants as a request escalated to 规划建设局, which answers; a three-party
  contract of 26,000 t at 15 元/t is signed within the month, each side reports its saving; then
  a delivery each month, the buyer paying the company and the company paying the smelter ahead;
- around it: a 铝锭 contract fully delivered and done, a 磷酸铁锂 contract supplying, a 电池铝箔 case
  that failed (why), a 铝板带 case in talks, a case a steward suggested that waits for a broker,
  and the leader making one gap a 重大招商 item of the five-key list;
- the app's beat task every morning (contracts fully delivered or past their term).

Everything goes through ``supply.services`` and the stewards' request services. Running it
again adds nothing (the replay is not played twice)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from enterprises.models import Enterprise, IndustryChain
from stewards import services as stewards_services
from stewards.models import ServiceRequest, StewardAssignment
from supply import services
from supply.models import ChainLink, Product, Source, Stage, SupplyNeed, SupplyOffer
from zonehub.models import Department, Role, User
from zonehub.workdays import local_date

# (chain, [(link, unit, [products])]): upstream first.
CHAINS = [
    ("新材料", [("氧化铝", "吨", ["氧化铝"]), ("电解铝", "吨", ["铝液", "铝锭"]), ("铝板带箔", "吨", ["铝板带", "铝箔"]),
             ("铝型材及精深加工", "吨", ["铝型材", "铝合金铸件"]), ("汽车轻量化部件", "吨", ["电池托盘", "铝合金轮毂"])]),
    ("新能源", [("碳酸锂", "吨", ["电池级碳酸锂"]), ("正极材料", "吨", ["磷酸铁锂"]), ("电解液", "吨", ["锂电池电解液"]),
             ("电池铝箔", "吨", ["电池铝箔"])]),
]


@dataclass(frozen=True)
class Line:
    who: str  # a role in the story (see ``SupplyDemo.cast``)
    kind: str  # services.OFFER / services.NEED
    product: str
    amount: int
    price: int | None = None
    source: str = ""
    at: float = 0.02  # when it is declared, as a share of the replayed year


LINES = [
    Line("alumina", services.OFFER, "氧化铝", 800_000, 2_900),
    Line("smelter", services.NEED, "氧化铝", 400_000, 3_050, Source.PROVINCE),
    Line("smelter", services.OFFER, "铝液", 200_000, 18_600, at=0.03),
    Line("smelter", services.OFFER, "铝锭", 100_000, 19_100, at=0.03),
    Line("ingots", services.OFFER, "铝锭", 50_000, 19_000),
    Line("home", services.NEED, "铝液", 60_000, 19_200, Source.OUTSIDE, at=0.04),
    Line("profiles", services.NEED, "铝锭", 30_000, 19_150, Source.ZONE),
    Line("castings", services.NEED, "铝锭", 20_000, 19_300, Source.PROVINCE, at=0.05),
    Line("home", services.OFFER, "铝板带", 150_000, 21_500, at=0.04),
    Line("foil", services.OFFER, "铝箔", 40_000, 24_000),
    Line("foil", services.OFFER, "电池铝箔", 10_000, 31_000, at=0.06),
    Line("profiles", services.NEED, "铝板带", 25_000, 21_900, Source.OUTSIDE),
    Line("profiles", services.OFFER, "铝型材", 60_000, 23_500),
    Line("castings", services.OFFER, "铝合金铸件", 30_000, 26_000, at=0.05),
    Line("parts", services.NEED, "铝型材", 8_000, 24_200, Source.PROVINCE),
    Line("parts", services.NEED, "电池托盘", 12_000, 41_000, Source.OUTSIDE, at=0.06),
    Line("wheels", services.NEED, "铝合金轮毂", 5_000, 38_000, Source.IMPORTED, at=0.07),
    Line("lithium", services.OFFER, "电池级碳酸锂", 20_000, 76_000),
    Line("cathode", services.NEED, "电池级碳酸锂", 8_000, 78_000, Source.IMPORTED),
    Line("cathode", services.OFFER, "磷酸铁锂", 50_000, 48_000, at=0.05),
    Line("cells", services.NEED, "磷酸铁锂", 12_000, 49_500, Source.OUTSIDE, at=0.06),
    Line("cells", services.NEED, "锂电池电解液", 6_000, 21_000, Source.OUTSIDE, at=0.06),
    Line("cells", services.NEED, "电池铝箔", 3_000, 32_000, Source.OUTSIDE, at=0.07),
]


def build(ctx: dict, rng: random.Random) -> None:
    replay = ctx.get("replay")
    if replay is None or ChainLink.objects.exists():
        return
    demo = SupplyDemo(ctx, rng)
    demo.map_chains()
    replay.daily(demo.sweep, hour=7, minute=50)
    for line in LINES:
        replay.schedule(demo.moment(line.at, 10), partial(demo.declare, line))
    replay.schedule(demo.moment(0.10, 9, 40), demo.molten_aluminium())
    replay.schedule(demo.moment(0.08, 10, 15), demo.ingots())
    replay.schedule(demo.moment(0.30, 14), demo.cathode())
    replay.schedule(demo.moment(0.40, 10), demo.battery_foil())
    replay.schedule(demo.moment(0.50, 16), demo.gap_targeted)
    replay.schedule(demo.moment(0.90, 11), demo.sheet_talks())
    replay.schedule(demo.moment(0.96, 15), demo.suggested)


class SupplyDemo:
    def __init__(self, ctx: dict, rng: random.Random):
        self.ctx, self.rng, self.replay = ctx, rng, ctx["replay"]
        self.operations = User.objects.get(username="operations")
        self.leader = User.objects.get(username="leader")
        self.admin = ctx["admin"]
        self.users = {u.enterprise_id: u for u in ctx["enterprise_users"]}
        self.heads = {h.workstation_id: h for h in ctx["heads"]}
        self.year_days = (local_date(self.replay.end) - local_date(self.replay.start)).days
        self.cast = self._cast(ctx["enterprises"])

    @staticmethod
    def _cast(enterprises: list[Enterprise]) -> dict[str, Enterprise]:
        """Who plays whom: the demo enterprise (a 铝业 firm of 新材料) buys the molten aluminium of a
        central state-owned smelter (or the first 新材料 firm if none is one); the others are the
        first firms of their chain, each once."""
        by_chain: dict[str, list[Enterprise]] = {}
        for enterprise in enterprises[1:]:
            by_chain.setdefault(enterprise.industry.name, []).append(enterprise)
        materials = by_chain.get("新材料", [])
        smelter = next((e for e in materials if e.ownership == Enterprise.Ownership.CENTRAL_SOE), materials[0])
        materials = [e for e in materials if e.pk != smelter.pk]
        energy, equipment = by_chain.get("新能源", []), by_chain.get("装备制造", [])
        return {"home": enterprises[0], "smelter": smelter, "alumina": materials[0], "ingots": materials[1],
                "foil": materials[2], "profiles": materials[3], "castings": materials[4], "parts": equipment[0],
                "wheels": equipment[1], "lithium": energy[0], "cathode": energy[1], "cells": energy[2]}

    # --- when and who

    def moment(self, share: float, hour: int = 10, minute: int = 0) -> dt.datetime:
        start = local_date(self.replay.start)
        day = self.replay.workday(start + dt.timedelta(days=round(share * self.year_days)))
        return self.replay.at(day, hour, minute)

    def steward_of(self, enterprise) -> User:
        assignment = StewardAssignment.objects.active().filter(enterprise=enterprise).select_related("steward__user").first()
        return assignment.steward.user if assignment else self.heads[enterprise.workstation_id]

    def product(self, name: str) -> Product:
        return Product.objects.select_related("link").get(name=name)

    def need(self, who: str, product: str) -> SupplyNeed:
        return SupplyNeed.objects.get(enterprise=self.cast[who], product__name=product, is_active=True)

    def offer(self, who: str, product: str) -> SupplyOffer:
        return SupplyOffer.objects.get(enterprise=self.cast[who], product__name=product, is_active=True)

    # --- the map, and what the firms declare

    def map_chains(self) -> None:
        for chain_name, links in CHAINS:
            chain = IndustryChain.objects.get(name=chain_name)
            for position, (name, unit, products) in enumerate(links, start=1):
                link = services.link_create(actor=self.operations, chain=chain, name=name, position=position, unit=unit)
                for product in products:
                    services.product_create(actor=self.operations, link=link, name=product)

    def declare(self, line: Line) -> None:
        enterprise = self.cast[line.who]
        # Most firms declare on their own page; some through their steward during a visit.
        actor = self.users[enterprise.pk] if self.rng.random() < 0.7 else self.steward_of(enterprise)
        if line.kind == services.OFFER:
            services.offer_declare(actor=actor, enterprise=enterprise, product=self.product(line.product),
                                   yearly_capacity=line.amount, unit_price=line.price)
        else:
            services.need_declare(actor=actor, enterprise=enterprise, product=self.product(line.product),
                                  yearly_volume=line.amount, current_source=line.source, unit_price=line.price)

    # --- seed 000: the molten aluminium

    def molten_aluminium(self):
        replay, ops = self.replay, self.operations
        case = services.case_open(
            actor=ops, need=self.need("home", "铝液"), offer=self.offer("smelter", "铝液"),
            note="两家企业相距一公里。央企电解铝厂要求货到付款，混改铝板带企业要求先款后货，付款方式谈了一年没谈拢。"
                 "运营中心拟以三方购销合同居间：买方付款给运营公司，运营公司付款给供方，供方直供铝液。")
        yield replay.later(self.rng, 2)
        services.case_advance(case=case, actor=ops, action="talks",
                              note="三方首次洽谈：价格随长江现货铝价，运营公司先付供方货款。")
        yield replay.later(self.rng, 3)
        buyer = self.cast["home"]
        steward = self.steward_of(buyer)
        roads = Department.objects.get(name="规划建设局")
        obstacle = services.obstacle_raise(
            case=case, actor=steward, party=services.BUYER, category=ServiceRequest.Category.INFRASTRUCTURE,
            title="两厂之间铝液罐车运输道路需打通",
            description="铝液须在4小时内送达，现有道路绕行8公里。需打通两厂之间约300米厂区道路，并设置罐车专用通行时段。",
            departments=[roads], reason="请协调两厂之间道路打通及罐车通行方案，三个工作日内答复。")
        yield replay.later(self.rng, 2)
        escalation = obstacle.request.escalations.get()
        answerer = (User.objects.filter(role=Role.DEPARTMENT, department=roads, is_active=True)
                    .order_by("-is_department_head", "pk").first())
        stewards_services.escalation_reply(escalation=escalation, actor=answerer,
                                           reply="已现场踏勘，同意利用原有厂区道路打通连接段，本月底前完成硬化，罐车通行时段按企业申请办理。")
        yield replay.later(self.rng, 1)
        request = ServiceRequest.objects.get(pk=obstacle.request_id)
        stewards_services.request_report_back(request=request, actor=self.steward_of(buyer),
                                              report="规划建设局已同意打通连接段道路，月底前完工，罐车可按时段通行。")
        yield replay.later(self.rng, 1)
        request.refresh_from_db()
        if request.status == ServiceRequest.Status.REPORTED:
            stewards_services.request_confirm(request=request, actor=self.users[buyer.pk])
        yield replay.later(self.rng, 6)
        today = replay.today
        contract = services.contract_sign(
            case=case, actor=ops, quantity=26_000, unit_price=18_600, fee_rate=15, signed_on=today, starts_on=today,
            ends_on=today + dt.timedelta(days=364), buyer_saving=300, supplier_saving=200,
            payment_terms="买方每批到货后5个工作日内付款至运营公司；运营公司每月初预付供方当月货款；供方直接向买方供应铝液。")
        yield replay.later(self.rng, 4)
        services.saving_report(contract=contract, actor=self.users[buyer.pk], side=services.BUYER, amount=320)
        yield from self.supply_monthly(contract, per_month=(2_100, 2_500), prepay=True)

    def supply_monthly(self, contract, *, per_month: tuple[int, int], prepay: bool = False, done_when_full=False):
        """A delivery a month (or two), the buyer paying the company a few days after each, the
        company paying the supplier: ahead of the month when ``prepay``, else after the buyer."""
        replay, ops, rng = self.replay, self.operations, self.rng
        while True:
            contract.refresh_from_db()
            if contract.remaining <= 0 or replay.today > contract.ends_on:
                break
            if prepay:
                advance = Decimal(per_month[1]) * contract.unit_price
                services.payment_record(contract=contract, actor=ops, direction="company_to_supplier",
                                        paid_on=replay.today, amount=advance, reference=f"预付{replay.today:%Y%m}")
            yield replay.later(rng, rng.randint(5, 9))
            contract.refresh_from_db()
            if replay.today > contract.ends_on:
                break
            quantity = min(Decimal(rng.randint(*per_month)), contract.remaining)
            delivery = services.delivery_record(contract=contract, actor=ops, delivered_on=replay.today,
                                                quantity=quantity, batch=f"{replay.today:%Y%m}-{rng.randint(1, 9):02d}")
            yield replay.later(rng, rng.randint(3, 5))
            contract.refresh_from_db()
            services.payment_record(contract=contract, actor=ops, direction="buyer_to_company", paid_on=replay.today,
                                    amount=delivery.quantity * contract.buyer_price, reference=f"到货款{delivery.batch}")
            if not prepay:
                yield replay.later(rng, 1)
                services.payment_record(contract=contract, actor=ops, direction="company_to_supplier",
                                        paid_on=replay.today, amount=delivery.quantity * contract.unit_price,
                                        reference=f"货款{delivery.batch}")
            yield replay.later(rng, rng.randint(10, 14))
        contract.refresh_from_db()
        if done_when_full and contract.case.stage == Stage.SUPPLYING:
            services.case_advance(case=contract.case, actor=ops, action="done", note="合同数量已全部交付，款项已结清。")

    # --- the others

    def ingots(self):
        """铝锭 for a foundry that bought in the province: signed, delivered in full, done."""
        replay, ops = self.replay, self.operations
        case = services.case_open(actor=ops, need=self.need("castings", "铝锭"), offer=self.offer("ingots", "铝锭"),
                                  note="铸件企业原从省内采购铝锭，运距远；区内铝锭企业有富余产能。")
        yield replay.later(self.rng, 3)
        services.case_advance(case=case, actor=ops, action="talks")
        yield replay.later(self.rng, 5)
        today = replay.today
        contract = services.contract_sign(case=case, actor=ops, quantity=6_000, unit_price=19_000, fee_rate=12,
                                          signed_on=today, starts_on=today, ends_on=today + dt.timedelta(days=300),
                                          buyer_saving=150, supplier_saving=80)
        yield from self.supply_monthly(contract, per_month=(1_100, 1_400), done_when_full=True)

    def cathode(self):
        """磷酸铁锂 for the cell maker, bought outside the province until now: supplying."""
        replay, ops = self.replay, self.operations
        case = services.case_open(actor=ops, need=self.need("cells", "磷酸铁锂"), offer=self.offer("cathode", "磷酸铁锂"),
                                  note="电芯企业正极材料全部外购，区内正极材料企业产能利用率不足六成。")
        yield replay.later(self.rng, 4)
        services.case_advance(case=case, actor=ops, action="talks")
        yield replay.later(self.rng, 8)
        today = replay.today
        contract = services.contract_sign(case=case, actor=ops, quantity=3_000, unit_price=47_500, fee_rate=20,
                                          signed_on=today, starts_on=today, ends_on=today + dt.timedelta(days=364),
                                          buyer_saving=600, supplier_saving=0)
        yield replay.later(self.rng, 3)
        services.saving_report(contract=contract, actor=ops, side=services.SUPPLIER, amount=150)
        yield from self.supply_monthly(contract, per_month=(220, 300))

    def battery_foil(self):
        """电池铝箔: talks, then the case fails (the foil is not yet the cell maker's gauge)."""
        replay, ops = self.replay, self.operations
        case = services.case_open(actor=ops, need=self.need("cells", "电池铝箔"), offer=self.offer("foil", "电池铝箔"))
        yield replay.later(self.rng, 3)
        services.case_advance(case=case, actor=ops, action="talks")
        yield replay.later(self.rng, 12)
        services.case_fail(case=case, actor=ops, reason="供方电池铝箔厚度为15μm，买方需12μm产品；供方技改完成后再行对接。")

    def gap_targeted(self) -> None:
        """The leader makes the aluminium chain's gap a 重大招商 item, in one step."""
        link = ChainLink.objects.get(name="汽车轻量化部件")
        unit = Department.objects.filter(name="发展改革局").first()
        services.gap_target_create(actor=self.leader, link=link, year=self.replay.today.year, lead_leader=self.leader,
                                   responsible_unit=unit)

    def sheet_talks(self):
        """铝板带 for the profile maker: opened last month, in talks at the build."""
        case = services.case_open(actor=self.operations, need=self.need("profiles", "铝板带"),
                                  offer=self.offer("home", "铝板带"), note="型材企业铝板带目前从省外采购。")
        yield self.replay.later(self.rng, 4)
        services.case_advance(case=case, actor=self.operations, action="talks")

    def suggested(self) -> None:
        """The smelter's steward suggests a case for its 氧化铝: it waits for a broker at the build."""
        smelter = self.cast["smelter"]
        services.case_open(actor=self.steward_of(smelter), need=self.need("smelter", "氧化铝"),
                           offer=self.offer("alumina", "氧化铝"),
                           note="走访中了解到：电解铝厂氧化铝从省内外采购，区内氧化铝企业可就近供应。")

    def sweep(self) -> None:
        services.contracts_sweep(now=self.replay.now)
