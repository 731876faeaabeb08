"""Demo data: last half-year's closed campaign with its ratings and replacement cases in every
state (one with a finding of subjective lack of effort), and department grades for the last two
months. The current campaign is left for the leader to open with the button on the ratings page,
unless today falls in its scheduled period, when it is opened. Running it again adds nothing."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from evaluations import services
from evaluations.models import Campaign, Rating
from stewards.models import StewardAssignment
from zonehub.models import Role, User
from zonehub.workdays import local_date, previous_month, start_of_day

REASONS = [
    "办理进展缓慢，且没有及时反馈进度。",
    "多次电话联系不上，问题拖了一个多月。",
    "用电增容的事情一直没有下文。",
    "对政策解读不清楚，让企业来回跑了三趟。",
]


def _last_half(today: dt.date) -> tuple[int, str]:
    return (today.year, "H1") if today.month > 6 else (today.year - 1, "H2")


@transaction.atomic
def build(ctx: dict, rng) -> None:
    now = timezone.now()
    today = local_date(now)
    year, half = _last_half(today)
    if not Campaign.objects.filter(year=year, half=half).exists():
        _closed_campaign(ctx, rng, year, half)
    _current_campaign(now, today)
    # Grades of the last two months, so the ranking has a month-on-month change.
    month = previous_month(today)
    for m in (previous_month(month), month):
        services.department_grades_compute(month=m, now=now)


def _closed_campaign(ctx: dict, rng, year: int, half: str) -> None:
    opens = services.scheduled_open_date(year, half)
    opened_at = start_of_day(opens) + dt.timedelta(hours=9)
    closes_at = services.campaign_closes_at(opens)
    campaign = Campaign.objects.create(year=year, half=half, opened_at=opened_at, closes_at=closes_at)
    # Enterprises with a login rate; four of them are not satisfied. The demo "enterprise" login
    # (the first) is satisfied, so its steward stays for the prompt of the next campaign.
    users = {u.enterprise_id: u for u in User.objects.filter(role=Role.ENTERPRISE).order_by("pk")}
    active = dict(StewardAssignment.objects.active().values_list("enterprise_id", "steward_id"))
    rated = [e for e in ctx["enterprises"] if e.pk in users and e.pk in active]
    unhappy = {e.pk for e in rng.sample(rated[1:], min(4, len(rated) - 1))}
    for i, enterprise in enumerate(rated):
        unsatisfied = enterprise.pk in unhappy
        at = opened_at + dt.timedelta(days=rng.randint(0, 10), hours=rng.randint(0, 8))
        Rating.objects.create(
            campaign=campaign, enterprise=enterprise, steward_id=active[enterprise.pk], rated_by=users[enterprise.pk],
            value=Rating.Value.UNSATISFIED if unsatisfied else Rating.Value.SATISFIED,
            reason=REASONS[i % len(REASONS)] if unsatisfied else "", created_at=at, updated_at=at,
        )
    campaign.expected_enterprises = len(active)
    campaign.save(update_fields=["expected_enterprises"])
    cases = services.campaign_close(campaign=campaign, now=closes_at)
    leader = User.objects.filter(role=Role.LEADER).order_by("pk").first()
    heads = {h.workstation_id: h for h in ctx["heads"]}
    stewards = ctx["stewards"]
    for i, case in enumerate(c for c in cases if c.is_pending):
        head = heads.get(case.workstation_id)
        if i in (0, 1) and head is not None:
            # Replaced: a colleague from the same workstation takes over.
            new = next(s for s in stewards if s.user.workstation_id == case.workstation_id and s.pk != case.steward_id)
            services.replacement_name(case=case, steward=new, actor=head, now=case.opened_at + dt.timedelta(days=2))
        if leader is not None and i == 0:
            services.case_review(case=case, lack_of_effort=True, actor=leader,
                                 reason="企业反映的问题长期无进展，经核实管家未主动跟进，属主观不努力。")
        elif leader is not None and i == 1:
            services.case_review(case=case, lack_of_effort=False, actor=leader,
                                 reason="问题涉及跨部门审批，管家已多次协调，不属于主观不努力。")
    # The ones still pending are long overdue: the sweep tells the leaders once.
    services.replacement_sweep(now=timezone.now())


def _current_campaign(now: dt.datetime, today: dt.date) -> None:
    half = services.half_of(today)
    opens = services.scheduled_open_date(today.year, half)
    if opens <= today and now < services.campaign_closes_at(opens) \
            and not Campaign.objects.filter(year=today.year, half=half).exists():
        services.campaign_open(year=today.year, half=half, now=now, opened_on=opens)
