"""A synthetic high-tech zone of any size, for benchmarks (``manage.py seed_scale --factor F``).

At factor F: about 2,000·F enterprises, 200·F stewards in 10·F workstations, a fixed set of 31
departments, 20,000·F requests over the last two years with their escalations, progress reports,
comments and timelines, 500·F major projects, 600·F five-key items with their nodes, monthly visits,
four closed half-yearly rating campaigns with their replacement cases, and 24 months of five-key
scores and department grades (by the services' own scoring functions, from the rows written here).

Everything is replayed as the services and the beat sweeps would have done it, up to ``now``: a
deadline that has passed has its effect (reminded, overdue, flagged, closed automatically, progress
missed), and everything still running has its deadline ahead. So ``deadline_sweep()`` right after
seeding finds nothing to do, and a benchmark of it measures only the rows it makes due itself.

Speed: neither the services (one transaction and a dozen queries per step) nor ``bulk_create``
(measured here at ~4,000 Event rows/s on PostgreSQL, model instances and per-value adaptation
dominating) can write tens of millions of rows in minutes. ``_Writer`` inserts plain tuples
instead — COPY on PostgreSQL, ``executemany`` on SQLite — with ids it allocates itself, so
children are written without reading their parents' ids back, on a second thread so that the
database works while Python makes the next rows; it keeps the PostgreSQL sequences in step. No
model ``save()``, no signals, no ``full_clean``: the data is generated valid, and the database's
constraints check it (see ``_Writer`` for the foreign keys on PostgreSQL). Deadlines come from a
working-day list cached once (``_Days``), not from a walk through the calendar per row. Requests
are written 20,000 to a transaction, so memory stays flat at any F.

The bench logins' own data is the same at every F: enterprise i always belongs to steward
i·S/E (10 enterprises each) of workstation j·W/S (20 stewards each); every enterprise, request,
project and item draws from its own random stream (seed and index); department #1 (发展改革局)
hears only from workstation #1 and is responsible only for items and approvals of the first F=1
share. Only the zone-wide views (leader, admin) grow with F.
"""

from __future__ import annotations

import bisect
import datetime as dt
import io
import json
import queue
import random
import threading
import time
from array import array
from collections.abc import Callable
from contextlib import contextmanager
from decimal import Decimal
from itertools import accumulate
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from enterprises import demo as ent_demo
from enterprises.models import Enterprise, EnterpriseIndicator, EnterpriseTag, IndustryChain, Park
from enterprises.validators import credit_code_check_char
from evaluations.demo import REASONS as UNSATISFIED_REASONS
from evaluations.models import Campaign, Rating, ReplacementCase
from projects.demo import FIVEKEY, NODE_NAMES, PROJECT_NAMES
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
from projects.progress import Status as ProgressStatus
from projects.progress import item_progress, node_due_date
from stewards.demo import REPLIES, TITLES
from stewards.models import (
    Escalation,
    EscalationProgress,
    LedgerItem,
    RequestComment,
    ServiceRequest,
    Steward,
    StewardAssignment,
    Visit,
)
from zonehub import demo
from zonehub.models import CalendarYear, Department, Event, Notification, Role, User, Workstation
from zonehub.workdays import (
    SHANGHAI,
    WorkCalendar,
    local_date,
    month_end,
    month_start,
    months_before,
    next_month_start,
    start_of_day,
)

PASSWORD = "zonehub2026"

# username → (role, what it is), printed by the command.
BENCH_LOGINS = [
    ("scale-admin", "administrator (superuser)"),
    ("scale-leader", "leader"),
    ("scale-head", "head of workstation #1"),
    ("scale-steward", "steward in workstation #1, 10 enterprises"),
    ("scale-dept", "user of department #1 (发展改革局)"),
    ("scale-dept-head", "head of department #1 (发展改革局)"),
    ("scale-enterprise", "user of an enterprise served by scale-steward, 10 requests"),
    ("scale-operations", "operations centre (supply matchmaking: chain map, suggestions)"),
]

# Per F=1.
ENTERPRISES, STEWARDS, WORKSTATIONS, REQUESTS, PROJECTS, ITEMS = 2000, 200, 10, 20000, 500, 600
BENCH_REQUESTS = 10  # scale-enterprise's requests
UNASSIGNED_LEDGER_ITEMS = 12  # waiting for a department: seen by every department, so not scaled
CHUNK = 20_000  # requests per transaction
WINDOW_DAYS = 730
# A sweep effect whose deadline falls within this margin after ``now`` is applied already, so a
# sweep run right after seeding (the bench, the tests) finds nothing that became due meanwhile.
SWEEP_MARGIN = dt.timedelta(minutes=10)
NOTIFIED_DAYS = 30  # notifications are kept for the requests' steps of the last 30 days
ONE_DAY = dt.timedelta(days=1)

DEPARTMENTS = [  # (name, short name, kind); #1 is the bench department
    ("发展改革局", "发改", "bureau"), ("规划建设局", "规建", "bureau"), ("财政局", "财政", "bureau"),
    ("市场监督管理局", "市场监管", "bureau"), ("应急管理局", "应急", "bureau"), ("生态环境分局", "生态环境", "bureau"),
    ("人力资源和社会保障局", "人社", "bureau"), ("科技创新局", "科技", "bureau"), ("自然资源分局", "自然资源", "bureau"),
    ("工业和信息化局", "工信", "bureau"), ("商务局", "商务", "bureau"), ("税务分局", "税务", "bureau"),
    ("住房和城乡建设局", "住建", "bureau"), ("交通运输局", "交通", "bureau"), ("城市管理局", "城管", "bureau"),
    ("教育体育局", "教体", "bureau"), ("卫生健康委员会", "卫健", "bureau"), ("行政审批服务局", "审批", "bureau"),
    ("金融服务中心", "金融", "bureau"), ("投资促进局", "投促", "bureau"), ("综合行政执法局", "执法", "bureau"),
    ("统计局", "统计", "bureau"), ("消防救援大队", "消防", "bureau"), ("公安分局", "公安", "bureau"),
    ("党群工作部", "党群", "bureau"), ("国网供电公司", "供电", "agency"), ("华润燃气公司", "燃气", "agency"),
    ("海关", "海关", "agency"), ("自来水公司", "供水", "agency"), ("热力公司", "供热", "agency"),
    ("中国移动分公司", "通信", "agency"),
]
# Which departments a request of each category goes to, with weights (by short name).
ROUTES = {
    "approval": {"审批": 3, "发改": 2, "规建": 2, "自然资源": 1, "生态环境": 1, "住建": 1, "消防": 1},
    "factors": {"供电": 3, "燃气": 2, "供水": 1, "供热": 1, "自然资源": 2, "金融": 2, "工信": 1, "通信": 1},
    "policy": {"财政": 3, "科技": 2, "发改": 2, "工信": 2, "税务": 2, "商务": 1},
    "talent": {"人社": 4, "教体": 1, "科技": 1},
    "qualification": {"科技": 3, "市场监管": 2, "工信": 2},
    "infrastructure": {"城管": 3, "规建": 2, "交通": 2, "住建": 1, "供水": 1},
    "living": {"教体": 2, "住建": 2, "交通": 2, "卫健": 1, "公安": 1},
    "other": {"市场监管": 1, "公安": 1, "执法": 1, "商务": 1, "海关": 2, "应急": 1, "统计": 1, "党群": 1, "投促": 1},
}
CATEGORY_WEIGHTS = {"approval": 18, "factors": 22, "policy": 20, "talent": 12, "qualification": 8,
                    "infrastructure": 9, "living": 6, "other": 5}
AREAS = ["东区", "西区", "南区", "北区", "科创城", "物流园", "高铁新城", "大学城", "综合保税区", "临港"]
PLACES = ent_demo.PLACE + ["洛邑", "伏牛", "熊耳", "小秦岭", "亚武", "燕子", "娘娘", "黄河湾", "上阳", "虢国",
                       "温塘", "西原", "东原", "南山", "北岭", "青龙", "白马", "金谷", "银川", "秦川",
                       "函关", "灵山", "弘农", "湖滨", "崤山", "底张", "原店", "大营"]
BRANDS = ent_demo.BRAND + ["瑞祥", "宏图", "永信", "盛达", "华信", "中科", "华创", "恒信", "金源", "方圆", "万通", "海纳",
                       "同创", "正泰", "泰和", "华夏", "天成", "東方", "中盛", "景明", "信和", "嘉信", "国瑞", "天元",
                       "新元", "长风", "九州", "宏远", "金石", "宝丰", "隆基", "聚能", "兴华", "润达", "和盛", "卓越"]
FORMS = ["有限公司", "股份有限公司", "有限责任公司", "集团有限公司"]
ESCALATION_REASONS = ["企业诉求需贵单位办理，请在三个工作日内答复。", "请贵单位协助解决，并在规定时限内答复企业。",
                      "涉及贵单位职责，请安排专人对接。"]
REPORTS = ["部门已答复并办结，请确认。", "问题已协调解决，请企业确认。", "已按部门答复落实，请确认办理结果。"]
DIRECT_REPORTS = ["已电话解答，问题已解决。", "已协调物业当天修复。", "已上门辅导，材料已补齐。", "已对接相关负责人，当场解决。"]
CONSULTATIONS = ["涉及规划调整，需多部门共同会商。", "涉及多个部门职责，需联席会商。", "需上级部门批复，转入会商办理。"]
PROGRESS = ["已召开会商会，形成初步方案。", "方案已报分管领导审定。", "已赴现场踏勘，正在完善方案。", "已征求相关部门意见。"]
CONCLUSIONS = ["经会商，问题已明确办理路径并落实。", "会商已办结，企业诉求已解决。"]
RETURNS = ["该事项不属于本单位职责，建议转相关部门。", "经核实，该事项应由其他单位办理。"]
REOPENS = ["问题没有实际解决，请继续协调。", "答复与诉求不符，请重新办理。"]
COMMENTS = ["已催办，请耐心等待。", "部门已在办理，有进展第一时间告知。", "请补充相关材料照片。"]
FINDINGS = ["生产经营正常，了解用工需求。", "企业反映用电负荷紧张。", "企业计划扩产，咨询用地政策。",
            "走访了解订单情况，运行平稳。", "企业反映融资需求。", ""]
CASE_REVIEWS = [(True, "企业反映的问题长期无进展，经核实管家未主动跟进，属主观不努力。"),
                (False, "问题涉及跨部门审批，管家已多次协调，不属于主观不努力。"),
                (False, "企业诉求超出政策范围，管家已尽力解释。")]
NODE_EVIDENCE = "会议纪要及现场照片已上传督查专班"

# Random streams: every entity draws from its own, so it is the same whatever else is built.
_ENTERPRISE, _REQUEST_TIMES, _REQUEST, _PROJECT, _ITEM, _VISITS, _RATINGS, _DEPARTMENT, _LEDGER = range(1, 10)


def _rng(seed: int, stream: int, *keys: int) -> random.Random:
    value = seed * 1_000_003 + stream
    for key in keys:
        value = value * 2_000_003 + key
    return random.Random(value)


def scaled(per_f1: int, factor: float) -> int:
    return max(1, round(per_f1 * factor))


def plan(factor: float) -> dict[str, int]:
    """How many of each thing at this factor (departments are a fixed set)."""
    return {
        "workstations": scaled(WORKSTATIONS, factor), "stewards": scaled(STEWARDS, factor),
        "enterprises": scaled(ENTERPRISES, factor), "requests": scaled(REQUESTS, factor),
        "projects": scaled(PROJECTS, factor), "items": scaled(ITEMS, factor), "departments": len(DEPARTMENTS),
    }


# ---------------------------------------------------------------------------------------------
# Writing rows fast
# ---------------------------------------------------------------------------------------------

_INT_TYPES = {"AutoField", "BigAutoField", "ForeignKey", "OneToOneField", "IntegerField", "BigIntegerField",
              "SmallIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField", "PositiveBigIntegerField"}
_COPY_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_UTC = dt.UTC


def _json(value) -> str:
    """JSON text of an event's details; hot paths pass it already built (a str)."""
    return value if type(value) is str else json.dumps(value, ensure_ascii=False)


# Datetimes are written by hand: isoformat() and astimezone() cost microseconds each and there
# are millions of them. The fast path takes whole-second Asia/Shanghai instants (what _Days makes;
# the offset is +08:00 every day since 1992), anything else goes the slow, general way.
_HMS = [f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]
_DATES: dict[int, str] = {}


