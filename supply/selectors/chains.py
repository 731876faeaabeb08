"""The chain map (产业链图谱) and the suggestions.

The chain map: each chain's links upstream to downstream, the zone's suppliers on each (the
largest first, a few per link with a link to all of them), zone supply against zone demand, the
gaps (a link no zone enterprise fills, or where demand exceeds supply), and the local supply
ratio (本地配套率): of the zone's declared yearly input volume, the share bought from zone firms.

A need counts as bought in the zone when its enterprise declares it buys in the zone; a need
bought elsewhere counts for what zone suppliers delivered under three-party contracts in the
last twelve months. Volumes are in each link's unit; a chain's ratio adds its links' volumes (a
chain's links are kept in one unit, 吨 by default).

The page reads a few grouped sums over indexes and one short query per link, so its queries do
not grow with the zone. The suggestions are one indexed query per need, however many offers its
link has.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.utils import timezone

from enterprises.models import IndustryChain
from supply.models import OPEN_STAGES, ChainLink, Delivery, MatchCase, Source, SupplyNeed, SupplyOffer
from zonehub.workdays import local_date

ZERO = Decimal(0)
TOP_SUPPLIERS = 8
SUGGESTIONS_PER_NEED = 5
RATIO_DAYS = 365


def today() -> dt.date:
    return local_date(timezone.now())


def local_ratio(zone: Decimal, delivered: Decimal, total: Decimal) -> float | None:
    """The share of ``total`` bought in the zone, in per cent; None when nothing is declared (no
    ratio to show: never a perfect score for nothing)."""
    if not total:
        return None
    return round(float(min(Decimal(1), (zone + delivered) / total)) * 100, 1)


@dataclass
class LinkFigures:
    link: ChainLink
    supply: Decimal = ZERO  # yearly capacity offered by zone firms
    suppliers: int = 0
    offers: int = 0
    demand: Decimal = ZERO  # yearly volume the zone's firms need
    needs: int = 0
    demand_in_zone: Decimal = ZERO  # of which they declare they buy in the zone
    delivered: Decimal = ZERO  # delivered by zone firms under contracts, last 12 months (needs bought elsewhere)
    top: list = field(default_factory=list)

    @property
    def local(self) -> Decimal:
        """What the link's firms buy in the zone (never more than they need)."""
        return min(self.demand, self.demand_in_zone + self.delivered)

    @property
    def ratio(self) -> float | None:
        return local_ratio(self.local, ZERO, self.demand)

    @property
    def gap(self) -> str:
        """"unfilled": no zone enterprise offers on the link; "short": zone demand exceeds zone supply."""
        if not self.offers:
            return "unfilled"
        if self.demand > self.supply:
            return "short"
        return ""

    @property
    def shortfall(self) -> Decimal:
        return max(ZERO, self.demand - self.supply)


def link_figures(links: list[ChainLink], *, on: dt.date | None = None) -> dict[int, LinkFigures]:
    """Supply, demand and local supply of each link: three grouped queries over the links' rows."""
    ids = [link.pk for link in links]
    figures = {link.pk: LinkFigures(link=link) for link in links}
    if not ids:
        return figures
    for row in (SupplyOffer.objects.filter(link_id__in=ids, is_active=True).order_by().values("link_id")
                .annotate(capacity=Sum("yearly_capacity"), offers=Count("id"),
                          suppliers=Count("enterprise_id", distinct=True))):
        f = figures[row["link_id"]]
        f.supply, f.offers, f.suppliers = row["capacity"] or ZERO, row["offers"], row["suppliers"]
    for row in (SupplyNeed.objects.filter(link_id__in=ids, is_active=True).order_by().values("link_id", "current_source")
                .annotate(volume=Sum("yearly_volume"), needs=Count("id"))):
        f = figures[row["link_id"]]
        f.demand += row["volume"] or ZERO
        f.needs += row["needs"]
        if row["current_source"] == Source.ZONE:
            f.demand_in_zone += row["volume"] or ZERO
    for row in _delivered_by_link(ids, on=on):
        figures[row["contract__link_id"]].delivered = row["quantity"] or ZERO
    return figures


def _delivered_by_link(ids=None, *, on: dt.date | None = None):
    """What zone suppliers delivered under contracts in the last ``RATIO_DAYS`` days, by link, for
    the active needs bought outside the zone (those bought in it count whole already)."""
    since = (on or today()) - dt.timedelta(days=RATIO_DAYS)
    deliveries = Delivery.objects.filter(delivered_on__gt=since, contract__case__need__is_active=True)
    if ids is not None:
        deliveries = deliveries.filter(contract__link_id__in=ids)
    return (deliveries.exclude(contract__case__need__current_source=Source.ZONE)
            .order_by().values("contract__link_id").annotate(quantity=Sum("quantity")))


@dataclass
class ChainFigures:
    chain: IndustryChain
    links: list = field(default_factory=list)

    def total(self, name: str) -> Decimal:
        return sum((getattr(f, name) for f in self.links), ZERO)

    @property
    def ratio(self) -> float | None:
        return local_ratio(self.total("local"), ZERO, self.total("demand"))

    @property
    def gaps(self) -> list:
        return [f for f in self.links if f.gap]

    @property
    def offers(self) -> int:
        return sum(f.offers for f in self.links)

    @property
    def needs(self) -> int:
        return sum(f.needs for f in self.links)


