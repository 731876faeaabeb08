"""The core's part of the demo zone: workstations, departments, and the staff logins of every
role (stewards' users, heads, departments, leaders, the administrator). Each app above adds its
own part in its ``demo.py`` (``build(ctx, rng)``); ``manage.py demo_data`` (portal) runs them all,
floor by floor. Running it again changes nothing."""

from __future__ import annotations

import random

from django.contrib.auth.hashers import make_password
from django.db import transaction

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
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
         "超", "秀英", "霞", "平", "刚", "桂英", "建华", "文博", "晓东", "海燕", "志强", "雪梅", "国庆", "红霞"]


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def phone(rng: random.Random) -> str:
    return "1" + rng.choice("3578") + "".join(rng.choice("0123456789") for _ in range(9))


_PASSWORD_HASH: list[str] = []


def demo_user(username: str, **fields) -> User:
    """A demo login (password ``DEMO_PASSWORD``), made once: an existing username is left as it is."""
    # Hashing is slow on purpose; hash the shared demo password once, not per user.
    if not _PASSWORD_HASH:
        _PASSWORD_HASH.append(make_password(DEMO_PASSWORD))
    return User.objects.get_or_create(username=username, defaults={**fields, "password": _PASSWORD_HASH[0]})[0]


@transaction.atomic
def build_organisation(rng: random.Random) -> dict:
    """The units and the staff. ``rng`` goes on to the enterprises' demo (enterprises.demo.build),
    which draws after the staff from the same stream."""
    workstations = [Workstation.objects.get_or_create(name=n, defaults={"phone": phone(rng)})[0] for n in WORKSTATIONS]
    departments = [
        Department.objects.get_or_create(name=n, defaults={"short_name": s, "kind": k, "phone": phone(rng)})[0]
        for n, s, k in DEPARTMENTS
    ]

    # 40 stewards' logins, spread over the workstations; the first is the demo steward login. Their
    # steward records (and the enterprises they serve) are the stewards app's part (stewards.demo).
    steward_users = []
    for i in range(40):
        ws = workstations[i % len(workstations)]
        username = "steward" if i == 0 else f"steward{i:02d}"
        steward_users.append(
            demo_user(username, name=person_name(rng), phone=phone(rng), role=Role.STEWARD, workstation=ws))
    heads = [
        demo_user("head" if i == 0 else f"head{i}", name=f"{person_name(rng)}（站长）", phone=phone(rng),
                  role=Role.WORKSTATION_HEAD, workstation=ws)
        for i, ws in enumerate(workstations)
    ]
    for i, dept in enumerate(departments):
        demo_user("dept" if i == 0 else f"dept{i:02d}", name=f"{dept.short_name} {person_name(rng)}",
                  phone=phone(rng), role=Role.DEPARTMENT, department=dept, is_department_head=True,
                  email=f"dept{i}@zone.example")
        demo_user(f"dept{i:02d}b", name=f"{dept.short_name} {person_name(rng)}", phone=phone(rng),
                  role=Role.DEPARTMENT, department=dept)
    demo_user("leader", name="李主任", phone=phone(rng), role=Role.LEADER, email="leader@zone.example")
    demo_user("leader2", name="周副主任", phone=phone(rng), role=Role.LEADER)
    admin = demo_user("admin", name="系统管理员", role=Role.ADMIN, is_staff=True, is_superuser=True)
    return {"workstations": workstations, "departments": departments, "steward_users": steward_users,
            "heads": heads, "admin": admin}


LOGIN_HELP = [
    ("admin", "管理员 administrator"),
    ("leader", "领导 leader"),
    ("head", "工作站站长 workstation head"),
    ("steward", "服务管家 steward"),
    ("dept", "部门 department (发展改革局)"),
    ("enterprise", "企业用户 enterprise user"),
]