def _date_text(ordinal: int) -> str:
    text = _DATES.get(ordinal)
    if text is None:
        text = _DATES[ordinal] = dt.date.fromordinal(ordinal).isoformat()
    return text


def _datetime_pg(v: dt.datetime) -> str:
    if v.microsecond or v.tzinfo is not SHANGHAI:
        return v.isoformat()
    ordinal = v.toordinal()
    return (_DATES.get(ordinal) or _date_text(ordinal)) + " " + _HMS[v.hour * 3600 + v.minute * 60 + v.second] + "+08"


def _datetime_sqlite(v: dt.datetime) -> str:
    """The text Django stores on SQLite: UTC, no offset (SQLite compares datetimes as text)."""
    if v.microsecond or v.tzinfo is not SHANGHAI:
        return str(v.astimezone(_UTC).replace(tzinfo=None))
    second, ordinal = v.hour * 3600 + v.minute * 60 + v.second - 8 * 3600, v.toordinal()
    if second < 0:
        second, ordinal = second + 86400, ordinal - 1
    return (_DATES.get(ordinal) or _date_text(ordinal)) + " " + _HMS[second]


def _copy_text(v: str) -> str:
    """Text for COPY: backslash, tab and line breaks escaped (checked first: most text has none)."""
    return v if v.isprintable() and "\\" not in v else v.translate(_COPY_ESCAPE)


def _converter(field, vendor: str) -> Callable | None:
    """How a Python value of ``field`` is written: a function, or None when the driver takes it as is."""
    kind = field.get_internal_type()
    if vendor == "postgresql":
        if kind == "DateTimeField":
            return _datetime_pg
        if kind == "DateField":
            return dt.date.isoformat
        if kind == "BooleanField":
            return lambda v: "t" if v else "f"
        if kind == "JSONField":
            return lambda v: _copy_text(_json(v))
        if kind in _INT_TYPES or kind == "DecimalField":
            return str
        return _copy_text
    if kind == "DateTimeField":
        return _datetime_sqlite
    if kind == "DateField":
        return dt.date.isoformat
    if kind == "DecimalField":
        return str
    if kind == "JSONField":
        return _json
    return None


class _Table:
    """Rows of one model, buffered and written in batches with ids allocated here.

    Rows are tuples (id, *the given fields); every other column gets its field's default, rendered
    once. Each table compiles its own row formatter, so a row costs one call per value that needs
    converting and nothing else."""

    def __init__(self, writer: _Writer, model, fields: list[str]):
        meta = model._meta
        self.writer, self.model, self.fields = writer, model, fields
        self.table = meta.db_table
        given = set(fields)
        by_attname = {f.attname: f for f in meta.concrete_fields}
        unknown = given - set(by_attname)
        if unknown:
            raise ValueError(f"{meta.label}: no fields {sorted(unknown)}")
        constants = []
        for f in meta.concrete_fields:
            if f.primary_key or f.attname in given or f.generated:  # the database computes a generated one
                continue
            default = f.get_default()
            if default is None and not f.null:
                raise ValueError(f"{meta.label}.{f.name} has no default: give it")
            constants.append((f, default))
        row_fields = [meta.pk, *(by_attname[a] for a in fields)]
        self.columns = [f.column for f in (*row_fields, *(f for f, _ in constants))]
        self.next_id = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        self.rows: list[tuple] = []
        self.count = 0
        self.format = self._compile(row_fields, constants, writer.vendor)

    @staticmethod
    def _compile(row_fields, constants, vendor: str) -> Callable[[list[tuple]], object]:
        """A function turning buffered rows into what the driver takes: COPY text on PostgreSQL,
        parameter tuples on SQLite."""
        namespace: dict = {}
        parts = []
        for k, f in enumerate(row_fields):
            convert = _converter(f, vendor)
            if convert is None:
                parts.append(f"r[{k}]")
                continue
            namespace[f"c{k}"] = convert
            if vendor == "postgresql":
                parts.append(f"c{k}(r[{k}])" if not f.null and not f.primary_key else
                             f'("\\\\N" if r[{k}] is None else c{k}(r[{k}]))')
            else:
                parts.append(f"(None if r[{k}] is None else c{k}(r[{k}]))")
        if vendor == "postgresql":
            rendered = ["\\N" if v is None else _converter(f, vendor)(v) for f, v in constants]
            namespace["SUFFIX"] = "".join("\t" + text for text in rendered) + "\n"
            source = ('def format(rows):\n    return "".join(["\\t".join(('
                      + ", ".join(parts) + ',)) + SUFFIX for r in rows])\n')
        else:
            rendered = [v if v is None or _converter(f, vendor) is None else _converter(f, vendor)(v)
                        for f, v in constants]
            namespace["CONSTANTS"] = tuple(rendered)
            source = "def format(rows):\n    return [(" + ", ".join(parts) + ",) + CONSTANTS for r in rows]\n"
        exec(source, namespace)  # noqa: S102 - built above from the model's own fields, no outside input
        return namespace["format"]

    def new_id(self) -> int:
        pk = self.next_id
        self.next_id += 1
        return pk

    def add(self, *values, pk: int | None = None) -> int:
        if pk is None:
            pk = self.new_id()
        self.rows.append((pk, *values))
        if len(self.rows) >= self.writer.batch:
            self.flush()
        return pk

    def flush(self) -> None:
        """Hand the buffered rows to the writer's thread, formatted for the driver."""
        if not self.rows:
            return
        rows, self.rows = self.rows, []
        payload = self.format(rows)
        columns = ", ".join(f'"{c}"' for c in self.columns)
        if self.writer.vendor == "postgresql":
            copy = f'COPY "{self.table}" ({columns}) FROM STDIN'
            # Ids were given explicitly: move the sequence past them for later inserts.
            sequence = (f"SELECT setval(pg_get_serial_sequence('\"{self.table}\"', '{self.columns[0]}'), "
                        f"{self.next_id - 1})")

            def job(raw):
                with raw.cursor() as cursor:
                    cursor.copy_expert(copy, io.StringIO(payload))
                    cursor.execute(sequence)
        else:
            insert = f'INSERT INTO "{self.table}" ({columns}) VALUES ({", ".join("?" * len(self.columns))})'

            def job(raw):
                # The raw sqlite3 connection: Django's cursor wrapper would rewrite every row's parameters.
                raw.executemany(insert, payload)
        self.count += len(rows)
        self.writer.submit(job)


class _Writer:
    """Buffers rows per model and writes them on a second thread, so that the database works
    (COPY, index upkeep) while Python makes the next rows: both cores busy. The thread uses the
    same connection, hence the same transaction; ``drain()`` waits for it, and the build drains
    before each of its own queries and commits.

    On PostgreSQL, when the role may (a superuser, as for the bench), the per-row foreign-key
    triggers are switched off for this session while loading (session_replication_role =
    replica, what ``pg_restore --disable-triggers`` does): checked row by row at commit they cost
    as much as the load itself. Unique, check and not-null constraints apply as usual, and
    ``verify_foreign_keys`` then checks every foreign key of the loaded tables at once, with one
    anti-join each. SQLite checks the foreign keys at each commit as always."""

    def __init__(self, batch: int = 5000):
        connection.ensure_connection()
        self.vendor = connection.vendor
        if self.vendor not in ("postgresql", "sqlite"):
            raise NotImplementedError(f"seed_scale supports PostgreSQL and SQLite, not {self.vendor}")
        self.batch = batch
        self.tables: dict[type, _Table] = {}
        self.raw = connection.connection
        self.triggers_off = False
        if self.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                row = cursor.fetchone()
                if row and row[0]:
                    cursor.execute("SET session_replication_role = replica")
                    self.triggers_off = True
        self.jobs: queue.Queue = queue.Queue(maxsize=4)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._work, name="seed-scale-writer", daemon=True)
        self.thread.start()

    def _work(self) -> None:
        while True:
            job = self.jobs.get()
            try:
                if job is None:
                    return
                if self.error is None:
                    job(self.raw)
            except BaseException as exc:  # noqa: BLE001 - handed to the main thread by drain()
                self.error = exc
            finally:
                self.jobs.task_done()

    def submit(self, job) -> None:
        if self.error is not None:
            self.drain()
        self.jobs.put(job)

    def drain(self) -> None:
        """Wait until every row handed over is written; raise what went wrong on the way."""
        self.jobs.join()
        if self.error is not None:
            error, self.error = self.error, None
            raise error

    def abandon(self) -> None:
        """Drop what is still queued (after the job in progress) and forget the rows buffered."""
        if self.error is None:
            self.error = RuntimeError("abandoned")
        self.jobs.join()
        self.error = None
        for table in self.tables.values():
            table.rows.clear()

    def table(self, model, fields: list[str]) -> _Table:
        table = self.tables.get(model)
        if table is None:
            self.drain()
            table = self.tables[model] = _Table(self, model, fields)
        elif table.fields != fields:
            raise ValueError(f"{model._meta.label} opened with other fields")
        return table

    def flush(self) -> None:
        for table in self.tables.values():
            table.flush()
        self.drain()

    def close(self) -> None:
        """Stop the thread (after what it holds is written) and switch the triggers back on."""
        try:
            self.drain()
        finally:
            self.jobs.put(None)
            self.thread.join()
            if self.triggers_off:
                with connection.cursor() as cursor:
                    cursor.execute("SET session_replication_role = DEFAULT")

    def verify_foreign_keys(self, also=()) -> int:
        """Every foreign key of every table loaded with the triggers off (and of the models in
        ``also``, written by the ORM meanwhile) points at a row: one anti-join per key. Returns the
        number of keys checked; raises on the first dangling one."""
        if not self.triggers_off:
            return 0
        checked = 0
        with connection.cursor() as cursor:
            for model in [*self.tables, *also]:
                meta = model._meta
                for field in meta.concrete_fields:
                    if not field.is_relation:
                        continue
                    target = field.target_field
                    cursor.execute(
                        f'SELECT c."{meta.pk.column}", c."{field.column}" FROM "{meta.db_table}" c '
                        f'WHERE c."{field.column}" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM '
                        f'"{target.model._meta.db_table}" p WHERE p."{target.column}" = c."{field.column}") LIMIT 1')
                    row = cursor.fetchone()
                    if row:
                        raise ValueError(f"{meta.label} #{row[0]}: {field.name} = {row[1]} points at no row")
                    checked += 1
        return checked


# ---------------------------------------------------------------------------------------------
# Working days, cached
# ---------------------------------------------------------------------------------------------


