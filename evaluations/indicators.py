"""The indicator library and the arithmetic of a plan (以业绩定成绩).

An indicator gives, for a department and a month, a **value** — or ``None`` when the department
had nothing of the kind to assess (no reply due, no node due, no policy it handles, no supply
figures, no actual entered): then the indicator is left out, it earns nothing and costs nothing.

- **Computed** indicators are one entry each in ``LIBRARY`` (``@computed``): a function of the
  month's facts (``MonthFacts``) and a department id. Adding one — say "decisions closed on time"
  or "chase-ups received" once the meetings app (issue 16) keeps them — is one decorated function
  here reading that app's selector.
- **Entered** indicators (``EnteredIndicator``) read the actual the assessment office entered for
  the month, with its evidence (``MonthlyActual``).

``score_plan`` turns a plan's indicators and their values into points and a score; it is pure, so
a month's breakdown can be worked out again from what the row keeps. The plan's methods:

    ratio      points = weight × min(1, value ÷ target)                  (higher is better)
    penalty    points = max(0, weight − per unit × max(0, value − target))  (lower is better)
    bonus      + min(weight, per unit × value)                            (on top of the score)
    deduction  − per unit × max(0, value − target), at most weight (0: no cap)

    score = 100 × Σ points ÷ Σ weights of the ratio/penalty indicators that have a value
            + Σ bonuses − Σ deductions, kept within 0–100, one decimal (half up)

No ratio or penalty indicator with a value: no score (无考核事项), whatever the bonuses and
deductions. The default plan (``default_items``) is the zone-wide formula the grades had before
plans (README "Department grades"), so the months graded before keep their scores.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from evaluations.models import EnteredIndicator, MonthlyActual, PlanIndicator
from zonehub.models import User

M = PlanIndicator.Method
WEIGHTED = (M.RATIO, M.PENALTY)
ONE = Decimal(1)


def quantize(value, places: str = "0.1") -> Decimal:
    return Decimal(value).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def plain(value) -> str | None:
    """A Decimal as short text ("50", "0.5", "37.5"), the same whether it came from a setting or a
    column with two decimals: what a result keeps must not depend on where the plan was read."""
    if value is None:
        return None
    text = f"{Decimal(value):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# --- values -----------------------------------------------------------------------------------

@dataclass
class Value:
    """One indicator's reading for a department and month. ``num``/``den`` for a rate (kept, so
    the points are computed from the counts, not from a rounded rate)."""

    value: Decimal | None
    num: int | None = None
    den: int | None = None
    note: str = ""

    @classmethod
    def rate(cls, num: int, den: int) -> Value:
        return cls(None) if not den else cls(Decimal(num) / Decimal(den), num=num, den=den)

    @classmethod
    def count(cls, n) -> Value:
        return cls(Decimal(n))


@dataclass
class MonthFacts:
    """What the indicators of one month read, each part read once and only when a plan needs it.
    ``numbers``: per department id, the figures the grade row keeps (``department_month_values``)."""

    month: dt.date
    numbers: dict[int, dict] = field(default_factory=dict)

    @cached_property
    def redeemed(self) -> dict[int, dict]:
        from policies.selectors import redeemed_by_department

        return redeemed_by_department(month=self.month)

    @cached_property
    def broker(self) -> dict[int, dict]:
        """The supply app's figures of the month per broker (user id); {} when it has none yet."""
        return broker_figures(self.month)

    @cached_property
    def meetings(self) -> dict[int, dict]:
        """The meetings app's figures of the month per department id: meeting decisions due,
        closed on time, marked overdue, chase-ups (督办) received, and the ids counted. None for
        facts of no month (the synthetic zone's scoring, bench.scale): nothing to count."""
        from meetings.selectors import department_month_counts

        if self.month is None:
            return {}
        return department_month_counts(self.month.year, self.month.month)

    @cached_property
    def members(self) -> dict[int, list[int]]:
        members: dict[int, list[int]] = {}
        for pk, department_id in User.objects.filter(department__isnull=False, is_active=True).values_list(
                "pk", "department_id"):
            members.setdefault(department_id, []).append(pk)
        return members

    @cached_property
    def actuals(self) -> dict[tuple[int, int], MonthlyActual]:
        return {(a.indicator_id, a.department_id): a for a in MonthlyActual.objects.filter(month=self.month)}


