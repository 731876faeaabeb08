"""The enterprises' part of the demo zone: industry chains, parks and tags, 150 enterprises with
valid credit codes and two years of indicators for those above the designated size, and one login
per enterprise, its contact person (``enterprise`` for the first, ``enterprise001`` … for the
others). Set up at the replay's launch (``zonehub.demo.Replay``). Running it again changes nothing."""

from __future__ import annotations

import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from enterprises.models import Enterprise, EnterpriseIndicator, EnterpriseTag, IndustryChain, Park
from enterprises.validators import CHARSET, credit_code_check_char
from zonehub.demo import NameBook, demo_user, phone
from zonehub.models import Role

INDUSTRIES = ["新材料", "装备制造", "电子信息", "生物医药", "新能源", "绿色化工"]
PARKS = ["高新技术产业园", "绿色制造产业园", "电子信息产业园", "生物医药产业园"]
TAGS = ["高新技术企业", "专精特新", "独角兽", "世界500强", "瞪羚企业"]
PLACE = ["豫西", "崤函", "陕州", "黄河", "天鹅", "函谷", "甘棠", "宝轮", "卢氏", "渑池", "灵宝", "义马"]
BRAND = ["金马", "恒康", "宝武", "中原", "华瑞", "鼎盛", "新锐", "宏达", "瑞丰", "天润", "众合", "博远",
         "明阳", "安泰", "嘉禾", "凯盛", "汇能", "鑫源", "远航", "智创", "万达", "联创", "德润", "光华"]
TRADE = {
    "新材料": ["铝业", "新材料", "铜箔", "合金材料"], "装备制造": ["重工", "精密机械", "智能装备", "汽车零部件"],
    "电子信息": ["电子科技", "半导体", "光电", "信息技术"], "生物医药": ["生物科技", "制药", "医疗器械", "健康科技"],
    "新能源": ["新能源", "储能科技", "光伏", "氢能"], "绿色化工": ["化工", "环保科技", "精细化工", "新型建材"],
}
OWNERSHIP_WEIGHTS = [("central_soe", 1), ("local_soe", 2), ("private", 10), ("foreign", 2), ("mixed", 2)]


def make_credit_code(rng: random.Random) -> str:
    """A code that passes GB 32100-2015 (and its organisation-code part GB 11714)."""
    body = "".join(rng.choice("0123456789") for _ in range(8))
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    check = 11 - sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11
    org = body + {10: "X", 11: "0"}.get(check, str(check))
    first17 = "91" + "411200" + org
    assert all(c in CHARSET for c in first17)
    return first17 + credit_code_check_char(first17)


@transaction.atomic
def build(ctx: dict, rng: random.Random) -> None:
    """Adds ``enterprises``, ``enterprise_users``, ``industries`` and ``parks`` to ``ctx`` (from
    zonehub.demo.build_organisation). People's names come from the organisation's name book
    (``ctx["names"]``), so no person has two roles. The indicators are for the two years before
    ``ctx["end"]`` (the build)."""
    workstations = ctx["workstations"]
    names = ctx.get("names") or NameBook(rng)
    industries = [IndustryChain.objects.get_or_create(name=n, defaults={"order": i})[0] for i, n in enumerate(INDUSTRIES)]
    parks = [Park.objects.get_or_create(name=n)[0] for n in PARKS]
    tags = [EnterpriseTag.objects.get_or_create(name=n)[0] for n in TAGS]

    year = (ctx.get("end") or timezone.now()).year
    enterprises, users = [], []
    names_ = [(place, brand) for brand in BRAND for place in PLACE]
    random.Random(7).shuffle(names_)
    for i in range(150):
        industry = industries[i % len(industries)]
        place, brand = names_[i]
        name = f"{place}{brand}{TRADE[industry.name][i % 4]}有限公司"
        enterprise = Enterprise.objects.filter(name=name).first()
        if enterprise is None:
            ws = workstations[i % len(workstations)]
            ownership = rng.choices([o for o, _ in OWNERSHIP_WEIGHTS], [w for _, w in OWNERSHIP_WEIGHTS])[0]
            enterprise = Enterprise.objects.create(
                name=name, credit_code=make_credit_code(rng), industry=industry, park=parks[i % len(parks)],
                workstation=ws, above_designated_size=rng.random() < 0.4, ownership=ownership,
                address=f"{PARKS[i % len(PARKS)]}{rng.randint(1, 99)}号", legal_representative=names(),
                contact_name=names(), contact_phone=phone(rng),
            )
            enterprise.tags.set(rng.sample(tags, rng.randint(0, 2)))
            if enterprise.above_designated_size:
                for y in (year - 2, year - 1):
                    EnterpriseIndicator.objects.create(
                        enterprise=enterprise, year=y, revenue=Decimal(rng.randint(2000, 900000)),
                        output=Decimal(rng.randint(2000, 800000)), tax=Decimal(rng.randint(50, 40000)),
                        employees=rng.randint(20, 3000),
                    )
        enterprises.append(enterprise)
        # The enterprise's contact person is its login.
        users.append(demo_user("enterprise" if i == 0 else f"enterprise{i:03d}", name=enterprise.contact_name,
                               phone=enterprise.contact_phone, role=Role.ENTERPRISE, enterprise=enterprise))
    ctx.update(enterprises=enterprises, enterprise_users=users, industries=industries, parks=parks)
