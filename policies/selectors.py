"""Reads about policies, scoped to the user first (``visible_to``): the catalogue, the enterprises a
policy matches (and nearly matches) with why, an enterprise's own pushes, and the figures from
qualifying to the money redeemed."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises.models import Enterprise, IndustryChain, Park
from policies.conditions import Condition, policy_conditions, qualifying_enterprises, with_indicators
from policies.models import Policy, PolicyPush
from stewards.models import StewardAssignment
from zonehub.workdays import local_date

P = PolicyPush.Status
# Every state an application may be in: applied, and whatever its outcome.
APPLIED_STATES = (P.APPLIED, P.REDEEMED, P.REFUSED)
CONDITION_PREFETCH = ("tags_all", "tags_any", "industries", "parks")


def today() -> dt.date:
    return local_date(timezone.now())


# --- the catalogue ---------------------------------------------------------------------------

def policy_list(user):
    return Policy.objects.visible_to(user).select_related("department")


def policy_get(user, pk) -> Policy:
    """One policy the user may see, with what its conditions read; missing and not-yours: 404."""
    return get_object_or_404(policy_list(user).prefetch_related(*CONDITION_PREFETCH), pk=pk)


def open_policy_list(*, on: dt.date | None = None):
    """Published policies whose window has not closed: those a changed enterprise may now qualify for."""
    return (Policy.objects.filter(status=Policy.Status.PUBLISHED, closes_on__gte=on or today())
            .prefetch_related(*CONDITION_PREFETCH).order_by("pk"))


# --- who qualifies ---------------------------------------------------------------------------

def _flag(condition: Condition):
    return Case(When(condition.q, then=Value(1)), default=Value(0), output_field=IntegerField())


def policy_match_list(user, policy: Policy, *, near: bool = False, conditions: list[Condition] | None = None):
    """The enterprises the user may see that meet every condition of ``policy`` (``near``: all but
    exactly one), each annotated ``c0``, ``c1``… (1 when it meets that condition) and ``met``: one
    statement, however many enterprises the zone holds. Returns (queryset, conditions)."""
    conditions = policy_conditions(policy) if conditions is None else conditions
    base = Enterprise.objects.visible_to(user).filter(is_active=True)
    flags = {f"c{i}": _flag(c) for i, c in enumerate(conditions)}
    # Those that qualify through the plain conditions (the indexes serve them); the near misses
    # by counting the conditions met.
    queryset = with_indicators(base, conditions) if near else qualifying_enterprises(policy, conditions, base=base)
    if flags:
        queryset = queryset.annotate(**flags)
        total = sum((_flag(c) for c in conditions[1:]), _flag(conditions[0]))
        queryset = queryset.annotate(met=total)
        if near:
            queryset = queryset.filter(met=len(conditions) - 1)
    elif near:
        queryset = queryset.none()
    return queryset.select_related("industry", "park"), conditions


def explain(rows, conditions: list[Condition]) -> list:
    """Each row with ``checks`` [(condition, met)] and, when it fails exactly one, ``missing``."""
    labels = [c.label for c in conditions]
    for row in rows:
        row.checks = [(label, bool(getattr(row, f"c{i}", 1))) for i, label in enumerate(labels)]
        failed = [label for label, met in row.checks if not met]
        row.missing = failed[0] if len(failed) == 1 else ""
    return rows


def with_pushes(rows, policy: Policy) -> list:
    """Each enterprise row with ``push``: its push of ``policy``, or None (one query for the page)."""
    rows = list(rows)
    pushes = {p.enterprise_id: p for p in PolicyPush.objects.filter(policy=policy, enterprise__in=[r.pk for r in rows])}
    for row in rows:
        row.push = pushes.get(row.pk)
    return rows


def enterprise_stewards(enterprise_ids) -> dict[int, object]:
    """Each enterprise's steward now (its user), for a page of rows: one query."""
    return {a.enterprise_id: a.steward.user for a in StewardAssignment.objects.active()
            .filter(enterprise_id__in=list(enterprise_ids)).select_related("steward__user")}


# --- pushes ----------------------------------------------------------------------------------

def push_list(user):
    return (PolicyPush.objects.visible_to(user)
            .select_related("policy", "enterprise", "enterprise__industry", "enterprise__park", "request"))


def push_get(user, pk) -> PolicyPush:
    return get_object_or_404(push_list(user).select_related("policy__department"), pk=pk)


def enterprise_push_list(user, *, on: dt.date | None = None):
    """An enterprise's policies (政策匹配): open first, closing soonest first; then those not yet
    open; then the closed, withdrawn and expired ones, latest first."""
    on = on or today()
    published = Q(policy__status=Policy.Status.PUBLISHED)
    rank = Case(
        When(published & Q(policy__opens_on__lte=on, policy__closes_on__gte=on), then=Value(0)),
        When(published & Q(policy__opens_on__gt=on), then=Value(1)),
        default=Value(2), output_field=IntegerField())
    return (PolicyPush.objects.visible_to(user).select_related("policy", "policy__department", "request")
            .annotate(rank=rank).order_by("rank", "policy__closes_on", "-id"))


