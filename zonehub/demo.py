"""A believable zone for demos and browser tests: workstations, departments, stewards,
enterprises with valid credit codes, and one login per role. Running it again changes nothing."""

from __future__ import annotations

import importlib
import random
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from enterprises.models import Enterprise, EnterpriseIndicator, EnterpriseTag, IndustryChain, Park
from enterprises.validators import CHARSET, credit_code_check_char
from stewards.models import Steward, StewardAssignment
from zonehub.models import Department, Role, User, Workstation

DEMO_PASSWORD = "zonehub2026"

WORKSTATIONS = ["东区工作站", "西区工作站", "南区工作站", "北区工作站", "科创城工作站", "物流园工作站"]
DEPARTMENTS = [
    ("发展改革局", "发改", "bureau"), ("规划建设局", "规建", "bureau"), ("财政局", "财政", "bureau"),
    ("市场监督管理局", "市场监管", "bureau"), ("应急管理局", "应急", "bureau"),
    ("生态环境分局", "生态环境", "bureau"), ("人力资源和社会保障局", "人社", "bureau"),
    ("科技创新局", "科技", "bureau"), ("自然资源分局", "自然资源", "bureau"),
    ("国网供电公司", "供电", "agency"), ("华润燃气公司", "燃气", "agency"), ("海关", "海关", "agency"),
]
INDUSTRIES = ["新材料", "装备制造", "电子信息", "生物医药", "新能源", "绿色化工"]
PARKS = ["高新技术产业园", "绿色制造产业园", "电子信息产业园", "生物医药产业园"]
TAGS = ["高新技术企业", "专精特新", "独角兽", "世界500强", "瞪羚企业"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
         "超", "秀英", "霞", "平", "刚", "桂英", "建华", "文博", "晓东", "海燕", "志强", "雪梅", "国庆", "红霞"]
PLACE = ["豫西", "崤函", "陕州", "黄河", "天鹅", "函谷", "甘棠", "宝轮", "卢氏", "渑池", "灵宝", "义马"]
BRAND = ["金马", "恒康", "宝武", "中原", "华瑞", "鼎盛", "新锐", "宏达", "瑞丰", "天润", "众合", "博远",
         "明阳", "安泰", "嘉禾", "凯盛", "汇能", "鑫源", "远航", "智创", "万达", "联创", "德润", "光华"]
TRADE = {
    "新材料": ["铝业", "新材料", "铜箔", "合金材料"], "装备制造": ["重工", "精密机械", "智能装备", "汽车零部件"],
    "电子信息": ["电子科技", "半导体", "光电", "信息技术"], "生物医药": ["生物科技", "制药", "医疗器械", "健康科技"],
    "新能源": ["新能源", "储能科技", "光伏", "氢能"], "绿色化工": ["化工", "环保科技", "精细化工", "新型建材"],
}
OWNERSHIP_WEIGHTS = [("central_soe", 1), ("local_soe", 2), ("private", 10), ("foreign", 2), ("mixed", 2)]

UNCOVERED = {144, 145, 146, 147}


def make_credit_code(rng: random.Random) -> str:
    """A code that passes GB 32100-2015 (and its organisation-code part GB 11714)."""
    body = "".join(rng.choice("0123456789") for _ in range(8))
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    check = 11 - sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11
    org = body + {10: "X", 11: "0"}.get(check, str(check))
    first17 = "91" + "411200" + org
    assert all(c in CHARSET for c in first17)
    return first17 + credit_code_check_char(first17)


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def phone(rng: random.Random) -> str:
    return "1" + rng.choice("3578") + "".join(rng.choice("0123456789") for _ in range(9))


_PASSWORD_HASH: list[str] = []


def _user(username: str, **fields) -> User:
    # Hashing is slow on purpose; hash the shared demo password once, not per user.
    if not _PASSWORD_HASH:
        _PASSWORD_HASH.append(make_password(DEMO_PASSWORD))
    return User.objects.get_or_create(username=username, defaults={**fields, "password": _PASSWORD_HASH[0]})[0]


