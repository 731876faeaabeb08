"""Writes to what all apps share: the working-day calendar."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.dispatch import Signal
from django.utils.translation import gettext as _

from zonehub.events import CoreEvent, record_event
from zonehub.models import CalendarDay, CalendarYear
from zonehub.workdays import calendar_edited, statutory_holidays

# Sent after commit with ``years``: the calendar of these years changed, so deadlines computed
# on them must be computed again. Apps holding deadlines connect their recompute service.
calendar_changed = Signal()

HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def _announce(years: list[int]) -> None:
    if years:
        transaction.on_commit(lambda: calendar_changed.send(sender=CalendarYear, years=sorted(years)))


def _replace_days(year: int, days: dict[dt.date, tuple[bool, str]]) -> None:
    calendar_edited()  # bulk writes send no signal
    CalendarDay.objects.filter(year_id=year).delete()
    CalendarDay.objects.bulk_create(
        CalendarDay(year_id=year, date=day, is_workday=is_workday, name=name)
        for day, (is_workday, name) in sorted(days.items())
    )


def _package_years() -> dict[int, dict[dt.date, tuple[bool, str]]]:
    from chinese_calendar import constants

    years: dict[int, dict[dt.date, tuple[bool, str]]] = {}
    for day, name in constants.holidays.items():
        years.setdefault(day.year, {})[day] = (False, HOLIDAY_NAMES_ZH.get(name, name))
    for day, name in constants.workdays.items():
        years.setdefault(day.year, {})[day] = (True, f"{HOLIDAY_NAMES_ZH.get(name, name)}调休")
    return years


@transaction.atomic
def calendar_seed_from_package() -> list[int]:
    """Store every year the chinese-calendar package knows. A year already published (from the
    package or by an admin) is left as it is; a provisional one is replaced and announced."""
    published = set(CalendarYear.objects.filter(provisional=False).values_list("year", flat=True))
    changed = []
    for year, days in sorted(_package_years().items()):
        if year in published:
            continue
        _, created = CalendarYear.objects.update_or_create(
            year=year, defaults={"provisional": False, "source": CalendarYear.Source.PACKAGE}
        )
        _replace_days(year, days)
        if not created:
            changed.append(year)
    _announce(changed)
    return changed


@transaction.atomic
def calendar_ensure_year(*, year: int) -> CalendarYear:
    """Make sure a year exists; one with no published notice gets the statutory holidays and is
    marked provisional, so admins are asked for the official schedule."""
    calendar_year, created = CalendarYear.objects.get_or_create(
        year=year, defaults={"provisional": True, "source": CalendarYear.Source.STATUTORY}
    )
    if created:
        _replace_days(year, {day: (False, name) for day, name in statutory_holidays(year).items()})
    return calendar_year


@transaction.atomic
def calendar_year_publish(*, calendar_year: CalendarYear, actor) -> CalendarYear:
    """An admin has entered the State Council's notice for a year: it stops being provisional and
    the deadlines computed on it are computed again."""
    if not actor.is_admin:
        raise PermissionDenied(_("Only administrators may change the calendar."))
    if calendar_year.provisional:
        calendar_year.provisional = False
        calendar_year.source = CalendarYear.Source.ADMIN
        calendar_year.save(update_fields=["provisional", "source", "updated_at"])
        record_event(calendar_year, actor=actor, kind=CoreEvent.CALENDAR_PUBLISHED, from_state="provisional",
                     to_state="published")
    _announce([calendar_year.year])
    return calendar_year


@transaction.atomic
def calendar_year_edited(*, calendar_year: CalendarYear, actor) -> None:
    """Days of a year were edited (in the admin): record it and recompute its deadlines."""
    if not actor.is_admin:
        raise PermissionDenied(_("Only administrators may change the calendar."))
    record_event(calendar_year, actor=actor, kind=CoreEvent.CALENDAR_EDITED)
    _announce([calendar_year.year])


def calendar_years_needing_notice(*, today: dt.date) -> list[int]:
    """The current and next year when either is provisional or missing: the admin banner."""
    wanted = [today.year, today.year + 1]
    published = set(
        CalendarYear.objects.filter(year__in=wanted, provisional=False).values_list("year", flat=True)
    )
    return [year for year in wanted if year not in published]
