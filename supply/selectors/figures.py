"""The figures of the operations centre's work: cases by stage, contracted and delivered volume,
fee income and savings by month and by chain, and the local supply ratio over time; the leader's
panel and the operations centre's home; and the month's figures the evaluations app reads for
the operations staff's performance (``broker_month_figures``) and the zone's
(``zone_month_figures``).

Fee income is the delivered quantity × the contract's fee per unit, counted in the month of the
delivery; savings likewise with both sides' reported saving per unit. Volumes are in the links'
units (吨 by default): a sum over several units is given per unit.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _

from enterprises.models import IndustryChain
from supply.models import OPEN_STAGES, Delivery, MatchCase, Source, Stage, SupplyContract
from supply.selectors.chains import ZERO, active_needs_outside, local_ratio, need_tally, today, zone_ratio
from zonehub.models import Role
from zonehub.workdays import month_start, months_before, next_month_start, start_of_day

MONEY = DecimalField(max_digits=30, decimal_places=2)
FEE = ExpressionWrapper(F("quantity") * F("contract__fee_rate"), output_field=MONEY)
SAVING = ExpressionWrapper(F("quantity") * (F("contract__buyer_saving") + F("contract__supplier_saving")),
                           output_field=MONEY)
MONTHS = 12


def url(name: str, *args, **params) -> str:
    query = QueryDict(mutable=True)
    for key, value in params.items():
        if value not in (None, ""):
            query[key] = str(value)
    base = reverse(name, args=args)
    return f"{base}?{query.urlencode()}" if query else base


def months_to(day: dt.date, n: int = MONTHS) -> list[dt.date]:
    """The ``n`` months ending with ``day``'s, oldest first (their first days)."""
    return [*months_before(day, n - 1), month_start(day)]


def by_unit(rows) -> list[tuple[str, Decimal]]:
    """(unit, quantity) pairs summed by unit, largest first: a volume over several units."""
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for unit, quantity in rows:
        totals[unit] += quantity or ZERO
    return sorted(totals.items(), key=lambda pair: -pair[1])


@dataclass
class Month:
    month: dt.date
    delivered: list = field(default_factory=list)  # [(unit, quantity)]
    fee: Decimal = ZERO
    saving: Decimal = ZERO
    signed: int = 0
    contracted: list = field(default_factory=list)
    demand: Decimal = ZERO  # the month's share (1/12) of the yearly demand declared then
    local: Decimal = ZERO  # of which bought in the zone
    url: str = ""

    @property
    def ratio(self) -> float | None:
        return local_ratio(self.local, ZERO, self.demand)

    @property
    def label(self) -> str:
        return f"{self.month.year}年{self.month.month}月"


def monthly(months: list[dt.date], *, chain=None, contracts: bool = True, tally: list | None = None) -> list[Month]:
    """Each month's deliveries, fee income, savings, contracts signed (unless not ``contracts``)
    and local supply ratio: three grouped queries (two; one fewer with ``tally``, the needs'
    roll-up rows from the first month on), however many months or needs."""
    first, end = months[0], next_month_start(months[-1])
    rows = {m: Month(month=m, url=url("supply:delivery_list", month=f"{m:%Y-%m}", chain=chain)) for m in months}
    deliveries = Delivery.objects.filter(delivered_on__gte=first, delivered_on__lt=end)
    if chain:
        deliveries = deliveries.filter(contract__chain_id=chain)
    delivered = defaultdict(list)
    outside = defaultdict(lambda: ZERO)
    for row in (deliveries.annotate(m=TruncMonth("delivered_on")).order_by().values("m", "contract__unit")
                .annotate(total=Sum("quantity"), fee=Sum(FEE), saving=Sum(SAVING),
                          outside=Coalesce(Sum("quantity", filter=~Q(contract__case__need__current_source=Source.ZONE)),
                                           ZERO, output_field=MONEY))):
        month = rows[month_start(row["m"])]
        delivered[month.month].append((row["contract__unit"], row["total"]))
        month.fee += row["fee"] or ZERO
        month.saving += row["saving"] or ZERO
        outside[month.month] += row["outside"] or ZERO
    signed = SupplyContract.objects.filter(signed_on__gte=first, signed_on__lt=end)
    if chain:
        signed = signed.filter(chain_id=chain)
    contracted = defaultdict(list)
    for row in (signed.annotate(m=TruncMonth("signed_on")).order_by().values("m", "unit")
                .annotate(n=Count("id"), total=Sum("quantity")) if contracts else ()):
        month = rows[month_start(row["m"])]
        month.signed += row["n"]
        contracted[month.month].append((row["unit"], row["total"]))
    # The demand declared in each month (the needs active some time in it), and its share bought in
    # the zone: from the needs' roll-up (``tally`` when the caller read it already).
    if tally is None:
        tally = need_tally(since=first, until=months[-1], chain=chain)
    demand, zone = defaultdict(lambda: ZERO), defaultdict(lambda: ZERO)
    for _link, source, declared, withdrawn, volume, _needs in tally:
        for m in months:
            if declared <= m and (withdrawn is None or withdrawn >= m):
                demand[m] += volume
                if source == Source.ZONE:
                    zone[m] += volume
    for m in months:
        month = rows[m]
        month.delivered = by_unit(delivered[m])
        month.contracted = by_unit(contracted[m])
        month.demand = demand[m] / 12
        month.local = min(month.demand, zone[m] / 12 + outside[m])
    return [rows[m] for m in months]


