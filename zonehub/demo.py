"""The core's part of the demo zone: workstations, departments, and the staff logins of every
role (stewards' users, heads, departments, leaders, the administrators), with a name each nobody
else in the zone bears; and the machinery that lets the zone live its year (``Replay``,
``build_zone``). Each app above adds its own part in its ``demo.py`` (``build(ctx, rng)``);
``manage.py demo_data`` (portal) runs them all, floor by floor. Running it again changes nothing."""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import random

import time_machine
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from zonehub.models import Department, Notification, PasswordSetBy, Role, User, Workstation
from zonehub.workdays import SHANGHAI, WorkCalendar, local_date, start_of_day

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
         "超", "秀英", "霞", "平", "刚", "桂英", "建华", "文博", "晓东", "海燕", "志强", "雪梅", "国庆", "红霞",
         "宇", "浩", "婷", "欣怡", "俊杰", "思远", "佳琪", "志刚", "春梅", "立新", "国强", "建军", "玉兰", "晨",
         "鹏", "琳", "慧", "斌", "凯", "亚楠", "振华", "丹", "永红", "海涛"]


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


class NameBook:
    """Person names given once each in the whole demo zone: no two stewards share a name, and no
    department user, head or enterprise contact bears a steward's name (issue 13, item 13)."""

    def __init__(self, rng: random.Random):
        self.rng, self.used = rng, set()

    def __call__(self) -> str:
        while True:
            name = person_name(self.rng)
            if name not in self.used:
                self.used.add(name)
                return name


def phone(rng: random.Random) -> str:
    return "1" + rng.choice("3578") + "".join(rng.choice("0123456789") for _ in range(9))


_PASSWORD_HASH: list[str] = []


def demo_user(username: str, **fields) -> User:
    """A demo login (password ``DEMO_PASSWORD``), made once: an existing username is left as it is.
    Its password is marked as the demo's, so it is not asked to change it (zonehub.auth)."""
    # Hashing is slow on purpose; hash the shared demo password once, not per user.
    if not _PASSWORD_HASH:
        _PASSWORD_HASH.append(make_password(DEMO_PASSWORD))
    defaults = {**fields, "password": _PASSWORD_HASH[0], "password_set_by": PasswordSetBy.DEMO}
    return User.objects.get_or_create(username=username, defaults=defaults)[0]


@transaction.atomic
def build_organisation(rng: random.Random) -> dict:
    """The units and the staff. ``rng`` goes on to the enterprises' demo (enterprises.demo.build),
    which draws after the staff from the same stream."""
    names = NameBook(rng)
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
            demo_user(username, name=names(), phone=phone(rng), role=Role.STEWARD, workstation=ws))
    heads = [
        demo_user("head" if i == 0 else f"head{i}", name=f"{names()}（站长）", phone=phone(rng),
                  role=Role.WORKSTATION_HEAD, workstation=ws)
        for i, ws in enumerate(workstations)
    ]
    for i, dept in enumerate(departments):
        demo_user("dept" if i == 0 else f"dept{i:02d}", name=f"{dept.short_name} {names()}",
                  phone=phone(rng), role=Role.DEPARTMENT, department=dept, is_department_head=True,
                  email=f"dept{i}@zone.example")
        demo_user(f"dept{i:02d}b", name=f"{dept.short_name} {names()}", phone=phone(rng),
                  role=Role.DEPARTMENT, department=dept)
    demo_user("leader", name="李主任", phone=phone(rng), role=Role.LEADER, email="leader@zone.example")
    demo_user("leader2", name="周副主任", phone=phone(rng), role=Role.LEADER)
    admin = demo_user("admin", name="系统管理员", role=Role.ADMIN, is_staff=True, is_superuser=True)
    # The separation of duties (三员分立): users and roles in the admin (staff), the audit pages.
    demo_user("security", name="安全管理员", role=Role.SECURITY_ADMIN, is_staff=True)
    demo_user("audit", name="审计管理员", role=Role.AUDIT_ADMIN)
    demo_user("operations", name="运营中心 王经理", phone=phone(rng), role=Role.OPERATIONS)
    demo_user("assessment", name="考核办 赵科长", phone=phone(rng), role=Role.ASSESSMENT)
    return {"workstations": workstations, "departments": departments, "steward_users": steward_users,
            "heads": heads, "admin": admin, "names": names}


