"""A policy's eligibility conditions, as database expressions over enterprises.

Each condition is one ``Condition``: a code and its parameters (what it says, kept on a push as
why the enterprise qualified) and a ``Q`` over ``Enterprise``. A policy's conditions together
become one query (``qualifying_q``): matching 100,000 enterprises is one statement, never a loop
in Python. The same ``Q`` objects, each wrapped in a ``CASE``, say for every enterprise of a list
which conditions it meets (``policies.selectors.policy_match_list``), still in one statement.

Thresholds read the enterprise's latest yearly indicators (the most recent year stored), through
one correlated subquery per indicator used (``with_indicators``), off the (enterprise, year)
unique index.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises.models import Enterprise, EnterpriseIndicator
from zonehub.workdays import local_date, start_of_day

# (policy field, indicator, lookup): the thresholds on the latest yearly indicators.
THRESHOLDS = [
    ("min_revenue", "revenue", "gte"),
    ("max_revenue", "revenue", "lte"),
    ("min_output", "output", "gte"),
    ("min_tax", "tax", "gte"),
    ("min_employees", "employees", "gte"),
    ("max_employees", "employees", "lte"),
]
THRESHOLD_FIELDS = [name for name, _indicator, _lookup in THRESHOLDS]


def indicator_alias(indicator: str) -> str:
    return f"latest_{indicator}"


@dataclass(eq=False)
class Condition:
    code: str
    params: dict
    q: Q = field(repr=False)
    indicator: str = ""  # the latest yearly indicator it reads, if any

    @property
    def label(self) -> str:
        return describe(self.code, self.params)

    def as_reason(self) -> dict:
        return {"code": self.code, "params": self.params}


def _amount(value) -> str:
    value = Decimal(value).normalize()
    return f"{value:f}"


def describe(code: str, params: dict) -> str:
    """What a condition says, in the user's language (also how a push's stored reasons read)."""
    ownership_labels = dict(Enterprise.Ownership.choices)
    value = params.get("value")
    names = "、".join(str(n) for n in params.get("names", []))
    if code == "tag":
        return _("has the tag %(tag)s") % {"tag": params.get("tag", "")}
    if code == "tags_any":
        return _("has one of the tags %(tags)s") % {"tags": names}
    if code == "industry":
        return _("in the industry chain %(names)s") % {"names": names}
    if code == "park":
        return _("in the park %(names)s") % {"names": names}
    if code == "ownership":
        return _("ownership: %(names)s") % {"names": "、".join(str(ownership_labels.get(c, c))
                                                             for c in params.get("codes", []))}
    if code == "size":
        return _("above designated size") if params.get("above") else _("below designated size")
    if code == "years":
        return _("registered in the zone for at least %(n)s years") % {"n": value}
    texts = {
        "min_revenue": _("latest yearly revenue at least %(value)s (10k yuan)"),
        "max_revenue": _("latest yearly revenue at most %(value)s (10k yuan)"),
        "min_output": _("latest yearly industrial output at least %(value)s (10k yuan)"),
        "min_tax": _("latest yearly tax paid at least %(value)s (10k yuan)"),
        "min_employees": _("at least %(value)s employees in the latest year"),
        "max_employees": _("at most %(value)s employees in the latest year"),
    }
    if code in texts:
        return texts[code] % {"value": value}
    return code


def reasons_text(reasons: list) -> list[str]:
    """A push's stored reasons as sentences."""
    return [describe(r.get("code", ""), r.get("params", {})) for r in reasons or [] if isinstance(r, dict)]


def years_ago(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def policy_conditions(policy, *, today: dt.date | None = None) -> list[Condition]:
    """The conditions of ``policy``, in the order the pages show them. Reads the policy's tags,
    chains and parks (prefetch them when reading many policies)."""
    today = today or local_date(timezone.now())
    conditions: list[Condition] = []
    through = Enterprise.tags.through
    for tag in sorted(policy.tags_all.all(), key=lambda t: t.name):
        conditions.append(Condition("tag", {"tag": tag.name}, Q(Exists(
            through.objects.filter(enterprise_id=OuterRef("pk"), enterprisetag_id=tag.pk)))))
    any_tags = sorted(policy.tags_any.all(), key=lambda t: t.name)
    if any_tags:
        conditions.append(Condition("tags_any", {"names": [t.name for t in any_tags]}, Q(Exists(
            through.objects.filter(enterprise_id=OuterRef("pk"), enterprisetag_id__in=[t.pk for t in any_tags])))))
    industries = sorted(policy.industries.all(), key=lambda i: (i.order, i.name))
    if industries:
        conditions.append(Condition("industry", {"names": [i.name for i in industries]},
                                    Q(industry_id__in=[i.pk for i in industries])))
    parks = sorted(policy.parks.all(), key=lambda p: p.name)
    if parks:
        conditions.append(Condition("park", {"names": [p.name for p in parks]}, Q(park_id__in=[p.pk for p in parks])))
    ownerships = [c for c in (policy.ownerships or []) if c in Enterprise.Ownership.values]
    if ownerships:
        conditions.append(Condition("ownership", {"codes": ownerships}, Q(ownership__in=ownerships)))
    if policy.above_designated_size is not None:
        conditions.append(Condition("size", {"above": policy.above_designated_size},
                                    Q(above_designated_size=policy.above_designated_size)))
    if policy.min_years_in_zone:
        cutoff = years_ago(today, policy.min_years_in_zone)
        conditions.append(Condition("years", {"value": policy.min_years_in_zone},
                                    Q(created_at__lt=start_of_day(cutoff + dt.timedelta(days=1)))))
    for name, indicator, lookup in THRESHOLDS:
        value = getattr(policy, name)
        if value is None:
            continue
        conditions.append(Condition(name, {"value": _amount(value)},
                                    Q(**{f"{indicator_alias(indicator)}__{lookup}": value}), indicator=indicator))
    return conditions


def with_indicators(queryset, conditions: list[Condition]):
    """``queryset`` of enterprises with the latest yearly indicators the conditions read."""
    aliases = {}
    for condition in conditions:
        if condition.indicator and indicator_alias(condition.indicator) not in aliases:
            latest = (EnterpriseIndicator.objects.filter(enterprise_id=OuterRef("pk")).order_by("-year")
                      .values(condition.indicator)[:1])
            aliases[indicator_alias(condition.indicator)] = Subquery(latest)
    return queryset.alias(**aliases) if aliases else queryset


def qualifying_q(conditions: list[Condition]) -> Q:
    """All of them (no condition: every enterprise)."""
    combined = Q()
    for condition in conditions:
        combined &= condition.q
    return combined


def enterprises_in_zone():
    return Enterprise.objects.filter(is_active=True)


def qualifying_enterprises(policy, conditions: list[Condition] | None = None, *, base=None):
    """The enterprises in the zone that meet every condition of ``policy``: one query."""
    conditions = policy_conditions(policy) if conditions is None else conditions
    queryset = enterprises_in_zone() if base is None else base.filter(is_active=True)
    return with_indicators(queryset, conditions).filter(qualifying_q(conditions))
