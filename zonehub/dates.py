"""Dates as people in China write them: 2026年6月28日 (DESIGN.md: "dates as people in China write
them"), in every page, notification, message and workbook; the API alone keeps ISO 8601 (machines
read it).

One function per kind of date, so that a notification and the list it points to never tell a day
apart:

* ``cn_date(day)``: a calendar day (a planned date, a completion date), 2026年6月28日.
* ``cn_datetime(instant)``: an instant, in Beijing time, 2026年6月28日 14:05.
* ``cn_deadline(due_at)``: the last day of a period stored as an exclusive instant (``due_at`` is
  00:00 of the day after, DESIGN.md rule 1): "by the end of 2026年6月28日", never the 29th.

In a workbook a date stays a date (it sorts and filters), shown in the same form through the
number formats ``XLSX_DATE_FORMAT`` and ``XLSX_DATETIME_FORMAT``.
"""

from __future__ import annotations

import datetime as dt

from zonehub.workdays import SHANGHAI, chinese_day, last_workday, local_date

XLSX_DATE_FORMAT = 'yyyy"年"m"月"d"日"'
XLSX_DATETIME_FORMAT = 'yyyy"年"m"月"d"日" hh:mm'


def cn_date(day: dt.date | dt.datetime | None) -> str:
    """2026年6月28日; an instant is first taken to its day in Beijing; None gives ""."""
    if day is None:
        return ""
    if isinstance(day, dt.datetime):
        day = local_date(day)
    return chinese_day(day)


def cn_datetime(instant: dt.datetime | None) -> str:
    """2026年6月28日 14:05, in Beijing time (a naive instant is read as Beijing time)."""
    if instant is None:
        return ""
    if instant.tzinfo is not None:
        instant = instant.astimezone(SHANGHAI)
    return f"{cn_date(instant.date())} {instant:%H:%M}"


def cn_deadline(due_at: dt.datetime | None) -> str:
    """The day by whose end the work is due, for a deadline stored as the exclusive instant
    ``due_at`` (00:00 Beijing of the next day): 2026年6月28日 for 2026-06-29 00:00."""
    return cn_date(last_workday(due_at)) if due_at is not None else ""