LOGIN_HELP = [
    ("admin", "管理员 administrator"),
    ("leader", "领导 leader"),
    ("head", "工作站站长 workstation head"),
    ("steward", "服务管家 steward"),
    ("dept", "部门 department (发展改革局)"),
    ("enterprise", "企业用户 enterprise user"),
    ("security", "安全管理员 security administrator (users, roles, lockouts)"),
    ("audit", "审计管理员 audit administrator (event history, login records)"),
    ("operations", "运营中心 operations centre (supply matchmaking, three-party contracts)"),
    ("assessment", "考核办 assessment office (assessment plans, pay sheets)"),
]


# --- the replayed year -----------------------------------------------------------------------


class Replay:
    """A year of the zone, replayed through the real services with the clock moved.

    The demo does not write its past: it lives it. ``time_machine`` stops the clock at each moment
    of the year in turn, and the services, the sweeps and the beat tasks run then as they would
    have (every timestamp, deadline, overdue mark and grade is theirs). The zone is set up at
    ``launch``, four weeks before ``start`` (the first day of the month a year before ``end``);
    the year runs to ``end`` (the moment of the build) and whatever had not happened by then is
    where the zone stands.

    Each app's ``demo.py`` puts its part on the replay: *stories*, generators that do one step at
    the moment they are run and yield the moment of their next step (``schedule``), and its beat
    tasks (``daily``). ``run`` plays them all in time order; ties keep the order of scheduling.
    """

    def __init__(self, end: dt.datetime):
        self.end = end
        today = local_date(end)
        first = today.replace(day=1)
        self.start = start_of_day(first.replace(year=first.year - 1))
        self.launch = self.start - dt.timedelta(days=28)
        self.calendar = WorkCalendar.for_years(range(self.launch.year - 2, today.year + 2))
        self.now = self.launch
        self._queue: list = []
        self._waiting: dict = {}
        self._order = itertools.count()
        self._traveller = None
        self._travel = None

    # --- the clock

    def __enter__(self) -> Replay:
        self._travel = time_machine.travel(self.launch, tick=False)
        self._traveller = self._travel.start()
        return self

    def __exit__(self, *exc) -> None:
        self._travel.stop()
        self._travel = self._traveller = None

    def _move(self, when: dt.datetime) -> None:
        self.now = when
        self._traveller.move_to(when)

    @property
    def today(self) -> dt.date:
        return local_date(self.now)

    def at(self, day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)

    def workday(self, day: dt.date) -> dt.date:
        """``day`` if it is a working day, else the next one."""
        return self.calendar.first_workday_on_or_after(day)

    def workdays_after(self, day: dt.date, count: int) -> dt.date:
        """The ``count``-th working day after ``day`` (0: ``day`` itself, or the next working day)."""
        return self.calendar.add_workdays(day, count) if count > 0 else self.workday(day)

    def later(self, rng: random.Random, workdays: int = 0, *, hours=(9, 17), after: dt.datetime | None = None
              ) -> dt.datetime:
        """A moment in office hours ``workdays`` working days after ``after`` (default now); with 0,
        later the same working day when there is time left, else the next working day."""
        after = after or self.now
        day = self.workdays_after(local_date(after), workdays)
        low, high = hours
        when = self.at(day, rng.randint(low, high), rng.randint(0, 59))
        if when <= after:
            if after.hour < high and day == local_date(after):
                when = after + dt.timedelta(minutes=rng.randint(20, 150))
            else:
                when = self.at(self.workdays_after(day, 1), rng.randint(low, high), rng.randint(0, 59))
        return when

    def workdays_between(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """The working days from ``start`` to ``end``, both included."""
        days, day = [], start
        while day <= end:
            if self.calendar.is_workday(day):
                days.append(day)
            day += dt.timedelta(days=1)
        return days

    # --- what happens

    def schedule(self, when: dt.datetime, story) -> None:
        """Run ``story`` at ``when``: a generator (each step yields the moment of the next one, or
        nothing to end), or a function, called then (a generator function starts its story then).
        A step due after ``end`` never happens."""
        if when is not None and when <= self.end:
            heapq.heappush(self._queue, (max(when, self.now), next(self._order), story))

    def wait(self, key) -> tuple:
        """Yielded by a story that waits for ``wake(key)`` (a department's answer, say)."""
        return ("wait", key)

    def wake(self, key) -> None:
        """Go on, now, with the stories waiting for ``key``."""
        for story in self._waiting.pop(key, []):
            self.schedule(self.now, story)

    def daily(self, task, *, hour: int, minute: int, since: dt.datetime | None = None, days=None) -> None:
        """Run ``task()`` every day at ``hour``:``minute`` from ``since`` (default ``start``) to ``end``,
        as Celery beat does with the app's periodic tasks; with ``days`` (a test of the date), only
        on the days it passes."""
        def beat():
            day = local_date(since or self.start)
            while True:
                when = self.at(day, hour, minute)
                if when >= (since or self.start) and (days is None or days(day)):
                    yield when
                    task()
                day += dt.timedelta(days=1)

        self.schedule(self.at(local_date(since or self.start), hour, minute), beat())

    def run(self) -> None:
        while self._queue:
            when, _order, story = heapq.heappop(self._queue)
            self._move(when)
            if not hasattr(story, "__next__"):
                story = story()
                if not hasattr(story, "__next__"):
                    continue
            following = next(story, None)
            if isinstance(following, tuple) and following[0] == "wait":
                self._waiting.setdefault(following[1], []).append(story)
            elif following is not None:
                self.schedule(following, story)
        self._move(self.end)
        self._deliver_the_past()

    def _deliver_the_past(self) -> None:
        """The year's notifications went out when they were written, and the older ones have been
        read: the running system sends none of them again. The last three days' are left unread."""
        pending = Notification.objects.filter(delivery=Notification.Delivery.PENDING)
        reachable = Q(recipient__email__gt="") | (Q(sms=True) & Q(recipient__phone__gt=""))
        pending.filter(reachable).update(delivery=Notification.Delivery.SENT, delivered_at=F("created_at"), attempts=1)
        pending.update(delivery=Notification.Delivery.SKIPPED, delivered_at=F("created_at"), attempts=1)
        Notification.objects.filter(read_at__isnull=True, created_at__lt=self.end - dt.timedelta(days=3)).update(
            read_at=F("created_at") + dt.timedelta(hours=2))


def build_zone(seed: int, floors: list, *, lived) -> dict:
    """The demo zone up to the floors given: set up at the replay's launch (the organisation here,
    then each floor's ``build(ctx, rng)`` in order, each with its own random stream
    ``"{seed}-{name}"``), then the year lived, unless ``lived()`` says the zone has lived it
    already (running it again changes nothing). All in one transaction: a build that fails leaves
    nothing behind. ``floors``: ``[(name, build), ...]``, lowest first."""
    end = timezone.now()
    with transaction.atomic(), Replay(end) as replay:
        again = lived()
        ctx = build_organisation(random.Random(seed))
        ctx["end"] = end
        if not again:
            ctx["replay"] = replay
        for name, build in floors:
            build(ctx, random.Random(f"{seed}-{name}"))
        if not again:
            replay.run()
    ctx.pop("replay", None)
    return ctx