@transaction.atomic
def build_organisation(rng: random.Random) -> dict:
    workstations = [Workstation.objects.get_or_create(name=n, defaults={"phone": phone(rng)})[0] for n in WORKSTATIONS]
    departments = [
        Department.objects.get_or_create(name=n, defaults={"short_name": s, "kind": k, "phone": phone(rng)})[0]
        for n, s, k in DEPARTMENTS
    ]
    industries = [IndustryChain.objects.get_or_create(name=n, defaults={"order": i})[0] for i, n in enumerate(INDUSTRIES)]
    parks = [Park.objects.get_or_create(name=n)[0] for n in PARKS]
    tags = [EnterpriseTag.objects.get_or_create(name=n)[0] for n in TAGS]

    # 40 stewards, spread over the workstations; the first is the demo steward login.
    stewards = []
    for i in range(40):
        ws = workstations[i % len(workstations)]
        username = "steward" if i == 0 else f"steward{i:02d}"
        user = _user(username, name=person_name(rng), phone=phone(rng), role=Role.STEWARD, workstation=ws)
        stewards.append(Steward.objects.get_or_create(user=user, defaults={"title": "服务专员"})[0])
    heads = [
        _user("head" if i == 0 else f"head{i}", name=f"{person_name(rng)}（站长）", phone=phone(rng),
              role=Role.WORKSTATION_HEAD, workstation=ws)
        for i, ws in enumerate(workstations)
    ]
    for i, dept in enumerate(departments):
        _user("dept" if i == 0 else f"dept{i:02d}", name=f"{dept.short_name} {person_name(rng)}", phone=phone(rng),
              role=Role.DEPARTMENT, department=dept, is_department_head=True, email=f"dept{i}@zone.example")
        _user(f"dept{i:02d}b", name=f"{dept.short_name} {person_name(rng)}", phone=phone(rng),
              role=Role.DEPARTMENT, department=dept)
    _user("leader", name="李主任", phone=phone(rng), role=Role.LEADER, email="leader@zone.example")
    _user("leader2", name="周副主任", phone=phone(rng), role=Role.LEADER)
    admin = _user("admin", name="系统管理员", role=Role.ADMIN, is_staff=True, is_superuser=True)

    # 150 enterprises; four (one in each of the first four workstations, the demo head's among
    # them) are left without a steward so the coverage page has work.
    now = timezone.now()
    enterprises = []
    names = [(place, brand) for brand in BRAND for place in PLACE]
    random.Random(7).shuffle(names)
    for i in range(150):
        industry = industries[i % len(industries)]
        place, brand = names[i]
        name = f"{place}{brand}{TRADE[industry.name][i % 4]}有限公司"
        if Enterprise.objects.filter(name=name).exists():
            enterprises.append(Enterprise.objects.get(name=name))
            continue
        ws = workstations[i % len(workstations)]
        ownership = rng.choices([o for o, _ in OWNERSHIP_WEIGHTS], [w for _, w in OWNERSHIP_WEIGHTS])[0]
        enterprise = Enterprise.objects.create(
            name=name, credit_code=make_credit_code(rng), industry=industry, park=parks[i % len(parks)],
            workstation=ws, above_designated_size=rng.random() < 0.4, ownership=ownership,
            address=f"{PARKS[i % len(PARKS)]}{rng.randint(1, 99)}号", legal_representative=person_name(rng),
            contact_name=person_name(rng), contact_phone=phone(rng),
        )
        enterprise.tags.set(rng.sample(tags, rng.randint(0, 2)))
        if enterprise.above_designated_size:
            for year in (now.year - 2, now.year - 1):
                EnterpriseIndicator.objects.create(
                    enterprise=enterprise, year=year, revenue=Decimal(rng.randint(2000, 900000)),
                    output=Decimal(rng.randint(2000, 800000)), tax=Decimal(rng.randint(50, 40000)),
                    employees=rng.randint(20, 3000),
                )
        if i not in UNCOVERED:
            same_ws = [s for s in stewards if s.user.workstation_id == ws.pk]
            StewardAssignment.objects.create(
                enterprise=enterprise, steward=same_ws[i % len(same_ws)], assigned_by=heads[i % len(heads)]
            )
        enterprises.append(enterprise)
    _user("enterprise", name="陈经理", phone=phone(rng), role=Role.ENTERPRISE, enterprise=enterprises[0])
    for i, enterprise in enumerate(enterprises[1:30], start=1):
        _user(f"enterprise{i:03d}", name=person_name(rng), phone=phone(rng), role=Role.ENTERPRISE, enterprise=enterprise)
    return {
        "workstations": workstations, "departments": departments, "stewards": stewards, "heads": heads,
        "enterprises": enterprises, "admin": admin, "industries": industries, "parks": parks,
    }


def build(seed: int = 2026) -> dict:
    """Build the whole demo; each app's ``demo.build(ctx, rng)`` adds its part if it has one."""
    rng = random.Random(seed)
    ctx = build_organisation(rng)
    for app in ("stewards", "projects", "evaluations"):
        try:
            module = importlib.import_module(f"{app}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.demo":
                raise
            continue
        module.build(ctx, random.Random(f"{seed}-{app}"))
    return ctx


LOGIN_HELP = [
    ("admin", "管理员 administrator"),
    ("leader", "领导 leader"),
    ("head", "工作站站长 workstation head"),
    ("steward", "服务管家 steward"),
    ("dept", "部门 department (发展改革局)"),
    ("enterprise", "企业用户 enterprise user"),
]