def chain_list_figures() -> list[ChainFigures]:
    """Every chain of the zone with its links' figures (a chain with no links mapped yet too)."""
    chains = list(IndustryChain.objects.all())
    links = list(ChainLink.objects.select_related("target").order_by("chain", "position", "id"))
    figures = link_figures(links)
    by_chain = {chain.pk: ChainFigures(chain=chain) for chain in chains}
    for link in links:
        by_chain[link.chain_id].links.append(figures[link.pk])
    return [by_chain[chain.pk] for chain in chains]


def chain_map(chain: IndustryChain, *, top: int = TOP_SUPPLIERS) -> ChainFigures:
    """One chain's links, upstream first, each with its figures and its largest suppliers (one short
    indexed query per link: the page does not read every offer of a large zone)."""
    links = list(ChainLink.objects.filter(chain=chain).select_related("target").prefetch_related("products")
                 .order_by("position", "id"))
    figures = link_figures(links)
    for link in links:
        figures[link.pk].top = list(SupplyOffer.objects.filter(link_id=link.pk, is_active=True)
                                    .select_related("enterprise", "product").order_by("-yearly_capacity", "pk")[:top])
    return ChainFigures(chain=chain, links=[figures[link.pk] for link in links])


def zone_ratio(*, on: dt.date | None = None) -> tuple[float | None, Decimal, Decimal]:
    """The zone's local supply ratio now, with the declared demand and what is bought in the zone,
    each link counted as on the chain map (never above its demand): two grouped queries."""
    demand: dict = defaultdict(lambda: ZERO)
    local: dict = defaultdict(lambda: ZERO)
    for row in (SupplyNeed.objects.filter(is_active=True).order_by().values("link_id", "current_source")
                .annotate(volume=Sum("yearly_volume"))):
        demand[row["link_id"]] += row["volume"] or ZERO
        if row["current_source"] == Source.ZONE:
            local[row["link_id"]] += row["volume"] or ZERO
    for row in _delivered_by_link(on=on):
        local[row["contract__link_id"]] += row["quantity"] or ZERO
    total = sum(demand.values(), ZERO)
    bought = sum((min(volume, local[link]) for link, volume in demand.items()), ZERO)
    return local_ratio(bought, ZERO, total), total, bought


# --- suggestions ----------------------------------------------------------------------------------

def need_suggestions(need: SupplyNeed, *, limit: int = SUGGESTIONS_PER_NEED, only_enterprises=None) -> list:
    """The zone's suppliers for ``need``: the offers of its product first, then the rest of its link,
    each ranked by capacity against the volume, the largest first (those that cover the whole volume
    come first). One statement: the ranking reads only the offers' (link, capacity, product,
    enterprise) index, and only the ``limit`` rows kept are joined to their firms and products.
    ``coverage``: capacity ÷ volume, in per cent."""
    rank = Case(When(product_id=need.product_id, then=Value(0)), default=Value(1), output_field=IntegerField())
    offers = (SupplyOffer.objects.filter(link_id=need.link_id, is_active=True)
              .exclude(enterprise_id=need.enterprise_id))
    if only_enterprises is not None:
        offers = offers.filter(enterprise_id__in=list(only_enterprises))
    best = offers.annotate(rank=rank).order_by("rank", "-yearly_capacity", "-pk").values("pk")[:limit]
    rows = list(SupplyOffer.objects.filter(pk__in=best).annotate(rank=rank).select_related("enterprise", "product")
                .order_by("rank", "-yearly_capacity", "-pk"))
    for row in rows:
        row.same_product = row.product_id == need.product_id
        row.coverage = round(float(100 * row.yearly_capacity / need.yearly_volume), 1) if need.yearly_volume else None
        row.covers = row.yearly_capacity >= need.yearly_volume
    return rows


def suggestion_needs(user, *, sees_zone: bool, served_ids=None, chain=None, link=None):
    """The needs whose suggestions ``user`` is shown, largest first. The operations centre (and
    leaders): every active need bought outside the zone. A steward (``served_ids``, the enterprises
    it serves): its enterprises' needs, and the needs its enterprises' offers could supply."""
    needs = SupplyNeed.objects.filter(is_active=True)
    if sees_zone:
        needs = needs.exclude(current_source=Source.ZONE)
    else:
        served_ids = list(served_ids or [])
        links = (SupplyOffer.objects.filter(enterprise_id__in=served_ids, is_active=True).order_by()
                 .values("link_id").distinct())
        needs = needs.filter(Q(enterprise_id__in=served_ids) | (Q(link_id__in=links) & ~Q(current_source=Source.ZONE)))
    if chain:
        needs = needs.filter(link__chain_id=chain)
    if link:
        needs = needs.filter(link_id=link)
    return needs.select_related("enterprise", "product", "link__chain").order_by("-yearly_volume", "-id")


def open_cases_for(needs) -> dict[tuple[int, int], int]:
    """(need, offer) → the open case between them, for a page of needs: one query."""
    return {(c["need_id"], c["offer_id"]): c["pk"] for c in
            MatchCase.objects.filter(need_id__in=[n.pk for n in needs], stage__in=OPEN_STAGES)
            .values("pk", "need_id", "offer_id")}
