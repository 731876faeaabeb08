"""The stewards' part of the demo zone: the 40 stewards (their logins are the core's), who serves
which enterprise (all but four, so the coverage page has work), and a year of their work, lived
through the real services on the replay's clock (``zonehub.demo.Replay``):

- requests submitted on the web or logged after a phone call, each a case whose title, description,
  departments and answers belong together (a street light goes to 规划建设局, power to 国网供电公司,
  customs clearance to 海关); stewards accept them, mostly in time (a few stewards often late),
  solve them or blow the whistle, now and then to a department that returns it as not its own;
- departments answer in time, late, or only after weeks, each in its own habit, better as the year
  goes on; some cases go to joint consultation with progress reports (some missed) until concluded;
- stewards report back, enterprises confirm, reopen, or leave it to close by itself;
- monthly visits (a finding now and then becomes a request), complaint meetings every other month
  whose items are dispatched or claimed;
- the stewards' deadline sweep (``services.deadline_sweep``) at 00:01 and 09:01 every day, which
  marks what is overdue, reminds, flags late acceptance and closes what nobody answered.

Near the build's moment a few stories are pinned, so every demo login has today's work: the
``enterprise`` has open requests, its ``steward`` new ones and one to report back, ``dept``
(发展改革局) escalations due today, overdue and under consultation, ``head`` a request its steward
has not accepted in time. Running it again adds nothing."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.db.models.signals import post_save

from stewards import services
from stewards.models import Escalation, ServiceRequest, Steward, StewardAssignment
from zonehub.models import Role, User
from zonehub.workdays import last_workday, local_date, month_start, next_month_start


@dataclass(frozen=True)
class Case:
    """A kind of request: its words, the departments it needs (none: the steward solves it) and
    what they answer. Descriptions take the slots of ``_slots``."""

    category: str
    title: str
    description: str
    departments: tuple[str, ...] = ()
    answer: str = ""  # the department's reply, or how the steward solved it
    wrong: str = ""  # a department a steward may send it to first, which returns it
    consult: str = ""  # why a department takes it to joint consultation
    conclusion: str = ""


GRID, PLAN, FIN, MARKET, SAFETY, ENV = "国网供电公司", "规划建设局", "财政局", "市场监督管理局", "应急管理局", "生态环境分局"
DRC, HR, SCI, LAND, GAS, CUSTOMS = "发展改革局", "人力资源和社会保障局", "科技创新局", "自然资源分局", "华润燃气公司", "海关"

CASES = [
    # 政务审批
    Case("approval", "新建厂房施工许可办理",
         "三号地块{b}亩新建厂房已完成施工图审查，申请办理建筑工程施工许可证，计划下月初开工，请协助加快办理。",
         (PLAN,), "材料已齐全，施工许可证已核发，请企业到政务服务中心窗口领取。"),
    Case("approval", "环评批复进度咨询",
         "扩建项目环评报告书已于上月报送，至今未收到批复意见，设备已到厂无法进场安装，请协助了解进度。",
         (ENV,), "报告书已通过技术评审，批复文件将于5个工作日内印发。", wrong=SAFETY),
    Case("approval", "排污许可证变更",
         "新增一条表面处理生产线后排放口由{a}个增加到{c}个，需要变更排污许可证，请明确所需材料和时限。",
         (ENV,), "已一次性告知变更材料清单，企业网上提交后10个工作日内办结。", wrong=SAFETY),
    Case("approval", "项目备案信息变更",
         "技改项目总投资由{money}万元调整为{money2}万元，需要变更备案信息，在线平台无法修改。",
         (DRC,), "已在投资项目在线审批监管平台退回修改权限，企业可自行更新后重新提交。"),
    Case("approval", "节能审查意见办理",
         "新建项目年综合能耗约{b}00吨标准煤，需要办理节能审查，请告知办理流程和时限。",
         (DRC,), "已安排节能评审机构对接，项目资料齐全后20个工作日内出具审查意见。"),
    Case("approval", "危化品仓库改扩建审批",
         "现有甲类仓库需扩建约{b}0平方米，涉及危险化学品建设项目安全条件审查和工程规划许可，请协调两个部门并联办理。",
         (SAFETY, PLAN), "已开通并联审批，安全条件审查和规划许可同步受理。"),
    Case("approval", "不动产权证办理",
         "新厂区{b}亩土地出让金已缴清，厂房已竣工验收，申请办理不动产权证。",
         (LAND,), "已受理首次登记申请，权籍调查完成后7个工作日内发证。", wrong=PLAN),
    Case("approval", "厂区规划指标调整",
         "企业拟在现有厂区内新建研发楼，需将容积率由{r1}调整到{r2}，请协调规划调整。",
         (LAND,), "经会商，同意按程序调整控制性详细规划指标，已报规划委员会审议。",
         consult="涉及控制性详细规划调整，需会同规划建设局、发展改革局共同会商。",
         conclusion="会商同意按程序调整控规指标，规划委员会已审议通过，企业可办理规划许可。"),
    Case("approval", "特种设备使用登记",
         "新购{a}台压力容器和{c}台叉车需要办理使用登记，请协调上门指导。",
         (MARKET,), "已安排特种设备安全监察人员上门，现场办结使用登记。"),
    Case("approval", "营业执照经营范围变更",
         "公司新增医疗器械销售业务，需要变更营业执照经营范围，不清楚网上办理流程。",
         (), "已陪同企业在政务服务网提交变更申请，当天取得新营业执照。"),
    # 生产要素
    Case("factors", "用电增容申请",
         "二号车间新增{a}条生产线，需将变压器容量由{kva1}千伏安增至{kva2}千伏安，请协调供电公司现场勘察并出具增容方案。",
         (GRID,), "已完成现场勘察并出具增容方案，受电工程验收后3个工作日内送电。"),
    Case("factors", "厂区频繁停电影响生产",
         "近两周厂区发生{a}次非计划停电，每次约{b}分钟，造成在线产品报废，请供电公司排查线路。",
         (GRID,), "经排查为10千伏线路老化所致，已更换故障段，检修改在夜间进行。"),
    Case("factors", "双回路供电改造",
         "企业为连续生产型，单回路供电风险大，申请建设双回路供电，需新建专用线路约{a}公里。",
         (GRID,), "专用线路已纳入明年配网建设计划。",
         consult="专用线路走廊涉及规划和用地，需会同规划建设局、自然资源分局会商。",
         conclusion="会商确定线路走廊沿园区道路敷设，已纳入配网建设计划，计划三个月内完工。"),
    Case("factors", "天然气供气压力不足",
         "用气高峰期间窑炉燃气压力低于设计值，影响产品质量，请燃气公司核查管网压力。",
         (GAS,), "已对园区中压管网调压，并为企业加装稳压设备，压力已恢复正常。"),
    Case("factors", "天然气管道接入",
         "新建车间需要接入天然气，日用气量约{b}00立方米，请燃气公司出具接入方案。",
         (GAS,), "接入方案已出具，管道施工预计{b}天内完成。"),
    Case("factors", "蒸汽管网接入",
         "工艺改造后需要使用蒸汽，每小时约{a}吨，请协调接入园区集中供热管网。",
         (PLAN,), "已协调热力公司确定接入点，支管施工预计两周完成。"),
    Case("factors", "工业用水水压不足",
         "夏季用水高峰期厂区水压不足，冷却系统无法满负荷运行，请协调供水。",
         (PLAN,), "已协调供水公司调整加压泵站运行，厂区水压已恢复。"),
    Case("factors", "标准化厂房租赁",
         "订单增加，需要租赁约{b}00平方米标准化厂房，层高8米以上，希望就近解决。",
         (), "已推荐电子信息产业园3号标准化厂房，企业现场查看后已签订租赁意向。"),
    Case("factors", "流动资金贷款对接",
         "原材料集中备货需要流动资金约{money}万元，希望对接银行开展政银企合作贷款。",
         (FIN,), "已纳入本期“政银企”对接名单，合作银行下周上门对接，可享受风险补偿。"),
    # 政策兑现
    Case("policy", "技改补贴申报",
         "去年完成的智能化改造项目设备投资{money}万元，拟申报技改补贴，请帮助核对申报条件。",
         (DRC,), "经核对符合申报条件，已列入本年度技改补贴拟支持名单。"),
    Case("policy", "高企认定奖励兑现",
         "企业去年通过高新技术企业认定，按政策应获奖励{b}万元，至今未到账。",
         (FIN,), "奖励资金已完成审核，本月内拨付到企业账户。", wrong=SCI),
    Case("policy", "稳岗返还发放",
         "企业去年未裁员，符合失业保险稳岗返还条件，但一直没有收到返还资金。",
         (HR,), "经核查系企业银行账户信息有误，已更正并重新发放。", wrong=FIN),
    Case("policy", "研发费用加计扣除辅导",
         "企业首次申报研发费用加计扣除，对研发项目立项和费用归集不清楚，希望得到辅导。",
         (SCI,), "已安排专家上门辅导，并提供研发费用辅助账模板。"),
    Case("policy", "设备购置补助政策咨询",
         "想了解今年出台的设备购置补助政策是否适用于二手设备。",
         (), "已对照政策原文解答：二手设备不在支持范围，建议选择新设备并保留发票。"),
    Case("policy", "首台（套）保险补偿申报",
         "企业研制的新型设备入选首台（套）目录，拟申报保险补偿，请协助准备材料。",
         (SCI,), "申报材料已通过初审，已推荐至省级主管部门。"),
    # 用工人才
    Case("talent", "招聘技术工人",
         "新生产线投产需招聘数控操作工、电工共{people}人，希望参加专场招聘会。",
         (HR,), "已为企业预留下月专场招聘会展位，并将岗位推送至三所职业院校。"),
    Case("talent", "人才公寓申请",
         "新引进{a}名硕士研究生，申请入住园区人才公寓。",
         (HR,), "已安排{a}套人才公寓，本周内可办理入住。"),
    Case("talent", "博士后创新实践基地设立",
         "企业与高校合作开展研发，拟申请设立博士后创新实践基地，请指导申报。",
         (HR,), "已组织专家预审申报材料，符合条件，已推荐参加省级评审。"),
    Case("talent", "高校毕业生招聘对接",
         "企业计划招聘应届毕业生约{people}人，希望对接本地院校。",
         (), "已对接本地职业技术学院，推荐{c}名应届毕业生到企业面试。"),
    # 资质认定
    Case("qualification", "专精特新申报辅导",
         "企业拟申报省级专精特新中小企业，请帮助梳理申报材料。",
         (SCI,), "已组织申报辅导会，企业材料已通过初审。"),
    Case("qualification", "省级企业技术中心认定",
         "企业研发投入占营业收入比例达{c}%，拟申报省级企业技术中心，请指导。",
         (DRC,), "已将企业纳入今年推荐名单，请按通知时间报送材料。"),
    Case("qualification", "海关AEO高级认证辅导",
         "企业进出口额逐年增长，希望申请海关AEO高级认证，享受通关便利。",
         (CUSTOMS,), "已安排企业管理类专家实地辅导，预计下季度开展认证。"),
    Case("qualification", "商标侵权维权",
         "发现外地企业仿冒我公司注册商标销售产品，请协助维权。",
         (MARKET,), "已受理投诉并移交属地市场监管部门立案查处。"),
    # 基础设施
    Case("infrastructure", "园区路灯不亮",
         "{road}厂区门前约{b}0米路段路灯已连续{a}晚不亮，夜班员工上下班存在安全隐患。",
         (PLAN,), "已通知市政养护单位更换损坏灯具，当晚恢复照明。"),
    Case("infrastructure", "厂区门前道路破损",
         "{road}与厂区大门交接处路面塌陷，重载货车进出困难，请安排修复。",
         (PLAN,), "已安排道路养护单位修复，施工期间设置临时便道。"),
    Case("infrastructure", "雨水管网堵塞",
         "连续降雨后厂区门前雨水井堵塞，积水深约{b}厘米，请尽快疏通。",
         (PLAN,), "已安排管网养护单位疏通，并清理上游淤积。", wrong=ENV),
    Case("infrastructure", "厂区5G信号覆盖不足",
         "车间内5G信号弱，影响智能化改造后设备联网。",
         (), "已协调通信运营商在厂区北侧加装5G微基站，信号已覆盖车间。"),
    # 生活服务
    Case("living", "员工子女入学",
         "企业新引进{a}名技术骨干，子女需在园区附近学校就读，请协调学位。",
         (HR,), "已按人才子女入学政策协调学位，开学前可办理入学。"),
    Case("living", "通勤班车线路调整",
         "员工反映园区公交早晚高峰班次少，上下班不便。",
         (), "已协调公交公司在早晚高峰增开园区专线班次。"),
    Case("living", "职工食堂燃气接入",
         "新建职工食堂需要接入天然气，请燃气公司安排报装。",
         (GAS,), "报装已受理，燃气管道已完成安装并通气。"),
    # 其他
    Case("other", "进口设备通关",
         "从德国进口的{a}台生产设备已到港，清关材料需要补充，担心滞港产生费用，请海关指导。",
         (CUSTOMS,), "已开通绿色通道并指导补充材料，设备已办结通关放行。"),
    Case("other", "加工贸易手册核销",
         "加工贸易手册即将到期，核销时单耗数据与实际不符，请海关指导。",
         (CUSTOMS,), "已派员上门核查单耗，指导企业办理单耗变更后完成核销。"),
    Case("other", "安全隐患整改指导",
         "安全检查指出{a}项隐患，部分整改措施不确定是否符合要求，请联系专家指导。",
         (SAFETY,), "已安排安全生产专家上门指导，整改方案已确认。"),
    Case("other", "企业开放日邀请",
         "企业计划举办开放日活动，邀请管委会领导和相关部门参加。",
         (), "已转告分管领导，届时安排相关部门参加。"),
]
# For tools that want only the words (bench/scale.py).
TITLES = {category: [c.title for c in CASES if c.category == category] for category in ServiceRequest.Category.values}
REPLIES = [c.answer for c in CASES if c.departments]

ROADS = ["崤山路", "函谷路", "黄河路", "甘棠路", "湖滨大道", "上阳路", "文明路"]
PROGRESS = ["已召开第一次会商会，形成初步方案。", "方案已征求相关部门意见，正在修改完善。", "已赴现场踏勘，明确了技术条件。",
            "方案已报分管领导审定。", "已提交管委会主任办公会研究。", "相关部门意见已汇总，正在形成会议纪要。"]
REOPEN = ["部门答复后至今没有实际进展，请继续跟进。", "答复的办理时限太长，影响下月投产，请再协调。",
          "问题只解决了一部分，请继续协调。"]
FINDINGS = ["生产经营正常，订单饱满。", "企业产值同比增长约{b}%，用工需求平稳。", "企业反映原材料价格上涨，利润承压。",
            "新生产线正在调试，预计下月投产。", "宣讲了今年的技改补贴和稳岗返还政策。", "安全生产台账规范，无新增困难。",
            "企业计划扩产，正在选址。", "了解企业出口订单情况，海外市场回暖。"]

# How each department answers: the share in time at the start of the year and at its end, and the
# share answered only after weeks. The grades' spread comes from here, not from a formula.
HABITS = {
    DRC: (0.62, 0.80, 0.05), PLAN: (0.68, 0.85, 0.03), FIN: (0.74, 0.90, 0.02), MARKET: (0.88, 0.97, 0.0),
    SAFETY: (0.72, 0.88, 0.02), ENV: (0.76, 0.91, 0.01), HR: (0.84, 0.95, 0.0), SCI: (0.86, 0.97, 0.0),
    LAND: (0.62, 0.82, 0.04), GRID: (0.84, 0.96, 0.0), GAS: (0.78, 0.93, 0.01), CUSTOMS: (0.94, 0.99, 0.0),
}
# Stewards (by their place in ctx["stewards"]) who often accept late and report back slowly: one in
# each of the first four workstations (the demo head's among them). Their enterprises are the ones
# that rate them unsatisfied (evaluations.demo).
SLOW_STEWARDS = {6, 13, 20, 27}
# The enterprises (by their place in ctx["enterprises"]) left without a steward: one in each of
# the first four workstations, the demo head's among them.
UNCOVERED = {144, 145, 146, 147}


def _slots(rng: random.Random) -> dict:
    money = rng.randrange(300, 3000, 50)
    a = rng.randint(2, 5)
    return {"a": a, "b": rng.randint(12, 60), "c": a + rng.randint(1, 4), "kva1": rng.choice([630, 800, 1000]),
            "kva2": rng.choice([1250, 1600, 2000]), "money": money, "money2": money + rng.randrange(200, 1500, 50),
            "people": rng.randint(8, 60), "road": rng.choice(ROADS), "r1": "1.2", "r2": rng.choice(["1.6", "1.8", "2.0"])}


@transaction.atomic
def build_stewards(ctx: dict) -> None:
    """Adds ``stewards`` to ``ctx`` (from enterprises.demo.build): a steward record for each
    steward login, and for each enterprise that never had one a steward of its workstation, named
    by the workstation's head (at the replay's launch). Draws nothing at random."""
    stewards = [Steward.objects.get_or_create(user=user, defaults={"title": "服务专员"})[0]
                for user in ctx["steward_users"]]
    heads = {h.workstation_id: h for h in ctx["heads"]}
    for i, enterprise in enumerate(ctx["enterprises"]):
        if i in UNCOVERED or StewardAssignment.objects.filter(enterprise=enterprise).exists():
            continue
        same_ws = [s for s in stewards if s.user.workstation_id == enterprise.workstation_id]
        services.steward_assign(enterprise=enterprise, steward=same_ws[i % len(same_ws)],
                                actor=heads[enterprise.workstation_id], note="按片区分配服务管家")
    ctx["stewards"] = stewards
    _leader_serves(ctx, heads)


def _leader_serves(ctx: dict, heads: dict) -> None:
    """Every cadre serves (issue 16, 全员): the `leader` login serves one enterprise of the demo
    head's workstation too, named by that head from the assign page's "another cadre"."""
    leader = User.objects.get(username="leader")
    if Steward.objects.filter(user=leader).exists():
        return
    head = ctx["heads"][0]
    demo_steward = ctx["stewards"][0]
    enterprise = next(e for i, e in enumerate(ctx["enterprises"]) if i and i not in UNCOVERED
                      and e.workstation_id == head.workstation_id
                      and not StewardAssignment.objects.active().filter(enterprise=e, steward=demo_steward).exists())
    services.steward_assign_person(enterprise=enterprise, user=leader, actor=head, note="领导干部联系服务企业（全员服务）")


def build(ctx: dict, rng: random.Random) -> None:
    """The stewards and whom they serve; with a replay in ``ctx`` (portal.demo), the year's work."""
    build_stewards(ctx)
    replay = ctx.get("replay")
    if replay is None:
        return
    zone = Zone(ctx, rng)
    # The beat task of this app: every minute in production; here just after the moments anything
    # falls due (deadlines at 00:00 after a working day, reminders at 09:00 of one), which puts
    # every effect at its time. Delivering the notifications is the running system's work.
    calendar = replay.calendar

    def sweep():
        services.deadline_sweep(send_notifications=False)

    replay.daily(sweep, hour=0, minute=1, days=lambda day: calendar.is_workday(day - dt.timedelta(days=1)))
    replay.daily(sweep, hour=9, minute=1, days=calendar.is_workday)
    replay.daily(zone.forget_stewards, hour=0, minute=2)
    replay.daily(services.reply_months_refresh, hour=0, minute=20)  # the leader's on-time chart, nightly
    replay.schedule(replay.at(local_date(replay.start), 7), zone.requests_of_each_day())
    replay.schedule(replay.at(local_date(replay.start), 7, 5), zone.visits_of_each_month())
    replay.schedule(replay.at(local_date(replay.start), 7, 10), zone.complaint_meetings())
    zone.pin_today()


