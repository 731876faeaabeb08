import datetime as dt

import chinese_calendar
import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zonehub import services
from zonehub.models import CalendarDay, CalendarYear
from zonehub.workdays import SHANGHAI, WorkCalendar, due_at, statutory_holidays, workdays_left

pytestmark = pytest.mark.django_db


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def oracle(start: dt.datetime, days: int) -> dt.datetime:
    """Civil Code counting straight from the chinese-calendar package."""
    day = start.astimezone(SHANGHAI).date()
    while days:
        day += dt.timedelta(days=1)
        if chinese_calendar.is_workday(day):
            days -= 1
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=SHANGHAI)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    start=st.datetimes(min_value=dt.datetime(2019, 1, 1), max_value=dt.datetime(2025, 12, 20)),
    days=st.integers(min_value=1, max_value=10),
)
def test_due_at_matches_the_published_calendar_over_whole_years(start, days):
    start = start.replace(tzinfo=SHANGHAI)
    assert due_at(start, days) == oracle(start, days)


def test_the_example_of_the_issue():
    # Sept 30 is not counted; Oct 1-7 are the holiday; Oct 8, 9 and the make-up Saturday Oct 10.
    assert due_at(at("2026-09-30 16:00"), 3).isoformat() == "2026-10-11T00:00:00+08:00"


def test_start_on_a_holiday_counts_from_the_next_working_day():
    assert due_at(at("2026-10-03 10:00"), 3) == at("2026-10-11 00:00")
    assert due_at(at("2026-10-05 09:00"), 1) == at("2026-10-09 00:00")


def test_start_on_a_make_up_working_sunday_is_not_counted():
    # 2026-09-20 is a Sunday worked in lieu of National Day.
    assert due_at(at("2026-09-20 10:00"), 3) == at("2026-09-24 00:00")


def test_late_friday_before_a_make_up_saturday():
    # 2026-10-10 is a Saturday worked in lieu: the first of the period.
    assert due_at(at("2026-10-09 23:59"), 1) == at("2026-10-11 00:00")
    assert due_at(at("2026-10-09 23:59"), 3) == at("2026-10-14 00:00")


def test_friday_and_saturday_starts_give_the_same_deadline():
    # chinese_calendar.find_workday would count the Friday itself and differ here.
    assert due_at(at("2026-11-20 17:00"), 3) == due_at(at("2026-11-21 11:00"), 3) == at("2026-11-26 00:00")


def test_start_is_read_in_shanghai_time():
    # 17:00 UTC on Sept 30 is already Oct 1 in Shanghai: a holiday.
    start = dt.datetime(2026, 9, 30, 17, 0, tzinfo=dt.UTC)
    assert due_at(start, 3) == at("2026-10-11 00:00")


def test_across_new_year_into_a_provisional_year():
    assert CalendarYear.objects.get(year=2027).provisional
    # Dec 31 (Thu), Jan 1 2027 statutory holiday (Fri), then Mon Jan 4 and Tue Jan 5.
    assert due_at(at("2026-12-30 15:00"), 3) == at("2027-01-06 00:00")


def test_a_year_the_database_does_not_know_never_raises():
    CalendarYear.objects.filter(year__gte=2027).delete()
    assert due_at(at("2026-12-30 15:00"), 3) == at("2027-01-06 00:00")
    # Beyond every table: weekends only, still no error.
    assert dt.date(2250, 6, 3).weekday() == 0
    assert due_at(at("2250-06-03 10:00"), 3) == at("2250-06-07 00:00")


def test_statutory_fallback_has_the_eleven_days_of_the_2024_rules():
    days = statutory_holidays(2027)
    assert len(days) == 13  # 1 + 4 + 1 + 2 + 1 + 1 + 3
    assert days[dt.date(2027, 2, 5)] == "春节"  # eve
    assert days[dt.date(2027, 2, 6)] == "春节"
    assert days[dt.date(2027, 6, 9)] == "端午节"
    assert days[dt.date(2027, 9, 15)] == "中秋节"
    assert days[dt.date(2027, 4, 5)] == "清明节"
    assert {dt.date(2027, 10, d) for d in (1, 2, 3)} <= set(days)


def test_admin_edits_change_deadlines_and_publishing_announces_the_year(zone, django_capture_on_commit_callbacks):
    received = []

    def receiver(sender, years, **kwargs):
        received.append(years)

    services.calendar_changed.connect(receiver)
    try:
        year = CalendarYear.objects.get(year=2027)
        # The official notice adds Jan 4 2027 as a holiday.
        CalendarDay.objects.create(year=year, date=dt.date(2027, 1, 4), is_workday=False, name="元旦")
        assert due_at(at("2026-12-30 15:00"), 3) == at("2027-01-07 00:00")
        with django_capture_on_commit_callbacks(execute=True):
            services.calendar_year_publish(calendar_year=year, actor=zone.admin)
        year.refresh_from_db()
        assert not year.provisional
        assert received == [[2027]]
    finally:
        services.calendar_changed.disconnect(receiver)


def test_only_admins_publish(zone):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.calendar_year_publish(calendar_year=CalendarYear.objects.get(year=2027), actor=zone.leader)
    assert CalendarYear.objects.get(year=2027).provisional


