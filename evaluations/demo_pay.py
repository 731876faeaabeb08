"""The assessment and pay part of the demo zone (issue 19), lived on the replay's clock like the rest
of ``evaluations.demo``, through the real services:

- before the year begins, the assessment office (考核办, login ``assessment``) adds an entered
  indicator to the library (招商引资签约额) and makes the year's plans of three departments, each
  its own: 发展改革局 (replies, nodes and investment signed), 科技创新局 (replies, nodes and policies
  redeemed), 国网供电公司 (replies on time and a penalty per overdue escalation), which it changes
  in June (a new version from July, with the reason); the other departments keep the default plan;
- the administrator sets the grade coefficients and everyone's post (department heads on
  performance posts, their colleagues on auxiliary posts, the stewards and heads on performance
  posts with their own yearly grade);
- on the first working day of each month the office enters 发展改革局's investment signed of the
  month before, with its evidence (the month is scored again at once);
- a workstation head records a finding of subjective lack of effort (主观不努力) against a slow
  steward, in December and again in the autumn (its grade of the year is capped at D);
- the sheets of the third and second months before the build are drafted by the office (after
  grading the stewards on the year so far) and approved by the leader (the one before is left to
  draft); on the 12th of each month the leader decides the rotation listings of the months before
  the last (units graded D two months running), so last month's wait at the build.

Running it again adds nothing (the replay is not played twice)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from functools import partial

from django.utils import timezone

from evaluations import appraisals, pay, plans, rotation
from evaluations.models import EnteredIndicator, PayCoefficients, PaySheet, RotationCase
from stewards.demo import SLOW_STEWARDS
from zonehub.models import Department, Role, User
from zonehub.workdays import local_date, months_before, next_month_start, previous_month, start_of_day

OUTCOMES = [(RotationCase.Outcome.STAY, "连续两期考核为D，经约谈和整改承诺，暂留原岗位，三个月后复核。"),
            (RotationCase.Outcome.MOVE, "连续两期考核为D，调整至辅助岗位，原岗位由储备干部接任。"),
            (RotationCase.Outcome.DOWN, "连续两期考核为D且整改不力，按能上能下规定降岗使用。")]


def _plans(dept: dict[str, Department], investment: EnteredIndicator) -> list[tuple[Department, list[dict]]]:
    M = "ratio", "penalty", "bonus", "deduction"
    return [
        (dept["发展改革局"], [
            {"key": "on_time_rate", "method": M[0], "weight": 40, "target": Decimal("1")},
            {"key": "nodes_on_time", "method": M[0], "weight": 20, "target": Decimal("0.9")},
            {"key": investment.code, "method": M[0], "weight": 40, "target": 3000},
            {"key": "overdue", "method": M[3], "weight": 0, "target": 0, "per_unit": 5}]),
        (dept["科技创新局"], [
            {"key": "on_time_rate", "method": M[0], "weight": 50, "target": Decimal("1")},
            {"key": "policies_redeemed", "method": M[0], "weight": 30, "target": 2},
            {"key": "nodes_on_time", "method": M[0], "weight": 20, "target": Decimal("1")},
            {"key": "claimed", "method": M[2], "weight": 10, "per_unit": 2},
            {"key": "returned", "method": M[3], "weight": 0, "target": 0, "per_unit": 2}]),
        (dept["国网供电公司"], [
            {"key": "on_time_rate", "method": M[0], "weight": 60, "target": Decimal("0.95")},
            {"key": "overdue", "method": M[1], "weight": 40, "target": 0, "per_unit": 10}]),
    ]


def build(ctx: dict, rng: random.Random) -> None:
    replay = ctx.get("replay")
    if replay is None:
        return
    office = User.objects.get(username="assessment")
    admin = User.objects.get(username="admin")
    leader = User.objects.get(username="leader")
    departments = {d.name: d for d in Department.objects.all()}
    start = local_date(replay.start)
    year = start.year + (start.month > 1)  # the first whole year the replay reaches

    # Before the year: the library, the plans, the coefficients and the posts.
    investment = plans.entered_indicator_create(
        name="招商引资签约额", unit="万元", actor=office,
        description="当月新签约招商项目的协议投资额合计；证据为签约协议编号及项目清单。")
    for department, items in _plans(departments, investment):
        plans.plan_version_create(department=department, year=year, items=items, actor=office,
                                  today=dt.date(year - 1, 12, 1), note="依据年度重点任务个性化定制考核指标。")
    PayCoefficients.objects.get_or_create(effective_from=start, defaults={"set_by": admin, "note": "2026年绩效方案"})
    for user in User.objects.filter(is_active=True, role__in=[Role.DEPARTMENT, Role.STEWARD, Role.WORKSTATION_HEAD,
                                                              Role.OPERATIONS, Role.ASSESSMENT]).order_by("pk"):
        head_post = user.role != Role.DEPARTMENT or user.is_department_head
        base = {Role.WORKSTATION_HEAD: 3500, Role.STEWARD: 2600, Role.DEPARTMENT: 3000 if head_post else 2200}.get(
            user.role, 2800)
        pay.pay_post_set(user=user, kind="performance" if head_post and user.role != Role.ASSESSMENT else "auxiliary",
                         base=base, effective_from=start, actor=admin)

    # In June, 国网供电公司's plan changes from July: overdue weighs more.
    june = replay.at(replay.workday(dt.date(year, 6, 10)), 10)
    replay.schedule(june, partial(
        plans.plan_version_create, department=departments["国网供电公司"], year=year, actor=office,
        note="上半年超期答复较多，提高超期扣分权重，自7月起执行。",
        items=[{"key": "on_time_rate", "method": "ratio", "weight": 70, "target": Decimal("1")},
               {"key": "overdue", "method": "penalty", "weight": 30, "target": 0, "per_unit": 15}]))

    # The investment signed, entered each month for the month before, with evidence.
    month = dt.date(year, 1, 1)
    while True:
        after = next_month_start(month)
        when = replay.at(replay.workday(after), 9, 30)
        if when > replay.end:
            break
        amount = Decimal(rng.randrange(1200, 5200, 50))
        evidence = (f"{month.month}月签约项目{rng.randint(2, 6)}个，协议编号 SMX-{month:%Y%m}-{rng.randint(10, 99)}"
                    "（项目清单见招商台账）")
        replay.schedule(when, partial(
            plans.actual_record, indicator=investment, department=departments["发展改革局"], month=month, value=amount,
            evidence=evidence, actor=office))
        month = after

    # A head's findings against a slow steward; the stewards' grades of the two years.
    steward = ctx["stewards"][sorted(SLOW_STEWARDS)[0]]
    head = next(h for h in ctx["heads"] if h.workstation_id == steward.workstation_id)
    for when, found_year, reason in (
            (replay.at(replay.workday(start + dt.timedelta(days=16)), 15), start.year,
             "企业反映的用电增容问题两周无人跟进，经核实管家未主动联系部门，属主观不努力。"),
            (replay.at(replay.workday(dt.date(year, 9, 15)), 15), year,
             "多次未按时受理企业诉求，走访记录与实际不符，经站务会认定为主观不努力。")):
        replay.schedule(when, partial(appraisals.effort_finding_record, steward=steward, year=found_year,
                                      reason=reason, actor=head))
    replay.schedule(replay.end - dt.timedelta(minutes=30), partial(appraisals.steward_grades_compute, year=year,
                                                                     actor=office))

    # Two approved pay sheets; the month before the build is left to draft.
    for month in months_before(local_date(replay.end), 3)[:2]:
        drafted = replay.at(replay.workdays_after(next_month_start(month), 7), 10)
        replay.schedule(drafted, partial(_draft_and_approve, month, office, leader))

    # The leader decides the rotation listings a week old, but the latest.
    replay.daily(partial(_decide_rotation, leader, rng), hour=16, minute=0, days=lambda day: day.day == 12)


def _draft_and_approve(month: dt.date, office, leader):
    # The stewards' own grades of the year so far first: their lines read them.
    appraisals.steward_grades_compute(year=month.year, actor=office)
    sheet = pay.pay_sheet_draft(period_start_on=month, actor=office, note="按月度考核等级核定绩效工资。")
    yield sheet.drafted_at + dt.timedelta(days=2, hours=5)
    sheet.refresh_from_db()
    if sheet.status == PaySheet.Status.DRAFT:
        pay.pay_sheet_approve(sheet=sheet, actor=leader)


def _decide_rotation(leader, rng):
    """On the 12th, the listings of the months before the last: those of last month wait."""
    before = start_of_day(previous_month(local_date(timezone.now())))
    waiting = list(RotationCase.objects.open().filter(listed_at__lt=before).order_by("listed_at", "pk"))
    for n, case in enumerate(waiting):
        outcome, reason = OUTCOMES[n % len(OUTCOMES)]
        rotation.rotation_decide(case=case, outcome=outcome, reason=reason, actor=leader)