def broker_figures(month: dt.date) -> dict[int, dict]:
    """``supply.selectors.broker_month_figures(year, month)``: {user id: {"cases_signed", "volume",
    "fee_income"}}. A month with no figures gives {}, and the indicator says "no data" instead of
    scoring."""
    from supply.selectors import broker_month_figures

    if month is None:
        return {}
    return dict(broker_month_figures(month.year, month.month) or {})


# --- the library ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Computed:
    code: str
    label: object
    description: object
    unit: str
    kind: str  # "rate", "count" or "amount": how the value reads
    anchor: str  # where the rows behind it are, on the month's page
    method: str  # how a new plan scores it by default
    weight: Decimal
    target: Decimal | None
    per_unit: Decimal | None
    read: Callable[[MonthFacts, int], Value]


LIBRARY: dict[str, Computed] = {}


def computed(code: str, *, label, description, unit: str, kind: str, anchor: str, method: str,
             weight="0", target=None, per_unit=None):
    """Register a computed indicator: ``read(facts, department_id) -> Value``."""
    def register(read):
        LIBRARY[code] = Computed(code=code, label=label, description=description, unit=unit, kind=kind,
                                 anchor=anchor, method=method, weight=Decimal(weight),
                                 target=None if target is None else Decimal(target),
                                 per_unit=None if per_unit is None else Decimal(per_unit), read=read)
        return read
    return register


def _numbers(facts: MonthFacts, department_id: int) -> dict:
    return facts.numbers.get(department_id, {})


@computed("on_time_rate", label=_("replies on time"), unit="%", kind="rate", anchor="replies", method=M.RATIO,
          weight="50", target="1",
          description=_("Replies answered on time ÷ replies due in the month (escalations still overdue from "
                        "earlier months count as due and not on time). Nothing due: left out."))
def _on_time_rate(facts, department_id):
    n = _numbers(facts, department_id)
    return Value.rate(n.get("replied_on_time", 0), n.get("escalations_due", 0))


@computed("overdue", label=_("escalations gone overdue"), unit="件", kind="count", anchor="overdue",
          method=M.DEDUCTION, per_unit="5", target="0",
          description=_("Escalations the sweep marked overdue in the month. Left out when no reply was due and "
                        "none went overdue."))
def _overdue(facts, department_id):
    n = _numbers(facts, department_id)
    if not n.get("escalations_due") and not n.get("overdue"):
        return Value(None)
    return Value.count(n.get("overdue", 0))


@computed("returned", label=_("escalations returned"), unit="件", kind="count", anchor="returned",
          method=M.DEDUCTION, per_unit="2", target="0",
          description=_("Escalations the department returned as not its business in the month. Left out when no "
                        "reply was due and none was returned."))
def _returned(facts, department_id):
    n = _numbers(facts, department_id)
    if not n.get("escalations_due") and not n.get("returned"):
        return Value(None)
    return Value.count(n.get("returned", 0))


@computed("nodes_on_time", label=_("five-key nodes on time"), unit="%", kind="rate", anchor="nodes", method=M.RATIO,
          weight="50", target="1",
          description=_("Five-key nodes done on time ÷ nodes counted in the month (due in it, or late and still "
                        "open). No node counted: left out."))
def _nodes_on_time(facts, department_id):
    n = _numbers(facts, department_id)
    counted = n.get("nodes_on_time", 0) + n.get("nodes_late", 0) + n.get("nodes_open", 0)
    return Value.rate(n.get("nodes_on_time", 0), counted)


@computed("claimed", label=_("five-key items claimed"), unit="项", kind="count", anchor="claimed", method=M.BONUS,
          weight="10", per_unit="2",
          description=_("Unassigned five-key items the department claimed (认领), confirmed in the month. Always "
                        "a value (0 when none)."))
def _claimed(facts, department_id):
    return Value.count(_numbers(facts, department_id).get("nodes_claimed", 0))


@computed("policies_redeemed", label=_("policies redeemed"), unit="件", kind="count", anchor="policies",
          method=M.RATIO, weight="20", target="2",
          description=_("Policy applications the department handles that were redeemed in the month (政策兑现). "
                        "Left out for a department that handles no published policy."))
def _policies_redeemed(facts, department_id):
    entry = facts.redeemed.get(department_id)
    if entry is None:
        return Value(None)
    return Value(Decimal(entry["count"]), note=str(entry["amount"]))


@computed("supply_volume", label=_("supply volume matched"), unit="", kind="amount", anchor="supply",
          method=M.RATIO, weight="20", target="1",
          description=_("The volume the department's members brokered between zone firms in the month (the supply "
                        "app's figures per broker). No figures: no data, left out."))
