"""The projects' part of the demo zone, lived on the replay's clock (``zonehub.demo.Replay``):

- 40 major projects, each invested by an enterprise of its own industry chain (a flotation reagent
  plant by a chemical company, a medical device centre by a medical device maker), moving through
  their stages with the approvals each stage needs: filing, energy and environmental assessment
  from signing, the land-use planning permit with the land, works planning and the construction
  permit before construction, the fire safety acceptance before completion, never sooner. The
  projects signed before the zone's launch were entered then, with their dates; the others move
  on the day they do, as do their approvals (some slow, a few blocked) and construction nodes;
- this year's five-key list (60 items, each with the unit whose work it is): made by the leaders
  in the first week of January; the units mark their nodes done in time, late, or not yet, each
  in its habit (``stewards.demo.HABITS``); three unassigned items are claimed in January, three
  added late in the year wait for a unit; supervision notes on lagging items;
- the app's beat tasks (``projects.tasks``): the supervision sweep every morning and the monthly
  assessment, which scores each month on its first working day.

Running it again adds nothing."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from functools import partial

from projects import services, tasks
from projects.models import STAGE_ORDER, Approval, Category, FiveKeyItem, ProjectStewardAssignment, Stage
from stewards.demo import HABITS, UNCOVERED
from stewards.models import StewardAssignment
from zonehub.models import Role, User
from zonehub.workdays import local_date, next_month_start, start_of_day

# name, industry chain, the trades of an enterprise that would invest in it, stage reached now.
PROJECTS = [
    ("铝合金轮毂扩产项目", "新材料", ("铝业", "合金材料"), Stage.CONSTRUCTION),
    ("高纯硅烷材料项目", "新材料", ("新材料",), Stage.PRODUCTION),
    ("锂电铜箔精密加工项目", "新材料", ("铜箔",), Stage.LAND),
    ("高端铝板带箔生产线项目", "新材料", ("铝业",), Stage.COMPLETED),
    ("钛合金精密铸件项目", "新材料", ("合金材料",), Stage.SIGNED),
    ("石墨烯导热膜项目", "新材料", ("新材料",), Stage.NEGOTIATING),
    ("电子级铜箔二期项目", "新材料", ("铜箔",), Stage.CONSTRUCTION),
    ("专用汽车底盘总装项目", "装备制造", ("汽车零部件", "重工"), Stage.CONSTRUCTION),
    ("割胶机器人生产基地项目", "装备制造", ("智能装备",), Stage.LAND),
    ("智能装备制造基地项目", "装备制造", ("智能装备", "精密机械"), Stage.PRODUCTION),
    ("精密减速器生产线项目", "装备制造", ("精密机械",), Stage.SIGNED),
    ("矿山重型装备再制造项目", "装备制造", ("重工",), Stage.CONSTRUCTION),
    ("新能源汽车电驱壳体项目", "装备制造", ("汽车零部件",), Stage.NEGOTIATING),
    ("工业机器人集成应用项目", "装备制造", ("智能装备",), Stage.COMPLETED),
    ("半导体封装测试项目", "电子信息", ("半导体",), Stage.CONSTRUCTION),
    ("电子信息产业园三期项目", "电子信息", ("电子科技", "信息技术"), Stage.LAND),
    ("光电显示模组项目", "电子信息", ("光电",), Stage.PRODUCTION),
    ("工业互联网数据中心项目", "电子信息", ("信息技术",), Stage.SIGNED),
    ("功率半导体器件项目", "电子信息", ("半导体",), Stage.CONSTRUCTION),
    ("智能终端制造项目", "电子信息", ("电子科技",), Stage.NEGOTIATING),
    ("激光器件产业化项目", "电子信息", ("光电",), Stage.COMPLETED),
    ("综合制剂智能化技术改造项目", "生物医药", ("制药",), Stage.CONSTRUCTION),
    ("生物医药创新园项目", "生物医药", ("生物科技",), Stage.LAND),
    ("医疗器械研发中心项目", "生物医药", ("医疗器械",), Stage.PRODUCTION),
    ("中药配方颗粒生产线项目", "生物医药", ("制药",), Stage.SIGNED),
    ("体外诊断试剂项目", "生物医药", ("生物科技", "医疗器械"), Stage.CONSTRUCTION),
    ("康复辅具产业化项目", "生物医药", ("健康科技",), Stage.NEGOTIATING),
    ("新能源储能电站项目", "新能源", ("储能科技",), Stage.CONSTRUCTION),
    ("光伏组件智能工厂项目", "新能源", ("光伏",), Stage.PRODUCTION),
    ("氢能装备产业园项目", "新能源", ("氢能",), Stage.LAND),
    ("锂电池负极材料二期项目", "新能源", ("新能源", "储能科技"), Stage.COMPLETED),
    ("分布式光伏开发项目", "新能源", ("光伏",), Stage.SIGNED),
    ("储能电池系统集成项目", "新能源", ("储能科技",), Stage.CONSTRUCTION),
    ("年产10万吨浮选捕收剂项目", "绿色化工", ("化工", "精细化工"), Stage.CONSTRUCTION),
    ("氯代苯甲腈及氯代苯甲酸项目", "绿色化工", ("精细化工",), Stage.PRODUCTION),
    ("精细化工中试基地项目", "绿色化工", ("精细化工", "化工"), Stage.LAND),
    ("绿色建材产业园项目", "绿色化工", ("新型建材",), Stage.SIGNED),
    ("工业固废综合利用项目", "绿色化工", ("环保科技",), Stage.CONSTRUCTION),
    ("装配式建筑构件项目", "绿色化工", ("新型建材",), Stage.NEGOTIATING),
    ("危废资源化处置项目", "绿色化工", ("环保科技",), Stage.COMPLETED),
]
PROJECT_NAMES = [name.removesuffix("项目") for name, *_ in PROJECTS]  # for bench/scale.py

# How long a project stays in each stage (days, from .. to), and how long it has been in the one
# it has reached now.
STAGE_DAYS = {Stage.NEGOTIATING: (45, 150), Stage.SIGNED: (60, 150), Stage.LAND: (30, 100),
              Stage.CONSTRUCTION: (240, 480), Stage.COMPLETED: (20, 80)}
DWELL = {Stage.NEGOTIATING: (20, 200), Stage.SIGNED: (20, 140), Stage.LAND: (20, 110),
         Stage.CONSTRUCTION: (40, 420), Stage.COMPLETED: (8, 60), Stage.PRODUCTION: (30, 480)}

FILING, LAND_PLANNING, WORKS, PERMIT = (Approval.Kind.FILING, Approval.Kind.LAND_PLANNING,
                                        Approval.Kind.WORKS_PLANNING, Approval.Kind.CONSTRUCTION)
EIA, ENERGY, FIRE = Approval.Kind.EIA, Approval.Kind.ENERGY, Approval.Kind.FIRE
# Each approval: its department, the stage whose date it is applied for from (days after it, from ..
# to; negative: before the stage after it), how long it takes (days), and the days it is due in.
APPROVALS = [
    (FILING, "发展改革局", Stage.SIGNED, (0, 3), (5, 15), 15),
    (ENERGY, "发展改革局", Stage.SIGNED, (5, 20), (25, 60), 40),
    (EIA, "生态环境分局", Stage.SIGNED, (10, 30), (30, 80), 60),
    (LAND_PLANNING, "自然资源分局", Stage.LAND, (-35, -25), (20, 32), 30),
    (WORKS, "规划建设局", Stage.LAND, (5, 20), (15, 30), 30),
    (PERMIT, "规划建设局", Stage.CONSTRUCTION, (-40, -25), (15, 30), 20),
    (FIRE, "规划建设局", Stage.COMPLETED, (-45, -30), (20, 40), 20),
]
BLOCKED = {LAND_PLANNING: "用地指标待省厅批复", EIA: "公示期间收到异议，需补充论证", ENERGY: "能耗指标需市级统筹"}
CONSTRUCTION_NODES = [("地基处理", 0.15), ("主体结构施工", 0.4), ("主体结构封顶", 0.6), ("设备安装调试", 0.85),
                      ("竣工验收", 1.0)]

# The five-key list: per category, (title, responsible unit, how it comes): "" a unit's from the
# start, "claim" added unassigned in January and claimed, "late" added unassigned late in the year.
FIVEKEY_ITEMS = {
    Category.KEY_ENTERPRISES: [
        ("支持龙头企业综合制剂车间满产", "发展改革局", ""), ("推动专精特新企业申报国家级小巨人", "科技创新局", ""),
        ("帮助高新技术企业新增产能", "发展改革局", ""), ("培育规上工业企业10家", "发展改革局", ""),
        ("支持企业技术中心升级", "科技创新局", ""), ("推动企业上市辅导备案", "财政局", ""),
        ("保障重点企业用电专线", "国网供电公司", ""), ("帮助企业引进高端人才", "人力资源和社会保障局", ""),
        ("推动企业数字化改造", "科技创新局", ""), ("支持企业开拓海外市场", "海关", ""),
        ("服务瞪羚企业融资", "财政局", ""), ("落实重点企业“一企一策”", "发展改革局", "claim"),
    ],
    Category.INVESTMENT: [
        ("引进新能源新材料产业链项目", "发展改革局", ""), ("招引电子信息龙头企业", "科技创新局", ""),
        ("开展以商招商专场推介", "发展改革局", ""), ("引进生物医药配套项目", "科技创新局", ""),
        ("举办专用汽车产业链招商会", "发展改革局", ""), ("落地割胶机器人项目", "规划建设局", ""),
        ("签约精细化工延链项目", "应急管理局", ""), ("引进储能电池项目", "发展改革局", ""),
        ("招引智能装备制造项目", "科技创新局", ""), ("引进总部经济项目", "财政局", ""),
        ("推动外资项目落地", "市场监督管理局", ""), ("组织赴长三角招商", None, "late"),
    ],
    Category.PROJECTS: [],  # made from the projects themselves (_project_items)
    Category.REFORMS: [
        ("深化“管委会+公司”改革", "财政局", ""), ("推行“五重”清单考核", "发展改革局", ""),
        ("推进工程建设项目审批改革", "规划建设局", ""), ("开展“标准地”出让改革", "自然资源分局", ""),
        ("建立企业服务专班制度", "科技创新局", "claim"), ("推进产业投资基金设立", "财政局", ""),
        ("深化国企市场化改革", "财政局", ""), ("推行并联审批", "规划建设局", ""),
        ("优化营商环境评价", "市场监督管理局", ""), ("推进数据共享平台建设", "科技创新局", ""),
        ("推行“承诺制”审批", "市场监督管理局", ""), ("谋划明年重点项目储备", None, "late"),
    ],
    Category.KEY_WORK: [
        ("盘活僵尸企业闲置土地", "自然资源分局", ""), ("清理批而未供土地", "自然资源分局", ""),
        ("建设50公里供热管网", "规划建设局", ""), ("化工园区D级达标验收", "应急管理局", ""),
        ("推进美丽乡村建设", "规划建设局", ""), ("还建房分房工作", "规划建设局", ""),
        ("安全生产专项整治", "应急管理局", ""), ("创建国家级绿色园区", "生态环境分局", ""),
        ("完成雨水收集池建设", "规划建设局", ""), ("十千伏线路改造", "国网供电公司", ""),
        ("园区燃气管网互联互通", "华润燃气公司", ""), ("开展冬季安全生产大检查", None, "late"),
    ],
}
# What the units of a project item aim at, by the stage the project is to reach this year.
PROJECT_GOALS = {Stage.SIGNED: ("完成供地", "自然资源分局"), Stage.LAND: ("开工建设", "规划建设局"),
                 Stage.CONSTRUCTION: ("主体竣工", "规划建设局"), Stage.COMPLETED: ("竣工投产", "发展改革局"),
                 Stage.PRODUCTION: ("达产达效", "发展改革局")}
NODE_NAMES = ["方案制定", "立项审批", "要素保障落实", "主体推进", "阶段验收", "全面完成"]
ROUNDS = "一二三四五六"


def node_names(count: int) -> list[str]:
    """An item's milestones in order: the plan (and its approval and resources), the work (in
    rounds when there are many), then acceptance and completion."""
    if count <= 5:
        return {3: ["方案制定", "主体推进", "全面完成"], 4: ["方案制定", "主体推进", "阶段验收", "全面完成"],
                5: ["方案制定", "立项审批", "主体推进", "阶段验收", "全面完成"]}[max(count, 3)][:count]
    work = ["主体推进"] if count == 6 else [f"主体推进（{ROUNDS[k]}）" for k in range(count - 5)]
    return [*NODE_NAMES[:3], *work, *NODE_NAMES[4:]]
EVIDENCE = ["会议纪要及现场照片已上传督查专班", "批复文件已归档", "验收报告已报督查专班", "工作台账及佐证材料已提交"]
# For bench/scale.py: the titles of each category.
FIVEKEY = {category: [title for title, *_ in items] or [f"{name.removesuffix('项目')}{PROJECT_GOALS[stage][0]}"
                                                           for name, _i, _t, stage in PROJECTS
                                                           if stage in PROJECT_GOALS][:12]
           for category, items in FIVEKEY_ITEMS.items()}


def build(ctx: dict, rng: random.Random) -> None:
    replay = ctx.get("replay")
    if replay is None:
        return
    demo = ProjectsDemo(ctx, rng)
    for i in range(len(PROJECTS)):
        demo.plan_project(i)
    replay.schedule(replay.launch + dt.timedelta(hours=11), demo.five_key_list())
    replay.daily(tasks.monthly_assessment_task, hour=6, minute=0,
                 since=start_of_day(next_month_start(local_date(replay.start))))
    replay.daily(tasks.supervision_sweep_task, hour=7, minute=30)
    # Issue 16: a new project still waiting for its project steward; a blocker escalated.
    replay.daily(tasks.project_steward_sweep_task, hour=9, minute=5)
    replay.schedule(_workdays_before_end(replay, 1, 10), demo.project_waiting_for_steward)
    replay.schedule(_workdays_before_end(replay, 1, 11), demo.blocker_escalated)


def _workdays_before_end(replay, n: int, hour: int) -> dt.datetime:
    """``hour`` o'clock ``n`` working days before the build's last working day."""
    day = local_date(replay.end)
    while not (replay.calendar.is_workday(day) and replay.at(day, 8, 30) < replay.end):
        day -= dt.timedelta(days=1)
    while n > 0:
        day -= dt.timedelta(days=1)
        n -= 0 if not replay.calendar.is_workday(day) else 1
    return replay.at(day, hour)


class ProjectsDemo:
    """The projects and the five-key list of the zone; its methods are the replay's stories."""

    def __init__(self, ctx: dict, rng: random.Random):
        self.ctx, self.rng, self.replay = ctx, rng, ctx["replay"]
        self.leaders = [User.objects.get(username="leader"), User.objects.get(username="leader2")]
        self.departments = {d.name: d for d in ctx["departments"]}
        self.dept_users = {}
        for user in User.objects.filter(role=Role.DEPARTMENT).order_by("-is_department_head", "pk"):
            self.dept_users.setdefault(user.department_id, user)
        self.industries = {i.name: i for i in ctx["industries"]}
        self.projects = [None] * len(PROJECTS)
        self.plans = [None] * len(PROJECTS)
        self._investors_taken = set()

    # --- projects

    def _investor(self, i: int, industry: str, trades: tuple[str, ...]):
        """An enterprise of the project's industry chain and trade, each investing in one project;
        the demo enterprise (an aluminium company) invests in the first."""
        enterprises = self.ctx["enterprises"]
        if i == 0:
            return enterprises[0]
        candidates = [e for n, e in enumerate(enterprises) if n not in UNCOVERED and e.pk not in self._investors_taken
                      and e.industry.name == industry and any(e.name.endswith(f"{t}有限公司") for t in trades)]
        candidates = candidates or [e for n, e in enumerate(enterprises) if n not in UNCOVERED
                                    and e.industry.name == industry and e.pk not in self._investors_taken]
        return self.rng.choice(candidates)

    def plan_project(self, i: int) -> None:
        """When the project reached each stage (working backwards from now), and its story."""
        rng, replay = random.Random(self.rng.random()), self.replay
        name, industry, trades, stage = PROJECTS[i]
        end = local_date(replay.end)
        reached = STAGE_ORDER.index(stage)
        dates: dict[str, dt.date] = {}
        day = end - dt.timedelta(days=rng.randint(*DWELL[stage]))
        for k in range(reached, -1, -1):
            dates[STAGE_ORDER[k]] = day
            if k:
                day -= dt.timedelta(days=rng.randint(*STAGE_DAYS[STAGE_ORDER[k - 1]]))
        # The stage after the one reached, as planned (it lies ahead).
        if reached + 1 < len(STAGE_ORDER):
            dates[STAGE_ORDER[reached + 1]] = max(dates[stage] + dt.timedelta(days=rng.randint(*STAGE_DAYS[stage])),
                                                  end + dt.timedelta(days=rng.randint(10, 90)))
        investor = self._investor(i, industry, trades) if stage != Stage.NEGOTIATING else None
        if investor is not None:
            self._investors_taken.add(investor.pk)
        total = Decimal(rng.randrange(8000, 400000, 500))
        start = dates.get(Stage.CONSTRUCTION) or dates[Stage.NEGOTIATING] + dt.timedelta(days=rng.randint(200, 400))
        plan = {"name": name, "industry": industry, "stage": stage, "reached": reached, "dates": dates,
                "investor": investor, "total": total, "rng": rng,
                "planned_start": start, "planned_completion": start + dt.timedelta(days=rng.randint(300, 540))}
        self.plans[i] = plan
        created = replay.at(dates[Stage.NEGOTIATING], 10)
        replay.schedule(max(created, replay.launch + dt.timedelta(hours=10)), self.project_story(i))

    def project_waiting_for_steward(self):
        """A major project signed up yesterday by the leader, whose project steward the head of
        the investor's workstation has not named yet (it is on the list of projects without one)."""
        head = self.ctx["heads"][0]
        investor = next(e for n, e in enumerate(self.ctx["enterprises"]) if n not in UNCOVERED and n
                        and e.workstation_id == head.workstation_id and e.pk not in self._investors_taken)
        self._investors_taken.add(investor.pk)
        services.project_create(
            actor=self.leaders[0], name="智能网联汽车零部件产业园", investor=investor,
            industry=investor.industry, total_investment=Decimal(120000),
            planned_investment_this_year=Decimal(20000), agreed_annual_output=Decimal(200000), land_mu=Decimal(150),
            description="新签约重大项目，待明确项目管家。")

    def blocker_escalated(self):
        """The demo steward, project steward of the demo enterprise's project, escalates a stuck
        approval to 规划建设局 (and power to the grid company): on the requests' clock."""
        from projects import serving

        project = self.projects[0]
        if project is None:
            return
        steward = self.ctx["stewards"][0].user
        stuck = project.approvals.exclude(status=Approval.Status.APPROVED).order_by("pk").first()
        serving.project_blocker_raise(
            project=project, actor=steward, kind="approval" if stuck else "power", approval=stuck,
            title="施工许可迟迟未批" if stuck else "施工临时用电未接入",
            description="材料已于上月补齐，窗口答复仍在审查，影响主体工程按期开工。" if stuck
            else "施工临时用电申请已逾两周未接入，塔吊无法作业。",
            departments=[self.departments["规划建设局"], self.departments["国网供电公司"]],
            reason="请三个工作日内明确办理时限和需补充的材料。")

    def steward_user(self, project):
        assignment = ProjectStewardAssignment.objects.active().filter(project=project).select_related("steward__user").first()
        return assignment.steward.user if assignment else self.leaders[0]

    def project_story(self, i: int):
        """Entered at the launch with what already happened (dates as they were), then lived."""
        replay, plan = self.replay, self.plans[i]
        rng, dates = plan["rng"], plan["dates"]
        leader = self.leaders[0]
        total = plan["total"]
        project = services.project_create(
            actor=leader, name=plan["name"], investor=plan["investor"], industry=self.industries[plan["industry"]],
            total_investment=total,
            planned_investment_this_year=(total * Decimal(rng.choice([15, 20, 30, 40])) / 100).quantize(Decimal(1)),
            funds_in_place=Decimal(0),
            agreed_annual_output=(total * Decimal(rng.choice([80, 120, 150, 200])) / 100).quantize(Decimal(1)),
            land_mu=Decimal(rng.choice([30, 50, 80, 120, 200, 320])), floor_area=Decimal(rng.randrange(8000, 60000, 500)),
            planned_start=plan["planned_start"], planned_completion=plan["planned_completion"],
            description="由高新区“五重”清单跟踪推进，审批手续并联办理。")
        self.projects[i] = project
        steward = self._project_steward(i, project)
        services.project_steward_assign(project=project, steward=steward, actor=leader, note="项目签约前即确定项目管家")
        # Everything of the project in date order: stage changes, approvals, construction nodes.
        steps = [(dates[STAGE_ORDER[k]], 0, "stage", STAGE_ORDER[k]) for k in range(1, plan["reached"] + 1)]
        steps += self._approvals(plan)
        if STAGE_ORDER.index(Stage.CONSTRUCTION) <= plan["reached"]:
            begin = dates[Stage.CONSTRUCTION]
            planned_end = plan["planned_completion"]
            finish = dates.get(Stage.COMPLETED)
            if finish is None or Stage.COMPLETED not in STAGE_ORDER[: plan["reached"] + 1]:
                finish = begin + (planned_end - begin) * rng.choice([1, 1, 1.1, 1.3])  # some run late
            for node_name, share in CONSTRUCTION_NODES:
                planned = begin + dt.timedelta(days=int((planned_end - begin).days * share))
                actual = begin + dt.timedelta(days=int((finish - begin).days * share))
                steps.append((begin, 3, "node", (node_name, planned, actual)))
        steps.sort(key=lambda s: (s[0], s[1]))
        end = local_date(replay.end)
        for on, _order, what, detail in steps:
            if on > end:
                break
            when = replay.at(replay.workday(on), rng.randint(9, 16), rng.randint(0, 59))
            if when > replay.now:
                yield when
            self._step(project, rng, what, detail, on)

    def _approvals(self, plan) -> list[tuple]:
        """The approvals the project has applied for by now, each applied for when its stage
        calls for it (never sooner) and approved before the stage that needs it."""
        rng, dates, reached = plan["rng"], plan["dates"], plan["reached"]
        end = local_date(self.replay.end)
        steps = []
        for kind, department, stage, applied, takes, due_days in APPROVALS:
            k = STAGE_ORDER.index(stage)
            before = applied[0] < 0  # applied for ahead of its stage, to reach it
            if k > reached + (1 if before else 0):
                continue
            apply_on = dates[stage] + dt.timedelta(days=rng.randint(*applied))
            if before:
                apply_on = max(apply_on, dates[STAGE_ORDER[k - 1]] + dt.timedelta(days=5))
            approve_on = apply_on + dt.timedelta(days=rng.randint(*takes))
            # Approved before the stage that needs it, once that stage is reached.
            needed_by = k if before else k + 1
            due_on, blocked = apply_on + dt.timedelta(days=due_days), False
            if needed_by <= reached:
                approve_on = min(approve_on, dates[STAGE_ORDER[needed_by]] - dt.timedelta(days=rng.randint(2, 8)))
                apply_on = min(apply_on, approve_on - dt.timedelta(days=5))
                due_on = max(due_on, approve_on)
            elif apply_on < end - dt.timedelta(days=20) and rng.random() < 0.5:
                # Stuck: past the date the department gave, some of them blocked.
                approve_on = end + dt.timedelta(days=rng.randint(10, 60))
                due_on = max(apply_on + dt.timedelta(days=10), end - dt.timedelta(days=rng.randint(3, 15)))
                blocked = kind in BLOCKED and rng.random() < 0.5
            steps.append((apply_on, 1, "apply", (kind, department, due_on, blocked)))
            steps.append((approve_on, 2, "approve", kind))
        return steps

    def _project_steward(self, i, project):
        stewards = self.ctx["stewards"]
        if i == 0:
            return stewards[0]
        investor = project.investor
        if investor is not None:
            assignment = StewardAssignment.objects.active().filter(enterprise=investor).select_related("steward").first()
            if assignment:
                return assignment.steward
        return stewards[(i * 7) % len(stewards)]

    def _step(self, project, rng, what, detail, on):
        replay = self.replay
        today = replay.today
        on = min(on, today)
        if what == "stage":
            project.refresh_from_db()
            funds = {Stage.SIGNED: 10, Stage.LAND: 25, Stage.CONSTRUCTION: 45, Stage.COMPLETED: 90,
                     Stage.PRODUCTION: 100}[detail]
            services.project_stage_change(project=project, to_stage=detail, on=on, actor=self.steward_user(project),
                                          note="")
            funds_in_place = (project.total_investment * Decimal(funds + rng.randint(0, 8)) / 100).quantize(Decimal(1))
            services.project_update(project=project, actor=self.steward_user(project),
                                    funds_in_place=min(funds_in_place, project.total_investment))
        elif what == "apply":
            kind, department, due_on, blocked = detail
            approval = services.approval_add(project=project, actor=self.steward_user(project), kind=kind,
                                             department=self.departments[department], due_on=due_on)
            services.approval_update(approval=approval, actor=self.steward_user(project),
                                     status=Approval.Status.BLOCKED if blocked else Approval.Status.IN_PROGRESS,
                                     started_on=on, due_on=due_on, note=BLOCKED[kind] if blocked else "")
        elif what == "approve":
            approval = project.approvals.get(kind=detail)
            services.approval_update(approval=approval, actor=self.dept_users[approval.department_id],
                                     status=Approval.Status.APPROVED, started_on=approval.started_on,
                                     due_on=approval.due_on, approved_on=max(on, approval.started_on),
                                     note="" if approval.status != Approval.Status.BLOCKED else "已解决")
        elif what == "node":
            name, planned, actual = detail
            node = services.construction_node_add(project=project, actor=self.steward_user(project), name=name,
                                                  planned_date=planned)
            if actual <= local_date(replay.end):
                replay.schedule(max(replay.at(replay.workday(actual), 16), replay.now),
                                partial(self._node_reached, project, node, actual))

    def _node_reached(self, project, node, actual):
        services.construction_node_update(node=node, actor=self.steward_user(project),
                                          actual_date=min(actual, self.replay.today))

    # --- the five-key list

    def five_key_list(self):
        """The leaders make this year's list in its first week; the units work through it."""
        replay = self.replay
        year = local_date(replay.end).year
        first_week = replay.workdays_after(dt.date(year, 1, 4), 0)
        yield max(replay.at(first_week, 10), replay.now)
        rng = random.Random(self.rng.random())
        items = []
        for category, entries in FIVEKEY_ITEMS.items():
            if category == Category.PROJECTS:
                entries = self._project_items()
            for n, (title, unit, how, *link) in enumerate(entries):
                items.append((category, title, unit, how, link[0] if link else None, n))
        fates = self._fates(items, rng)
        for category, title, unit, how, project, n in items:
            if how == "late" or FiveKeyItem.objects.filter(year=year, title=title).exists():
                continue
            self._item(year, category, title, None if how == "claim" else unit, project, n, rng,
                       claim_by=unit if how == "claim" else None, fate=fates.get(title, "normal"))
        # Added late in the year, for a unit to claim.
        late = [(c, t, n) for c, t, u, how, p, n in items if how == "late"]
        when = replay.at(replay.workdays_after(local_date(replay.end) - dt.timedelta(days=20), 0), 10)
        if when > replay.now:
            yield when
        for category, title, n in late:
            self._item(year, category, title, None, None, n, rng, first=min(local_date(replay.end) + dt.timedelta(days=6),
                                                                                dt.date(year, 12, 20)))

    def _fates(self, items, rng) -> dict:
        """Which items are held up now by a node their unit has not done (one each of the weaker
        units', the demo department's first among them) and which are ahead of time (five of the
        stronger units')."""
        own = [(title, unit) for _c, title, unit, how, _p, _n in items if unit and not how]
        sizes = {unit: sum(u == unit for _t, u in own) for _t, unit in own}
        # A unit with few items would lose its whole month's node part to one node.
        weak = [(t, u) for t, u in own if HABITS[u][1] < 0.93 and sizes[u] >= 4]
        strong = [(t, u) for t, u in own if HABITS[u][1] >= 0.95]
        first_drc = next(t for t, u in weak if u == "发展改革局")
        fates, units = {first_drc: "lagging long"}, {"发展改革局": 1}
        for title, unit in rng.sample(weak, len(weak)):
            if title not in fates and units.get(unit, 0) < 2 and len(fates) < 6:
                fates[title] = "lagging"
                units[unit] = units.get(unit, 0) + 1
        for title, _unit in rng.sample(strong, 5):
            fates[title] = "ahead"
        return fates

    def _project_items(self):
        entries = []
        for i, (name, _industry, _trades, stage) in enumerate(PROJECTS):
            if stage == Stage.NEGOTIATING or self.projects[i] is None or len(entries) == 12:
                continue
            goal, unit = PROJECT_GOALS[stage]
            entries.append((f"{name.removesuffix('项目')}{goal}", unit, "", self.projects[i]))
        return entries

    def _item(self, year, category, title, unit_name, project, n, rng, *, claim_by=None, first=None, fate="normal"):
        replay = self.replay
        leader = self.leaders[n % 2]
        unit = self.departments.get(unit_name) if unit_name else None
        enterprise = None
        if category == Category.KEY_ENTERPRISES:
            served = [e for k, e in enumerate(self.ctx["enterprises"]) if k not in UNCOVERED]
            enterprise = served[(n * 11) % len(served)]
        others = [d for d in self.departments.values() if d != unit and d.name != claim_by]
        item = services.fivekey_item_create(
            actor=leader, category=category, year=year, title=title, goal=f"{year}年底前{title}，形成可检验的成果。",
            lead_leader=leader, responsible_unit=unit, enterprise=enterprise, project=project,
            cooperating_units=rng.sample(others, rng.randint(0, 2)))
        count = 3 if first else rng.randint(6, 10)
        first = first or dt.date(year, 1, 20)
        last = dt.date(year, 12, 20)
        span = max((last - first).days, 1)
        planned = sorted({min(max(first + dt.timedelta(days=int(span * j / max(count - 1, 1)) + rng.randint(-6, 6)),
                                  first), dt.date(year, 12, 31)) for j in range(count)})
        nodes = [services.fivekey_node_add(item=item, actor=leader, name=name, planned_date=day)
                 for name, day in zip(node_names(len(planned)), planned, strict=True)]
        if claim_by:
            replay.schedule(replay.later(rng, rng.randint(3, 8)), self._claim(item, claim_by, nodes, rng))
        elif unit is not None:
            self._plan_nodes(item, unit, nodes, rng, fate)

    def _claim(self, item, unit_name, nodes, rng):
        unit = self.departments[unit_name]
        services.fivekey_item_claim(item=item, actor=self.dept_users[unit.pk])
        yield self.replay.later(rng, 1)
        services.fivekey_claim_decide(item=item, actor=item.lead_leader, confirm=True, note="同意认领")
        self._plan_nodes(item, unit, nodes, rng)

    def _plan_nodes(self, item, unit, nodes, rng, fate="normal"):
        """When the unit marks each node done: in time (mostly, as its habit goes), late, or (for a
        lagging item) one node not yet; an item ahead has its next node done early."""
        replay = self.replay
        end = local_date(replay.end)
        in_time = HABITS.get(unit.name, (0.8, 0.9, 0.0))[1] - 0.05
        if fate == "ahead":
            in_time = 1.0  # an item ahead never did a node late: it would show 逾期完成
        calendar = replay.calendar
        due_dates = [calendar.first_workday_on_or_after(node.planned_date) for node in nodes]
        held = None
        if fate.startswith("lagging"):  # its last node due before now (one item's, months ago)
            past = [k for k, due in enumerate(due_dates) if due < end - dt.timedelta(days=8)]
            if fate == "lagging long":
                past = [k for k in past if due_dates[k] < end - dt.timedelta(days=90)] or past
            held = past[-1] if past else None
        ahead = fate == "ahead"
        for k, (node, due) in enumerate(zip(nodes, due_dates, strict=True)):
            if k == held:
                continue  # not done: the item lags, more each working day
            if due >= end:
                if not (ahead and due <= end + dt.timedelta(days=75)):
                    continue
                done, ahead = end - dt.timedelta(days=rng.randint(1, 12)), False
            elif rng.random() < in_time or due >= end - dt.timedelta(days=5):
                done = node.planned_date - dt.timedelta(days=rng.randint(0, 10))
            else:
                done = min(calendar.add_workdays(due, rng.randint(2, 25)), end - dt.timedelta(days=2))
            day = max(done, replay.today)
            while not calendar.is_workday(day) and day > replay.today:
                day -= dt.timedelta(days=1)
            if day > end:
                continue
            replay.schedule(replay.at(day, rng.randint(9, 17), rng.randint(0, 59)),
                            partial(services.fivekey_node_complete, node=node, actor=self.dept_users[unit.pk],
                                    completed_on=day, evidence=rng.choice(EVIDENCE)))