class Zone:
    """The people of the zone and how each behaves; its methods are the replay's stories."""

    def __init__(self, ctx: dict, rng: random.Random):
        self.ctx, self.rng, self.replay = ctx, rng, ctx["replay"]
        self.enterprises = ctx["enterprises"]
        self.departments = {d.name: d for d in ctx["departments"]}
        self.heads = {h.workstation_id: h for h in ctx["heads"]}
        self.users = {u.enterprise_id: u for u in ctx["enterprise_users"]}
        self.dept_users = {}
        for user in User.objects.filter(role=Role.DEPARTMENT).order_by("-is_department_head", "pk"):
            self.dept_users.setdefault(user.department_id, []).append(user)
        self.slow = {ctx["stewards"][i].user_id for i in SLOW_STEWARDS}
        served = [e for i, e in enumerate(self.enterprises) if i not in UNCOVERED]
        # Some enterprises ask often, most now and then; the demo enterprise's today is pinned.
        self.askers = served[1:]
        self.weights = [rng.choice([0.4, 0.7, 1, 1, 1.5, 2.5]) for _ in self.askers]
        self.leader = User.objects.get(username="leader")
        self._stewards: dict = {}
        self.visited: set = set()  # (enterprise id, month)
        # Who serves whom is read once and forgotten whenever an assignment changes (and daily).
        post_save.connect(self.forget_stewards, sender=StewardAssignment, weak=True)

    # --- who acts

    def forget_stewards(self, *args, **kwargs) -> None:
        self._stewards.clear()

    def steward_of(self, enterprise) -> User | None:
        """Whoever serves the enterprise now: its steward, or else the head of its workstation."""
        if not self._stewards:
            self._stewards.update((a.enterprise_id, a.steward.user) for a in StewardAssignment.objects.active()
                                  .select_related("steward__user"))
        return self._stewards.get(enterprise.pk) or self.heads.get(enterprise.workstation_id)

    def department_user(self, department_id, rng) -> User:
        users = self.dept_users[department_id]
        return users[0] if len(users) == 1 or rng.random() < 0.6 else users[1]

    def habit(self, department) -> tuple[float, float]:
        """(share answered in time, share answered only after weeks) at this point of the year."""
        start, end, slow = HABITS.get(department.name, (0.8, 0.9, 0.0))
        replay = self.replay
        share = (replay.now - replay.start) / (replay.end - replay.start)
        return start + (end - start) * max(0.0, min(1.0, share)), slow

    # --- a request, from the enterprise's first word to its close

    def request(self, enterprise, case: Case, *, channel: str = "web", rng: random.Random | None = None,
                accept_late: bool | None = None):
        """A request story: submitted (or logged by the steward after a phone call) now, then taken
        through its life; yields the moments of its next steps."""
        rng = rng or random.Random(self.rng.random())
        replay, slots = self.replay, _slots(rng)
        urgency = "urgent" if rng.random() < 0.15 else "normal"
        description = case.description.format(**slots)
        steward = self.steward_of(enterprise)
        if channel == "web":
            r = services.request_submit(actor=self.users[enterprise.pk], category=case.category, title=case.title,
                                        description=description, urgency=urgency)
            if accept_late is None:
                accept_late = rng.random() < (0.35 if steward.pk in self.slow else 0.04)
            yield replay.later(rng, rng.randint(2, 3) if accept_late else rng.choice([0, 0, 0, 1]))
            r = services.request_accept(request=r, actor=self.steward_of(enterprise))
        else:
            r = services.request_log_on_behalf(actor=steward, enterprise=enterprise, channel=channel,
                                               category=case.category, title=case.title,
                                               description=f"企业来电反映：{description}", urgency=urgency)
        yield from self.handle(r, case, slots, rng)

    def handle(self, r: ServiceRequest, case: Case, slots: dict, rng: random.Random, *, again: bool = False):
        """The steward solves it or blows the whistle, reports back, and the enterprise answers."""
        replay = self.replay
        slow = self.steward_of(r.enterprise).pk in self.slow
        if not case.departments or (again and rng.random() < 0.5):
            yield replay.later(rng, rng.randint(1, 4) if slow else rng.randint(0, 2))
            report = case.answer.format(**slots) if not again else "已再次协调，问题已解决，请确认。"
            services.request_resolve_directly(request=r, actor=self.steward_of(r.enterprise), report=report)
        else:
            yield replay.later(rng, rng.choice([0, 0, 1]))
            departments = [self.departments[name] for name in (case.departments[:1] if again else case.departments)]
            if case.wrong and not again and rng.random() < 0.2:
                # Sent first where it seemed to belong; returned, then on to the right department.
                wrong = self.departments[case.wrong]
                yield from self.escalate(r, case, slots, rng, [wrong], returned_for=departments[0])
                yield replay.later(rng, rng.choice([0, 1]))
            yield from self.escalate(r, case, slots, rng, departments)
            yield from self.report_back(r, rng, slow=slow)
        yield from self.enterprise_answers(r, case, slots, rng, again=again)

    def escalate(self, r, case, slots, rng, departments, *, returned_for=None):
        """Blow the whistle to ``departments``; each answers in its own story; wait for them all."""
        replay = self.replay
        reason = f"{r.enterprise.name}反映：{r.title}。请贵单位按职责办理，并在三个工作日内答复。"
        escalations = services.request_escalate(request=r, actor=self.steward_of(r.enterprise),
                                                departments=departments, reason=reason)
        for e in escalations:
            replay.schedule(replay.now, self.department_answers(e, case, slots, random.Random(rng.random()),
                                                                returned_for=returned_for))
        if rng.random() < 0.5:
            replay.schedule(replay.later(rng, 5), self.nudge(r, escalations, rng))
        yield from self.wait_for_answers(r, escalations)

    def wait_for_answers(self, r, escalations):
        while Escalation.objects.filter(pk__in=[e.pk for e in escalations]).open().exists():
            yield self.replay.wait(("answered", r.pk))

    def nudge(self, r, escalations, rng):
        """A week on with no answer, the enterprise asks, and the steward tells it what it did."""
        if not Escalation.objects.filter(pk__in=[e.pk for e in escalations]).open().exists():
            return
        services.request_comment(request=r, actor=self.users[r.enterprise_id], body="请问部门有答复了吗？我们这边比较急。")
        yield self.replay.later(rng, 0)
        services.request_comment(request=r, actor=self.steward_of(r.enterprise),
                                 body="已电话催办，部门表示尽快答复，有进展第一时间告诉您。")

    def report_back(self, r, rng, *, slow: bool):
        yield self.replay.later(rng, rng.randint(1, 5) if slow else rng.choice([0, 0, 1, 2]))
        self.report(r)

    def report(self, r):
        answers = [f"{e.department.short_name or e.department.name}答复：{(e.reply or e.conclusion).rstrip('。')}"
                   for e in r.escalations.filter(status__in=[Escalation.Status.REPLIED, Escalation.Status.CONCLUDED])
                   .select_related("department").order_by("pk")]
        services.request_report_back(request=r, actor=self.steward_of(r.enterprise),
                                     report="；".join(answers) + "。请确认问题是否解决。")

    def enterprise_answers(self, r, case, slots, rng, *, again: bool):
        roll = rng.random()
        if roll < 0.72 or (again and roll < 0.85):
            yield self.replay.later(rng, rng.randint(0, 3))
            services.request_confirm(request=r, actor=self.users[r.enterprise_id])
        elif roll < 0.9 or again:
            return  # no answer: the sweep closes it after five working days
        else:
            yield self.replay.later(rng, rng.randint(1, 3))
            services.request_reopen(request=r, actor=self.users[r.enterprise_id], reason=rng.choice(REOPEN))
            yield from self.handle(r, case, slots, rng, again=True)

    def department_answers(self, e: Escalation, case: Case, slots: dict, rng: random.Random, *, returned_for=None):
        """A department's answer to one escalation: in time, late, after weeks, under joint
        consultation, or returned as not its business."""
        replay = self.replay
        department = e.department
        last_day = last_workday(e.due_at)
        if returned_for is not None:
            yield replay.later(rng, rng.choice([0, 1]))
            services.escalation_return(escalation=e, actor=self.department_user(department.pk, rng),
                                       reason=f"该事项不属于本单位职责，建议转{returned_for.name}办理。")
            replay.wake(("answered", e.request_id))
            return
        in_time, after_weeks = self.habit(department)
        if case.consult and rng.random() < 0.7:
            yield replay.later(rng, rng.choice([0, 1, 2]))
            services.escalation_mark_consultation(escalation=e, actor=self.department_user(department.pk, rng),
                                                  reason=case.consult)
            for k in range(rng.randint(2, 5)):
                e.refresh_from_db()
                due = e.next_progress_due_at
                if rng.random() < 0.15:  # this period's report is missed: the sweep notes it
                    yield due + dt.timedelta(hours=10)
                    e.refresh_from_db()
                    due = e.next_progress_due_at
                yield replay.at(last_workday(due), rng.randint(14, 17), rng.randint(0, 59))
                services.escalation_progress_report(escalation=e, actor=self.department_user(department.pk, rng),
                                                    text=PROGRESS[k % len(PROGRESS)])
            yield replay.later(rng, rng.randint(1, 3))
            services.escalation_conclude(escalation=e, actor=self.department_user(department.pk, rng),
                                         conclusion=case.conclusion or case.answer.format(**slots))
            replay.wake(("answered", e.request_id))
            return
        roll = rng.random()
        if roll < in_time:
            when = replay.later(rng, rng.choice([0, 1, 1, 2, 2, 3]))
            if when >= e.due_at:
                when = replay.at(last_day, rng.randint(9, 16), rng.randint(0, 59))
        elif roll < in_time + after_weeks:
            when = replay.later(rng, rng.randint(12, 35), after=replay.at(last_day, 18))
        else:
            when = replay.later(rng, rng.randint(1, 6), after=replay.at(last_day, 18))
        yield when
        services.escalation_reply(escalation=e, actor=self.department_user(department.pk, rng),
                                  reply=case.answer.format(**slots))
        replay.wake(("answered", e.request_id))

    # --- the year's flow

    def requests_of_each_day(self):
        """Every working day a few enterprises ask for help, on the web or by phone (one or two a day)."""
        replay, rng = self.replay, random.Random(self.rng.random())
        day = local_date(replay.start)
        while True:
            if replay.calendar.is_workday(day):
                for _n in range(rng.choice([0, 1, 1, 1, 2, 2, 2, 3, 3])):
                    enterprise = rng.choices(self.askers, self.weights)[0]
                    case = rng.choice(CASES)
                    channel = "phone" if rng.random() < 0.15 else "web"
                    when = replay.at(day, rng.randint(8, 17), rng.randint(0, 59))
                    replay.schedule(when, self.request(enterprise, case, channel=channel, rng=random.Random(rng.random())))
            day += dt.timedelta(days=1)
            yield replay.at(day, 7)

    def visits_of_each_month(self):
        """At the start of each month every steward plans a visit to most of its enterprises."""
        replay, rng = self.replay, random.Random(self.rng.random())
        month = month_start(local_date(replay.start))
        while True:
            days = replay.workdays_between(month, next_month_start(month) - dt.timedelta(days=1))
            for a in (StewardAssignment.objects.active().select_related("enterprise", "steward")
                      .order_by("enterprise_id")):
                if rng.random() < (0.55 if a.steward.user_id in self.slow else 0.85):
                    when = replay.at(rng.choice(days), rng.randint(9, 16), rng.randint(0, 59))
                    replay.schedule(when, self.visit(a.enterprise, random.Random(rng.random())))
            month = next_month_start(month)
            yield replay.at(month, 7, 5)

    def visit(self, enterprise, rng):
        steward = self.steward_of(enterprise)
        visited = (enterprise.pk, month_start(self.replay.today))
        # A head serving in the meantime does not visit; a leader serving as a steward does (issue 16).
        if steward is None or steward.role not in (Role.STEWARD, Role.LEADER) or visited in self.visited:
            return
        self.visited.add(visited)
        findings = rng.choice(FINDINGS).format(**_slots(rng))
        case = rng.choice([c for c in CASES if c.category in ("talent", "policy", "factors")]) \
            if rng.random() < 0.06 else None
        slots = _slots(rng)
        visit = services.visit_log(
            actor=steward, enterprise=enterprise, visited_on=self.replay.today, findings=findings,
            requests=[{"category": case.category, "title": case.title,
                       "description": f"走访发现：{case.description.format(**slots)}"}] if case else None)
        if case:
            r = ServiceRequest.objects.get(visit=visit)
            yield from self.handle(r, case, slots, rng)

    def complaint_meetings(self):
        """Every other month the leaders hold a complaint meeting (吐槽大会): items are recorded
        and dispatched to their department, or left for a department to claim."""
        replay, rng = self.replay, random.Random(self.rng.random())
        month = next_month_start(local_date(replay.start))
        meetings = []
        while month <= local_date(replay.end):
            last = next_month_start(month) - dt.timedelta(days=1)
            thursday = last - dt.timedelta(days=(last.weekday() - 3) % 7)
            meetings.append(replay.workday(thursday))
            month = next_month_start(next_month_start(month))
        meetings = [m for m in meetings if replay.at(m, 15) <= replay.end]
        for n, day in enumerate(meetings):
            yield replay.at(day, 15)
            latest = n == len(meetings) - 1
            for k in range(rng.randint(4, 6)):
                enterprise = rng.choice(self.askers)
                case = rng.choice([c for c in CASES if c.departments])
                slots = _slots(rng)
                department = self.departments[case.departments[0]]
                description = f"{enterprise.name}在吐槽大会上反映：{case.description.format(**slots)}"
                dispatch = k % 3 != 2
                item = services.ledger_item_record(
                    actor=self.leader, enterprise=enterprise, title=case.title, description=description,
                    meeting_date=day, category=case.category, department=department if dispatch else None,
                    reason="吐槽大会交办事项，请按时答复。" if dispatch else "")
                story_rng = random.Random(rng.random())
                if dispatch:
                    replay.schedule(replay.now, self.ledger_follow_up(item, case, slots, story_rng))
                elif not (latest and k % 2 == 0):
                    replay.schedule(replay.later(rng, rng.randint(1, 3)),
                                    self.ledger_claim(item, department, case, slots, story_rng))

    def ledger_claim(self, item, department, case, slots, rng):
        item = services.ledger_item_claim(item=item, actor=self.department_user(department.pk, rng))
        yield from self.ledger_follow_up(item, case, slots, rng)

    def ledger_follow_up(self, item, case, slots, rng):
        r = item.request
        escalations = list(r.escalations.all())
        for e in escalations:
            self.replay.schedule(self.replay.now, self.department_answers(e, case, slots, random.Random(rng.random())))
        yield from self.wait_for_answers(r, escalations)
        yield from self.report_back(r, rng, slow=self.steward_of(r.enterprise).pk in self.slow)
        yield from self.enterprise_answers(r, case, slots, rng, again=False)

    # --- today's work of the demo logins

    def pin_today(self):
        """Stories that end in a known state at the build's moment, so each demo login has work."""
        replay = self.replay
        enterprises = self.enterprises
        base = local_date(replay.end)
        while not (replay.calendar.is_workday(base) and replay.at(base, 8, 30) < replay.end):
            base -= dt.timedelta(days=1)

        def ago(n, hour, minute=0):
            day = base
            while n > 0:
                day -= dt.timedelta(days=1)
                if replay.calendar.is_workday(day):
                    n -= 1
            return replay.at(day, hour, minute)

        by_title = {c.title: c for c in CASES}
        drc = self.departments[DRC]
        home = enterprises[0]  # the `enterprise` login, served by the `steward` login
        rng = random.Random(2026)

        def story(at, steps):
            replay.schedule(at, steps)

        def new_today():
            services.request_submit(actor=self.users[home.pk], category="factors", title="用电增容申请",
                                    description=by_title["用电增容申请"].description.format(**_slots(rng)))
        story(ago(0, 8, 10), new_today)

        def due_today():  # escalated to 发改 three working days ago: today is its last day
            case = by_title["技改补贴申报"]
            r = services.request_submit(actor=self.users[home.pk], category=case.category, title=case.title,
                                        description=case.description.format(**_slots(rng)))
            yield ago(3, 9, 40)
            services.request_accept(request=r, actor=self.steward_of(home))
            yield ago(3, 10, 30)
            services.request_escalate(request=r, actor=self.steward_of(home), departments=[drc],
                                      reason=f"{home.name}反映：{case.title}。请贵单位核对申报条件，并在三个工作日内答复。")
        story(ago(4, 15), due_today)

        def to_confirm():  # answered by both departments; reported yesterday
            case = by_title["危化品仓库改扩建审批"]
            r = services.request_submit(actor=self.users[home.pk], category=case.category, title=case.title,
                                        description=case.description.format(**_slots(rng)))
            yield ago(8, 10)
            services.request_accept(request=r, actor=self.steward_of(home))
            yield ago(7, 11)
            a, b = services.request_escalate(request=r, actor=self.steward_of(home),
                                             departments=[self.departments[SAFETY], self.departments[PLAN]],
                                             reason="危化品仓库改扩建需安全条件审查和规划许可并联办理，请在三个工作日内答复。")
            yield ago(5, 15)
            services.escalation_reply(escalation=a, actor=self.department_user(a.department_id, rng), reply=case.answer)
            yield ago(4, 11)
            services.escalation_reply(escalation=b, actor=self.department_user(b.department_id, rng),
                                      reply="规划许可已同步受理，材料齐全，5个工作日内核发。")
            yield ago(1, 10)
            self.report(r)
        story(ago(8, 9), to_confirm)

        def consultation():  # 发改 took it to joint consultation and reports progress
            case = by_title["节能审查意见办理"]
            r = services.request_submit(actor=self.users[home.pk], category=case.category, title=case.title,
                                        description=case.description.format(**_slots(rng)))
            yield ago(12, 10)
            services.request_accept(request=r, actor=self.steward_of(home))
            yield ago(11, 11)
            (e,) = services.request_escalate(request=r, actor=self.steward_of(home), departments=[drc],
                                             reason="项目能耗指标需统筹解决，请发改局牵头办理。")
            yield ago(10, 16)
            user = self.department_user(drc.pk, rng)
            services.escalation_mark_consultation(escalation=e, actor=user,
                                                  reason="能耗指标需市级统筹，需会同财政局、生态环境分局共同会商。")
            for k, n in enumerate((8, 5, 2)):
                yield ago(n, 16)
                services.escalation_progress_report(escalation=e, actor=user, text=PROGRESS[k])
        story(ago(13, 9), consultation)

        steward_home = self.steward_of(home)
        mine = [a.enterprise for a in StewardAssignment.objects.active().filter(steward__user=steward_home)
                .select_related("enterprise").order_by("pk") if a.enterprise_id != home.pk]

        def overdue_at_drc():  # another of the demo steward's enterprises waits on 发改, overdue
            enterprise = mine[0]
            case = by_title["省级企业技术中心认定"]
            r = services.request_submit(actor=self.users[enterprise.pk], category=case.category, title=case.title,
                                        description=case.description.format(**_slots(rng)))
            yield ago(7, 14)
            services.request_accept(request=r, actor=self.steward_of(enterprise))
            yield ago(7, 15)
            services.request_escalate(request=r, actor=self.steward_of(enterprise), departments=[drc],
                                      reason=f"{enterprise.name}拟申报省级企业技术中心，请发改局指导并在三个工作日内答复。")
            yield ago(2, 10)
            services.request_comment(request=r, actor=self.users[enterprise.pk], body="请问发改局有答复了吗？申报截止日快到了。")
            yield ago(2, 11)
            services.request_comment(request=r, actor=self.steward_of(enterprise),
                                     body="已电话催办并报告分管领导，发改局表示本周内答复。")
        story(ago(8, 10), overdue_at_drc)

        def ready_to_report():  # answered in time today: the demo steward reports back next
            enterprise = mine[1]
            case = by_title["招聘技术工人"]
            r = services.request_submit(actor=self.users[enterprise.pk], category=case.category, title=case.title,
                                        description=case.description.format(**_slots(rng)))
            yield ago(2, 11)
            services.request_accept(request=r, actor=self.steward_of(enterprise))
            (e,) = services.request_escalate(request=r, actor=self.steward_of(enterprise),
                                             departments=[self.departments[HR]],
                                             reason=f"{enterprise.name}新生产线招工，请人社局对接招聘会。")
            yield ago(0, 8, 20)
            services.escalation_reply(escalation=e, actor=self.department_user(e.department_id, rng), reply=case.answer)
        story(ago(3, 9), ready_to_report)

        def accepted():  # taken yesterday; the demo steward is looking for a building
            enterprise = mine[2]
            case = by_title["标准化厂房租赁"]
            r = services.request_submit(actor=self.users[enterprise.pk], category=case.category, title=case.title,
                                        description=case.description.format(**_slots(rng)))
            yield ago(1, 16)
            services.request_accept(request=r, actor=self.steward_of(enterprise))
        story(ago(1, 14), accepted)

        head_ws = self.ctx["heads"][0].workstation_id
        east = [e for i, e in enumerate(enterprises) if e.workstation_id == head_ws and i not in UNCOVERED
                and e.pk != home.pk and e not in mine]

        def not_accepted():  # the demo head's worklist: not accepted in time
            case = by_title["人才公寓申请"]
            services.request_submit(actor=self.users[east[0].pk], category=case.category, title=case.title,
                                    description=case.description.format(**_slots(rng)))
        story(ago(3, 16), not_accepted)

        def reopened():
            case = by_title["通勤班车线路调整"]
            enterprise = east[1]
            r = services.request_submit(actor=self.users[enterprise.pk], category=case.category, title=case.title,
                                        description=case.description.format(**_slots(rng)))
            yield ago(4, 9, 30)
            services.request_accept(request=r, actor=self.steward_of(enterprise))
            yield ago(3, 15)
            services.request_resolve_directly(request=r, actor=self.steward_of(enterprise), report=case.answer)
            yield ago(1, 9)
            services.request_reopen(request=r, actor=self.users[enterprise.pk],
                                    reason="专线只在早高峰增开了一班，晚高峰仍然不够，请继续协调。")
        story(ago(5, 9), reopened)

        def returned():  # sent to 应急 first, returned, now with 生态环境分局
            case = by_title["排污许可证变更"]
            enterprise = east[2]
            r = services.request_submit(actor=self.users[enterprise.pk], category=case.category, title=case.title,
                                        description=case.description.format(**_slots(rng)))
            yield ago(3, 10)
            (e,) = services.request_escalate(request=r, actor=self.steward_of(enterprise),
                                             departments=[self.departments[SAFETY]],
                                             reason=f"{enterprise.name}排污许可证变更，请办理。")
            yield ago(2, 10)
            services.escalation_return(escalation=e, actor=self.department_user(e.department_id, rng),
                                       reason="排污许可不属于本单位职责，建议转生态环境分局办理。")
            yield ago(2, 11)
            services.request_escalate(request=r, actor=self.steward_of(enterprise),
                                      departments=[self.departments[ENV]],
                                      reason=f"{enterprise.name}排污许可证变更，请在三个工作日内答复。")
        story(ago(4, 9), returned)

        def direct_line():  # 一键直达: the demo steward raises the one overdue at 发改 to the demo head
            steward = self.ctx["stewards"][0]
            late = Escalation.objects.filter(request__steward=steward, overdue_at__isnull=False,
                                             status=Escalation.Status.OPEN).select_related("request").order_by("pk")
            escalation = late.first()
            if escalation is not None:
                services.direct_line_raise(request=escalation.request, actor=steward.user, escalation=escalation,
                                           note="发改局已超期未答复，多次电话催办无果，请站长出面协调。")
        story(ago(0, 9, 20), direct_line)

        def visits_this_month():  # the demo steward has visited two of its enterprises this month
            for n, enterprise in enumerate([home, mine[0]]):
                yield ago(1 - n, 10 - 2 * n)
                yield from self.visit(enterprise, rng)
        story(ago(1, 9), visits_this_month)