class _Days:
    """The working-day calendar between two dates as a sorted list, so that a deadline is a bisect
    and a dictionary look-up rather than a walk through the calendar per row. ``due`` gives the
    same instants as ``zonehub.workdays.due_at`` (tested)."""

    def __init__(self, first: dt.date, last: dt.date):
        self.calendar = WorkCalendar.for_years(range(first.year, last.year + 1))
        self.first, self.last = first, last
        self.workdays: list[dt.date] = []
        self.offdays: list[dt.date] = []
        day = first
        while day <= last:
            (self.workdays if self.calendar.is_workday(day) else self.offdays).append(day)
            day += dt.timedelta(days=1)
        self._workday_set = set(self.workdays)
        self._due: dict[tuple[dt.date, int], dt.datetime] = {}
        self._midnight: dict[dt.date, dt.datetime] = {}
        self._iso: dict[dt.datetime, str] = {}

    def is_workday(self, day: dt.date) -> bool:
        return day in self._workday_set

    def add(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day after ``day`` (n ≥ 1); ``day`` itself is never counted."""
        return self.workdays[bisect.bisect_right(self.workdays, day) + n - 1]

    def due(self, instant: dt.datetime | dt.date, n: int) -> dt.datetime:
        """The exclusive deadline of n working days starting at ``instant`` (see workdays.due_at)."""
        if type(instant) is not dt.date:
            instant = instant.date() if instant.tzinfo is SHANGHAI else local_date(instant)
        key = (instant, n)
        value = self._due.get(key)
        if value is None:
            value = self._due[key] = start_of_day(self.add(instant, n) + ONE_DAY)
        return value

    def at(self, day: dt.date, rng: random.Random, first: int = 8 * 60 + 30, last: int = 17 * 60 + 30) -> dt.datetime:
        """A whole second between ``first`` and ``last`` (minutes after midnight) of ``day``."""
        midnight = self._midnight.get(day)
        if midnight is None:
            midnight = self._midnight[day] = start_of_day(day)
        return midnight + dt.timedelta(seconds=first * 60 + int(rng.random() * (last - first) * 60))

    def after(self, t: dt.datetime, rng: random.Random, low: int, high: int) -> dt.datetime:
        """An instant ``low``..``high`` working days after ``t`` in working hours (0: later the same
        working day when there is time left, else the next working day)."""
        n = low + int(rng.random() * (high - low + 1))
        day = t.date()
        if n == 0:
            left = (17 * 60 + 30) * 60 - (t.hour * 3600 + t.minute * 60 + t.second)
            if left > 1200 and day in self._workday_set:
                return t + dt.timedelta(seconds=600 + int(rng.random() * (min(left, 4 * 3600) - 600)))
            n = 1
        return self.at(self.add(day, n), rng)

    def iso(self, instant: dt.datetime) -> str:
        text = self._iso.get(instant)
        if text is None:
            text = self._iso[instant] = instant.isoformat()
        return text


# ---------------------------------------------------------------------------------------------
# The build
# ---------------------------------------------------------------------------------------------


class _Zone:
    """Everything built so far that later steps refer to, as plain ids and tuples."""

    def __init__(self, *, factor: float, seed: int, now: dt.datetime, log: Callable[[str], None]):
        self.factor, self.seed, self.log = factor, seed, log
        self.counts = plan(factor)
        self.now = now.astimezone(SHANGHAI)
        self.horizon = self.now + SWEEP_MARGIN
        self.today = self.now.date()
        self.window_start = self.today - dt.timedelta(days=WINDOW_DAYS)
        self.days = _Days(self.window_start - dt.timedelta(days=400), self.today + dt.timedelta(days=400))
        self.writer = _Writer()
        self.password = make_password(PASSWORD)  # hashed once: hashing per user would take minutes
        self.started = time.perf_counter()
        self.ct = {model: ContentType.objects.get_for_model(model).pk for model in (
            ServiceRequest, Escalation, EscalationProgress, RequestComment, LedgerItem, Enterprise,
            StewardAssignment, Campaign, Rating, ReplacementCase, Project, ProjectStageChange,
            ProjectStewardAssignment, FiveKeyItem, FiveKeyNode)}
        self.events = self.writer.table(Event, [
            "subject_type_id", "subject_id", "root_type_id", "root_id", "actor_id", "kind", "from_state",
            "to_state", "note", "data", "created_at"])

    def event(self, subject, subject_id: int, root, root_id: int, actor: int | None, kind: str, at: dt.datetime,
              from_state: str = "", to_state: str = "", note: str = "", data: dict | str | None = None) -> None:
        """One Event row, as zonehub.events.record_event writes it (``data`` a dict or its JSON text)."""
        self.events.add(self.ct[subject], subject_id, self.ct[root], root_id, actor, kind, from_state, to_state,
                        note, data or "{}", at)

    def step(self, what: str) -> None:
        self.writer.flush()
        self.log(f"  {time.perf_counter() - self.started:7.1f} s  {what}")


@contextmanager
def _transaction(writer: _Writer):
    """One transaction whose rows are all written (by the writer's thread) before it commits; on
    an error the thread drops what it still holds before the transaction rolls back."""
    with transaction.atomic():
        try:
            yield
            writer.flush()
        except BaseException:
            writer.abandon()
            raise


def build(*, factor: float, seed: int = 2026, now: dt.datetime | None = None,
          log: Callable[[str], None] = lambda line: None) -> dict:
    """Build the zone in the current database (which should hold no enterprises yet). Returns the
    zone's counts per model."""
    from zonehub import services as zonehub_services

    if not CalendarYear.objects.exists():  # a flush empties the calendar; the app reseeds it the same way
        zonehub_services.calendar_seed_from_package()
    for year in (local_date(timezone.now()).year, local_date(timezone.now()).year + 1):
        zonehub_services.calendar_ensure_year(year=year)
    zone = _Zone(factor=factor, seed=seed, now=now or timezone.now(), log=log)
    try:
        with _transaction(zone.writer):
            _organisation(zone)
            zone.step("organisation, users, enterprises")
            _projects(zone)
            zone.step("projects")
            _campaigns(zone)
            zone.step("rating campaigns, replacements, steward assignments")
            _visits(zone)
            zone.step("visits")
            _fivekey(zone)
            zone.step("five-key items and nodes")
        _requests(zone)
        with _transaction(zone.writer):
            _ledger_waiting(zone)
            zone.writer.flush()
            _scores(zone)
            # The leader's on-time chart, as the nightly beat task has left it; which enterprises
            # have a steward, as each saved assignment keeps it (one UPDATE for the bulk load).
            from projects.serving import projects_steward_flag_refresh
            from stewards.services import enterprises_steward_flag_refresh, reply_months_refresh

            reply_months_refresh()
            enterprises_steward_flag_refresh()
            projects_steward_flag_refresh()
        zone.step("monthly five-key scores, department grades, the nightly roll-ups")
        _supply(zone)
        zone.step("supply matchmaking: the chain map, offers and needs")
        # The five-key items' progress as the daily run leaves it at 07:30 (the board and the home
        # page read it), and the zone's tallies as the beat leaves them every minute.
        from projects.services import fivekey_progress_refresh_stale
        from zonehub.tallies import tallies_refresh

        this_year = local_date(timezone.now()).year
        for year in (this_year - 1, this_year):
            fivekey_progress_refresh_stale(year=year)
        tallies_refresh()
        zone.step("the five-key items' progress of the day, the zone's tallies")
    finally:
        zone.writer.close()
    from evaluations.models import DepartmentMonthlyGrade
    from projects.models import UnitMonthlyScore
    from stewards.models import DepartmentReplyMonth

    checked = zone.writer.verify_foreign_keys(also=[UnitMonthlyScore, DepartmentMonthlyGrade, DepartmentReplyMonth])
    if checked:
        zone.step(f"{checked} foreign keys verified")
    if zone.writer.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # what autovacuum would do before the first real query
        zone.step("ANALYZE")
    return counts()


COUNTED = [
    Workstation, Department, User, Steward, Enterprise, EnterpriseIndicator, StewardAssignment, ServiceRequest,
    Escalation, EscalationProgress, RequestComment, LedgerItem, Visit, Event, Notification, Project, ProjectStageChange,
    ProjectStewardAssignment, Approval, ConstructionNode, FiveKeyItem, FiveKeyNode, Campaign, Rating,
    ReplacementCase,
]


def counts() -> dict[str, int]:
    from evaluations.models import DepartmentMonthlyGrade
    from projects.models import UnitMonthlyScore

    return {model._meta.label: model.objects.count()
            for model in [*COUNTED, UnitMonthlyScore, DepartmentMonthlyGrade]}


# --- organisation ----------------------------------------------------------------------------


def _ensure_named(model, rows: list[dict]) -> list:
    """Rows of a small reference table by name: the existing ones, the missing ones created."""
    existing = {obj.name: obj for obj in model.objects.filter(name__in=[r["name"] for r in rows])}
    model.objects.bulk_create([model(**r) for r in rows if r["name"] not in existing], batch_size=1000)
    existing = {obj.name: obj for obj in model.objects.filter(name__in=[r["name"] for r in rows])}
    return [existing[r["name"]] for r in rows]


def _workstation_name(w: int) -> str:
    n = w // len(AREAS)
    return f"{AREAS[w % len(AREAS)]}{f'第{n + 1}' if n else ''}工作站"


def enterprise_name(i: int) -> str:
    """A unique, believable name for enterprise i (a scrambled mixed-radix number)."""
    radices = (len(ent_demo.INDUSTRIES), len(FORMS), 4, len(BRANDS), len(PLACES))
    total = 1
    for r in radices:
        total *= r
    j, rest = (i * 7919) % total, i // total
    industry, j = j % radices[0], j // radices[0]
    form, j = j % radices[1], j // radices[1]
    trade, j = j % radices[2], j // radices[2]
    brand, place = j % radices[3], j // radices[3]
    name = f"{PLACES[place]}{BRANDS[brand]}{ent_demo.TRADE[ent_demo.INDUSTRIES[industry]][trade]}{FORMS[form]}"
    return f"{name[:-2]}（{rest + 1}）公司" if rest else name


def enterprise_industry(i: int) -> int:
    return ((i * 7919) % (len(ent_demo.INDUSTRIES) * len(FORMS) * 4 * len(BRANDS) * len(PLACES))) % len(ent_demo.INDUSTRIES)


def credit_code(i: int) -> str:
    """A unique code for enterprise i that passes GB 32100-2015 (and GB 11714 for its organisation part)."""
    body = f"{(i * 7_654_321 + 12_345_678) % 100_000_000:08d}"
    check = 11 - sum(int(c) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    first17 = "91" + ("411200", "411202", "411203", "411281")[i % 4] + body + {10: "X", 11: "0"}.get(check, str(check))
    return first17 + credit_code_check_char(first17)


def _organisation(zone: _Zone) -> None:
    c, seed, writer = zone.counts, zone.seed, zone.writer
    rng = _rng(seed, _DEPARTMENT, 0)
    joined = start_of_day(zone.window_start - dt.timedelta(days=420)) + dt.timedelta(hours=9)

    departments = _ensure_named(Department, [
        {"name": n, "short_name": s, "kind": k, "phone": demo.phone(rng)} for n, s, k in DEPARTMENTS])
    workstations = _ensure_named(Workstation, [
        {"name": _workstation_name(w), "phone": demo.phone(rng), "area": f"{AREAS[w % len(AREAS)]}片区"}
        for w in range(c["workstations"])])
    industries = _ensure_named(IndustryChain, [{"name": n, "order": i} for i, n in enumerate(ent_demo.INDUSTRIES)])
    parks = _ensure_named(Park, [{"name": n} for n in ent_demo.PARKS])
    tags = _ensure_named(EnterpriseTag, [{"name": n} for n in ent_demo.TAGS])
    zone.departments = [(d.pk, d.name, d.short_name) for d in departments]
    zone.dept_index = {d.short_name: i for i, d in enumerate(departments)}
    zone.dept_late = [0.03 + 0.17 * _rng(seed, _DEPARTMENT, i + 1).random() for i in range(len(departments))]
    zone.workstations = [w.pk for w in workstations]

    taken = list(User.objects.filter(username__in=[u for u, _ in BENCH_LOGINS]).values_list("username", flat=True))
    if taken:
        raise ValueError(f"users {', '.join(taken)} already exist: seed with --flush")
    users = writer.table(User, [
        "password", "username", "name", "phone", "email", "role", "is_superuser", "is_staff", "enterprise_id",
        "department_id", "workstation_id", "is_department_head", "date_joined"])
    pw = zone.password

    def user(username, name, role, *, enterprise=None, department=None, workstation=None, head=False,
             superuser=False, email=""):
        return users.add(pw, username, name, demo.phone(rng), email, role, superuser, superuser, enterprise,
                         department, workstation, head, joined)

    zone.admin = user("scale-admin", "系统管理员", Role.ADMIN, superuser=True, email="admin@zone.example")
    zone.leaders = [user("scale-leader", "李主任", Role.LEADER, email="leader@zone.example")]
    zone.leaders += [user(f"z-leader-{n}", f"{demo.person_name(rng)}（副主任）", Role.LEADER) for n in range(2, 6)]
    zone.dept_users = []  # per department: [head, staff]
    for i, (pk, _name, short) in enumerate(zone.departments):
        head_name, staff_name = ("scale-dept-head", "scale-dept") if i == 0 else (f"z-dept-{i + 1:02d}-head",
                                                                                   f"z-dept-{i + 1:02d}")
        zone.dept_users.append([
            user(head_name, f"{short} {demo.person_name(rng)}", Role.DEPARTMENT, department=pk, head=True),
            user(staff_name, f"{short} {demo.person_name(rng)}", Role.DEPARTMENT, department=pk),
        ])
    zone.heads = [user("scale-head" if w == 0 else f"z-head-{w + 1:03d}", f"{demo.person_name(rng)}（站长）",
                       Role.WORKSTATION_HEAD, workstation=pk) for w, pk in enumerate(zone.workstations)]

    # Stewards: steward j serves in workstation j·W/S; its user first, then the steward row.
    stewards = writer.table(Steward, ["user_id", "title", "is_active", "workstation_id"])
    zone.stewards = []  # (steward id, user id, workstation index, name)
    for j in range(c["stewards"]):
        ws = j * c["workstations"] // c["stewards"]
        name = demo.person_name(rng)
        uid = user("scale-steward" if j == 0 else f"z-steward-{j + 1:05d}", name, Role.STEWARD,
                   workstation=zone.workstations[ws])
        zone.stewards.append((stewards.add(uid, "服务专员" if j % 7 else "服务管家", True, zone.workstations[ws]), uid, ws,
                              name))
    zone.ws_stewards = [[] for _ in zone.workstations]
    for j, (_sid, _uid, ws, _name) in enumerate(zone.stewards):
        zone.ws_stewards[ws].append(j)

    # Enterprises, each with one user, tags and (above designated size) two years of figures.
    enterprises = writer.table(Enterprise, [
        "name", "credit_code", "industry_id", "park_id", "workstation_id", "above_designated_size", "ownership",
        "address", "legal_representative", "contact_name", "contact_phone", "is_active", "created_at"])
    through = Enterprise.tags.through
    tagged = writer.table(through, ["enterprise_id", "enterprisetag_id"])
    indicators = writer.table(EnterpriseIndicator, ["enterprise_id", "year", "revenue", "output", "tax", "employees"])
    ownerships = [o for o, _ in ent_demo.OWNERSHIP_WEIGHTS]
    weights = [w for _, w in ent_demo.OWNERSHIP_WEIGHTS]
    zone.enterprises = []  # (id, name, workstation index, steward index at the start)
    zone.ent_users = []
    zone.segments = []  # per enterprise: [(from, steward index)], its assignment history
    E, S = c["enterprises"], c["stewards"]
    for i in range(E):
        r = _rng(seed, _ENTERPRISE, i)
        steward = i * S // E
        ws = zone.stewards[steward][2]
        name = enterprise_name(i)
        big = r.random() < 0.4
        park = r.randrange(len(parks))
        registered = joined + dt.timedelta(days=r.randint(0, 300))
        pk = enterprises.add(
            name, credit_code(i), industries[enterprise_industry(i)].pk, parks[park].pk, zone.workstations[ws], big,
            r.choices(ownerships, weights)[0], f"{ent_demo.PARKS[park]}{r.randint(1, 199)}号",
            demo.person_name(r), demo.person_name(r), demo.phone(r), True, registered)
        for tag in r.sample(tags, r.choice([0, 0, 0, 1, 1, 2])):
            tagged.add(pk, tag.pk)
        if big:
            for year in (zone.today.year - 2, zone.today.year - 1):
                indicators.add(pk, year, Decimal(r.randint(2000, 900000)), Decimal(r.randint(2000, 800000)),
                               Decimal(r.randint(50, 40000)), r.randint(20, 3000))
        zone.enterprises.append((pk, name, ws, steward))
        zone.ent_users.append(user("scale-enterprise" if i == 0 else f"z-ent-{i + 1:07d}", demo.person_name(r),
                                   Role.ENTERPRISE, enterprise=pk))
        # Its steward since shortly after it registered, months before the window; campaigns may replace it.
        zone.segments.append([(registered + dt.timedelta(days=1 + i % 30), steward)])


def _steward_at(zone: _Zone, enterprise: int, at: dt.datetime) -> int:
    segments = zone.segments[enterprise]
    for start, steward in reversed(segments):
        if start <= at:
            return steward
    return segments[0][1]


# --- projects --------------------------------------------------------------------------------

APPROVAL_UNITS = {  # approval kind → department (by short name)
    Approval.Kind.FILING: "发改", Approval.Kind.LAND_PLANNING: "自然资源", Approval.Kind.WORKS_PLANNING: "规建",
    Approval.Kind.CONSTRUCTION: "住建", Approval.Kind.EIA: "生态环境", Approval.Kind.ENERGY: "发改",
    Approval.Kind.FIRE: "消防",
}
# Department #1 approves only projects of the first F=1 share; the others' go to these instead.
APPROVAL_UNITS_ELSEWHERE = {Approval.Kind.FILING: "审批", Approval.Kind.ENERGY: "工信"}
APPROVED_BY_STAGE = {
    Stage.NEGOTIATING: [], Stage.SIGNED: [Approval.Kind.FILING],
    Stage.LAND: [Approval.Kind.FILING, Approval.Kind.LAND_PLANNING, Approval.Kind.ENERGY],
    Stage.CONSTRUCTION: [Approval.Kind.FILING, Approval.Kind.LAND_PLANNING, Approval.Kind.ENERGY,
                         Approval.Kind.WORKS_PLANNING, Approval.Kind.CONSTRUCTION, Approval.Kind.EIA],
}
STAGE_WEIGHTS = [10, 15, 15, 30, 15, 15]
CONSTRUCTION_NODES = ["地基处理", "工程桩施工", "主体结构封顶", "设备安装", "竣工验收"]


def _projects(zone: _Zone) -> None:
    writer, seed, today, days = zone.writer, zone.seed, zone.today, zone.days
    projects = writer.table(Project, [
        "name", "investor_id", "industry_id", "total_investment", "planned_investment_this_year", "funds_in_place",
        "agreed_annual_output", "land_mu", "floor_area", "stage", *STAGE_DATE_FIELD.values(), "planned_start",
        "planned_completion", "description", "created_at"])
    changes = writer.table(ProjectStageChange, ["project_id", "from_stage", "to_stage", "changed_on", "changed_by_id",
                                                "created_at"])
    stewards = writer.table(ProjectStewardAssignment, ["project_id", "steward_id", "started_at", "assigned_by_id"])
    approvals = writer.table(Approval, ["project_id", "kind", "department_id", "status", "started_on", "due_on",
                                        "approved_on", "note"])
    nodes = writer.table(ConstructionNode, ["project_id", "name", "planned_date", "actual_date"])
    industries = list(IndustryChain.objects.filter(name__in=ent_demo.INDUSTRIES).order_by("order", "name")
                      .values_list("pk", flat=True))
    E, S = len(zone.enterprises), len(zone.stewards)
    zone.projects = []  # (id, steward index)
    zone.project_stewards_of: dict[int, list[int]] = {}  # investor enterprise index → project steward indexes
    for p in range(zone.counts["projects"]):
        r = _rng(seed, _PROJECT, p)
        leader = zone.leaders[p % len(zone.leaders)]
        stage = r.choices(STAGE_ORDER, STAGE_WEIGHTS)[0]
        reached = STAGE_ORDER.index(stage)
        # scale-enterprise invests in project #1 only, scale-steward steers projects #1-#3 only, and
        # workstation #1 (enterprises < 200, stewards < 20) only takes part in the first F=1 share.
        first_share = p < PROJECTS
        investor = 0 if p == 0 else None
        if p and E > 1 and r.random() < 0.8:
            investor = r.randrange(1, min(E, ENTERPRISES)) if first_share or E <= 200 else r.randrange(200, E)
        steward = 0
        if p >= 3 and S > 1:
            steward = r.randrange(1, min(S, STEWARDS)) if first_share or S <= 20 else r.randrange(20, S)
        total = Decimal(r.randrange(8000, 600000, 500))
        planned_start = today + dt.timedelta(days=r.randint(-500, 120))
        stage_dates: dict[str, dt.date] = {}
        day = today - dt.timedelta(days=r.randint(60, 700)) if reached else None
        for step in STAGE_ORDER[1: reached + 1]:
            stage_dates[step] = day
            day = min(day + dt.timedelta(days=r.randint(30, 150)), today)
        created = days.at((stage_dates.get(Stage.SIGNED) or today - dt.timedelta(days=5))
                          - dt.timedelta(days=r.randint(20, 120)), r)
        name = f"{PLACES[(p * 7) % len(PLACES)]}{PROJECT_NAMES[p % len(PROJECT_NAMES)]}"
        if p >= len(PROJECT_NAMES):
            name += f"（{p // len(PROJECT_NAMES) + 1}期）"
        pk = projects.add(
            name[:150], zone.enterprises[investor][0] if investor is not None else None,
            industries[p % len(industries)], total,
            (total * Decimal(r.choice([15, 20, 30, 40])) / 100).quantize(Decimal(1)),
            (total * Decimal(r.randint(0, 60)) / 100).quantize(Decimal(1)) if reached else Decimal(0),
            (total * Decimal(r.choice([80, 120, 150, 200])) / 100).quantize(Decimal(1)),
            Decimal(r.choice([30, 50, 80, 120, 200, 438])), Decimal(r.randrange(8000, 60000, 500)), stage,
            *(stage_dates.get(s) for s in STAGE_DATE_FIELD), planned_start,
            planned_start + dt.timedelta(days=r.randint(300, 720)), "由高新区“五重”清单跟踪推进，审批手续并联办理。", created)
        zone.event(Project, pk, Project, pk, leader, "project.created", created, to_state=str(Stage.NEGOTIATING.label))
        previous = Stage.NEGOTIATING
        for step in STAGE_ORDER[1: reached + 1]:
            on = stage_dates[step]
            at = min(start_of_day(on) + dt.timedelta(hours=16), zone.now)
            change = changes.add(pk, previous, step, on, leader, at)
            zone.event(ProjectStageChange, change, Project, pk, leader, "project.stage", at,
                       from_state=str(Stage(previous).label), to_state=str(Stage(step).label),
                       data={"on": on.isoformat()})
            previous = step
        assigned = min(created + dt.timedelta(days=r.randint(1, 10)), zone.now)
        assignment = stewards.add(pk, zone.stewards[steward][0], assigned, leader)
        zone.event(ProjectStewardAssignment, assignment, Project, pk, leader, "project.steward_assigned", assigned,
                   to_state=zone.stewards[steward][3])
        done = APPROVED_BY_STAGE.get(Stage(stage), list(APPROVAL_UNITS))
        for kind, unit in APPROVAL_UNITS.items():
            if p >= PROJECTS:
                unit = APPROVAL_UNITS_ELSEWHERE.get(kind, unit)
            department = zone.departments[zone.dept_index[unit]][0]
            if kind in done:
                approved = stage_dates.get(Stage.SIGNED) or today - dt.timedelta(days=30)
                approvals.add(pk, kind, department, Approval.Status.APPROVED, approved - dt.timedelta(days=20),
                              approved + dt.timedelta(days=5), approved, "")
            elif stage != Stage.NEGOTIATING:
                blocked = r.random() < 0.12
                overdue = not blocked and r.random() < 0.25
                approvals.add(pk, kind, department, Approval.Status.BLOCKED if blocked else Approval.Status.IN_PROGRESS,
                              today - dt.timedelta(days=r.randint(20, 60)),
                              today + dt.timedelta(days=r.randint(-15, -2) if overdue else r.randint(5, 60)), None,
                              "用地指标待省厅批复" if blocked else "")
        if reached >= STAGE_ORDER.index(Stage.CONSTRUCTION):
            start = stage_dates[Stage.CONSTRUCTION]
            for k, node_name in enumerate(CONSTRUCTION_NODES):
                planned = start + dt.timedelta(days=60 * (k + 1))
                actual = planned + dt.timedelta(days=r.randint(-10, 10))
                reached_node = actual <= today and (k < 3 or stage != Stage.CONSTRUCTION)
                nodes.add(pk, node_name, planned, actual if reached_node else None)
        zone.projects.append((pk, steward))
        if investor is not None:
            zone.project_stewards_of.setdefault(investor, []).append(steward)


# --- rating campaigns, replacement cases and the assignment history ----------------------------


def _campaign_periods(zone: _Zone) -> list[tuple[int, str, dt.datetime, dt.datetime]]:
    """(year, half, opened at, closes at) of the last four closed campaigns and of the current
    one when today falls in its period (the beat would have opened it)."""
    from evaluations.services import campaign_closes_at, scheduled_open_date

    calendar = zone.days.calendar
    periods = []
    for year in range(zone.today.year - 3, zone.today.year + 1):
        for half in ("H1", "H2"):
            opens = scheduled_open_date(year, half, calendar=calendar)
            if opens > zone.today:
                continue
            opened_at = start_of_day(opens) + dt.timedelta(hours=9)
            periods.append((year, half, min(opened_at, zone.now), campaign_closes_at(opens, calendar=calendar)))
    closed = [p for p in periods if p[3] <= zone.now][-4:]
    current = [p for p in periods if p[3] > zone.now]
    return closed + current[-1:]


def _campaigns(zone: _Zone) -> None:
    writer, days, now = zone.writer, zone.days, zone.now
    campaigns = writer.table(Campaign, ["year", "half", "status", "opened_at", "closes_at", "closed_at",
                                        "expected_enterprises"])
    ratings = writer.table(Rating, ["campaign_id", "enterprise_id", "steward_id", "steward_role", "value", "reason",
                                    "rated_by_id", "created_at", "updated_at"])
    cases = writer.table(ReplacementCase, [
        "rating_id", "campaign_id", "enterprise_id", "steward_id", "workstation_id", "status", "opened_at", "due_at",
        "reminded_at", "overdue_at", "new_steward_id", "replaced_at", "replaced_by_id", "lack_of_effort",
        "review_reason", "reviewed_at", "reviewed_by_id"])
    replacement_days = settings.ZONEHUB_REPLACEMENT_WORKING_DAYS
    barred: dict[int, set[tuple[int, int]]] = {}  # enterprise → {(year, steward)} rated unsatisfied
    end_notes: dict[tuple[int, int], str] = {}  # (enterprise, segment index) → why it ended
    for year, half, opened_at, closes_at in _campaign_periods(zone):
        is_open = closes_at > now
        label = f"{year}年{'上' if half == 'H1' else '下'}半年"
        cid = campaigns.add(year, half, Campaign.Status.OPEN if is_open else Campaign.Status.CLOSED, opened_at,
                            closes_at, None if is_open else closes_at, None if is_open else len(zone.enterprises))
        zone.event(Campaign, cid, Campaign, cid, None, "campaign.opened", opened_at, to_state="open",
                   data={"closes_at": closes_at.isoformat()})
        if not is_open:
            zone.event(Campaign, cid, Campaign, cid, None, "campaign.closed", closes_at, from_state="open",
                       to_state="closed")
        rating_span = (min(closes_at, now) - opened_at).total_seconds() - 60
        for i, (ent, _name, ws, _first) in enumerate(zone.enterprises):
            r = _rng(zone.seed, _RATINGS, i, year * 2 + (half == "H2"))
            participates = r.random() < 0.95
            at = opened_at + dt.timedelta(seconds=r.uniform(0, max(rating_span, 0)))
            if not participates or at >= closes_at or at > now:
                continue
            steward = _steward_at(zone, i, at)
            candidates = [j for j in zone.ws_stewards[ws]
                          if j not in (0, steward) and (year, j) not in barred.get(i, ())]
            # scale-steward is never rated unsatisfied: its enterprises stay the same ten.
            unsatisfied = not is_open and steward != 0 and candidates and r.random() < 0.02
            user = zone.ent_users[i]
            value = Rating.Value.UNSATISFIED if unsatisfied else Rating.Value.SATISFIED
            reason = r.choice(UNSATISFIED_REASONS) if unsatisfied else ""
            rid = ratings.add(cid, ent, zone.stewards[steward][0], Rating.StewardRole.ENTERPRISE, value, reason, user,
                              at, at)
            zone.event(Rating, rid, Rating, rid, user, "rating.given", at, to_state=value)
            for j in sorted(set(zone.project_stewards_of.get(i, ())) - {steward}):
                pid = ratings.add(cid, ent, zone.stewards[j][0], Rating.StewardRole.PROJECT, Rating.Value.SATISFIED, "",
                                  user, at, at)
                zone.event(Rating, pid, Rating, pid, user, "rating.given", at, to_state=Rating.Value.SATISFIED)
            if not unsatisfied:
                continue
            barred.setdefault(i, set()).add((year, steward))
            head = zone.heads[ws]
            due = days.due(closes_at, replacement_days)
            late = r.random() < 0.1
            replaced = (days.at(days.add(local_date(due) - dt.timedelta(days=1), r.randint(1, 3)), r) if late
                        else days.after(closes_at, r, 1, replacement_days - 1))
            pending = replaced > now
            # The sweep reminds the head from the day before the last working day on.
            last_day = local_date(due) - dt.timedelta(days=1)
            remind = start_of_day(days.workdays[bisect.bisect_left(days.workdays, last_day) - 1])
            until = zone.horizon if pending else replaced
            reminded = remind if remind <= until and remind < due else None
            overdue = due if due <= until else None
            new = r.choice(candidates)
            review = None if pending or r.random() < 0.15 else r.choices(CASE_REVIEWS, [3, 6, 1])[0]
            reviewed_at = min(replaced + dt.timedelta(days=r.randint(1, 10)), now) if review else None
            leader = r.choice(zone.leaders)
            case = cases.add(
                rid, cid, ent, zone.stewards[steward][0], zone.workstations[ws],
                ReplacementCase.Status.PENDING if pending else ReplacementCase.Status.REPLACED, closes_at, due,
                reminded, overdue, None if pending else zone.stewards[new][0], None if pending else replaced,
                None if pending else head, review[0] if review else None, review[1] if review else "", reviewed_at,
                leader if review else None)
            zone.event(ReplacementCase, case, ReplacementCase, case, None, "case.opened", closes_at,
                       to_state=ReplacementCase.Status.PENDING, data={"rating": rid, "campaign": cid})
            if overdue:
                zone.event(ReplacementCase, case, ReplacementCase, case, None, "case.overdue", overdue)
            if pending:
                continue
            note = f"在{label}满意度评价中被评为不满意"
            zone.event(ReplacementCase, case, ReplacementCase, case, head, "case.replaced", replaced,
                       from_state=zone.stewards[steward][3], to_state=zone.stewards[new][3], note=note)
            if review:
                zone.event(ReplacementCase, case, ReplacementCase, case, leader, "case.reviewed", reviewed_at,
                           to_state=str(review[0]), note=review[1])
            end_notes[(i, len(zone.segments[i]) - 1)] = note
            zone.segments[i].append((replaced, new))
    _assignments(zone, end_notes)


def _assignments(zone: _Zone, end_notes: dict[tuple[int, int], str]) -> None:
    table = zone.writer.table(StewardAssignment, ["enterprise_id", "steward_id", "started_at", "ended_at", "end_reason",
                                                  "end_note", "assigned_by_id"])
    for i, segments in enumerate(zone.segments):
        ent, _name, ws, _first = zone.enterprises[i]
        head = zone.heads[ws]
        for k, (start, steward) in enumerate(segments):
            ended = segments[k + 1][0] if k + 1 < len(segments) else None
            note = end_notes.get((i, k), "")
            pk = table.add(ent, zone.stewards[steward][0], start, ended,
                           StewardAssignment.EndReason.UNSATISFIED if ended else "", note, head)
            zone.event(StewardAssignment, pk, Enterprise, ent, head, "steward.assigned", start,
                       from_state=zone.stewards[segments[k - 1][1]][3] if k else "", to_state=zone.stewards[steward][3],
                       note=end_notes.get((i, k - 1), "") if k else "")
            if ended:
                zone.event(StewardAssignment, pk, Enterprise, ent, head, "steward.unassigned", ended,
                           from_state=zone.stewards[steward][3], note=note,
                           data={"reason": StewardAssignment.EndReason.UNSATISFIED})


# --- visits ----------------------------------------------------------------------------------


def _visits(zone: _Zone) -> None:
    """About one visit a month to each enterprise by its steward of the time (走访, the appraisal's
    monthly-visit rule), the current month so far."""
    table = zone.writer.table(Visit, ["steward_id", "enterprise_id", "visited_on", "findings", "created_by_id",
                                      "created_at"])
    workdays, today, now = zone.days.workdays, zone.today, zone.now
    months = []
    month = month_start(zone.window_start)
    while month <= today:
        following = next_month_start(month)
        first, last = max(month, zone.window_start), min(following - dt.timedelta(days=1), today)
        lo, hi = bisect.bisect_left(workdays, first), bisect.bisect_right(workdays, last)
        if hi > lo:
            months.append((lo, hi, (last - first).days / (following - month).days))
        month = following
    for i, (ent, _name, _ws, _first) in enumerate(zone.enterprises):
        r = _rng(zone.seed, _VISITS, i)
        for lo, hi, share in months:
            if r.random() >= 0.85 * min(1.0, share + 0.03):
                continue
            day = workdays[r.randrange(lo, hi)]
            at = zone.days.at(day, r, 9 * 60, 17 * 60)
            if at > now:
                if day == workdays[lo]:
                    continue
                day = workdays[bisect.bisect_left(workdays, day) - 1]
                at = zone.days.at(day, r, 9 * 60, 17 * 60)
            steward = _steward_at(zone, i, at)
            sid, uid = zone.stewards[steward][:2]
            table.add(sid, ent, day, r.choice(FINDINGS), uid, at)


# --- the five-key list -----------------------------------------------------------------------


def _fivekey(zone: _Zone) -> None:
    writer, today, now, days = zone.writer, zone.today, zone.now, zone.days
    items = writer.table(FiveKeyItem, [
        "category", "year", "title", "goal", "lead_leader_id", "responsible_unit_id", "enterprise_id", "project_id",
        "claim", "claim_unit_id", "claimed_at", "claim_confirmed_on", "lagging_since", "created_at"])
    cooperating = writer.table(FiveKeyItem.cooperating_units.through, ["fivekeyitem_id", "department_id"])
    nodes = writer.table(FiveKeyNode, ["item_id", "name", "planned_date", "completed_on", "evidence", "completed_by_id"])
    notifications = writer.table(Notification, NOTIFICATION_FIELDS)
    item_url = reverse("projects:item_detail", args=[999_999_999]).replace("999999999", "{}")
    categories = list(Category)
    all_units = list(range(len(zone.departments)))
    for n in range(zone.counts["items"]):
        r = _rng(zone.seed, _ITEM, n)
        current = n % 2 == 0
        year = today.year if current else today.year - 1
        category = categories[n % len(categories)]
        titles = FIVEKEY[category]
        title = titles[(n // len(categories)) % len(titles)]
        if n >= len(categories) * len(titles):
            title = f"{AREAS[(n // (len(categories) * len(titles))) % len(AREAS)]}{title}"
        units = all_units if n < ITEMS else all_units[1:]  # department #1 owns items of the F=1 share only
        unassigned = current and r.random() < 0.08
        unit = None if unassigned else r.choice(units)
        leader = r.choice(zone.leaders)
        created = min(start_of_day(dt.date(year, 1, 5)) + dt.timedelta(hours=10), now - dt.timedelta(hours=1))
        claim, claim_unit, claimed_at, confirmed_on = "", None, None, None
        if unassigned and r.random() < 0.35:
            claim, claim_unit = FiveKeyItem.Claim.PENDING, r.choice(units)
            claimed_at = max(now - dt.timedelta(days=r.randint(1, 10), hours=r.randint(0, 8)), created)
        elif current and unit is not None and r.random() < 0.05:
            claim, claim_unit = FiveKeyItem.Claim.CONFIRMED, unit
            claimed = dt.date(year, 1, 10) + dt.timedelta(days=r.randint(0, max((today - dt.date(year, 1, 10)).days, 0)))
            claimed_at = max(min(days.at(claimed, r), now - dt.timedelta(hours=2)), created)
            confirmed_on = min(local_date(claimed_at) + dt.timedelta(days=r.randint(0, 3)), today)
        pk = items.new_id()
        # Nodes spread over the year; the scenario decides what is done by today.
        count = r.randint(3, 6)
        roll = r.random()
        scenario = ("lagging" if roll < (0.2 if current else 0.08) else
                    "ahead" if current and roll < 0.35 else "normal")
        year_start, year_end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        first = min(max(today + dt.timedelta(days=10), year_start), dt.date(year, 12, 15)) if unassigned \
            else dt.date(year, 1, 15)
        last = dt.date(year, 12, 22)
        span = max((last - first).days, 1)
        planned_dates = sorted(max(first, min(first + dt.timedelta(days=int(span * j / max(count - 1, 1))
                                                                    + r.randint(-6, 6)), year_end))
                               for j in range(count))
        done_by = zone.dept_users[unit][0] if unit is not None else leader
        late_left = False
        made = []
        for j, planned in enumerate(planned_dates):
            due = node_due_date(planned, days.calendar)
            completed = None
            if due < today:
                if scenario == "lagging" and not late_left and (planned >= today - dt.timedelta(days=75)
                                                                or j == count - 1 or planned_dates[j + 1] >= today):
                    late_left = True  # the node that holds the item up
                elif not late_left:
                    completed = planned - dt.timedelta(days=r.randint(0, 6))
            elif scenario == "ahead" and not late_left and planned <= today + dt.timedelta(days=60):
                completed = today - dt.timedelta(days=r.randint(1, 10))
            completed = min(max(completed, year_start), today) if completed and unit is not None else None
            name = NODE_NAMES[j % len(NODE_NAMES)]
            node = nodes.add(pk, name, planned, completed, NODE_EVIDENCE if completed else "",
                             done_by if completed else None)
            made.append(SimpleNamespace(name=name, planned_date=planned, completed_on=completed))
            if completed:
                at = min(start_of_day(completed) + dt.timedelta(hours=17), now)
                zone.event(FiveKeyNode, node, FiveKeyItem, pk, done_by, "fivekey.node_completed", at,
                           to_state=completed.isoformat(), note=f"{name}：{NODE_EVIDENCE}")
        # What the supervision sweep would have flagged already: lagging since its first late node.
        progress = item_progress(made, today=today, calendar=days.calendar)
        lagging_since = None
        if progress.status == ProgressStatus.LAGGING:
            lagging_since = min(min(late.due for late in progress.late) + dt.timedelta(days=1), today)
            worst = progress.worst
            zone.event(FiveKeyItem, pk, FiveKeyItem, pk, None, "fivekey.lagging",
                       min(start_of_day(lagging_since) + dt.timedelta(hours=7), now),
                       to_state=str(ProgressStatus.LAGGING.label),
                       note=f"{worst.node.name}，滞后 {worst.workdays_late} 个工作日")
            # ... and told the unit and the lead leader, once per lagging spell (the sweep's key).
            told = start_of_day(lagging_since) + dt.timedelta(hours=7)
            read = told + dt.timedelta(hours=5) if now - told > dt.timedelta(days=3) else None
            for user in dict.fromkeys([*(zone.dept_users[unit] if unit is not None else []), leader]):
                notifications.add(user, "fivekey.lagging", f"五重任务滞后：{title}"[:200], item_url.format(pk),
                                  f"fivekey:{pk}:lagging:{lagging_since.isoformat()}", min(told, now), read,
                                  Notification.Delivery.SENT, min(told, now), 1)
        items.add(category, year, title, f"{year}年底前{title}，形成可检验的成果。", leader,
                  zone.departments[unit][0] if unit is not None else None,
                  zone.enterprises[r.randrange(len(zone.enterprises))][0] if category == Category.KEY_ENTERPRISES else None,
                  zone.projects[r.randrange(len(zone.projects))][0] if category == Category.PROJECTS else None,
                  claim, zone.departments[claim_unit][0] if claim_unit is not None else None, claimed_at, confirmed_on,
                  lagging_since, created, pk=pk)
        zone.event(FiveKeyItem, pk, FiveKeyItem, pk, leader, "fivekey.created", created, to_state=str(category.label))
        for other in r.sample([u for u in units if u != unit], r.randint(0, 2)):
            cooperating.add(pk, zone.departments[other][0])
        if claim:
            claimant = zone.dept_users[claim_unit][0]
            zone.event(FiveKeyItem, pk, FiveKeyItem, pk, claimant, "fivekey.claimed", claimed_at,
                       to_state=zone.departments[claim_unit][1])
            if claim == FiveKeyItem.Claim.CONFIRMED:
                zone.event(FiveKeyItem, pk, FiveKeyItem, pk, leader, "fivekey.claim_confirmed",
                           min(max(start_of_day(confirmed_on) + dt.timedelta(hours=11), claimed_at), now),
                           to_state=zone.departments[claim_unit][1])


# --- service requests ------------------------------------------------------------------------

REQUEST_FIELDS = [
    "enterprise_id", "category", "title", "description", "urgency", "channel", "status", "steward_id", "created_by_id",
    "created_at", "accept_due_at", "accepted_at", "accepted_by_id", "accept_flagged_at", "resolved_directly",
    "reported_at", "report", "reported_by_id", "auto_close_due_at", "reopen_count", "closed_at", "close_reason"]
ESCALATION_FIELDS = [
    "request_id", "department_id", "status", "sent_by_id", "sent_at", "reason", "due_at", "remind_at", "reminded_at",
    "overdue_at", "clock_stopped_at", "answered_on_time", "needs_consultation", "consultation_reason",
    "consultation_marked_at", "next_progress_due_at", "progress_overdue_count", "last_progress_overdue_at",
    "concluded_at", "conclusion", "concluded_by_id", "replied_at", "reply", "replied_by_id", "returned_at",
    "return_reason", "returned_by_id"]
NOTIFICATION_FIELDS = ["recipient_id", "kind", "title", "url", "dedupe_key", "created_at", "read_at", "delivery",
                       "delivered_at", "attempts"]
LEDGER_FIELDS = [
    "enterprise_id", "category", "title", "description", "meeting_date", "status", "recorded_by_id", "recorded_at",
    "department_id", "dispatched_by_id", "dispatched_at", "claimed_by_id", "claimed_at", "request_id"]


def _request_times(zone: _Zone) -> tuple[array, array, array, dt.datetime]:
    """When each enterprise's requests came in (each enterprise from its own stream), as seconds
    after the start of the window, with the enterprise and its request number."""
    E, N = len(zone.enterprises), zone.counts["requests"]
    per = []
    for i in range(E):
        r = _rng(zone.seed, _REQUEST_TIMES, i)
        per.append(BENCH_REQUESTS if i == 0 else int(r.lognormvariate(2.1, 0.8)))
    # Hit the planned total exactly, adding or taking requests outside workstation #1.
    adjustable = ([i for i in range(E) if zone.enterprises[i][2] != 0] or [i for i in range(1, E)
                                                                         if zone.enterprises[i][3] != 0]
                  or list(range(1, E)) or [0])
    r = _rng(zone.seed, _REQUEST_TIMES, E + 1_000_000)
    diff = N - sum(per)
    while diff > 0 or (diff < 0 and any(per[i] for i in adjustable)):
        i = r.choice(adjustable)
        if diff > 0:
            per[i] += 1
            diff -= 1
        elif per[i]:
            per[i] -= 1
            diff += 1
    days, now = zone.days, zone.now
    base = start_of_day(zone.window_start)
    lo, hi = bisect.bisect_left(days.workdays, zone.window_start), bisect.bisect_right(days.workdays, zone.today)
    workdays = days.workdays[lo:hi]
    offdays = days.offdays[bisect.bisect_left(days.offdays, zone.window_start):
                           bisect.bisect_right(days.offdays, zone.today)] or workdays
    recent = workdays[-5:]
    times, enterprises, numbers = array("q"), array("l"), array("l")
    for i, count in enumerate(per):
        r = _rng(zone.seed, _REQUEST_TIMES, i)
        r.random()  # the count's draw
        for k in range(count):
            while True:
                pool = recent if i == 0 and k < 2 else (workdays if r.random() < 0.93 else offdays)
                at = days.at(r.choice(pool), r, 8 * 60, 19 * 60)
                if at < now - dt.timedelta(minutes=1):
                    break
            times.append(int((at - base).total_seconds() * 1_000_000))
            enterprises.append(i)
            numbers.append(k)
    return times, enterprises, numbers, base


def _requests(zone: _Zone) -> None:
    times, enterprises, numbers, base = _request_times(zone)
    order = sorted(range(len(times)), key=times.__getitem__)
    zone.step(f"request times ({len(order)} requests)")
    story = _RequestStory(zone)
    for start in range(0, len(order), CHUNK):
        with _transaction(zone.writer):
            for n in order[start: start + CHUNK]:
                story.run(enterprises[n], numbers[n], base + dt.timedelta(microseconds=times[n]))
        zone.step(f"requests {min(start + CHUNK, len(order))}/{len(order)}")


class _RequestStory:
    """One request's life replayed up to now: each step a person takes happens only if its time
    has come; each deadline that has passed meanwhile has had the sweep's effect, at the deadline."""

    def __init__(self, zone: _Zone):
        self.zone = zone
        w = zone.writer
        self.requests = w.table(ServiceRequest, REQUEST_FIELDS)
        self.escalations = w.table(Escalation, ESCALATION_FIELDS)
        self.progress = w.table(EscalationProgress, ["escalation_id", "text", "reported_by_id", "reported_at",
                                                     "was_due_at", "on_time"])
        self.comments = w.table(RequestComment, ["request_id", "author_id", "body", "created_at"])
        self.ledger = w.table(LedgerItem, LEDGER_FIELDS)
        self.notifications = w.table(Notification, NOTIFICATION_FIELDS)
        self.notify_from = zone.now - dt.timedelta(days=NOTIFIED_DAYS)
        self.request_url = reverse("stewards:request_detail", args=[999_999_999]).replace("999999999", "{}")
        self.escalation_url = reverse("stewards:escalation_detail", args=[999_999_999]).replace("999999999", "{}")
        self.accept_days = settings.ZONEHUB_ACCEPT_WORKING_DAYS
        self.reply_days = settings.ZONEHUB_REPLY_WORKING_DAYS
        self.auto_days = settings.ZONEHUB_AUTO_CLOSE_WORKING_DAYS
        self.remind_hour = dt.timedelta(hours=settings.ZONEHUB_REMINDER_HOUR)
        self._info: dict[tuple[int, dt.datetime], str] = {}
        self.categories = list(CATEGORY_WEIGHTS)
        self.category_weights = list(accumulate(CATEGORY_WEIGHTS.values()))  # cumulative: choices() is faster
        # Department #1 hears only from workstation #1 (weighted so that it gets a typical share).
        self.routes = {}
        for home in (True, False):
            for category, table in ROUTES.items():
                units = {zone.dept_index[short]: weight for short, weight in table.items()}
                if home:
                    units[0] = 4
                else:
                    units.pop(0, None)
                self.routes[home, category] = (list(units), list(units.values()))

    def pick(self, r: random.Random, home: bool, category: str, n: int, exclude=()) -> list[int]:
        units, weights = self.routes[home, category]
        pool = [(u, w) for u, w in zip(units, weights, strict=True) if u not in exclude]
        chosen = []
        while pool and len(chosen) < n:
            unit = r.choices([u for u, _ in pool], [w for _, w in pool])[0]
            chosen.append(unit)
            pool = [(u, w) for u, w in pool if u != unit]
        return chosen

    def notify(self, q, recipients, kind: str, key: str, title: str, at: dt.datetime, url: str = "") -> None:
        """The notification rows a service writes with a step, for the steps of the last days only:
        delivered, and read unless recent, so the sweep has nothing to send."""
        if at < self.notify_from:
            return
        url = url or self.request_url.format(q.id)
        recent = self.zone.now - at < dt.timedelta(days=3)
        for n, user in enumerate(dict.fromkeys(recipients)):
            unread = recent or (q.i + q.k + n + len(key)) % 6 == 0
            read = None if unread else at + dt.timedelta(hours=1 + (q.i + q.k + n) % 40)
            self.notifications.add(user, kind, title[:200], url, key, at, read, Notification.Delivery.SENT, at, 1)

    def run(self, i: int, k: int, t0: dt.datetime) -> None:
        zone = self.zone
        r = _rng(zone.seed, _REQUEST, i, k)
        ent, ent_name, ws, _first = zone.enterprises[i]
        steward = zone.stewards[_steward_at(zone, i, t0)]
        category = r.choices(self.categories, cum_weights=self.category_weights)[0]
        title = r.choice(TITLES[category])
        q = SimpleNamespace(
            id=self.requests.new_id(), r=r, i=i, k=k, ws=ws, home=ws == 0, category=category, title=title,
            ent_name=ent_name, enterprise_user=zone.ent_users[i],
            steward_user=steward[1], steward_name=steward[3], status=ServiceRequest.Status.SUBMITTED, created_by=None,
            accept_due_at=None, accepted_at=None, accepted_by=None, accept_flagged_at=None, resolved_directly=False,
            reported_at=None, report="", reported_by=None, auto_close_due_at=None, reopen_count=0, closed_at=None,
            close_reason="", comment_at=None)
        description = f"{ent_name}：{title}，请管家协助解决。"
        urgency = ServiceRequest.Urgency.URGENT if r.random() < 0.15 else ServiceRequest.Urgency.NORMAL
        roll = r.random()
        channel = ("web" if roll < 0.75 else "phone" if roll < 0.87 else "visit" if roll < 0.97
                   else "complaint_meeting")
        self.life(q, t0, channel, ent, title, description)
        if q.comment_at is not None and q.comment_at <= zone.now and (q.closed_at is None or q.comment_at < q.closed_at):
            body = r.choice(COMMENTS)
            comment = self.comments.add(q.id, q.steward_user, body, q.comment_at)
            zone.event(RequestComment, comment, ServiceRequest, q.id, q.steward_user, "request.commented", q.comment_at,
                       note=body)
        self.requests.add(
            ent, category, title, description, urgency, channel, q.status, steward[0], q.created_by, t0,
            q.accept_due_at, q.accepted_at, q.accepted_by, q.accept_flagged_at, q.resolved_directly, q.reported_at,
            q.report, q.reported_by, q.auto_close_due_at, q.reopen_count, q.closed_at, q.close_reason, pk=q.id)

    def life(self, q, t0, channel, ent, title, description) -> None:
        zone, r, days, S = self.zone, q.r, self.zone.days, ServiceRequest.Status
        now, horizon, event = zone.now, zone.horizon, zone.event
        if channel == "web":
            q.created_by = q.enterprise_user
            q.accept_due_at = days.due(t0, self.accept_days)
            event(ServiceRequest, q.id, ServiceRequest, q.id, q.enterprise_user, "request.submitted", t0,
                  to_state=S.SUBMITTED, data='{"attachments": 0, "steward": "' + q.steward_name + '"}')
            self.notify(q, [q.steward_user], "request.submitted", f"request:{q.id}:submitted",
                        f"{q.ent_name}的新诉求：{title}", t0)
            if r.random() < 0.07:  # accepted late
                accepted = days.at(days.add(q.accept_due_at.date() - ONE_DAY, 1 + int(r.random() * 3)), r)
            else:
                accepted = days.after(t0, r, 0, 1)
            if q.accept_due_at <= (accepted if accepted <= now else horizon):
                q.accept_flagged_at = q.accept_due_at
                event(ServiceRequest, q.id, ServiceRequest, q.id, None, "request.accept_late", q.accept_due_at,
                      data='{"due_at": "' + days.iso(q.accept_due_at) + '"}')
                self.notify(q, [zone.heads[q.ws], q.steward_user], "request.accept_late", f"request:{q.id}:accept_late",
                            f"未及时受理：{q.ent_name}的“{title}”", q.accept_due_at)
            if accepted > now:
                return
            q.status, q.accepted_at, q.accepted_by = S.ACCEPTED, accepted, q.steward_user
            event(ServiceRequest, q.id, ServiceRequest, q.id, q.steward_user, "request.accepted", accepted,
                  from_state=S.SUBMITTED, to_state=S.ACCEPTED,
                  data='{"on_time": true}' if accepted < q.accept_due_at else '{"on_time": false}')
            self.notify(q, [q.enterprise_user], "request.accepted", f"request:{q.id}:accepted",
                        f"您的诉求“{title}”已由{q.steward_name}受理", accepted)
            t = accepted
        elif channel != "complaint_meeting":  # logged by the steward after a call or a visit
            q.created_by, q.status, q.accepted_at, q.accepted_by = q.steward_user, S.ACCEPTED, t0, q.steward_user
            event(ServiceRequest, q.id, ServiceRequest, q.id, q.steward_user, "request.logged", t0,
                  to_state=S.ACCEPTED, data='{"channel": "' + channel + '"}')
            self.notify(q, [q.enterprise_user], "request.logged", f"request:{q.id}:logged", f"管家为您登记了诉求：{title}", t0)
            t = t0
        else:
            done = self.complaint_meeting(q, t0, ent, title, description)
            self.after_escalations(q, [done])
            return
        if r.random() < 0.72:  # solved by the steward itself
            reported = days.after(t, r, 0, 3)
            if reported <= now:
                self.report(q, reported, "request.resolved", direct=True)
            return
        sent = days.after(t, r, 0, 1)
        if sent > now:
            return
        n = 1 if r.random() < 0.8 else (2 if r.random() < 0.8 else 3)
        units = self.pick(r, q.home, q.category, n)
        q.status = S.ESCALATED
        event(ServiceRequest, q.id, ServiceRequest, q.id, q.steward_user, "request.escalated", sent,
              from_state=S.ACCEPTED, to_state=S.ESCALATED, data={"departments": [zone.departments[u][1] for u in units]})
        self.notify(q, [q.enterprise_user], "request.escalated", f"request:{q.id}:escalated:1",
                    f"您的诉求“{title}”已转{'、'.join(zone.departments[u][1] for u in units)}办理", sent)
        if r.random() < 0.15:
            q.comment_at = days.after(sent, r, 1, 2)
        dones = []
        for unit in units:
            done, kind = self.escalate(q, unit, sent, q.steward_user, allow_return=True)
            if kind == Escalation.Status.RETURNED and done is not None:
                again = days.after(done, r, 0, 1)
                other = self.pick(r, q.home, q.category, 1, exclude=units) or self.pick(r, q.home, "other", 1,
                                                                                        exclude=units)
                if again > now:
                    done = None  # the steward has yet to send it elsewhere
                elif other:
                    units = [*units, other[0]]
                    done, kind = self.escalate(q, other[0], again, q.steward_user, allow_return=False)
            dones.append(done)
        self.after_escalations(q, dones)

    def complaint_meeting(self, q, t0, ent, title, description) -> dt.datetime | None:
        """A complaint-meeting item on the ledger, dispatched by a leader or claimed by a department:
        a request logged as escalated, with its escalation."""
        zone, r, S = self.zone, q.r, ServiceRequest.Status
        unit = self.pick(r, q.home, q.category, 1)[0]
        recorder = r.choice(zone.leaders)
        claimed = r.random() < 0.3
        actor = zone.dept_users[unit][1] if claimed else recorder
        status = LedgerItem.Status.CLAIMED if claimed else LedgerItem.Status.DISPATCHED
        recorded = t0 - dt.timedelta(hours=r.randint(1, 48))
        item = self.ledger.new_id()
        q.created_by, q.status, q.accepted_at, q.accepted_by = actor, S.ESCALATED, t0, actor
        zone.event(LedgerItem, item, LedgerItem, item, recorder, "ledger.recorded", recorded,
                   to_state=LedgerItem.Status.UNASSIGNED)
        zone.event(ServiceRequest, q.id, ServiceRequest, q.id, actor, "request.logged", t0, to_state=S.ESCALATED,
                   data={"channel": "complaint_meeting", "ledger_item": item})
        done, _kind = self.escalate(q, unit, t0, actor, allow_return=False, reason=description)
        department, name = zone.departments[unit][:2]
        zone.event(LedgerItem, item, LedgerItem, item, actor, f"ledger.{status}", t0, from_state=LedgerItem.Status.UNASSIGNED,
                   to_state=status, data={"department": name, "request": q.id})
        self.ledger.add(ent, q.category, title, description, local_date(recorded), status, recorder, recorded, department,
                        None if claimed else actor, None if claimed else t0, actor if claimed else None,
                        t0 if claimed else None, q.id, pk=item)
        return done

    def escalate(self, q, unit: int, sent: dt.datetime, sender: int, *, allow_return: bool,
                 reason: str = "") -> tuple[dt.datetime | None, str]:
        """One escalation's clock: returns when it was answered for good (None while it is open) and how."""
        zone, r, days, E = self.zone, q.r, self.zone.days, Escalation.Status
        now, horizon, event = zone.now, zone.horizon, zone.event
        department, name, _short = zone.departments[unit]
        answerer = zone.dept_users[unit][0 if r.random() < 0.3 else 1]
        pk = self.escalations.new_id()
        due = days.due(sent, self.reply_days)
        remind = due - ONE_DAY + self.remind_hour  # the morning of the last working day
        reason = reason or r.choice(ESCALATION_REASONS)
        info = self._info.get((unit, due))
        if info is None:
            info = self._info[unit, due] = '{"department": "' + name + '", "due_at": "' + days.iso(due) + '"}'
        event(Escalation, pk, ServiceRequest, q.id, sender, "escalation.sent", sent, to_state=E.OPEN, note=reason,
              data=info)
        url = self.escalation_url.format(pk)
        self.notify(q, zone.dept_users[unit], "escalation.sent", f"escalation:{pk}:sent",
                    f"{q.ent_name}的新吹哨：{q.title}（{due.date() - ONE_DAY:%Y-%m-%d}前答复）", sent, url)
        roll = r.random()
        kind = E.RETURNED if allow_return and roll < 0.08 else E.CONSULTATION if roll < 0.15 else E.REPLIED
        if r.random() < zone.dept_late[unit]:
            stop = days.at(days.add(due.date() - ONE_DAY, 1 + int(r.random() * 4)), r)
        else:
            stop = days.after(sent, r, 0, 2)
        stopped = stop <= now
        reminded = remind if remind <= horizon and (not stopped or stop > remind) else None
        overdue = due if due <= horizon and (not stopped or stop >= due) else None
        if reminded:
            event(Escalation, pk, ServiceRequest, q.id, None, "escalation.reminded", reminded, data=info)
            self.notify(q, zone.dept_users[unit], "escalation.reminded", f"escalation:{pk}:reminder",
                        f"今天是答复“{q.title}”（{q.ent_name}）的最后一个工作日", reminded, url)
        if overdue:
            event(Escalation, pk, ServiceRequest, q.id, None, "escalation.overdue", overdue, from_state=E.OPEN,
                  to_state="overdue", data=info)
            self.notify(q, [zone.dept_users[unit][0], q.steward_user, *zone.leaders], "escalation.overdue",
                        f"escalation:{pk}:overdue", f"已超期：{name}未答复“{q.title}”（{q.ent_name}）", overdue, url)
        e = SimpleNamespace(
            status=E.OPEN, clock_stopped_at=None, answered_on_time=None, needs_consultation=False,
            consultation_reason="", consultation_marked_at=None, next_progress_due_at=None, progress_overdue_count=0,
            last_progress_overdue_at=None, concluded_at=None, conclusion="", concluded_by=None, replied_at=None,
            reply="", replied_by=None, returned_at=None, return_reason="", returned_by=None)
        done = None
        if stopped:
            on_time = stop < due
            e.clock_stopped_at, e.answered_on_time = stop, on_time
            if kind == E.REPLIED:
                e.status, e.replied_at, e.reply, e.replied_by = E.REPLIED, stop, r.choice(REPLIES), answerer
                event(Escalation, pk, ServiceRequest, q.id, answerer, "escalation.replied", stop, from_state=E.OPEN,
                      to_state=E.REPLIED, note=e.reply,
                      data='{"department": "' + name + ('", "on_time": true}' if on_time else '", "on_time": false}'))
                self.notify(q, [q.steward_user], "escalation.replied", f"escalation:{pk}:replied",
                            f"{name}已答复“{q.title}”", stop)
                done = stop
            elif kind == E.RETURNED:
                e.status, e.returned_at, e.return_reason, e.returned_by = E.RETURNED, stop, r.choice(RETURNS), answerer
                event(Escalation, pk, ServiceRequest, q.id, answerer, "escalation.returned", stop, from_state=E.OPEN,
                      to_state=E.RETURNED, note=e.return_reason, data='{"department": "' + name + '"}')
                self.notify(q, [q.steward_user], "escalation.returned", f"escalation:{pk}:returned",
                            f"{name}退回了“{q.title}”：不属于本单位职责", stop)
                done = stop
            else:
                done = self.consultation(q, pk, e, stop, answerer, name, on_time)
        self.escalations.add(
            q.id, department, e.status, sender, sent, reason, due, remind, reminded, overdue, e.clock_stopped_at,
            e.answered_on_time, e.needs_consultation, e.consultation_reason, e.consultation_marked_at,
            e.next_progress_due_at, e.progress_overdue_count, e.last_progress_overdue_at, e.concluded_at, e.conclusion,
            e.concluded_by, e.replied_at, e.reply, e.replied_by, e.returned_at, e.return_reason, e.returned_by, pk=pk)
        return done, kind

    def consultation(self, q, pk, e, marked, answerer, name, on_time) -> dt.datetime | None:
        """需会商: progress reports every few working days (now and then one late, which the sweep
        counted as missed), then the conclusion."""
        zone, r, days, E = self.zone, q.r, self.zone.days, Escalation.Status
        now, horizon, event = zone.now, zone.horizon, zone.event
        e.status, e.needs_consultation = E.CONSULTATION, True
        e.consultation_reason, e.consultation_marked_at = r.choice(CONSULTATIONS), marked
        next_due = days.due(marked, self.reply_days)
        event(Escalation, pk, ServiceRequest, q.id, answerer, "escalation.consultation", marked, from_state=E.OPEN,
              to_state=E.CONSULTATION, note=e.consultation_reason,
              data={"department": name, "on_time": on_time, "next_progress_due_at": next_due.isoformat()})
        t = marked
        reports = r.randint(1, 5)
        done = None
        for n in range(reports + 1):
            gap = r.randint(1, self.reply_days) if r.random() > 0.1 else r.randint(self.reply_days + 1, self.reply_days + 3)
            at = days.at(days.add(t.date(), gap), r)
            limit = at if at <= now else horizon
            while next_due <= limit:  # a period went by without a report: the sweep counted it
                following = days.due(local_date(next_due) - dt.timedelta(days=1), self.reply_days)
                e.progress_overdue_count += 1
                e.last_progress_overdue_at = next_due
                event(Escalation, pk, ServiceRequest, q.id, None, "escalation.progress_missed", next_due,
                      data={"department": name, "was_due_at": next_due.isoformat(), "missed": 1,
                            "next_due_at": following.isoformat()})
                next_due = following
            if at > now:
                break
            if n == reports:
                e.status, e.concluded_at, e.conclusion, e.concluded_by = E.CONCLUDED, at, r.choice(CONCLUSIONS), answerer
                event(Escalation, pk, ServiceRequest, q.id, answerer, "escalation.concluded", at,
                      from_state=E.CONSULTATION, to_state=E.CONCLUDED, note=e.conclusion, data={"department": name})
                done = at
                break
            text = r.choice(PROGRESS)
            progress = self.progress.add(pk, text, answerer, at, next_due, at < next_due)
            event(EscalationProgress, progress, ServiceRequest, q.id, answerer, "escalation.progress", at, note=text,
                  data={"department": name, "escalation": pk, "on_time": at < next_due})
            next_due = days.due(at, self.reply_days)
            t = at
        e.next_progress_due_at = next_due
        return done

    def after_escalations(self, q, dones: list) -> None:
        """Once every department has answered, the steward reports back."""
        if any(done is None for done in dones):
            return
        reported = self.zone.days.after(max(dones), q.r, 0, 2)
        if reported <= self.zone.now:
            self.report(q, reported, "request.reported", direct=False)

    def report(self, q, at: dt.datetime, kind: str, *, direct: bool) -> None:
        """Reported back: the enterprise confirms, reopens (once at most), or lets it close by itself."""
        zone, r, days, S = self.zone, q.r, self.zone.days, ServiceRequest.Status
        event = zone.event
        while True:
            from_state = q.status
            q.status, q.reported_at, q.reported_by = S.REPORTED, at, q.steward_user
            q.report = r.choice(DIRECT_REPORTS if direct else REPORTS)
            q.resolved_directly = direct
            q.auto_close_due_at = days.due(at, self.auto_days)
            event(ServiceRequest, q.id, ServiceRequest, q.id, q.steward_user, kind, at, from_state=from_state,
                  to_state=S.REPORTED, note=q.report)
            self.notify(q, [q.enterprise_user], kind, f"request:{q.id}:reported:{q.reopen_count}",
                        f"管家已反馈“{q.title}”的办理结果：请确认或退回", at)
            roll = r.random()
            answer = "reopen" if roll < 0.04 and not q.reopen_count else "confirm" if roll < 0.74 else None
            answered = days.after(at, r, 0, self.auto_days - 1) if answer else None
            if answered is not None and answered <= zone.now:
                if answer == "confirm":
                    q.status, q.closed_at, q.close_reason = S.CLOSED, answered, ServiceRequest.CloseReason.CONFIRMED
                    event(ServiceRequest, q.id, ServiceRequest, q.id, q.enterprise_user, "request.confirmed", answered,
                          from_state=S.REPORTED, to_state=S.CLOSED)
                    self.notify(q, [q.steward_user], "request.confirmed", f"request:{q.id}:closed",
                                f"{q.ent_name}确认“{q.title}”已解决", answered)
                    return
                q.status, q.auto_close_due_at, q.reopen_count = S.REOPENED, None, q.reopen_count + 1
                event(ServiceRequest, q.id, ServiceRequest, q.id, q.enterprise_user, "request.reopened", answered,
                      from_state=S.REPORTED, to_state=S.REOPENED, note=r.choice(REOPENS))
                self.notify(q, [q.steward_user], "request.reopened", f"request:{q.id}:reopened:{q.reopen_count}",
                            f"{q.ent_name}退回了“{q.title}”", answered)
                at = days.after(answered, r, 1, 3)
                if at > zone.now:
                    return
                kind, direct = "request.resolved", True
                continue
            if q.auto_close_due_at <= zone.horizon:
                q.status, q.closed_at = S.CLOSED, q.auto_close_due_at
                q.close_reason = ServiceRequest.CloseReason.AUTO
                event(ServiceRequest, q.id, ServiceRequest, q.id, None, "request.auto_closed", q.auto_close_due_at,
                      from_state=S.REPORTED, to_state=S.CLOSED, data='{"due_at": "' + days.iso(q.auto_close_due_at) + '"}')
                self.notify(q, [q.enterprise_user, q.steward_user], "request.auto_closed", f"request:{q.id}:closed",
                            f"“{q.title}”已自动办结：{self.auto_days}个工作日内未回复", q.auto_close_due_at)
            return


# --- the ledger's waiting items, the monthly scores and grades ---------------------------------


def _ledger_waiting(zone: _Zone) -> None:
    """Complaint-meeting items still waiting for a department: every department sees them, so
    there are as many at every F."""
    table = zone.writer.table(LedgerItem, LEDGER_FIELDS)
    for n in range(UNASSIGNED_LEDGER_ITEMS):
        r = _rng(zone.seed, _LEDGER, n)
        i = r.randrange(len(zone.enterprises))
        category = r.choice(list(TITLES))
        title = r.choice(TITLES[category])
        recorded = zone.now - dt.timedelta(days=r.randint(1, 20), hours=r.randint(0, 8))
        leader = r.choice(zone.leaders)
        description = f"{zone.enterprises[i][1]}在吐槽大会上反映：{title}。"
        pk = table.add(zone.enterprises[i][0], category, title, description, local_date(recorded),
                       LedgerItem.Status.UNASSIGNED, leader, recorded, None, None, None, None, None, None)
        zone.event(LedgerItem, pk, LedgerItem, pk, leader, "ledger.recorded", recorded,
                   to_state=LedgerItem.Status.UNASSIGNED)


def _scores(zone: _Zone) -> None:
    """The monthly five-key scores and department grades of the 24 whole months before this one.

    What ``projects.services.monthly_assessment`` and ``evaluations.services.department_grades_compute``
    store, by their own rules (``month_result``, ``escalation_facts``, ``escalations_carried``,
    ``department_month_values``), but from one read of the nodes and claims instead of a few
    queries per unit and month (tested to agree with the services)."""
    from evaluations.models import DepartmentMonthlyGrade, GradePolicy
    from evaluations.selectors import escalations_carried
    from evaluations.services import NO_FACTS, department_month_values
    from projects.models import UnitMonthlyScore
    from projects.progress import month_result
    from projects.selectors import fivekey_weights
    from stewards.selectors import escalation_facts

    months = months_before(zone.today, 24)
    calendar, weights = zone.days.calendar, fivekey_weights()
    nodes: dict[int, list] = {}  # unit → its nodes, by planned date (as the services read them)
    for unit, pk, planned, completed in (FiveKeyNode.objects.filter(item__responsible_unit__isnull=False)
                                         .order_by("planned_date", "pk")
                                         .values_list("item__responsible_unit_id", "pk", "planned_date", "completed_on")):
        nodes.setdefault(unit, []).append(SimpleNamespace(pk=pk, planned_date=planned, completed_on=completed))
    claims: dict[tuple[int, int, int], int] = {}
    for unit, on in FiveKeyItem.objects.filter(claim=FiveKeyItem.Claim.CONFIRMED, claim_confirmed_on__isnull=False) \
            .values_list("responsible_unit_id", "claim_confirmed_on"):
        claims[unit, on.year, on.month] = claims.get((unit, on.year, on.month), 0) + 1
    assessed: dict[int, set[int]] = {}  # year → units responsible for an item of that year
    for unit, year in FiveKeyItem.objects.filter(responsible_unit__isnull=False).values_list(
            "responsible_unit_id", "year").distinct():
        assessed.setdefault(year, set()).add(unit)
    departments = list(Department.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))
    # Read back from the database: a policy just created still holds Decimal("90"), not "90.0".
    policy = GradePolicy.objects.get(pk=GradePolicy.current().pk)
    computed_at = timezone.now()
    scores, grades = [], []
    for month in months:
        key = (month.year, month.month)
        first, last = month, month_end(month)
        facts = escalation_facts(month=month)
        carried = escalations_carried(month=month)
        for unit in sorted(set(departments) | assessed.get(month.year, set()) | set(nodes)):
            # What the services read for the month (projects.selectors._unit_month_nodes).
            unit_nodes = [n for n in nodes.get(unit, ()) if n.planned_date <= last and (
                n.completed_on is None or n.completed_on >= first or n.planned_date >= first - dt.timedelta(days=20))]
            result = month_result(unit_nodes, year=month.year, month=month.month,
                                  claimed=claims.get((unit, *key), 0), calendar=calendar, weights=weights)
            # The units the services assess (projects.services.assessment_units).
            if unit in assessed.get(month.year, ()) or any(
                    n.planned_date < first and (n.completed_on is None or n.completed_on >= first) for n in unit_nodes):
                scores.append(UnitMonthlyScore(department_id=unit, year=month.year, month=month.month,
                                               computed_at=computed_at, **result.as_dict()))
            if unit not in departments:
                continue
            values = department_month_values(
                facts=facts.get(unit, NO_FACTS), carried=carried.get(unit, []), policy=policy,
                nodes={**result.as_dict(), "nodes": [entry.as_dict() for entry in result.nodes]})
            grades.append(DepartmentMonthlyGrade(department_id=unit, month=month, computed_at=zone.now, **values))
    UnitMonthlyScore.objects.bulk_create(scores, batch_size=1000)
    DepartmentMonthlyGrade.objects.bulk_create(grades, batch_size=200)


# --- supply matchmaking (issue 18) -------------------------------------------------------------

SUPPLY_LINKS = 5  # per chain, the same at every F: the chain page reads one short query per link
SUPPLY_PRODUCTS = 3  # per link


def _supply(zone: _Zone) -> None:
    """Every chain mapped with ``SUPPLY_LINKS`` links of ``SUPPLY_PRODUCTS`` products; about 30 % of
    the enterprises offer a product of their chain and 40 % need one or two (some bought in the
    zone), as the supply services would have written them; and the operations centre's bench login.
    By the ORM in batches: a few hundred thousand rows at F=50."""
    from supply.models import ChainLink, Product, Source, SupplyNeed, SupplyOffer

    with transaction.atomic():
        ops = User.objects.create(username="scale-operations", name="运营中心", password=zone.password,
                                  role=Role.OPERATIONS, date_joined=timezone.now())
        chains = list(IndustryChain.objects.filter(name__in=ent_demo.INDUSTRIES).order_by("order", "name"))
        products: dict[int, list] = {}  # chain id → [(product id, link id)]
        for chain in chains:
            for position in range(1, SUPPLY_LINKS + 1):
                link = ChainLink.objects.create(chain=chain, name=f"{chain.name}环节{position}", position=position)
                for k in range(SUPPLY_PRODUCTS):
                    product = Product.objects.create(link=link, name=f"{chain.name}产品{position}-{k + 1}")
                    products.setdefault(chain.pk, []).append((product.pk, link.pk))
        by_industry = {i: chains[i].pk for i in range(len(chains))}
        sources = [Source.ZONE, Source.PROVINCE, Source.OUTSIDE, Source.OUTSIDE, Source.IMPORTED]
        offers, needs = [], []
        at = timezone.now()
        for i, (pk, _name, _ws, _steward) in enumerate(zone.enterprises):
            r = _rng(zone.seed, _ENTERPRISE + 100, i)
            choices = r.sample(products[by_industry[enterprise_industry(i)]], 3)
            if r.random() < 0.3:
                product, link = choices[0]
                offers.append(SupplyOffer(enterprise_id=pk, product_id=product, link_id=link, created_by=ops,
                                          yearly_capacity=Decimal(r.randint(1, 200) * 500),
                                          unit_price=Decimal(r.randint(50, 900) * 100), created_at=at))
            if r.random() < 0.4:
                for product, link in choices[1:1 + r.randint(1, 2)]:
                    needs.append(SupplyNeed(enterprise_id=pk, product_id=product, link_id=link, created_by=ops,
                                            yearly_volume=Decimal(r.randint(1, 100) * 200),
                                            current_source=r.choice(sources), created_at=at))
        SupplyOffer.objects.bulk_create(offers, batch_size=2000)
        SupplyNeed.objects.bulk_create(needs, batch_size=2000)
        # Their roll-ups, counted by the function the supply services call on every change.
        from supply.services import rollups_recount

        rollups_recount()
