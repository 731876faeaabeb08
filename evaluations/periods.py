"""Pay periods (a month or a quarter, ZONEHUB_PAY_PERIOD) and a unit's grade over one: read by the
pay sheets and the post rotation pool alike, so both judge a period the same way."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

from evaluations.indicators import quantize
from evaluations.models import DepartmentMonthlyGrade, GradePolicy, PaySheet
from zonehub.workdays import month_start, next_month_start, previous_month

P = PaySheet.Period


def period_kind() -> str:
    return P.QUARTER if settings.ZONEHUB_PAY_PERIOD == P.QUARTER else P.MONTH


def period_start(day: dt.date, kind: str) -> dt.date:
    """The first day of the period ``day`` is in."""
    first = month_start(day)
    if kind == P.QUARTER:
        return first.replace(month=(first.month - 1) // 3 * 3 + 1)
    return first


def period_months(start: dt.date, kind: str) -> list[dt.date]:
    months, month = [], start
    for _i in range(3 if kind == P.QUARTER else 1):
        months.append(month)
        month = next_month_start(month)
    return months


def period_end(start: dt.date, kind: str) -> dt.date:
    """The first day after the period."""
    return next_month_start(period_months(start, kind)[-1])


def previous_period(start: dt.date, kind: str) -> dt.date:
    return period_start(previous_month(start), kind)


def period_label(start: dt.date, kind: str) -> str:
    if kind == P.QUARTER:
        return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
    return f"{start.year}年{start.month}月"


@dataclass
class UnitPeriod:
    """A unit's grade over a period: the month's grade, or for a quarter the grade of the mean of
    the scores of its months that had one. No month with a score: no grade (``assessed`` False);
    no month computed at all: ``computed`` False."""

    grade: str = ""
    score: Decimal | None = None
    rows: list[int] = field(default_factory=list)
    computed: bool = False

    @property
    def assessed(self) -> bool:
        return bool(self.grade)


def unit_period_grades(start: dt.date, kind: str, *, department_ids=None,
                       policy: GradePolicy | None = None) -> dict[int, UnitPeriod]:
    """Each department's ``UnitPeriod``: one query."""
    months = period_months(start, kind)
    rows = DepartmentMonthlyGrade.objects.filter(month__in=months)
    if department_ids is not None:
        rows = rows.filter(department_id__in=list(department_ids))
    result: dict[int, UnitPeriod] = {}
    scores: dict[int, list[Decimal]] = {}
    for pk, department_id, _month, score, grade in rows.order_by("month", "pk").values_list(
            "pk", "department_id", "month", "score", "grade"):
        unit = result.setdefault(department_id, UnitPeriod(computed=True))
        unit.rows.append(pk)
        if score is not None:
            scores.setdefault(department_id, []).append(score)
            if len(months) == 1:
                unit.grade, unit.score = grade, score
    if len(months) > 1:
        policy = policy or GradePolicy.current()
        for department_id, values in scores.items():
            mean = quantize(sum(values) / len(values))
            result[department_id].score = mean
            result[department_id].grade = policy.grade_for(mean)
    return result