def _supply_volume(facts, department_id):
    figures = facts.broker
    members = [pk for pk in facts.members.get(department_id, []) if pk in figures]
    if not members:
        return Value(None, note="no data")
    return Value(sum((Decimal(str(figures[pk].get("volume") or 0)) for pk in members), Decimal(0)))


@computed("decisions_on_time", label=_("meeting decisions closed on time"), unit="%", kind="rate",
          anchor="decisions", method=M.RATIO, weight="20", target="1",
          description=_("Meeting decisions (会议纪要 decisions) the department owns closed by their deadline ÷ those "
                        "whose period ended in the month. None due: left out."))
def _decisions_on_time(facts, department_id):
    entry = facts.meetings.get(department_id) or {}
    return Value.rate(entry.get("decisions_on_time", 0), entry.get("decisions_due", 0))


@computed("chase_ups", label=_("chase-ups received (督办)"), unit="件", kind="count", anchor="decisions",
          method=M.DEDUCTION, per_unit="3", target="0",
          description=_("Formal chase-ups (督办) issued to the department in the month, on late escalations or "
                        "decisions. Left out when none was issued and no decision was due."))
def _chase_ups(facts, department_id):
    entry = facts.meetings.get(department_id)
    if not entry or not (entry.get("chase_ups") or entry.get("decisions_due")):
        return Value(None)
    return Value.count(entry.get("chase_ups", 0))


# --- a plan's indicators -----------------------------------------------------------------------

@dataclass(frozen=True)
class Item:
    """One indicator of a plan as scored: ``key`` is a LIBRARY code or ``entered:<id>``."""

    key: str
    method: str
    weight: Decimal
    target: Decimal | None = None
    per_unit: Decimal | None = None

    @property
    def entered_id(self) -> int | None:
        return int(self.key.split(":", 1)[1]) if self.key.startswith("entered:") else None

    def spec(self) -> tuple:
        return (self.key, self.method, plain(self.weight), plain(self.target), plain(self.per_unit))


def legacy_items() -> list[Item]:
    """The zone-wide formula of the grades before plans, from its settings (ZONEHUB_GRADE_*)."""
    s = settings
    return [
        Item("on_time_rate", M.RATIO, Decimal(s.ZONEHUB_GRADE_REPLY_POINTS), ONE),
        Item("nodes_on_time", M.RATIO, Decimal(s.ZONEHUB_GRADE_NODE_POINTS), ONE),
        Item("claimed", M.BONUS, Decimal(s.ZONEHUB_GRADE_CLAIM_BONUS_MAX), None, Decimal(s.ZONEHUB_GRADE_CLAIM_BONUS)),
        Item("overdue", M.DEDUCTION, Decimal(0), Decimal(0), Decimal(s.ZONEHUB_GRADE_OVERDUE_PENALTY)),
        Item("returned", M.DEDUCTION, Decimal(0), Decimal(0), Decimal(s.ZONEHUB_GRADE_RETURNED_PENALTY)),
    ]


# What the meetings app (issue 16) adds to the zone-wide formula: a department's meeting decisions
# count in its grade like its replies, and each chase-up it receives takes points away. Both are
# left out of a month that had neither, so such a month scores as the formula before them.
MEETING_ITEMS = ("decisions_on_time", "chase_ups")


def default_items() -> list[Item]:
    """The default plan: the zone-wide formula, with meeting decisions and chase-ups."""
    s = settings
    return [*legacy_items(),
            Item("decisions_on_time", M.RATIO, Decimal(s.ZONEHUB_GRADE_DECISION_POINTS), ONE),
            Item("chase_ups", M.DEDUCTION, Decimal(0), Decimal(0), Decimal(s.ZONEHUB_GRADE_CHASE_UP_PENALTY))]


def is_default_formula(items: list[Item], values: dict[str, Value] | None = None) -> bool:
    """Whether the month was scored by the zone-wide formula as it stood before plans, so its page
    can show the formula part by part: the legacy items, or the default plan in a month where
    neither meeting indicator had a value."""
    specs = [i.spec() for i in items]
    if specs == [i.spec() for i in legacy_items()]:
        return True
    return (specs == [i.spec() for i in default_items()] and values is not None
            and all(values.get(key) is None or values[key].value is None for key in MEETING_ITEMS))


def plan_items(plan) -> list[Item]:
    """The items of a plan version (its ``indicators``, prefetched or not); the default formula
    when there is no plan."""
    if plan is None:
        return default_items()
    return [Item(row.key, row.method, row.weight, row.target, row.per_unit) for row in plan.indicators.all()]


