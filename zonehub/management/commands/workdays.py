"""The working-day calendar from the command line.

    python manage.py workdays due --start "2026-09-30 16:00" --days 3
    python manage.py workdays check 2026-10-10
    python manage.py workdays seed
    python manage.py workdays status
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from zonehub import services
from zonehub.models import CalendarYear
from zonehub.workdays import SHANGHAI, WorkCalendar, due_at

START_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d")


def parse_start(value: str) -> dt.datetime:
    value = value.strip()
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        parsed = None
        for fmt in START_FORMATS:
            try:
                parsed = dt.datetime.strptime(value, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        raise CommandError(
            f"不是有效的时间 / not a valid date and time: {value!r}. "
            "请使用 / use the form \"YYYY-MM-DD HH:MM\", e.g. \"2026-09-30 16:00\"."
        )
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=SHANGHAI)
    return parsed


def parse_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise CommandError(
            f"不是有效的日期 / not a valid date: {value!r}. 请使用 / use YYYY-MM-DD, e.g. 2026-10-10."
        ) from None


def positive_days(value: str) -> int:
    try:
        days = int(value)
    except ValueError:
        days = -1
    if days < 1 or days > 365:
        raise CommandError(f"--days 须为 1 到 365 的整数 / must be a whole number from 1 to 365: {value!r}")
    return days


class Command(BaseCommand):
    help = "Working-day calendar: compute a due instant, check a day, seed or show the stored years."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        due = sub.add_parser("due", help="Print the exclusive deadline of N working days from a start.")
        due.add_argument("--start", required=True, help='Start, read as Asia/Shanghai: "2026-09-30 16:00".')
        due.add_argument("--days", required=True, help="Working days (1-365).")
        check = sub.add_parser("check", help="Say whether a date is a working day.")
        check.add_argument("date")
        sub.add_parser("seed", help="Store the years the chinese-calendar package publishes.")
        sub.add_parser("status", help="List the stored years and which are provisional.")

    def handle(self, *args, action, **options):
        if action == "due":
            start = parse_start(options["start"])
            days = positive_days(options["days"])
            self.stdout.write(due_at(start, days).isoformat())
        elif action == "check":
            day = parse_date(options["date"])
            calendar = WorkCalendar()
            working = calendar.is_workday(day)
            note = " (provisional)" if day.year in calendar.provisional else ""
            self.stdout.write(f"{day.isoformat()} {'workday' if working else 'day off'}{note}")
        elif action == "seed":
            changed = services.calendar_seed_from_package()
            self.stdout.write(f"seeded; years replaced: {changed or 'none'}")
        elif action == "status":
            for year in CalendarYear.objects.order_by("year"):
                state = "provisional" if year.provisional else "published"
                self.stdout.write(f"{year.year} {state} ({year.source})")