@dataclass
class ChainRow:
    chain: IndustryChain
    contracts: int = 0
    contracted: list = field(default_factory=list)
    delivered: list = field(default_factory=list)
    fee: Decimal = ZERO
    saving: Decimal = ZERO
    open_cases: int = 0
    links: dict = field(default_factory=dict)


def by_chain() -> list[ChainRow]:
    """Every chain with contracts or cases: contracts, volumes, fee income, savings to date."""
    chains = {c.pk: ChainRow(chain=c) for c in IndustryChain.objects.all()}
    volumes: dict = defaultdict(lambda: ([], []))
    for row in (SupplyContract.objects.order_by().values("chain_id", "unit")
                .annotate(n=Count("id"), total=Sum("quantity"), total_delivered=Sum("delivered"),
                          fee=Sum(ExpressionWrapper(F("delivered") * F("fee_rate"), output_field=MONEY)),
                          saving=Sum(ExpressionWrapper(F("delivered") * (F("buyer_saving") + F("supplier_saving")),
                                                       output_field=MONEY)))):
        chain = chains[row["chain_id"]]
        chain.contracts += row["n"]
        chain.fee += row["fee"] or ZERO
        chain.saving += row["saving"] or ZERO
        volumes[row["chain_id"]][0].append((row["unit"], row["total"]))
        volumes[row["chain_id"]][1].append((row["unit"], row["total_delivered"]))
    for row in MatchCase.objects.open().order_by().values("chain_id").annotate(n=Count("id")):
        chains[row["chain_id"]].open_cases = row["n"]
    rows = []
    for pk, chain in chains.items():
        chain.contracted, chain.delivered = by_unit(volumes[pk][0]), by_unit(volumes[pk][1])
        chain.links = {"contracts": url("supply:contract_list", chain=pk), "cases": url("supply:case_list", chain=pk,
                                                                                         state="open"),
                       "deliveries": url("supply:delivery_list", chain=pk), "map": reverse("supply:chain_detail",
                                                                                        args=[pk])}
        if chain.contracts or chain.open_cases:
            rows.append(chain)
    return rows


def cases_by_stage(user) -> list[dict]:
    counts = dict(MatchCase.objects.visible_to(user).order_by().values_list("stage").annotate(n=Count("id")))
    return [{"stage": stage, "label": stage.label, "count": counts.get(stage.value, 0),
             "url": url("supply:case_list", stage=stage.value)} for stage in Stage]


def totals(user) -> dict:
    """The zone's totals to date: contracted and delivered volume, fee income, savings."""
    contracts = SupplyContract.objects.visible_to(user).order_by().values("unit").annotate(
        total=Sum("quantity"), total_delivered=Sum("delivered"),
        fee=Sum(ExpressionWrapper(F("delivered") * F("fee_rate"), output_field=MONEY)),
        saving=Sum(ExpressionWrapper(F("delivered") * (F("buyer_saving") + F("supplier_saving")), output_field=MONEY)))
    rows = list(contracts)
    return {"contracted": by_unit((r["unit"], r["total"]) for r in rows),
            "delivered": by_unit((r["unit"], r["total_delivered"]) for r in rows),
            "fee": sum((r["fee"] or ZERO for r in rows), ZERO),
            "saving": sum((r["saving"] or ZERO for r in rows), ZERO)}


def figures(user, *, chain=None) -> dict:
    """The figures page: everything above, each figure with the link to its rows."""
    day = today()
    months = monthly(months_to(day), chain=chain)
    return {"months": months, "by_chain": by_chain(), "stages": cases_by_stage(user), "totals": totals(user),
            "chart_json": _chart_json(months), "chart": any(m.fee or m.demand for m in months)}


def _chart_json(months: list[Month]) -> str:
    option = {
        "tooltip": {"trigger": "axis"}, "legend": {"type": "scroll"},
        "grid": {"left": 10, "right": 10, "top": 40, "bottom": 10, "containLabel": True},
        "xAxis": {"type": "category", "data": [m.label for m in months]},
        "yAxis": [{"type": "value", "name": _("fee income (yuan)")},
                  {"type": "value", "name": _("local supply ratio (%)"), "min": 0, "max": 100}],
        "series": [
            {"name": _("fee income (yuan)"), "type": "bar", "data": [float(m.fee) for m in months]},
            {"name": _("local supply ratio (%)"), "type": "line", "yAxisIndex": 1, "connectNulls": True,
             "data": [m.ratio for m in months]},
        ],
    }
    return json.dumps(option, ensure_ascii=False).replace("<", "\\u003c")


# --- for the evaluations app (issue 19): the operations staff's month --------------------------