def test_workdays_left_counts_down_and_goes_negative_when_late():
    due = due_at(at("2026-11-23 10:00"), 3)  # Mon -> due Fri Nov 27 00:00
    calendar = WorkCalendar()
    assert workdays_left(at("2026-11-23 11:00"), due, calendar=calendar) == 3
    assert workdays_left(at("2026-11-26 09:00"), due, calendar=calendar) == 0
    assert workdays_left(at("2026-11-27 00:00"), due, calendar=calendar) == -1
    assert workdays_left(at("2026-11-30 09:00"), due, calendar=calendar) == -2


def test_command_prints_the_deadline(capsys):
    call_command("workdays", "due", "--start", "2026-09-30 16:00", "--days", "3")
    assert capsys.readouterr().out.strip() == "2026-10-11T00:00:00+08:00"


@pytest.mark.parametrize(
    "start,days", [("2026-09-31 16:00", "3"), ("yesterday", "3"), ("2026-09-30 16:00", "0"), ("2026-09-30", "x")]
)
def test_command_rejects_bad_input_with_a_clear_message(start, days):
    with pytest.raises(CommandError) as exc:
        call_command("workdays", "due", "--start", start, "--days", days)
    assert "YYYY-MM-DD" in str(exc.value) or "1 到 365" in str(exc.value)


def test_seeding_again_keeps_published_years_and_replaces_provisional_ones():
    CalendarYear.objects.filter(year=2026).update(provisional=True, source="statutory")
    changed = services.calendar_seed_from_package()
    assert changed == [2026]
    assert not CalendarYear.objects.get(year=2026).provisional
    assert services.calendar_seed_from_package() == []


@pytest.mark.django_db(transaction=True)
def test_the_calendar_survives_a_flush():
    # A transactional test (or manage.py flush) empties every table; the calendar comes back, or
    # deadlines would quietly use the statutory fallback (2025-02-08 was a make-up Saturday).
    call_command("flush", "--noinput")
    assert CalendarYear.objects.filter(year=2025, provisional=False).exists()
    assert due_at(at("2025-02-07 10:00"), 3) == at("2025-02-12 00:00")


def test_month_helpers_across_year_ends_and_short_months():
    from zonehub.workdays import (
        month_bounds,
        month_end,
        month_start,
        months_before,
        next_month_start,
        parse_month,
        previous_month,
    )

    assert month_start(dt.date(2026, 2, 17)) == dt.date(2026, 2, 1)
    assert next_month_start(dt.date(2026, 12, 31)) == dt.date(2027, 1, 1)
    assert next_month_start(dt.date(2026, 1, 31)) == dt.date(2026, 2, 1)
    assert month_end(dt.date(2024, 2, 3)) == dt.date(2024, 2, 29)
    assert month_end(dt.date(2026, 12, 1)) == dt.date(2026, 12, 31)
    assert previous_month(dt.date(2026, 1, 31)) == dt.date(2025, 12, 1)
    assert previous_month(dt.date(2026, 3, 31)) == dt.date(2026, 2, 1)
    assert months_before(dt.date(2026, 2, 15), 3) == [dt.date(2025, 11, 1), dt.date(2025, 12, 1), dt.date(2026, 1, 1)]
    assert months_before(dt.date(2026, 2, 15), 0) == []
    start, end = month_bounds(dt.date(2026, 12, 9))
    assert (start, end) == (dt.datetime(2026, 12, 1, tzinfo=SHANGHAI), dt.datetime(2027, 1, 1, tzinfo=SHANGHAI))
    assert parse_month("2026-11") == dt.date(2026, 11, 1)
    assert parse_month(" 2026-02 ") == dt.date(2026, 2, 1)
    assert parse_month("2026-13") is None and parse_month("") is None and parse_month(None) is None


def test_the_calendar_is_read_once_per_process_and_again_after_any_change(django_assert_num_queries):
    from zonehub.workdays import WorkCalendar

    day = dt.date(2026, 10, 5)  # a day of the National Day holiday
    with django_assert_num_queries(2):
        assert not WorkCalendar().is_workday(day)
    with django_assert_num_queries(0):  # kept: a submission reads no calendar row
        assert not WorkCalendar().is_workday(day)
    # An admin makes it a working day (the admin's inline saves the row: a signal).
    calendar_day = CalendarDay.objects.get(date=day)
    calendar_day.is_workday = True
    calendar_day.save()
    assert WorkCalendar().is_workday(day)


def test_another_process_s_change_is_seen_through_the_shared_version(django_assert_num_queries):
    from django.core.cache import cache

    from zonehub.workdays import CALENDAR_VERSION_KEY, WorkCalendar

    day = dt.date(2026, 10, 5)
    assert not WorkCalendar().is_workday(day)
    # Another process changed the row and bumped the version; this one was not told directly.
    CalendarDay.objects.filter(date=day).update(is_workday=True)
    assert not WorkCalendar().is_workday(day)  # still kept here...
    cache.delete(CALENDAR_VERSION_KEY)  # ...until the shared version moves on
    assert WorkCalendar().is_workday(day)
