"""The chain map (产业链图谱) and the suggestions.

The chain map: each chain's links upstream to downstream, the zone's suppliers on each (the
largest first, a few per link with a link to all of them), zone supply against zone demand, the
gaps (a link no zone enterprise fills, or where demand exceeds supply), and the local supply
ratio (本地配套率): of the zone's declared yearly input volume, the share bought from zone firms.

A need counts as bought in the zone when its enterprise declares it buys in the zone; a need
bought elsewhere counts for what zone suppliers delivered under three-party contracts in the
last twelve months. Volumes are in each link's unit; a chain's ratio adds its links' volumes (a
chain's links are kept in one unit, 吨 by default).

The page reads the links' roll-ups (``NeedTally``, ``OfferTally``, kept by the services) and one
short query per link, so neither its queries nor their time grow with the zone. The suggestions
are one indexed query per need, however many offers its link has.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Case, IntegerField, Q, Sum, Value, When
from django.utils import timezone

from enterprises.models import IndustryChain
from supply.models import (
    OPEN_STAGES,
    ChainLink,
    Delivery,
    MatchCase,
    NeedTally,
    OfferTally,
    Source,
    SupplyNeed,
    SupplyOffer,
)
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


def need_tally(*, since: dt.date | None = None, until: dt.date | None = None, chain=None, links=None) -> list:
    """The needs' roll-up rows (``NeedTally``): (link id, source, month declared, month withdrawn or
    None, yearly volume, needs). Only the needs active some time from the month ``since`` to the
    month ``until`` (the active ones without ``since``). One query over a few hundred rows."""
    rows = NeedTally.objects.filter(needs__gt=0)
    rows = rows.filter(withdrawn__isnull=True) if since is None else rows.filter(
        Q(withdrawn__isnull=True) | Q(withdrawn__gte=since))
    if until is not None:
        rows = rows.filter(declared__lte=until)
    if chain:
        rows = rows.filter(link__chain_id=chain)
    if links is not None:
        rows = rows.filter(link_id__in=links)
    return list(rows.values_list("link_id", "current_source", "declared", "withdrawn", "volume", "needs"))


def active_needs_outside(tally: list) -> int:
    """How many active needs are bought outside the zone (the suggestions' needs), from ``need_tally``."""
    return sum(n for _link, source, _d, withdrawn, _v, n in tally if withdrawn is None and source != Source.ZONE)


def link_figures(links: list[ChainLink], *, on: dt.date | None = None) -> dict[int, LinkFigures]:
    """Supply, demand and local supply of each link: the links' roll-ups and their deliveries."""
    ids = [link.pk for link in links]
    figures = {link.pk: LinkFigures(link=link) for link in links}
    if not ids:
        return figures
    for row in OfferTally.objects.filter(link_id__in=ids):
        f = figures[row.link_id]
        f.supply, f.offers, f.suppliers = row.capacity, row.offers, row.suppliers
    for link, source, _declared, _withdrawn, volume, needs in need_tally(links=ids):
        f = figures[link]
        f.demand += volume
        f.needs += needs
        if source == Source.ZONE:
            f.demand_in_zone += volume
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


def zone_ratio(*, on: dt.date | None = None, tally: list | None = None) -> tuple[float | None, Decimal, Decimal]:
    """The zone's local supply ratio now, with the declared demand and what is bought in the zone,
    each link counted as on the chain map (never above its demand): the needs' roll-up (``tally``
    when the caller read it already) and one grouped query of deliveries."""
    demand: dict = defaultdict(lambda: ZERO)
    local: dict = defaultdict(lambda: ZERO)
    for link, source, _declared, withdrawn, volume, _needs in (need_tally() if tally is None else tally):
        if withdrawn is not None:
            continue
        demand[link] += volume
        if source == Source.ZONE:
            local[link] += volume
    for row in _delivered_by_link(on=on):
        local[row["contract__link_id"]] += row["quantity"] or ZERO
    total = sum(demand.values(), ZERO)
    bought = sum((min(volume, local[link]) for link, volume in demand.items()), ZERO)
    return local_ratio(bought, ZERO, total), total, bought


# --- suggestions ----------------------------------------------------------------------------------

def need_suggestions(need: SupplyNeed, *, limit: int = SUGGESTIONS_PER_NEED, only_enterprises=None) -> list:
    """The zone's suppliers for ``need``: the offers of its product first, then the rest of its link,
    each ranked by capacity against the volume, the largest first (those that cover the whole volume
    come first). One statement: two short walks down the offers' indexes (by product, and by link,
    each by capacity), and only the ``limit`` rows kept are joined to their firms and products.
    ``coverage``: capacity ÷ volume, in per cent."""
    rank = Case(When(product_id=need.product_id, then=Value(0)), default=Value(1), output_field=IntegerField())
    offers = (SupplyOffer.objects.filter(is_active=True).exclude(enterprise_id=need.enterprise_id)
              .order_by("-yearly_capacity", "-pk").values("pk"))
    if only_enterprises is not None:
        offers = offers.filter(enterprise_id__in=list(only_enterprises))
    # The ``limit`` largest of the same product and the ``limit`` largest of the link's other
    # products, each a short walk down its index: never the link's every offer.
    same = offers.filter(product_id=need.product_id)[:limit]
    others = offers.filter(link_id=need.link_id).exclude(product_id=need.product_id)[:limit]
    if connection.features.supports_slicing_ordering_in_compound:  # PostgreSQL: one UNION ALL of the two walks
        kept = Q(pk__in=same.union(others, all=True))
    else:  # SQLite cannot limit the parts of a UNION: the same rows, read another way
        kept = Q(pk__in=same) | Q(pk__in=others)
    rows = list(SupplyOffer.objects.filter(kept).annotate(rank=rank)
                .select_related("enterprise", "product").order_by("rank", "-yearly_capacity", "-pk")[:limit])
    for row in rows:
        row.same_product = row.product_id == need.product_id
        row.coverage = round(float(100 * row.yearly_capacity / need.yearly_volume), 1) if need.yearly_volume else None
        row.covers = row.yearly_capacity >= need.yearly_volume
    return rows


def suggestion_needs(user, *, sees_zone: bool, served_ids=None, chain=None, link=None):
    """The keys ``(id, yearly volume)`` of the needs whose suggestions ``user`` is shown, largest
    first, to page through (``needs_loaded`` reads a page's rows). The operations centre (and
    leaders): every active need bought outside the zone, down one partial index. A steward
    (``served_ids``, the enterprises it serves): its enterprises' needs, and the other needs bought
    outside the zone on the links its enterprises offer on: two disjoint parts, each walked down its
    index, so a page reads its rows and not every need of those links."""
    needs = SupplyNeed.objects.filter(is_active=True)
    if chain:
        needs = needs.filter(link__chain_id=chain)
    if link:
        needs = needs.filter(link_id=link)
    order = ("-yearly_volume", "-id")
    if sees_zone:
        return needs.exclude(current_source=Source.ZONE).order_by(*order).values_list("id", "yearly_volume")
    served_ids = list(served_ids or [])
    links = SupplyOffer.objects.filter(enterprise_id__in=served_ids, is_active=True).order_by().values("link_id")
    own = needs.filter(enterprise_id__in=served_ids)
    others = needs.filter(link_id__in=links).exclude(current_source=Source.ZONE).exclude(enterprise_id__in=served_ids)
    keys = ("id", "yearly_volume")
    return own.order_by().values_list(*keys).union(others.order_by().values_list(*keys), all=True).order_by(*order)


def needs_loaded(ids: list[int]) -> list[SupplyNeed]:
    """The needs ``ids`` (a page of ``suggestion_needs``) in that order, with what the page shows."""
    rows = SupplyNeed.objects.filter(pk__in=ids).select_related("enterprise", "product", "link__chain").in_bulk()
    return [rows[pk] for pk in ids if pk in rows]


def open_cases_for(needs) -> dict[tuple[int, int], int]:
    """(need, offer) → the open case between them, for a page of needs: one query."""
    return {(c["need_id"], c["offer_id"]): c["pk"] for c in
            MatchCase.objects.filter(need_id__in=[n.pk for n in needs], stage__in=OPEN_STAGES)
            .values("pk", "need_id", "offer_id")}
