"""The working-day calendar (DESIGN.md rules 1 and 2).

Published years live in the database (seeded from the ``chinese-calendar`` package, editable by
admins). A year the database does not know gets the statutory holidays computed on the fly, so
nothing here ever raises for an unknown year: a sweep that raised would stop every deadline.

``due_at`` is the one function that turns a start instant and N working days into a deadline;
everything else calls it.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
ONE_DAY = dt.timedelta(days=1)

# Names used for the statutory fallback (全国年节及纪念日放假办法, 2024 revision).
NEW_YEAR = "元旦"
SPRING_FESTIVAL = "春节"
QINGMING = "清明节"
LABOUR_DAY = "劳动节"
DRAGON_BOAT = "端午节"
MID_AUTUMN = "中秋节"
NATIONAL_DAY = "国庆节"


def _lunar_to_solar(year: int, month: int, day: int) -> dt.date | None:
    from lunardate import LunarDate

    try:
        return LunarDate(year, month, day).to_solar_date()
    except (ValueError, IndexError):  # outside the package's table (1900-2099)
        return None


def _qingming(year: int) -> dt.date:
    import chinese_calendar

    try:
        for day, name in chinese_calendar.get_solar_terms(dt.date(year, 4, 3), dt.date(year, 4, 6)):
            if name == "清明":
                return day
    except Exception:  # noqa: BLE001 - the package's range is limited; fall back to the rule of thumb
        pass
    return dt.date(year, 4, 5 if year % 4 in (0, 1) and year < 2000 else 4)


def statutory_holidays(year: int) -> dict[dt.date, str]:
    """The statutory public holidays of a year, with no make-up days: what a year with no
    published State Council notice is assumed to be."""
    days: dict[dt.date, str] = {dt.date(year, 1, 1): NEW_YEAR}
    spring = _lunar_to_solar(year, 1, 1)
    if spring:
        for offset in range(-1, 3):  # eve and the first three days
            days[spring + dt.timedelta(days=offset)] = SPRING_FESTIVAL
    days[_qingming(year)] = QINGMING
    days[dt.date(year, 5, 1)] = LABOUR_DAY
    days[dt.date(year, 5, 2)] = LABOUR_DAY
    for lunar_month, lunar_day, name in ((5, 5, DRAGON_BOAT), (8, 15, MID_AUTUMN)):
        solar = _lunar_to_solar(year, lunar_month, lunar_day)
        if solar:
            days[solar] = name
    for day in (1, 2, 3):
        days[dt.date(year, 10, day)] = NATIONAL_DAY
    return {day: name for day, name in days.items() if day.year == year}


@dataclass
class WorkCalendar:
    """Which days are working days, for the years it has loaded.

    ``overrides`` maps a date to True (working day) or False (day off) where it differs from the
    weekend rule; ``provisional`` holds the years answered from the statutory fallback.
    """

    overrides: dict[dt.date, bool] = field(default_factory=dict)
    loaded_years: set[int] = field(default_factory=set)
    provisional: set[int] = field(default_factory=set)

    @classmethod
    def for_years(cls, years) -> WorkCalendar:
        calendar = cls()
        calendar.load(set(years))
        return calendar

    def load(self, years: set[int]) -> None:
        years = {y for y in years if y not in self.loaded_years and 1 <= y <= 9998}
        if not years:
            return
        for year, (overrides, provisional) in _calendar_years(years).items():
            self.overrides.update(overrides)
            if provisional:
                self.provisional.add(year)
        self.loaded_years |= years


    def is_workday(self, day: dt.date) -> bool:
        if day.year not in self.loaded_years:
            self.load({day.year})
        override = self.overrides.get(day)
        if override is not None:
            return override
        return day.weekday() < 5

    def add_workdays(self, day: dt.date, count: int) -> dt.date:
        """The ``count``-th working day after ``day``; ``day`` itself is never counted."""
        if count < 0:
            raise ValueError("count must not be negative")
        current = day
        while count:
            current += ONE_DAY
            if self.is_workday(current):
                count -= 1
        return current

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in the half-open range (start, end]; negative when end is before start."""
        if end < start:
            return -self.workdays_between(end, start)
        count, current = 0, start
        while current < end:
            current += ONE_DAY
            count += self.is_workday(current)
        return count

    def first_workday_on_or_after(self, day: dt.date) -> dt.date:
        while not self.is_workday(day):
            day += ONE_DAY
        return day


