"""Writes to what all apps share: the working-day calendar."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zonehub.calendar_notice import NoticeParse, parse_notice
from zonehub.events import CoreEvent, record_event
from zonehub.models import CalendarDay, CalendarYear, User
from zonehub.workdays import FIRST_YEAR, LAST_YEAR, NEW_YEAR, calendar_edited, statutory_holidays, year_in_range

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


# The State Council publishes next year's notice in November (in late October some years): from the
# first of the month administrators are asked for it.
NOTICE_SEASON_MONTH = 11


def calendar_years_needing_notice(*, today: dt.date) -> list[int]:
    """The years whose official schedule administrators are asked for (the banner): the current
    year while it is provisional or missing, and the next one from 1 November."""
    wanted = [today.year] + ([today.year + 1] if today.month >= NOTICE_SEASON_MONTH else [])
    published = set(
        CalendarYear.objects.filter(year__in=wanted, provisional=False).values_list("year", flat=True)
    )
    return [year for year in wanted if year not in published]


# --- The State Council's notice, pasted by an administrator (issue 20) ---------------------------


def calendar_notice_read(*, text: str) -> NoticeParse:
    """The notice read (zonehub.calendar_notice), or a ValidationError that says in the user's
    language why there is nothing to store: no text, no year, no day."""
    if not (text or "").strip():
        raise ValidationError(_("Paste the text of the State Council's notice."))
    parse = parse_notice(text)
    if parse.year is None:
        raise ValidationError(_("No year was found. Paste the notice with its title "
                                "(国务院办公厅关于YYYY年部分节假日安排的通知)."))
    if not year_in_range(parse.year):
        raise ValidationError(_("The notice is about the year %(year)s: only %(first)s to %(last)s can be stored.") % {
            "year": parse.year, "first": FIRST_YEAR, "last": LAST_YEAR})
    if not parse.days and not parse.unread:
        raise ValidationError(_("No holiday or make-up working day was found in the text. Paste the items "
                                "of the notice (一、元旦：… 二、春节：…)."))
    return parse


def _notice_days_replace(year: int, days: dict[dt.date, tuple[bool, str]], *, whole_year: bool) -> None:
    """Write a notice's days of ``year``. For the notice's own year every stored day is replaced,
    but the December days named for the next New Year (元旦), which the next year's notice set; of
    the year before, only the days the notice names."""
    calendar_edited()  # bulk writes send no signal
    stale = CalendarDay.objects.filter(year_id=year)
    if whole_year:
        stale = stale.exclude(Q(date__month=12, name__startswith=NEW_YEAR) & ~Q(date__in=list(days)))
    else:
        stale = stale.filter(date__in=list(days))
    stale.delete()
    CalendarDay.objects.bulk_create(
        CalendarDay(year_id=year, date=day, is_workday=is_workday, name=name)
        for day, (is_workday, name) in sorted(days.items())
    )


@transaction.atomic
def calendar_notice_apply(*, text: str, actor, unread_confirmed: bool = False) -> CalendarYear:
    """An administrator stores the State Council's notice for a year, pasted from its text: the
    holidays and make-up working days it names become the year's published calendar (days it names
    in the December before go to that year), and the deadlines on them are computed again.

    Pieces of the notice that could not be read are stored nowhere; the administrator must have
    looked at them (``unread_confirmed``) before the rest is stored."""
    if not actor.is_admin:
        raise PermissionDenied(_("Only administrators may change the calendar."))
    parse = calendar_notice_read(text=text)
    if parse.unread and not unread_confirmed:
        raise ValidationError(ngettext(
            "%(n)d piece of the notice could not be read: check it, then confirm to store the rest.",
            "%(n)d pieces of the notice could not be read: check them, then confirm to store the rest.",
            len(parse.unread)) % {"n": len(parse.unread)})
    if not parse.days:
        raise ValidationError(_("No holiday or make-up working day could be read: nothing to store."))
    year = parse.year
    by_year: dict[int, dict[dt.date, tuple[bool, str]]] = {year: {}}
    for day in parse.days:
        by_year.setdefault(day.date.year, {})[day.date] = (day.is_workday, day.name)
    summary = {"source": CalendarYear.Source.NOTICE.value, "notice_year": year,
               "holidays": len(parse.holidays), "workdays": len(parse.workdays),
               "unread": [piece.text for piece in parse.unread]}

    calendar_year = CalendarYear.objects.select_for_update().filter(year=year).first()
    was_provisional = calendar_year is None or calendar_year.provisional
    if calendar_year is None:
        calendar_year = CalendarYear.objects.create(year=year, provisional=False, source=CalendarYear.Source.NOTICE)
    else:
        calendar_year.provisional = False
        calendar_year.source = CalendarYear.Source.NOTICE
        calendar_year.save(update_fields=["provisional", "source", "updated_at"])
    _notice_days_replace(year, by_year[year], whole_year=True)
    if was_provisional:
        record_event(calendar_year, actor=actor, kind=CoreEvent.CALENDAR_PUBLISHED, from_state="provisional",
                     to_state="published", note=_("imported from the State Council's notice"), data=summary)
    else:
        record_event(calendar_year, actor=actor, kind=CoreEvent.CALENDAR_EDITED,
                     note=_("imported from the State Council's notice"), data=summary)
    for other_year, days in sorted(by_year.items()):
        if other_year == year:
            continue
        other = calendar_ensure_year(year=other_year)
        _notice_days_replace(other_year, days, whole_year=False)
        record_event(other, actor=actor, kind=CoreEvent.CALENDAR_EDITED,
                     note=_("days named by the State Council's notice for %(year)s") % {"year": year},
                     data={**summary, "dates": [day.isoformat() for day in sorted(days)]})
    _announce(sorted(by_year))
    return calendar_year


def capacity_set(user_id: int, name: str, held: bool) -> None:
    """Record in ``User.capacities`` that the user holds capacity ``name`` (zonehub.scoping) or no
    longer does: the app owning the capacity calls this whenever what decides it changes."""
    with transaction.atomic():
        current = User.objects.select_for_update().filter(pk=user_id).values_list("capacities", flat=True).first()
        if current is None:
            return
        wanted = sorted({*(current or ()), name} if held else set(current or ()) - {name})
        if wanted != sorted(current or ()):
            User.objects.filter(pk=user_id).update(capacities=wanted)