# --- figures: qualifying, pushed, viewed, applied, redeemed ----------------------------------

FIGURES = ("qualifying", "pushed", "viewed", "applied", "redeemed", "amount")


@dataclass
class Figures:
    key: object = None
    label: str = ""
    qualifying: int = 0
    pushed: int = 0
    viewed: int = 0
    applied: int = 0
    redeemed: int = 0
    amount: Decimal = Decimal(0)
    links: dict = field(default_factory=dict)

    @property
    def reach(self) -> float | None:
        """Applied ÷ qualifying, in per cent."""
        return round(100 * self.applied / self.qualifying, 1) if self.qualifying else None

    def add(self, row: dict) -> None:
        for name in FIGURES:
            if name in row:
                setattr(self, name, getattr(self, name) + (row[name] or 0))


def _url(name: str, *args, **params) -> str:
    query = QueryDict(mutable=True)
    for key, value in params.items():
        if value not in (None, ""):
            query[key] = str(value)
    url = reverse(name, args=args)
    return f"{url}?{query.urlencode()}" if query else url


def _push_links(**filters) -> dict:
    return {"pushed": _url("policies:push_list", **filters),
            "viewed": _url("policies:push_list", state="viewed", **filters),
            "applied": _url("policies:push_list", state="applied", **filters),
            "redeemed": _url("policies:push_list", state="redeemed", **filters)}


def figure_policies(user):
    """The policies whose figures are counted: every one but the drafts."""
    return policy_list(user).exclude(status=Policy.Status.DRAFT).prefetch_related(*CONDITION_PREFETCH)


def _qualifying_counts(user, policies, *, industry=None, park=None) -> list[tuple[int, int, int, int]]:
    """(policy, chain, park, enterprises qualifying) for every policy: one statement (a UNION ALL of
    one grouped count per policy, each its own conditions over the enterprises the user sees)."""
    base = Enterprise.objects.visible_to(user)
    if industry:
        base = base.filter(industry_id=industry)
    if park:
        base = base.filter(park_id=park)
    parts = [
        qualifying_enterprises(policy, base=base).order_by().annotate(policy_key=Value(policy.pk))
        .values("policy_key", "industry_id", "park_id").annotate(n=Count("pk")).values_list(
            "policy_key", "industry_id", "park_id", "n")
        for policy in policies
    ]
    rows: list = []
    for start in range(0, len(parts), 100):  # SQLite allows 500 terms in a compound statement
        chunk = parts[start:start + 100]
        rows.extend(chunk[0].union(*chunk[1:], all=True) if len(chunk) > 1 else chunk[0])
    return rows


def _push_counts(user, policies, *, industry=None, park=None) -> list[dict]:
    pushes = PolicyPush.objects.visible_to(user).filter(policy__in=[p.pk for p in policies])
    if industry:
        pushes = pushes.filter(enterprise__industry_id=industry)
    if park:
        pushes = pushes.filter(enterprise__park_id=park)
    return list(pushes.order_by().values("policy_id", "enterprise__industry_id", "enterprise__park_id").annotate(
        pushed=Count("id"), viewed=Count("id", filter=Q(viewed_at__isnull=False)),
        applied=Count("id", filter=Q(applied_at__isnull=False)),
        redeemed=Count("id", filter=Q(status=P.REDEEMED)),
        amount=Coalesce(Sum("approved_amount", filter=Q(status=P.REDEEMED)), Value(Decimal(0)))))