# --- the calendar's years, kept per process ----------------------------------------------------
# Every deadline reads the calendar, and a submission used to read it from the database each
# time. Years once read are kept per process, for CALENDAR_CACHE_SECONDS at most, and forgotten
# as soon as any process changes the calendar: ``calendar_edited`` stores a new version in the
# shared cache, which every read compares (one cache read instead of two queries). A transaction
# that changed the calendar reads it from the database until it ends, and keeps nothing.
CALENDAR_VERSION_KEY = "zonehub:calendar-version"
CALENDAR_CACHE_SECONDS = 60
_kept: dict = {"version": None, "until": 0.0, "years": {}}


def _shared_calendar_version() -> str:
    from uuid import uuid4

    from django.core.cache import cache

    version = cache.get(CALENDAR_VERSION_KEY)
    if version is None:
        version = uuid4().hex
        if not cache.add(CALENDAR_VERSION_KEY, version, None):
            version = cache.get(CALENDAR_VERSION_KEY) or version
    return str(version)


def _changed_in_this_transaction() -> bool:
    from django.db import connection

    mark = getattr(connection, "_calendar_changed_mark", None)
    return connection.in_atomic_block and mark is not None and mark is connection.run_on_commit


def _read_calendar_years(years: set[int]) -> dict[int, tuple[dict[dt.date, bool], bool]]:
    from zonehub.models import CalendarDay, CalendarYear

    known = dict(CalendarYear.objects.filter(year__in=years).values_list("year", "provisional"))
    out: dict[int, tuple[dict[dt.date, bool], bool]] = {
        year: ({} if year in known else dict.fromkeys(statutory_holidays(year), False), known.get(year, True))
        for year in years
    }
    for day, is_workday in CalendarDay.objects.filter(year_id__in=known).values_list("date", "is_workday"):
        out[day.year][0][day] = is_workday
    return out


def _calendar_years(years: set[int]) -> dict[int, tuple[dict[dt.date, bool], bool]]:
    import time

    if _changed_in_this_transaction():
        return _read_calendar_years(years)
    version, now = _shared_calendar_version(), time.monotonic()
    if version != _kept["version"] or now >= _kept["until"]:
        _kept.update(version=version, until=now + CALENDAR_CACHE_SECONDS, years={})
    missing = years - _kept["years"].keys()
    if missing:
        _kept["years"].update(_read_calendar_years(missing))
    return {year: _kept["years"][year] for year in years}


def calendar_edited() -> None:
    """The calendar is being changed: this process forgets what it kept, and every process does
    once the change commits (and right away, for those that read before it commits)."""
    from django.core.cache import cache
    from django.db import connection, transaction

    def bump():
        cache.delete(CALENDAR_VERSION_KEY)
        forget_calendar()

    bump()
    if connection.in_atomic_block:
        connection._calendar_changed_mark = connection.run_on_commit
        transaction.on_commit(bump)


def forget_calendar() -> None:
    """Drop the years this process keeps (tests call it between tests)."""
    _kept.update(version=None, until=0.0, years={})


def local_date(instant: dt.datetime) -> dt.date:
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=SHANGHAI)
    return instant.astimezone(SHANGHAI).date()


def start_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=SHANGHAI)


def due_at(start: dt.datetime, days: int | None = None, *, calendar: WorkCalendar | None = None) -> dt.datetime:
    """The exclusive deadline of a period of ``days`` working days that starts at ``start``.

    Civil Code arts. 201 and 203: the day of the start is not counted and the period ends at
    24:00 Asia/Shanghai of its last working day, returned as 00:00 of the following day. Work
    is on time iff it happened strictly before the returned instant. A naive ``start`` is read
    as Asia/Shanghai.
    """
    if days is None:
        days = settings.ZONEHUB_REPLY_WORKING_DAYS
    calendar = calendar or WorkCalendar()
    last = calendar.add_workdays(local_date(start), days)
    return start_of_day(last + ONE_DAY)


