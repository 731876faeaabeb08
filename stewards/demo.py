"""The stewards' part of the demo zone: the 40 stewards (their logins are the core's), who serves
which enterprise (all but four, so the coverage page has work), and requests for every role: a
few dozen requests in every state, escalations overdue, due today and answered on time, a
consultation case, a returned one, unaccepted ones, the ledger, and this month's visits. Built
through the services (so every timeline is real) at past instants, relative to today. Running it
again adds nothing."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from unittest import mock

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from stewards import services
from stewards.models import Escalation, ServiceRequest, Steward, StewardAssignment
from zonehub.models import Event, Role, User
from zonehub.workdays import SHANGHAI, WorkCalendar, local_date

TITLES = {
    "approval": ["新建厂房施工许可办理", "环评批复进度咨询", "消防验收预约", "排污许可证变更"],
    "factors": ["用电增容申请", "蒸汽管网接入", "天然气供气压力不足", "标准化厂房租赁", "流动资金贷款对接"],
    "policy": ["技改补贴申报", "研发费用加计扣除辅导", "高企认定奖励兑现", "稳岗补贴发放"],
    "talent": ["招聘技术工人", "人才公寓申请", "博士后工作站设立"],
    "qualification": ["专精特新申报辅导", "省级技术中心认定"],
    "infrastructure": ["厂区门前道路破损", "园区路灯不亮", "雨水管网堵塞"],
    "living": ["员工子女入学", "通勤班车线路调整", "职工食堂燃气接入"],
    "other": ["企业开放日邀请", "知识产权纠纷咨询"],
}
REPLIES = ["已安排专人对接，本周内上门处理。", "已纳入本月计划，材料齐全后即可办理。", "经核实，已协调相关单位解决。"]


class _Clock:
    """Runs services "at" a past instant: timezone.now is patched, and the events recorded meanwhile
    get that instant (their default is bound at import, so they are fixed up afterwards)."""

    def __init__(self):
        self.calendar = WorkCalendar()
        self.today = local_date(timezone.now())

    def day(self, workdays_ago: int, hour: int = 10, minute: int = 0) -> dt.datetime:
        day = self.today
        while workdays_ago > 0:
            day -= dt.timedelta(days=1)
            if self.calendar.is_workday(day):
                workdays_ago -= 1
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)

    @contextmanager
    def at(self, when: dt.datetime):
        when = min(when, timezone.now())
        before = Event.objects.aggregate(m=Max("id"))["m"] or 0
        with mock.patch("django.utils.timezone.now", return_value=when):
            yield when
        Event.objects.filter(id__gt=before).update(created_at=when)


# The enterprises (by their place in ctx["enterprises"]) left without a steward: one in each of
# the first four workstations, the demo head's among them.
UNCOVERED = {144, 145, 146, 147}


@transaction.atomic
def build_stewards(ctx: dict) -> None:
    """Adds ``stewards`` to ``ctx`` (from enterprises.demo.build): a steward record for each
    steward login, and an assignment for each enterprise that never had one, made by the head of
    its workstation. Draws nothing at random."""
    stewards = [Steward.objects.get_or_create(user=user, defaults={"title": "服务专员"})[0]
                for user in ctx["steward_users"]]
    heads = ctx["heads"]
    for i, enterprise in enumerate(ctx["enterprises"]):
        if i in UNCOVERED or StewardAssignment.objects.filter(enterprise=enterprise).exists():
            continue
        same_ws = [s for s in stewards if s.user.workstation_id == enterprise.workstation_id]
        StewardAssignment.objects.create(
            enterprise=enterprise, steward=same_ws[i % len(same_ws)], assigned_by=heads[i % len(heads)]
        )
    ctx["stewards"] = stewards


def build(ctx: dict, rng) -> None:
    build_stewards(ctx)
    if ServiceRequest.objects.exists():
        return
    with transaction.atomic():
        _build(ctx, rng)
    # Apply what is already due (overdue marks, reminders, late acceptance, auto-close) the way the
    # sweep will; delivery of the notifications is left to the running system.
    services.deadline_sweep(send_notifications=False)


def _build(ctx, rng):
    clock = _Clock()
    departments = ctx["departments"]
    dept_users = {
        d.pk: User.objects.filter(role=Role.DEPARTMENT, department=d).order_by("-is_department_head", "pk").first()
        for d in departments
    }
    leader = User.objects.get(username="leader")
    served = []  # (enterprise, enterprise user, steward user) for enterprises with a login and a steward
    for enterprise in ctx["enterprises"][:30]:
        user = User.objects.filter(role=Role.ENTERPRISE, enterprise=enterprise).order_by("pk").first()
        assignment = StewardAssignment.objects.active().filter(enterprise=enterprise).select_related("steward__user").first()
        if user and assignment:
            served.append((enterprise, user, assignment.steward.user))
    dept0 = departments[0]  # 发展改革局: the `dept` login

    def submit(ent, ago, hour=9):
        enterprise, user, _ = ent
        category = rng.choice(list(TITLES))
        with clock.at(clock.day(ago, hour, rng.randint(0, 59))):
            return services.request_submit(
                actor=user, category=category, title=rng.choice(TITLES[category]),
                description=f"{enterprise.name}：{rng.choice(TITLES[category])}，请管家协助。",
                urgency="urgent" if rng.random() < 0.2 else "normal")

    def step(ago, hour, fn, **kw):
        with clock.at(clock.day(ago, hour, rng.randint(0, 59))):
            return fn(**kw)

    def escalate(ent, request, ago, depts, hour=11):
        return step(ago, hour, services.request_escalate, request=request, actor=ent[2], departments=depts,
                    reason="企业诉求需贵单位办理，请在三个工作日内答复。")

    def reply(escalation, ago, hour=15):
        return step(ago, hour, services.escalation_reply, escalation=escalation,
                    actor=dept_users[escalation.department_id], reply=rng.choice(REPLIES))

    def others():
        return [d for d in departments[1:] if dept_users.get(d.pk)]

    # The demo enterprise (login `enterprise`) and its steward (login `steward`) first.
    home = served[0]
    r = submit(home, 0, hour=8)  # new today: the steward's worklist
    r = submit(home, 6)
    step(6, 14, services.request_accept, request=r, actor=home[2])
    a, b = escalate(home, r, 5, [dept0, rng.choice(others())])
    reply(a, 4)
    reply(b, 2)
    step(1, 10, services.request_report_back, request=r, actor=home[2], report="两个部门均已答复，问题已解决，请确认。")
    r = submit(home, 4)  # escalated to 发改 three working days ago: today is its last day
    step(3, 9, services.request_accept, request=r, actor=home[2])
    escalate(home, r, 3, [dept0])
    r = submit(home, 20)
    step(19, 10, services.request_resolve_directly, request=r, actor=home[2], report="已协调物业当天修复。")
    step(17, 10, services.request_confirm, request=r, actor=home[1])
    r = submit(home, 9)
    (e,) = escalate(home, r, 8, [dept0])
    step(7, 10, services.escalation_mark_consultation, escalation=e, actor=dept_users[dept0.pk],
         reason="涉及规划调整，需规建、自然资源共同会商。")
    step(4, 16, services.escalation_progress_report, escalation=e, actor=dept_users[dept0.pk],
         text="已召开第一次会商会，形成初步方案。")
    step(1, 16, services.escalation_progress_report, escalation=e, actor=dept_users[dept0.pk],
         text="方案已报分管领导审定。")

    # Then a spread over the other enterprises, in every state.
    for i, ent in enumerate(served[1:], start=1):
        enterprise, user, steward = ent
        story = i % 9
        if story == 0:  # not accepted for two working days: flagged to the workstation head
            submit(ent, 2)
        elif story == 1:  # overdue at 发改 (and one other department answered on time)
            r = submit(ent, 7)
            a, b = escalate(ent, r, 6, [dept0, rng.choice(others())])
            reply(b, 5)
            step(5, 11, services.request_comment, request=r, actor=steward, body="已催办，请耐心等待。")
        elif story == 2:  # returned by one department, sent on to 发改, still open
            r = submit(ent, 3)
            (e,) = escalate(ent, r, 3, [rng.choice(others())], hour=14)
            step(2, 10, services.escalation_return, escalation=e, actor=dept_users[e.department_id],
                 reason="该事项不属于本单位职责，建议转发展改革局。")
            escalate(ent, r, 2, [dept0], hour=11)
        elif story == 3:  # answered on time, reported, confirmed
            r = submit(ent, 15)
            (e,) = escalate(ent, r, 14, [rng.choice(departments)])
            reply(e, 12)
            step(11, 10, services.request_report_back, request=r, actor=steward, report="部门已答复并办结。")
            step(10, 10, services.request_confirm, request=r, actor=user)
        elif story == 4:  # answered late, reported, closed automatically
            r = submit(ent, 18)
            (e,) = escalate(ent, r, 17, [rng.choice(departments)])
            with clock.at(e.due_at):
                services.sweep._escalation_overdue(Escalation.objects.get(pk=e.pk), e.due_at)
            reply(e, 12)
            step(11, 10, services.request_report_back, request=r, actor=steward, report="部门已答复。")
        elif story == 5:  # reopened by the enterprise
            r = submit(ent, 8)
            step(8, 15, services.request_resolve_directly, request=r, actor=steward, report="已电话解答。")
            step(6, 9, services.request_reopen, request=r, actor=user, reason="解答不能解决实际问题，请部门协助。")
        elif story == 6:  # logged by the steward after a phone call, escalated today
            r = step(1, 9, services.request_log_on_behalf, actor=steward, enterprise=enterprise, channel="phone",
                     category="factors", title="临时停电影响生产", description="企业来电：厂区频繁停电。")
            escalate(ent, r, 0, [rng.choice(departments)], hour=8)
        elif story == 7:  # accepted, waiting for the steward
            r = submit(ent, 1)
            step(1, 11, services.request_accept, request=r, actor=steward)
        else:  # escalated to 发改 yesterday, answered on time today... or not yet
            r = submit(ent, 2)
            (e,) = escalate(ent, r, 1, [dept0])
            if rng.random() < 0.5:
                reply(e, 0, hour=8)

    # Visits this month for some of the demo steward's enterprises; one finding became a request.
    first_of_month = clock.today.replace(day=1)
    home_steward = home[2]
    mine = [a.enterprise for a in StewardAssignment.objects.active().filter(steward__user=home_steward)
            .select_related("enterprise").order_by("enterprise__name")]
    for n, enterprise in enumerate(mine[: max(1, len(mine) // 2)]):
        visited = max(first_of_month, clock.today - dt.timedelta(days=n))
        with clock.at(clock.day(0, 8)):
            services.visit_log(
                actor=home_steward, enterprise=enterprise, visited_on=visited, findings="生产经营正常，了解用工需求。",
                requests=[{"category": "talent", "title": "技工招聘对接", "description": "走访发现缺少数控技工 10 名。"}]
                if n == 0 else None)

    # The complaint-meeting ledger: dispatched, claimed, and waiting to be claimed.
    meeting = clock.day(5).date()
    items = [
        ("园区道路雨后积水", "infrastructure", dept0, None),
        ("企业用工招聘难", "talent", None, departments[6] if len(departments) > 6 else departments[-1]),
        ("审批材料反复补正", "approval", None, None),
        ("通勤班车班次少", "living", None, None),
    ]
    for n, (title, category, dispatch_to, claim_by) in enumerate(items):
        enterprise = served[n % len(served)][0]
        item = step(4, 9, services.ledger_item_record, actor=leader, enterprise=enterprise, title=title,
                    description=f"{enterprise.name}在吐槽大会上反映：{title}。", meeting_date=meeting, category=category)
        if dispatch_to:
            step(4, 10, services.ledger_item_dispatch, item=item, actor=leader, department=dispatch_to)
        elif claim_by and dept_users.get(claim_by.pk):
            step(3, 10, services.ledger_item_claim, item=item, actor=dept_users[claim_by.pk])
