"""The evaluations' part of the demo zone, lived on the replay's clock (``zonehub.demo.Replay``):

- the app's beat tasks (``evaluations.tasks``): the campaign sweep, which opens each half-year's
  satisfaction survey on its day, reminds, closes it and follows the replacement cases, from the
  first half-year that begins in the replayed year (the zone's first survey); the department
  grades, computed each morning for the month before, so every past month has its grades;
- in each survey the enterprises rate their stewards on a day of their choosing (most of them);
  an enterprise let down by its steward (a request left unaccepted for days, a department overdue
  with nobody following up) says so with that reason. After a survey closes, the head of each
  workstation names a new steward for every unsatisfied rating (one of them too late: the sweep
  marks the case overdue first), the projects the old steward served for that enterprise follow,
  and the leaders review each case for subjective lack of effort.

The survey open at the build (the second half's, in December) has the ratings of its first days;
the demo enterprise has not rated yet. Running it again adds nothing."""

from __future__ import annotations

import datetime as dt
import random
from functools import partial

from evaluations import demo_pay, services, tasks
from evaluations.models import Campaign, Rating, ReplacementCase
from evaluations.selectors import stewards_to_rate
from projects.models import ProjectStewardAssignment
from projects.services import project_steward_assign
from stewards.demo import SLOW_STEWARDS, UNCOVERED
from stewards.models import Escalation, ServiceRequest, Steward, StewardAssignment
from stewards.selectors import assignment_barred
from zonehub.models import Role, User
from zonehub.workdays import local_date, month_end, next_month_start, start_of_day

REASONS = [
    "办理进展缓慢，且没有及时反馈进度。",
    "多次电话联系不上，问题拖了一个多月。",
    "用电增容的事情一直没有下文。",
    "对政策解读不清楚，让企业来回跑了三趟。",
]
# How many working days each head (by workstation, in order) takes to name a new steward: the
# third is too late, and the sweep marks its case overdue first.
NAMING_DAYS = [2, 1, 7, 3, 2, 2]


def build(ctx: dict, rng: random.Random) -> None:
    replay = ctx.get("replay")
    if replay is None:
        return
    # Assessment and pay (issue 19): plans, actuals, posts, sheets, stewards' grades, rotation.
    demo_pay.build(ctx, random.Random(f"{rng.getstate()[1][:4]}-pay"))  # its own stream: the rest is unchanged
    demo = EvaluationsDemo(ctx, rng)
    start = local_date(replay.start)
    first_survey = start_of_day(dt.date(start.year + (start.month > 6), 7 if start.month <= 6 else 1, 1))
    # Hourly in production; its effects fall due at midnight, so once a night does the same.
    replay.daily(tasks.campaign_sweep_task, hour=0, minute=15, since=first_survey)
    # Daily in production, each day recomputing the month before: the row of a month is what its
    # last computation (the last day of the next month) made of it. Here it runs on the days that
    # decide what the pages show: the first working day of a month (when the month before gets its
    # grades), the last day of a month (its month before's final ones), and the build's day.
    calendar, today = replay.calendar, local_date(replay.end)

    def grading_day(day: dt.date) -> bool:
        return (day == today or day == month_end(day)
                or day == calendar.first_workday_on_or_after(day.replace(day=1)))

    # The zone's first month is graded in the next one.
    first_graded = start_of_day(next_month_start(local_date(replay.start)))
    replay.daily(tasks.department_grades_task, hour=6, minute=30, days=grading_day, since=first_graded)
    day = local_date(first_survey)
    while day <= local_date(replay.end):
        for half in (Campaign.Half.H1, Campaign.Half.H2):
            opens = services.scheduled_open_date(day.year, half, calendar=replay.calendar)
            if local_date(first_survey) <= opens and replay.at(opens, 8) <= replay.end:
                replay.schedule(replay.at(opens, 8), demo.survey(opens))
        day = dt.date(day.year + 1, 1, 1)