def policy_figures(user, *, industry=None, park=None, policies=None, breakdown: bool = True) -> dict:
    """The figures by policy, by industry chain and by park (``industry``/``park`` narrow them all),
    each with the link to the list behind it. Qualifying is computed now, from the conditions; the
    rest is what the pushes recorded. Without ``breakdown``, by policy only (no chain or park
    names are read). Two statements for the figures, whatever the number of policies."""
    policies = list(figure_policies(user) if policies is None else policies)
    by_policy = {p.pk: Figures(key=p, label=p.title) for p in policies}
    chains = {c.pk: c.name for c in IndustryChain.objects.all()} if breakdown and policies else {}
    parks = {p.pk: p.name for p in Park.objects.all()} if breakdown and policies else {}
    by_chain: dict = {}
    by_park: dict = {}
    total = Figures(label=_("All policies"))
    total.links = {"qualifying": _url("policies:figures", industry=industry, park=park),
                   **_push_links(industry=industry, park=park)}

    def bucket(table, names, key):
        if key not in table:
            table[key] = Figures(key=key, label=names.get(key, "—"))
        return table[key]

    if not policies:
        return {"by_policy": [], "by_chain": [], "by_park": [], "total": total}
    for policy_id, chain_id, park_id, n in _qualifying_counts(user, policies, industry=industry, park=park):
        row = {"qualifying": n}
        for figures in (by_policy[policy_id], bucket(by_chain, chains, chain_id), bucket(by_park, parks, park_id), total):
            figures.add(row)
    for row in _push_counts(user, policies, industry=industry, park=park):
        for figures in (by_policy[row["policy_id"]], bucket(by_chain, chains, row["enterprise__industry_id"]),
                        bucket(by_park, parks, row["enterprise__park_id"]), total):
            figures.add(row)
    for policy in policies:
        figures = by_policy[policy.pk]
        figures.links = {"qualifying": _url("policies:matches", policy.pk, industry=industry, park=park),
                         **_push_links(policy=policy.pk, industry=industry, park=park)}
    for figures in by_chain.values():
        figures.links = {"qualifying": _url("policies:figures", industry=figures.key, park=park),
                         **_push_links(industry=figures.key, park=park)}
    for figures in by_park.values():
        figures.links = {"qualifying": _url("policies:figures", industry=industry, park=figures.key),
                         **_push_links(industry=industry, park=figures.key)}
    order = {pk: i for i, pk in enumerate(chains)}
    return {
        "by_policy": [by_policy[p.pk] for p in policies],
        "by_chain": sorted(by_chain.values(), key=lambda f: order.get(f.key, 10**9)),
        "by_park": sorted(by_park.values(), key=lambda f: f.label),
        "total": total,
    }


# --- the leader's home panel (portal.dashboard calls it) ------------------------------------

PANEL_POLICIES = 8


def leader_policy_panel(user) -> dict:
    """The policies of the last twelve months, published first then latest closing (at most
    ``PANEL_POLICIES``), with their figures as a chart and a table; every figure links to its list."""
    since = today() - dt.timedelta(days=365)
    policies = list(figure_policies(user).filter(closes_on__gte=since).annotate(
        rank=Case(When(status=Policy.Status.PUBLISHED, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("rank", "-closes_on", "-pk")[:PANEL_POLICIES])
    figures = policy_figures(user, policies=policies, breakdown=False)
    rows = figures["by_policy"]
    series = [("qualifying", _("qualifying")), ("pushed", _("pushed")), ("viewed", _("viewed")),
              ("applied", _("applied")), ("redeemed", _("redeemed"))]
    chart = {
        "tooltip": {"trigger": "axis"}, "legend": {"type": "scroll"},
        "grid": {"left": 10, "right": 10, "top": 40, "bottom": 10, "containLabel": True},
        "xAxis": {"type": "category", "data": [r.label[:12] for r in rows], "axisLabel": {"rotate": 20, "interval": 0}},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [{"name": str(label), "type": "bar", "data": [getattr(r, name) for r in rows]}
                   for name, label in series],
    }
    return {"template": "policies/panels/leader.html", "order": 45, "css": "col-12 col-xl-6",
            "chart": bool(rows), "rows": rows, "total": figures["total"],
            "chart_json": json.dumps(chart, ensure_ascii=False).replace("<", "\\u003c"),
            "figures_url": reverse("policies:figures")}


# --- for the department assessment (evaluations reads it: policies redeemed) ---------------

def redeemed_by_department(*, month: dt.date) -> dict[int, dict]:
    """Per handling department, the pushes redeemed in ``month`` (by ``approved_on``): {department
    id: {"count", "amount", "ids"}}. Every department that handles a policy published on or before
    the month's end is in it (0 when none was redeemed): one that handles none has nothing to
    assess. Two queries, whatever the number of departments."""
    first = month.replace(day=1)
    after = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    handling = (Policy.objects.exclude(status=Policy.Status.DRAFT).filter(department__isnull=False,
                                                                          published_at__date__lt=after)
                .values_list("department_id", flat=True).distinct())
    result: dict[int, dict] = {pk: {"count": 0, "amount": Decimal(0), "ids": []} for pk in handling}
    rows = (PolicyPush.objects.filter(status=P.REDEEMED, approved_on__gte=first, approved_on__lt=after,
                                      policy__department__isnull=False)
            .order_by("pk").values_list("pk", "policy__department_id", "approved_amount"))
    for pk, department_id, amount in rows:
        entry = result.setdefault(department_id, {"count": 0, "amount": Decimal(0), "ids": []})
        entry["count"] += 1
        entry["amount"] += amount or 0
        entry["ids"].append(pk)
    return result


def redeemed_pushes_by_ids(ids) -> list[PolicyPush]:
    """The redeemed pushes behind an assessment figure, with their policy and enterprise."""
    return list(PolicyPush.objects.filter(pk__in=list(ids)).select_related("policy", "enterprise").order_by("approved_on", "pk"))