def chinese_day(day: dt.date) -> str:
    """2026年6月28日: how every date a person reads is written (zonehub.dates.cn_date, which
    pages, notifications and workbooks call; here for the calendar's own messages)."""
    return f"{day.year}年{day.month}月{day.day}日"


def last_workday(due: dt.datetime) -> dt.date:
    """The last working day of a period whose exclusive deadline is ``due``."""
    return local_date(due) - ONE_DAY


def workdays_left(now: dt.datetime, due: dt.datetime, *, calendar: WorkCalendar | None = None) -> int:
    """Working days left after today before ``due``: 0 when today is the last day, negative
    once overdue (the working days late, at least 1)."""
    calendar = calendar or WorkCalendar()
    today = local_date(now)
    last = last_workday(due)
    if now >= due:
        return -max(calendar.workdays_between(last, today), 1)
    return calendar.workdays_between(today, last)


def is_workday(day: dt.date) -> bool:
    return WorkCalendar().is_workday(day)


# --- months -----------------------------------------------------------------------------------
# The one home of month arithmetic: grades, assessments, dashboards, filters and the scale
# seeder all count "a month" with these.


def month_start(day: dt.date) -> dt.date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def next_month_start(day: dt.date) -> dt.date:
    """The first day of the month after ``day``'s."""
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def month_end(day: dt.date) -> dt.date:
    """The last day of ``day``'s month."""
    return next_month_start(day) - ONE_DAY


def previous_month(day: dt.date) -> dt.date:
    """The first day of the month before ``day``'s."""
    return month_start(month_start(day) - ONE_DAY)


def months_before(day: dt.date, n: int) -> list[dt.date]:
    """The ``n`` whole months before ``day``'s month (their first days), oldest first."""
    months, month = [], month_start(day)
    for _i in range(n):
        month = previous_month(month)
        months.append(month)
    return months[::-1]


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of ``month`` in Asia/Shanghai, as instants."""
    return start_of_day(month_start(month)), start_of_day(next_month_start(month))


def parse_month(value: str | None) -> dt.date | None:
    """"2026-11" → 1 November 2026; None for anything else (a bad query string is no month),
    including a month outside the years the product works with (``year_in_range``): "0001-01" has no
    month before it and "9999-12" none after, and month arithmetic on them would fail."""
    try:
        month = dt.datetime.strptime((value or "").strip(), "%Y-%m").date()
    except ValueError:
        return None
    return month if year_in_range(month.year) else None


# --- the years the product works with -----------------------------------------------------------
# A date a user gives outside them is a slip of the keyboard (0001-01-01, 9999-12): refused with
# a message, never stored, and never carried into month arithmetic that overflows. Services check
# every date they are given with ``date_in_range``.

FIRST_YEAR = 2000
LAST_YEAR = 2100


def year_in_range(year: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR


def month_error() -> str:
    """What to say about a month that ``parse_month`` refused."""
    return _("Give a month between %(first)d-01 and %(last)d-12, written as YYYY-MM (e.g. 2026-03).") % {
        "first": FIRST_YEAR, "last": LAST_YEAR}


def date_in_range(day: dt.date | None, *, field: str, earliest: dt.date | None = None, latest: dt.date | None = None,
                  too_early: str = "", too_late: str = "") -> dt.date:
    """``day`` when it lies in [earliest, latest] (by default the years FIRST_YEAR–LAST_YEAR, which
    also bound any ``earliest``/``latest`` given); else a ValidationError on ``field`` in the
    user's language: ``too_early`` / ``too_late`` when given, or a message naming the range."""
    first = max(earliest or dt.date.min, dt.date(FIRST_YEAR, 1, 1))
    last = min(latest or dt.date.max, dt.date(LAST_YEAR, 12, 31))
    if day is None:
        raise ValidationError({field: _("Give the date.")})
    if isinstance(day, dt.datetime):
        day = local_date(day)
    message = ""
    if day < first:
        message = too_early
    elif day > last:
        message = too_late
    else:
        return day
    raise ValidationError({field: message or _("Give a date between %(first)s and %(last)s.") % {
        "first": chinese_day(first), "last": chinese_day(last)}})