def read_values(items: list[Item], facts: MonthFacts, department_id: int) -> dict[str, Value]:
    values = {}
    for item in items:
        if item.entered_id is not None:
            actual = facts.actuals.get((item.entered_id, department_id))
            values[item.key] = Value(None, note="not entered") if actual is None else Value(actual.value)
        elif item.key in LIBRARY:
            values[item.key] = LIBRARY[item.key].read(facts, department_id)
        else:  # a code no longer in the library: nothing to read
            values[item.key] = Value(None, note="unknown")
    return values


def _ratio_points(item: Item, v: Value) -> Decimal:
    if v.den:
        earned = item.weight * Decimal(v.num) / Decimal(v.den)
        if item.target not in (None, ONE):
            earned = earned / item.target
    else:
        earned = item.weight * v.value / item.target
    return min(item.weight, earned)


def score_plan(items: list[Item], values: dict[str, Value]) -> dict:
    """Points per indicator and the score (see the module's docstring). Every figure is returned
    as text, JSON-ready: ``indicators`` (one dict per item), ``base``, ``bonus``, ``deduction``,
    and ``score`` (a Decimal, or None: nothing to assess)."""
    rows, earned, possible, bonus, deduction = [], Decimal(0), Decimal(0), Decimal(0), Decimal(0)
    for item in items:
        v = values.get(item.key) or Value(None)
        row = {"key": item.key, "method": item.method, "weight": plain(item.weight), "target": plain(item.target),
               "per_unit": plain(item.per_unit), "value": plain(v.value), "num": v.num, "den": v.den,
               "note": v.note, "counted": v.value is not None, "points": None}
        if v.value is not None:
            if item.method == M.RATIO and item.weight > 0 and (v.den or (item.target or 0) > 0):
                points = _ratio_points(item, v)
                earned += points
                possible += item.weight
                row["points"] = plain(quantize(points))
            elif item.method == M.PENALTY and item.weight > 0:
                points = max(Decimal(0), item.weight - (item.per_unit or 0) * max(Decimal(0), v.value - (item.target or 0)))
                earned += points
                possible += item.weight
                row["points"] = plain(quantize(points))
            elif item.method == M.BONUS:
                added = min(item.weight, (item.per_unit or 0) * v.value)
                bonus += added
                row["points"] = plain(added)
            elif item.method == M.DEDUCTION:
                taken = (item.per_unit or 0) * max(Decimal(0), v.value - (item.target or 0))
                if item.weight > 0:
                    taken = min(item.weight, taken)
                deduction += taken
                row["points"] = plain(-taken) if taken else "0"
            else:
                row["counted"] = False
        rows.append(row)
    if possible:
        base = Decimal(100) * earned / possible
        score = quantize(max(Decimal(0), min(Decimal(100), base + bonus - deduction)))
    else:
        base = score = None
    return {"indicators": rows, "base": None if base is None else plain(quantize(base)), "bonus": plain(bonus),
            "deduction": plain(deduction), "max": plain(possible), "score": score}


# --- reading a plan's labels ------------------------------------------------------------------

def indicator_label(key: str, entered: dict[int, EnteredIndicator] | None = None) -> str:
    if key in LIBRARY:
        return str(LIBRARY[key].label)
    if key.startswith("entered:"):
        indicator = (entered or {}).get(int(key.split(":", 1)[1]))
        if indicator is not None:
            return indicator.name
    return key


def entered_indicators(keys) -> dict[int, EnteredIndicator]:
    ids = {int(k.split(":", 1)[1]) for k in keys if k.startswith("entered:")}
    return EnteredIndicator.objects.in_bulk(ids) if ids else {}


def explain(rows: list[dict]) -> list[dict]:
    """A result's indicator rows with what the page shows: the label, the unit, the kind and the
    anchor of the rows behind a computed value. One query for the entered indicators' names."""
    entered = entered_indicators(r["key"] for r in rows)
    out = []
    for row in rows:
        meta = LIBRARY.get(row["key"])
        indicator = entered.get(int(row["key"].split(":", 1)[1])) if row["key"].startswith("entered:") else None
        out.append({**row, "label": indicator_label(row["key"], entered),
                    "unit": meta.unit if meta else (indicator.unit if indicator else ""),
                    "kind": meta.kind if meta else "amount", "anchor": meta.anchor if meta else "actuals",
                    "weighted": row["method"] in WEIGHTED, "entered": indicator})
    return out