def _month_range(year: int, month: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, month, 1)
    return first, next_month_start(first)


def broker_month_figures(year: int, month: int) -> dict[int, dict]:
    """Each broker's month (an operations centre user's id → figures): the contracts they signed
    (``cases_signed``), the quantity delivered under the contracts they broker (``volume``, in the
    contracts' units) and the fee income of those deliveries (``fee_income``, 元). Two queries."""
    first, end = _month_range(year, month)
    result: dict[int, dict] = defaultdict(lambda: {"cases_signed": 0, "volume": ZERO, "fee_income": ZERO})
    for row in (SupplyContract.objects.filter(signed_on__gte=first, signed_on__lt=end).order_by().values("broker_id")
                .annotate(n=Count("id"))):
        result[row["broker_id"]]["cases_signed"] = row["n"]
    for row in (Delivery.objects.filter(delivered_on__gte=first, delivered_on__lt=end).order_by()
                .values("contract__broker_id").annotate(volume=Sum("quantity"), fee=Sum(FEE))):
        figures = result[row["contract__broker_id"]]
        figures["volume"], figures["fee_income"] = row["volume"] or ZERO, row["fee"] or ZERO
    return dict(result)


def zone_month_figures(year: int, month: int) -> dict:
    """The zone's month: cases opened, contracts signed, cases done, contracted and delivered
    volume, fee income, savings, and the local supply ratio (None with no demand declared)."""
    first, end = _month_range(year, month)
    start, stop = start_of_day(first), start_of_day(end)
    row = monthly([first])[0]
    return {
        "cases_opened": MatchCase.objects.filter(opened_at__gte=start, opened_at__lt=stop).count(),
        "cases_signed": row.signed,
        "cases_done": MatchCase.objects.filter(stage=Stage.DONE, closed_at__gte=start, closed_at__lt=stop).count(),
        "contracted_volume": sum((q for _u, q in row.contracted), ZERO),
        "delivered_volume": sum((q for _u, q in row.delivered), ZERO),
        "fee_income": row.fee, "savings": row.saving, "local_supply_ratio": row.ratio,
    }


# --- home pages -------------------------------------------------------------------------------

def leader_supply_panel(user, *, tally: list | None = None) -> dict:
    """The leader's panel: this year's fee income and deliveries, savings, the local supply ratio,
    cases by stage, and fee income with the ratio by month; every figure links to its rows. Five
    queries, none of which reads the offers or the needs (their roll-up, ``tally`` when the caller
    read it from the first month on, stands in)."""
    day = today()
    year = day.year
    span = months_to(day)
    if tally is None:
        tally = need_tally(since=span[0], until=span[-1])
    months = monthly(span, contracts=False, tally=tally)
    this_year = [m for m in months if m.month.year == year]
    ratio, demand, local = zone_ratio(on=day, tally=tally)
    stages = cases_by_stage(user)
    return {
        "template": "supply/panels/leader.html", "order": 46, "css": "col-12 col-xl-6",
        "chart": any(m.fee or m.demand for m in months), "chart_json": _chart_json(months), "months": months,
        "year": year, "fee_year": sum((m.fee for m in this_year), ZERO),
        "delivered_year": by_unit(pair for m in this_year for pair in m.delivered),
        "totals": totals(user), "ratio": ratio, "demand": demand, "local": local,
        "open_cases": sum(s["count"] for s in stages if s["stage"] in OPEN_STAGES),
        "stages": stages,
        "links": {"year": url("supply:delivery_list", year=year), "contracts": reverse("supply:contract_list"),
                  "chains": reverse("supply:chain_list"), "open": url("supply:case_list", state="open"),
                  "figures": reverse("supply:figures")},
    }


def home_panels(user) -> list[dict]:
    """The operations centre's home: what waits for it, and the zone's figures."""
    if user.effective_role != Role.OPERATIONS:
        return []
    cases = MatchCase.objects.visible_to(user)
    span = months_to(today())
    tally = need_tally(since=span[0], until=span[-1])
    tiles = [
        {"label": _("cases suggested by stewards, waiting for a broker"), "css": "text-danger",
         "count": cases.open().filter(broker__isnull=True).count(),
         "url": url("supply:case_list", broker="none", state="open")},
        {"label": _("my open cases"), "css": "",
         "count": cases.open().filter(broker=user).count(), "url": url("supply:case_list", broker="mine", state="open")},
        {"label": _("contracts supplying"), "css": "",
         "count": cases.filter(stage=Stage.SUPPLYING).count(), "url": url("supply:contract_list", stage=Stage.SUPPLYING)},
        {"label": _("needs bought outside the zone"), "css": "text-warning-emphasis",
         "count": active_needs_outside(tally),
         "url": reverse("supply:suggestions")},
    ]
    panel = leader_supply_panel(user, tally=tally)
    panel["order"], panel["css"] = 5, "col-12 col-xl-8"
    return [{"template": "portal/panels/tiles.html", "order": 1, "css": "col-12", "tiles": tiles,
             "testid": "tiles-operations"}, panel]
