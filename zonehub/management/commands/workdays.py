"""The working-day calendar from the command line.

    python manage.py workdays due --start "2026-09-30 16:00" --days 3
    python manage.py workdays check 2026-10-10
    python manage.py workdays seed
    python manage.py workdays status
    python manage.py workdays notice notice-2027.txt           # every date the notice names
    python manage.py workdays notice notice-2027.txt --apply   # store it, as the admin page does
"""

import datetime as dt
import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from zonehub import services
from zonehub.models import CalendarYear, User
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
        notice = sub.add_parser("notice", help="Read the State Council's holiday notice from FILE ('-' for standard "
                                               "input) and print every date it names: the ISO date, a tab, "
                                               "holiday or workday. What it cannot read goes to standard error.")
        notice.add_argument("file")
        notice.add_argument("--apply", action="store_true",
                            help="Store it as the year's published calendar, as the admin page does (the actor is "
                                 "the first superuser) and recompute the deadlines on it.")
        notice.add_argument("--accept-unread", action="store_true",
                            help="With --apply: store it although some pieces could not be read (they are left out).")

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
        elif action == "notice":
            self.notice(options["file"], apply=options["apply"], accept_unread=options["accept_unread"])
        elif action == "status":
            for year in CalendarYear.objects.order_by("year"):
                state = "provisional" if year.provisional else "published"
                self.stdout.write(f"{year.year} {state} ({year.source})")

    def notice(self, file: str, *, apply: bool, accept_unread: bool) -> None:
        text = read_notice_file(file)
        try:
            parse = services.calendar_notice_read(text=text)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        for day in parse.days:
            self.stdout.write(f"{day.date.isoformat()}\t{day.kind}")
        for piece in parse.unread:
            self.stderr.write(f"未能识别 / not read: {piece.text}\n    {piece.reason}")
        if not apply:
            return
        actor = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if actor is None:
            raise CommandError("没有可用的超级用户，无法记录是谁导入的 / no active superuser to record the import as: "
                               "create one with `manage.py createsuperuser`.")
        try:
            calendar_year = services.calendar_notice_apply(text=text, actor=actor, unread_confirmed=accept_unread)
        except ValidationError as exc:
            hint = " (--accept-unread)" if parse.unread else ""
            raise CommandError(" ".join(exc.messages) + hint) from None
        self.stderr.write(f"stored {calendar_year.year} from the notice as {actor.username}: "
                          f"{len(parse.holidays)} holidays, {len(parse.workdays)} make-up workdays")


def read_notice_file(file: str) -> str:
    """The notice's text: UTF-8 (with or without a byte order mark), else GB18030, as a Chinese
    Windows editor saves it."""
    try:
        data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as exc:
        raise CommandError(f"无法读取文件 / cannot read {file!r}: {exc.strerror}") from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CommandError(f"文件不是 UTF-8 或 GB18030 文本 / {file!r} is not UTF-8 or GB18030 text.")
