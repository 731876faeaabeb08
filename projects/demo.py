"""Demo data: 40 major projects in every stage, and this year's five-key list (about 60 items, some
lagging, some ahead, some open for claiming). Running it again adds nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from projects import services
from projects.events import ProjectsEvent
from projects.models import (
    STAGE_DATE_FIELD,
    STAGE_ORDER,
    Approval,
    Category,
    ConstructionNode,
    FiveKeyItem,
    FiveKeyNode,
    Project,
    ProjectStageChange,
    ProjectStewardAssignment,
    Stage,
)
from projects.selectors import today
from zonehub.events import record_event
from zonehub.models import User
from zonehub.workdays import WorkCalendar

PROJECT_NAMES = [
    "智慧供应链产业园", "年产10万吨浮选捕收剂", "综合制剂智能化技术改造", "氯代苯甲腈及氯代苯甲酸", "割膠机器人生产基地",
    "高纯硅烷材料", "锂电负极材料二期", "专用汽车底盘总装", "半导体封装测试", "生物医药创新园",
    "新能源储能电站", "铜箔精密加工", "光伏组件智能工厂", "氢能装备产业园", "医疗器械研发中心",
    "精细化工中试基地", "铝合金轮毂扩产", "电子信息产业园三期", "智能装备制造基地", "绿色建材产业园",
]
SUFFIXES = ["项目", "（一期）项目"]

FIVEKEY = {
    Category.KEY_ENTERPRISES: [
        "支持龙头企业综合制剂车间满产", "推动专精特新企业申报国家级小巨人", "帮助高新技术企业新增产能", "培育规上工业企业10家",
        "支持企业技术中心升级", "推动企业上市辅导备案", "保障重点企业用电专线", "帮助企业引进高端人才",
        "推动企业数字化改造", "支持企业开拓海外市场", "服务瞪羚企业融资", "落实重点企业“一企一策”",
    ],
    Category.INVESTMENT: [
        "引进新能源新材料产业链项目", "招引电子信息龙头企业", "开展以商招商专场推介", "引进生物医药配套项目",
        "举办专用汽车产业链招商会", "落地割胶机器人项目", "签约精细化工延链项目", "引进储能电池项目",
        "招引智能装备制造项目", "引进总部经济项目", "推动外资项目落地", "组织赴长三角招商",
    ],
    Category.PROJECTS: [
        "智慧供应链产业园一期竣工", "浮选捕收剂项目投产", "综合制剂车间技改验收", "氯代苯甲腈项目主体封顶",
        "供热管网二期开工", "还建房竣工验收", "标准化厂房三期开工", "污水处理厂提标改造",
        "园区道路改造工程", "电子信息产业园三期供地", "氢能装备产业园签约", "生物医药创新园开工",
    ],
    Category.REFORMS: [
        "深化“管委会+公司”改革", "推行“五重”清单考核", "推进工程建设项目审批改革", "开展“标准地”出让改革",
        "建立企业服务专班制度", "推进产业投资基金设立", "深化国企市场化改革", "推行并联审批",
        "优化营商环境评价", "推进数据共享平台建设", "推行“承诺制”审批", "完善干部绩效考核",
    ],
    Category.KEY_WORK: [
        "盘活僵尸企业闲置土地", "清理批而未供土地", "建设50公里供热管网", "化工园区D级达标验收",
        "推进潔美鄉村建设", "还建房分房工作", "安全生产专项整治", "创建国家级绿色园区",
        "完成雨水收集池建设", "十千伏线路改造", "推进5G基站建设", "园区绿化一期工程",
    ],
}
NODE_NAMES = ["方案制定", "立项审批", "要素保障落实", "主体推进", "阶段验收", "全面完成"]

APPROVAL_DEPARTMENTS = {
    Approval.Kind.FILING: 0, Approval.Kind.LAND_PLANNING: 8, Approval.Kind.WORKS_PLANNING: 1,
    Approval.Kind.CONSTRUCTION: 1, Approval.Kind.EIA: 5, Approval.Kind.ENERGY: 0, Approval.Kind.FIRE: 4,
}
# The approvals a project has finished by the time it reaches each stage.
APPROVED_BY_STAGE = {
    Stage.NEGOTIATING: [],
    Stage.SIGNED: [Approval.Kind.FILING],
    Stage.LAND: [Approval.Kind.FILING, Approval.Kind.LAND_PLANNING, Approval.Kind.ENERGY],
    Stage.CONSTRUCTION: [Approval.Kind.FILING, Approval.Kind.LAND_PLANNING, Approval.Kind.ENERGY,
                         Approval.Kind.WORKS_PLANNING, Approval.Kind.CONSTRUCTION, Approval.Kind.EIA],
}


def _clamp(day: dt.date, low: dt.date, high: dt.date) -> dt.date:
    return max(low, min(day, high))


def build_projects(ctx: dict, rng, now: dt.date, leader: User) -> list[Project]:
    departments, stewards = ctx["departments"], ctx["stewards"]
    enterprises, industries = ctx["enterprises"], ctx["industries"]
    projects = []
    for i in range(40):
        name = PROJECT_NAMES[i % 20] + SUFFIXES[i // 20]
        project = Project.objects.filter(name=name).first()
        if project:
            projects.append(project)
            continue
        stage = STAGE_ORDER[i % len(STAGE_ORDER)]
        total = Decimal(rng.randrange(8000, 600000, 500))
        project = Project.objects.create(
            name=name, investor=enterprises[(i * 3) % len(enterprises)] if i % 5 else None,
            industry=industries[i % len(industries)], total_investment=total,
            planned_investment_this_year=(total * Decimal(rng.choice([15, 20, 30, 40])) / 100).quantize(Decimal(1)),
            funds_in_place=(total * Decimal(rng.randint(0, 60)) / 100).quantize(Decimal(1))
            if stage != Stage.NEGOTIATING else Decimal(0),
            agreed_annual_output=(total * Decimal(rng.choice([80, 120, 150, 200])) / 100).quantize(Decimal(1)),
            land_mu=Decimal(rng.choice([30, 50, 80, 120, 200, 438])), floor_area=Decimal(rng.randrange(8000, 60000, 500)),
            planned_start=now + dt.timedelta(days=rng.randint(-300, 120)),
            description="由高新区“五重”清单跟踪推进，审批手续并联办理。",
        )
        project.planned_completion = project.planned_start + dt.timedelta(days=rng.randint(300, 720))
        project.save(update_fields=["planned_completion"])
        record_event(project, actor=leader, kind=ProjectsEvent.PROJECT_CREATED, to_state=str(Stage.NEGOTIATING.label))
        # Walk it through its stages: signed this year or last (so the figures have a year before).
        reached = STAGE_ORDER.index(stage)
        day = now - dt.timedelta(days=rng.randint(60, 560)) if reached else now
        day = _clamp(day, dt.date(now.year - 1, 1, 5), now - dt.timedelta(days=5 * reached))
        previous = Stage.NEGOTIATING
        for step in STAGE_ORDER[1: reached + 1]:
            ProjectStageChange.objects.create(project=project, from_stage=previous, to_stage=step, changed_on=day,
                                              changed_by=leader)
            setattr(project, STAGE_DATE_FIELD[Stage(step)], day)
            record_event(project, actor=leader, kind=ProjectsEvent.PROJECT_STAGE, from_state=Stage(previous).label,
                         to_state=Stage(step).label, data={"on": day.isoformat()})
            previous = step
            day = min(day + dt.timedelta(days=rng.randint(20, 90)), now)
        project.stage = stage
        project.save(update_fields=["stage", *STAGE_DATE_FIELD.values()])
        # Approvals, in parallel: finished ones approved, the rest in progress — a few stuck.
        done = APPROVED_BY_STAGE.get(Stage(stage), list(Approval.Kind)[:7])
        for kind, dept_index in APPROVAL_DEPARTMENTS.items():
            if kind in done:
                approved = project.signed_on or now - dt.timedelta(days=30)
                Approval.objects.create(project=project, kind=kind, department=departments[dept_index],
                                        status=Approval.Status.APPROVED, started_on=approved - dt.timedelta(days=20),
                                        due_on=approved + dt.timedelta(days=5), approved_on=approved)
            elif stage != Stage.NEGOTIATING:
                blocked = rng.random() < 0.12
                overdue = not blocked and rng.random() < 0.25
                Approval.objects.create(
                    project=project, kind=kind, department=departments[dept_index],
                    status=Approval.Status.BLOCKED if blocked else Approval.Status.IN_PROGRESS,
                    started_on=now - dt.timedelta(days=rng.randint(20, 60)),
                    due_on=now + dt.timedelta(days=rng.randint(-15, -2) if overdue else rng.randint(5, 60)),
                    note="用地指标待省厅批复" if blocked else "",
                )
        if STAGE_ORDER.index(stage) >= STAGE_ORDER.index(Stage.CONSTRUCTION):
            start = project.started_on or now
            for k, node_name in enumerate(["地基处理", "工程桩施工", "主体结构封顶", "设备安装", "竣工验收"]):
                planned = start + dt.timedelta(days=60 * (k + 1))
                actual = planned + dt.timedelta(days=rng.randint(-10, 10))
                reached_node = actual <= now and (k < 3 or stage != Stage.CONSTRUCTION)
                ConstructionNode.objects.create(project=project, name=node_name, planned_date=planned,
                                                actual_date=actual if reached_node else None)
        # The demo steward serves the first projects; the others are spread over the stewards.
        steward = stewards[0] if i < 3 else stewards[(i * 7) % len(stewards)]
        ProjectStewardAssignment.objects.create(project=project, steward=steward, assigned_by=leader)
        projects.append(project)
    return projects


def build_fivekey(ctx: dict, rng, now: dt.date, leaders: list[User], projects: list[Project]) -> None:
    departments, enterprises = ctx["departments"], ctx["enterprises"]
    calendar = WorkCalendar.for_years({now.year})
    year = now.year
    year_start, year_end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    n = 0
    for category, titles in FIVEKEY.items():
        for k, title in enumerate(titles):
            n += 1
            if FiveKeyItem.objects.filter(year=year, title=title).exists():
                continue
            # Every 10th item is left for a unit to claim; 发展改革局 (the demo `dept`) owns every 6th.
            unassigned = n % 10 == 0
            unit = None if unassigned else (departments[0] if n % 6 == 1 else departments[n % len(departments)])
            item = FiveKeyItem.objects.create(
                category=category, year=year, title=title, goal=f"{year}年底前{title}，形成可检验的成果。",
                lead_leader=leaders[n % 2], responsible_unit=unit,
                enterprise=enterprises[n % len(enterprises)] if category == Category.KEY_ENTERPRISES else None,
                project=projects[k] if category == Category.PROJECTS else None,
            )
            others = [d for d in departments if d != unit]
            item.cooperating_units.set(rng.sample(others, rng.randint(0, 2)))
            record_event(item, actor=leaders[n % 2], kind=ProjectsEvent.FIVEKEY_CREATED, to_state=item.get_category_display())
            # Nodes spread over the year; the scenario decides what is done.
            count = rng.randint(3, 6)
            scenario = "lagging" if n % 4 == 0 or n == 1 else ("ahead" if n % 5 == 0 else "normal")
            # From mid-January to just before Christmas; items still open for claiming were added
            # late in the year, so their nodes all lie ahead.
            first = _clamp(now + dt.timedelta(days=10), year_start, year_end) if unassigned else dt.date(year, 1, 15)
            last = dt.date(year, 12, 22)
            span = max((last - first).days, 1)
            planned_dates = sorted(_clamp(first + dt.timedelta(days=int(span * j / max(count - 1, 1))
                                                               + rng.randint(-6, 6)), first, year_end)
                                   for j in range(count))
            late_left = False
            for j, planned in enumerate(planned_dates):
                node = FiveKeyNode.objects.create(item=item, name=NODE_NAMES[j % len(NODE_NAMES)], planned_date=planned)
                due = calendar.first_workday_on_or_after(planned)
                completed = None
                if due < now:
                    if scenario == "lagging" and not late_left and (planned >= now - dt.timedelta(days=75) or j == count - 1
                                                                    or planned_dates[j + 1] >= now):
                        late_left = True  # the node that holds the item up
                    elif not late_left:
                        completed = planned - dt.timedelta(days=rng.randint(0, 6))
                elif scenario == "ahead" and not late_left and planned <= now + dt.timedelta(days=60):
                    completed = now - dt.timedelta(days=rng.randint(1, 10))
                if completed and unit:
                    completed = max(completed, year_start)
                    node.completed_on, node.completed_by = completed, leaders[0]
                    node.evidence = "会议纪要及现场照片已上传督查专班"
                    node.save(update_fields=["completed_on", "completed_by", "evidence"])
                    record_event(node, root=item, actor=leaders[0], kind=ProjectsEvent.FIVEKEY_NODE_COMPLETED,
                                 to_state=completed.isoformat(), note=f"{node.name}：{node.evidence}")


@transaction.atomic
def build(ctx: dict, rng) -> None:
    now = today()
    leaders = [User.objects.get(username="leader"), User.objects.get(username="leader2")]
    projects = build_projects(ctx, rng, now, leaders[0])
    build_fivekey(ctx, rng, now, leaders, projects)
    # The monthly assessments so far this year, and today's supervision flags: both idempotent.
    for month in range(1, now.month):
        services.monthly_assessment(year=now.year, month=month)
    services.supervision_sweep(on=now)
