"""The policies' part of the demo zone, lived on the replay's clock (``zonehub.demo.Replay``):

- a dozen real-looking policies of the year (高新技术企业认定奖励, 研发费用加计扣除, 专精特新“小巨人”
  奖励, 技术改造补助, 贷款贴息, 人才安家补贴, 稳岗返还…), each written as a draft by the
  administrator a few days before the leader publishes it, which pushes it (once) to the
  enterprises that qualify and their stewards; one is withdrawn after three weeks; one more is
  still a draft at the build;
- the enterprises read what was pushed to them, most of them; some apply (a 政策兑现 request that
  their steward accepts, helps with and reports on), a few say they do not need it and why; the
  department handling the policy then records the money redeemed, or why it was refused;
- the app's beat task every morning: windows that closed expire, and the enterprises that have
  not applied five working days before a close are reminded, with their stewards;
- the demo enterprise was recognised a 高新技术企业 in the spring (and redeemed that award), and
  as 专精特新 a few days before the build: the “小巨人” policy published a week earlier was pushed
  to it then. At the build it has open policies to apply for, and one application in progress.

Everything goes through ``policies.services`` and the stewards' request services. Running it
again adds nothing (the replay is not played twice)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial

from django.contrib.contenttypes.models import ContentType

from enterprises.models import EnterpriseTag, IndustryChain, Park
from policies import services
from policies.models import Policy, PolicyPush
from stewards import services as stewards_services
from stewards.models import ServiceRequest, StewardAssignment
from zonehub.events import CoreEvent
from zonehub.models import Department, Event, Role, User
from zonehub.workdays import local_date


@dataclass(frozen=True)
class Spec:
    title: str
    issuer: str
    number: str  # "{year}" is the year it is published
    level: str
    kind: str
    summary: str
    benefit_type: str
    department: str
    at: float  # when it is published, as a share of the replayed year
    window: int = 60  # days its window stays open after publishing...
    open_for: int | None = None  # ...or days after the build it closes (still open at the build)
    amount: int | None = None
    rate: int | None = None
    note: str = ""
    materials: str = "营业执照复印件；申报表；相关证明材料；银行账户信息"
    conditions: dict = field(default_factory=dict)
    withdraw_after: int | None = None  # days after publishing
    withdraw_reason: str = ""


POLICIES = [
    Spec("高新技术企业认定奖励", "三门峡高新区管委会", "三高管〔{year}〕12号", "zone", "subsidy",
         "对首次通过认定的国家高新技术企业给予一次性奖励30万元；重新认定的给予10万元。", "amount", "科技创新局",
         at=0.08, window=75, amount=300000,
         materials="高新技术企业证书复印件；营业执照复印件；奖励资金申请表；银行账户信息",
         conditions={"tags_all": ["高新技术企业"]}),
    Spec("外资企业增资扩产奖励", "三门峡高新区管委会", "三高管〔{year}〕21号", "zone", "subsidy",
         "外资企业年度实际到资超过1000万美元的增资扩产项目，按实际到资额的1%给予奖励，最高200万元。", "rate",
         "发展改革局", at=0.15, window=90, rate=1, note="按实际到资额的1%奖励，最高200万元",
         conditions={"ownerships": ["foreign"]}),
    Spec("规上工业企业技术改造补助", "三门峡市人民政府办公室", "三政办〔{year}〕9号", "municipal", "subsidy",
         "对规上工业企业实施的智能化、绿色化技术改造项目，按设备投资额的10%给予补助，单个项目最高100万元。",
         "ceiling", "发展改革局", at=0.25, window=90, amount=1000000, note="按设备投资额的10%补助",
         materials="技改项目备案证明；设备购置合同及发票；项目竣工验收报告；补助资金申请表",
         conditions={"industries": ["新材料", "装备制造", "绿色化工"], "above_designated_size": True,
                     "min_revenue": 2000}),
    Spec("高新技术企业所得税优惠备案", "科技部 财政部 国家税务总局", "国科发火〔2016〕32号", "national", "tax",
         "经认定的高新技术企业，减按15%的税率征收企业所得税。高新区协助企业完成优惠事项备案和留存备查资料归集。",
         "rate", "财政局", at=0.38, window=60, rate=15, note="企业所得税减按15%征收",
         conditions={"tags_all": ["高新技术企业"], "min_revenue": 1000}),
    Spec("瞪羚企业成长奖励", "三门峡高新区管委会", "三高管〔{year}〕31号", "zone", "subsidy",
         "对新入选的瞪羚企业，上年度营业收入增速不低于20%的，给予最高50万元成长奖励。", "ceiling", "科技创新局",
         at=0.48, window=70, amount=500000, conditions={"tags_all": ["瞪羚企业"], "min_revenue": 3000}),
    Spec("首台（套）重大技术装备保险补偿", "河南省工业和信息化厅", "豫工信装备〔{year}〕58号", "provincial", "subsidy",
         "对投保首台（套）重大技术装备综合险的制造企业，按年度保费的80%给予补偿，补偿期最长3年。", "rate",
         "发展改革局", at=0.55, window=90, rate=80, note="按年度保费的80%补偿，单家最高500万元",
         conditions={"industries": ["装备制造", "新能源"], "above_designated_size": True}),
    Spec("失业保险稳岗返还", "河南省人力资源和社会保障厅", "豫人社规〔{year}〕3号", "provincial", "subsidy",
         "上年度未裁员或裁员率不高于全国城镇调查失业率控制目标的参保企业，按上年度实际缴纳失业保险费的60%返还。",
         "rate", "人力资源和社会保障局", at=0.62, window=60, rate=60, note="按上年度实际缴纳失业保险费的60%返还",
         conditions={"min_employees": 30, "above_designated_size": True}, withdraw_after=21,
         withdraw_reason="省人社厅通知调整返还比例，本批次暂停受理，调整后另行发布。"),
    Spec("高层次人才引进安家补贴", "三门峡高新区管委会", "三高管〔{year}〕40号", "zone", "talent",
         "企业新引进的全职博士、正高级职称人才，给予每人20万元安家补贴，分三年发放。", "amount",
         "人力资源和社会保障局", at=0.70, open_for=30, amount=200000,
         materials="人才学历学位证书或职称证书；劳动合同；社保缴纳证明；安家补贴申请表",
         conditions={"industries": ["电子信息", "生物医药", "新材料"],
                     "tags_any": ["高新技术企业", "瞪羚企业", "独角兽"]}),
    Spec("科技型中小企业贷款贴息", "三门峡市财政局 三门峡市科学技术局", "三财预〔{year}〕44号", "municipal", "interest",
         "对科技型中小企业当年新增的流动资金贷款，按实际支付利息的50%给予贴息，单家企业最高50万元。", "rate",
         "财政局", at=0.80, open_for=60, rate=50, note="按实际支付利息的50%贴息，最高50万元",
         materials="贷款合同；利息支付凭证；科技型中小企业入库编号；贴息申请表",
         conditions={"ownerships": ["private", "mixed"], "tags_any": ["高新技术企业", "专精特新", "瞪羚企业"]}),
    Spec("研发费用加计扣除政策申报辅导", "财政部 国家税务总局", "财政部 税务总局公告2023年第7号", "national", "tax",
         "企业开展研发活动中实际发生的研发费用，未形成无形资产计入当期损益的，在据实扣除的基础上，再按实际发生额的"
         "100%在税前加计扣除。高新区组织专题辅导，协助企业归集研发费用辅助账。", "rate", "财政局",
         at=0.86, open_for=45, rate=100, note="按研发费用实际发生额的100%加计扣除",
         materials="研发项目立项文件；研发费用辅助账；研发人员名单",
         conditions={"tags_any": ["高新技术企业", "专精特新"]}),
    Spec("绿色工厂认定奖励", "三门峡市工业和信息化局", "三工信〔{year}〕52号", "municipal", "qualification",
         "对新获评国家级、省级绿色工厂的企业，分别给予30万元、10万元一次性奖励。", "ceiling", "生态环境分局",
         at=0.88, open_for=4, amount=300000,
         conditions={"industries": ["绿色化工", "新材料", "新能源"], "above_designated_size": True}),
    Spec("专精特新“小巨人”企业奖励", "三门峡市工业和信息化局", "三工信〔{year}〕26号", "municipal", "subsidy",
         "对新认定的国家级专精特新“小巨人”企业给予50万元奖励，省级专精特新中小企业给予20万元奖励。", "ceiling",
         "发展改革局", at=0.96, open_for=40, amount=500000,
         materials="专精特新认定文件；营业执照复印件；奖励资金申请表；银行账户信息",
         conditions={"tags_all": ["专精特新"]}),
]
DRAFT = Spec("企业上云用云补贴（征求意见稿）", "三门峡高新区管委会", "", "zone", "subsidy",
             "对企业购买云服务、开展数字化改造的，按实际支出的30%给予补贴，最高20万元。", "ceiling", "发展改革局",
             at=0.98, open_for=90, amount=200000, conditions={"industries": ["电子信息", "装备制造"]})

DECLINE_REASONS = ["今年暂无相关项目计划。", "已通过其他渠道申报。", "企业暂不满足申报时间要求，明年再申请。",
                   "不涉及该项业务。"]
REFUSE_REASONS = ["申报材料不全，研发费用辅助账未按要求归集。", "经审核，企业上年度营业收入增速未达到政策要求。",
                  "同一项目已享受市级同类补助，不重复支持。"]


def build(ctx: dict, rng: random.Random) -> None:
    replay = ctx.get("replay")
    if replay is None:
        return
    demo = PoliciesDemo(ctx, rng)
    # Hourly in production: its effects (a window closed, a reminder due) fall on the morning.
    replay.daily(demo.sweep, hour=9, minute=20)
    for spec in POLICIES:
        replay.schedule(demo.drafted_at(spec), partial(demo.policy_story, spec))
    replay.schedule(demo.drafted_at(DRAFT), partial(demo.create, DRAFT))
    start, end = local_date(replay.start), local_date(replay.end)
    replay.schedule(replay.at(replay.workday(start + dt.timedelta(days=20)), 15), partial(demo.recognised, "高新技术企业"))
    replay.schedule(replay.at(replay.workday(end - dt.timedelta(days=5)), 15), partial(demo.recognised, "专精特新"))


class PoliciesDemo:
    def __init__(self, ctx: dict, rng: random.Random):
        self.ctx, self.rng, self.replay = ctx, rng, ctx["replay"]
        self.admin = ctx["admin"]
        self.leader = User.objects.get(username="leader")
        self.users = {u.enterprise_id: u for u in ctx["enterprise_users"]}
        self.heads = {h.workstation_id: h for h in ctx["heads"]}
        self.home = ctx["enterprises"][0]
        self.year_days = (local_date(self.replay.end) - local_date(self.replay.start)).days

    # --- when

    def published_on(self, spec: Spec) -> dt.date:
        start = local_date(self.replay.start)
        return self.replay.workday(start + dt.timedelta(days=round(spec.at * self.year_days)))

    def closes_on(self, spec: Spec) -> dt.date:
        if spec.open_for is not None:  # in working days, about five a week
            return self.replay.workdays_after(local_date(self.replay.end), max(1, round(spec.open_for * 5 / 7)))
        return self.published_on(spec) + dt.timedelta(days=spec.window)

    def drafted_at(self, spec: Spec) -> dt.datetime:
        day = self.published_on(spec) - dt.timedelta(days=7)
        return self.replay.at(self.replay.workday(max(day, local_date(self.replay.start))), 10, 30)

    # --- the policy's life

    def create(self, spec: Spec) -> Policy:
        published = self.published_on(spec)
        c = spec.conditions
        return services.policy_create(
            actor=self.admin, title=spec.title, issuer=spec.issuer, document_number=spec.number.format(year=published.year),
            level=spec.level, kind=spec.kind, summary=spec.summary, benefit_type=spec.benefit_type,
            benefit_amount=spec.amount, benefit_rate=spec.rate, benefit_note=spec.note, opens_on=published,
            closes_on=self.closes_on(spec), materials=spec.materials,
            department=Department.objects.get(name=spec.department),
            tags_all=list(EnterpriseTag.objects.filter(name__in=c.get("tags_all", []))),
            tags_any=list(EnterpriseTag.objects.filter(name__in=c.get("tags_any", []))),
            industries=list(IndustryChain.objects.filter(name__in=c.get("industries", []))),
            parks=list(Park.objects.filter(name__in=c.get("parks", []))),
            ownerships=c.get("ownerships", []), above_designated_size=c.get("above_designated_size"),
            min_revenue=c.get("min_revenue"), min_employees=c.get("min_employees"),
        )

    def policy_story(self, spec: Spec):
        policy = self.create(spec)
        yield self.replay.at(self.published_on(spec), 9, 30)
        services.policy_publish(policy=policy, actor=self.leader)
        self.tell_and_react(policy)
        if spec.withdraw_after:
            yield self.replay.at(self.replay.workday(self.published_on(spec) + dt.timedelta(days=spec.withdraw_after)), 16)
            services.policy_withdraw(policy=policy, actor=self.leader, reason=spec.withdraw_reason)

    def tell_and_react(self, policy: Policy, enterprise_ids=None) -> None:
        """What the notification task does after a publication, at its moment; then each
        enterprise told takes the policy up in its own way."""
        services.pushes_notify()
        pushes = PolicyPush.objects.filter(policy=policy).select_related("enterprise").order_by("pk")
        if enterprise_ids is not None:
            pushes = pushes.filter(enterprise_id__in=enterprise_ids)
        for push in pushes:
            self.replay.schedule(self.replay.now, self.reaction(push.pk, random.Random(self.rng.random())))

    def reaction(self, push_id: int, rng: random.Random):
        replay = self.replay
        push = PolicyPush.objects.select_related("policy", "enterprise").get(pk=push_id)
        home = push.enterprise_id == self.home.pk
        roll = rng.random()
        if not home and roll > 0.8:
            return  # never opened it
        yield replay.later(rng, rng.choice([0, 0, 1, 2, 3]))
        user = self.users[push.enterprise_id]
        services.push_mark_viewed(push=push, actor=user)
        # The demo enterprise applies to what closed before the build and to one open policy.
        closed = push.policy.closes_on < local_date(replay.end)
        apply = (closed or self._first_open_push_of_home(push)) if home else roll < 0.42
        if not apply:
            if not home and roll > 0.7:
                yield replay.later(rng, rng.randint(0, 3))
                push.refresh_from_db()
                if services.push_can(user, push, "decline"):
                    services.push_decline(push=push, actor=user, reason=rng.choice(DECLINE_REASONS))
            return
        yield replay.later(rng, rng.randint(1, 8))
        push.refresh_from_db()
        push.policy.refresh_from_db()
        if not services.push_can(user, push, "apply"):
            return  # the window closed, or the policy was withdrawn, before it got round to it
        notes = ["", "材料已基本备齐，请管家协助核对。", "请协助确认申报口径。"]
        push = services.push_apply(push=push, actor=user, note=rng.choice(notes))
        in_progress = home and push.policy.closes_on >= local_date(replay.end)
        # The demo enterprise's open application is still with its steward at the build.
        yield from self.steward_helps(push, rng, accept_only=in_progress)
        if in_progress:
            return
        yield replay.later(rng, rng.randint(6, 18))
        self.outcome(push, rng)

    def _first_open_push_of_home(self, push: PolicyPush) -> bool:
        """The demo enterprise applies to the open policy pushed to it first, and leaves the others."""
        end = local_date(self.replay.end)
        first = (PolicyPush.objects.filter(enterprise=self.home, policy__closes_on__gte=end,
                                           policy__status=Policy.Status.PUBLISHED).order_by("created_at", "pk").first())
        return first is not None and first.pk == push.pk

    def steward_of(self, enterprise) -> User:
        assignment = StewardAssignment.objects.active().filter(enterprise=enterprise).select_related("steward__user").first()
        return assignment.steward.user if assignment else self.heads[enterprise.workstation_id]

    def steward_helps(self, push: PolicyPush, rng: random.Random, *, accept_only: bool = False):
        """The steward accepts the 政策兑现 request, helps with the materials and reports; the
        enterprise confirms."""
        replay = self.replay
        request = push.request
        yield replay.later(rng, rng.choice([0, 0, 1]))
        request.refresh_from_db()
        if request.status == ServiceRequest.Status.SUBMITTED:
            stewards_services.request_accept(request=request, actor=self.steward_of(push.enterprise))
        if accept_only:
            return
        yield replay.later(rng, rng.randint(1, 3))
        request.refresh_from_db()
        if request.status != ServiceRequest.Status.ACCEPTED:
            return
        department = push.policy.department.name if push.policy.department else "受理部门"
        stewards_services.request_resolve_directly(
            request=request, actor=self.steward_of(push.enterprise),
            report=f"已协助企业核对“{push.policy.title}”申报材料并报送{department}审核，审核结果将另行通知。")
        yield replay.later(rng, rng.randint(0, 2))
        request.refresh_from_db()
        if request.status == ServiceRequest.Status.REPORTED:
            stewards_services.request_confirm(request=request, actor=self.users[push.enterprise_id])

    def outcome(self, push: PolicyPush, rng: random.Random) -> None:
        push.refresh_from_db()
        policy = push.policy
        handler = (User.objects.filter(role=Role.DEPARTMENT, department=policy.department, is_active=True)
                   .order_by("-is_department_head", "pk").first())
        if handler is None or push.status != PolicyPush.Status.APPLIED or policy.status == Policy.Status.WITHDRAWN:
            return
        if push.enterprise_id != self.home.pk and rng.random() < 0.2:
            services.push_record_outcome(push=push, actor=handler, approved=False, reason=rng.choice(REFUSE_REASONS))
            return
        if policy.benefit_type == Policy.BenefitType.AMOUNT:
            amount = policy.benefit_amount
        elif policy.benefit_type == Policy.BenefitType.CEILING:
            amount = Decimal(round(int(policy.benefit_amount) * rng.randint(3, 10) / 10, -3))
        else:
            amount = Decimal(rng.randint(8, 120) * 5000)
        services.push_record_outcome(push=push, actor=handler, approved=True, amount=amount,
                                     approved_on=self.replay.today)

    # --- the beat task, and the demo enterprise's recognitions

    def sweep(self) -> None:
        services.policy_sweep(now=self.replay.now)

    def recognised(self, tag_name: str) -> None:
        """The demo enterprise is recognised (its tag entered in the administration, as an
        administrator does): the policies it now qualifies for are pushed to it then, once."""
        tag = EnterpriseTag.objects.get(name=tag_name)
        if self.home.tags.filter(pk=tag.pk).exists():
            return
        self.home.tags.add(tag)
        enterprise_type = ContentType.objects.get_for_model(self.home)
        Event.objects.create(subject_type=enterprise_type, subject_id=self.home.pk, root_type=enterprise_type,
                             root_id=self.home.pk, actor=self.admin, kind=CoreEvent.ADMIN_CHANGED,
                             data={"fields": ["tags"]})
        # What the task enqueued by the change does, at its moment.
        services.policy_push_matches(enterprise_ids=[self.home.pk])
        for policy in Policy.objects.filter(pushes__enterprise=self.home, pushes__notified_at__isnull=True):
            self.tell_and_react(policy, enterprise_ids=[self.home.pk])