class EvaluationsDemo:
    def __init__(self, ctx: dict, rng: random.Random):
        self.ctx, self.rng, self.replay = ctx, rng, ctx["replay"]
        self.heads = {h.workstation_id: h for h in ctx["heads"]}
        self.leader = User.objects.get(username="leader")
        self.users = {u.enterprise_id: u for u in ctx["enterprise_users"]}
        self.slow = [ctx["stewards"][i] for i in sorted(SLOW_STEWARDS)]
        self.home = ctx["enterprises"][0]

    def survey(self, opens: dt.date):
        """The enterprises rate in the survey opened (by the sweep) on ``opens``; after it closes,
        the heads and the leaders handle its cases."""
        replay = self.replay
        rng = random.Random(self.rng.random())
        campaign = Campaign.objects.open().order_by("-opened_at").first()
        if campaign is None:
            return
        window = replay.workdays_between(opens, local_date(campaign.closes_at) - dt.timedelta(days=1))
        unhappy = self._unhappy(campaign, rng)
        for n, enterprise in enumerate(self.ctx["enterprises"]):
            if n in UNCOVERED or rng.random() > 0.88 and enterprise.pk not in unhappy:
                continue
            # Most rate in the first days or after the reminder, the let-down ones at once; the demo
            # enterprise on the last day.
            if enterprise.pk == self.home.pk:
                day = window[-1]
            elif enterprise.pk in unhappy:
                day = window[0]
            else:
                day = rng.choice(window[:5] + window[-4:] + window)
            when = replay.at(day, rng.randint(8, 20), rng.randint(0, 59))
            replay.schedule(when, partial(self._rate, campaign, enterprise, unhappy.get(enterprise.pk)))
        yield campaign.closes_at + dt.timedelta(hours=10)
        campaign.refresh_from_db()
        heads_order = {h.workstation_id: k for k, h in enumerate(self.ctx["heads"])}
        cases = list(ReplacementCase.objects.filter(campaign=campaign).order_by("pk"))
        for k, case in enumerate(cases):
            if case.status != ReplacementCase.Status.PENDING:
                continue
            days = NAMING_DAYS[heads_order.get(case.workstation_id, 0) % len(NAMING_DAYS)]
            replay.schedule(replay.later(rng, days), partial(self._name, case))
            replay.schedule(replay.later(rng, days + rng.randint(3, 8)),
                            partial(self._review, case, lack_of_effort=k == 0))

    def _unhappy(self, campaign, rng) -> dict:
        """The enterprises let down in the half-year before the survey, with what they say: for the
        zone's first survey, the worst served enterprise of each slow steward; later, one."""
        since = self.replay.now - dt.timedelta(days=183)
        candidates = []
        stewards = self.slow if campaign == Campaign.objects.order_by("opened_at").first() else None
        for assignment in (StewardAssignment.objects.active().select_related("enterprise", "steward")
                           .order_by("enterprise_id")):
            enterprise = assignment.enterprise
            if enterprise.pk == self.home.pk or (stewards is not None and assignment.steward not in stewards):
                continue
            reason, weight = self._complaint(enterprise, since)
            if reason:
                candidates.append((weight, rng.random(), assignment.steward_id, enterprise.pk, reason))
        candidates.sort(reverse=True)
        chosen, seen = {}, set()
        for _weight, _r, steward_id, enterprise_id, reason in candidates:
            if steward_id in seen:
                continue
            seen.add(steward_id)
            chosen[enterprise_id] = (steward_id, reason)
            if stewards is None:
                return chosen
        for steward in stewards or []:  # a slow steward whose enterprises did not say why yet
            if steward.pk not in seen:
                enterprise_id = (StewardAssignment.objects.active().filter(steward=steward)
                                 .exclude(enterprise_id=self.home.pk).order_by("enterprise_id")
                                 .values_list("enterprise_id", flat=True).first())
                if enterprise_id:
                    chosen[enterprise_id] = (steward.pk, rng.choice(REASONS))
        return chosen

    def _complaint(self, enterprise, since) -> tuple[str, int]:
        requests = ServiceRequest.objects.filter(enterprise=enterprise, created_at__gte=since)
        late = requests.filter(accept_flagged_at__isnull=False).order_by("-created_at").first()
        overdue = (Escalation.objects.filter(request__enterprise=enterprise, sent_at__gte=since,
                                             overdue_at__isnull=False).select_related("request").first())
        reopened = requests.filter(reopen_count__gt=0).first()
        weight = 3 * bool(late) + 2 * bool(overdue) + 2 * bool(reopened)
        if late:
            return f"“{late.title}”提交后好几天都没人受理，打电话也联系不上管家。", weight
        if reopened:
            return f"“{reopened.title}”说解决了，问题其实还在，管家也没有再跟进。", weight
        if overdue:
            return f"“{overdue.request.title}”部门超期没有答复，管家没有催办，也没有告诉我们进展。", weight
        return "", 0

    def _rate(self, campaign, enterprise, unhappy):
        campaign.refresh_from_db()
        if not campaign.is_open:
            return
        user = self.users[enterprise.pk]
        for steward, _role in stewards_to_rate(enterprise, campaign):
            if Rating.objects.filter(campaign=campaign, enterprise=enterprise, steward=steward).exists():
                continue
            bad = unhappy is not None and unhappy[0] == steward.pk
            services.rating_create(campaign=campaign, enterprise=enterprise, steward=steward,
                                   value=Rating.Value.UNSATISFIED if bad else Rating.Value.SATISFIED,
                                   reason=unhappy[1] if bad else "", actor=user)

    def _name(self, case):
        """The head names a colleague of the same workstation who may serve the enterprise and
        serves the fewest; the projects the old steward served for it follow."""
        case.refresh_from_db()
        if case.status != ReplacementCase.Status.PENDING:
            return
        head = self.heads[case.workstation_id]
        load = {s.pk: 0 for s in self.ctx["stewards"]}
        for steward_id in StewardAssignment.objects.active().values_list("steward_id", flat=True):
            load[steward_id] = load.get(steward_id, 0) + 1
        colleagues = [s for s in Steward.objects.filter(workstation_id=case.workstation_id, is_active=True,
                                                        user__role=Role.STEWARD)
                      .exclude(pk=case.steward_id).select_related("user").order_by("pk")
                      if not assignment_barred(enterprise_id=case.enterprise_id, steward_id=s.pk,
                                               year=case.campaign.year)]
        new = min(colleagues, key=lambda s: (load.get(s.pk, 0), s.pk))
        services.replacement_name(case=case, steward=new, actor=head)
        for row in (ProjectStewardAssignment.objects.active()
                    .filter(project__investor_id=case.enterprise_id, steward_id=case.steward_id)
                    .select_related("project")):
            project_steward_assign(project=row.project, steward=new, actor=self.leader,
                                   note="企业对原项目管家不满意，随企业服务管家一并调整")

    def _review(self, case, *, lack_of_effort: bool):
        case.refresh_from_db()
        if lack_of_effort:
            reason = "企业反映的问题长期无进展，经核实管家未主动跟进，属主观不努力。"
        else:
            reason = "问题涉及跨部门办理，管家已多次协调，不属于主观不努力。"
        services.case_review(case=case, lack_of_effort=lack_of_effort, actor=self.leader, reason=reason)

