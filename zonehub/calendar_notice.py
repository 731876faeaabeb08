"""Reading the State Council's holiday notice (国务院办公厅关于YYYY年部分节假日安排的通知).

Every November the General Office publishes next year's holidays and make-up working days; until
a ``chinese-calendar`` release carries them (slow on an intranet) the year runs on the statutory
fallback. An administrator pastes the notice and ``parse_notice`` reads it into the days the
calendar stores (``zonehub.services.calendar_notice_apply``).

It reads the notices as they have been written since 2008: full- or half-width digits and
punctuation, ranges with 至 (or a dash) across months and years, "与周末连休", "补休", several
festivals in one item (中秋节、国庆节), weekday notes in brackets — which it checks against the date
— and 2008's long form ("…两个公休日调至…"). Sentences that set no day (鼓励…安排职工在除夕休息) are
left out. Whatever it cannot read is returned as written, with the reason, and none of its dates
are used: never guessed.

Pure: no database, no settings; the messages go through gettext.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

HOLIDAY = "holiday"
WORKDAY = "workday"

# The item headings' festivals, as the calendar names them (the names the package-seeded years use).
FESTIVALS = (
    ("元旦", "元旦"), ("春节", "春节"), ("清明", "清明节"), ("劳动", "劳动节"), ("五一", "劳动节"),
    ("端午", "端午节"), ("中秋", "中秋节"), ("国庆", "国庆节"), ("十一", "国庆节"),
)
WEEKDAYS = "一二三四五六日"
# Days a notice for year Y may name: its own year, and the end of December before it (a New Year
# holiday that starts on 30 December, a make-up Saturday on 29 December).
EARLIEST_MONTH_BEFORE = 12
LONGEST_RANGE_DAYS = 40

YEAR_PATTERNS = (
    re.compile(r"关于\s*(\d{4})\s*年\s*部分\s*节假日"),
    re.compile(r"现将\s*(\d{4})\s*年"),
    re.compile(r"(\d{4})\s*年\s*(?:部分\s*)?节假日\s*(?:放假\s*)?安排"),
    re.compile(r"(\d{4})\s*年\s*元旦"),
)
_MARK = r"(?:[一二三四五六七八九十]{1,3}\s*[、.]|\(\s*[一二三四五六七八九十]{1,3}\s*\)|\d{1,2}\s*[、.](?!\d)|——)"
HEADING = re.compile(
    rf"(?:^|(?<=。))[ \t]*(?P<mark>{_MARK})?[ \t]*(?:\d{{4}}\s*年\s*)?(?P<name>[^\d:\n。,;()]{{1,24}}?)[ \t]*:",
    re.MULTILINE,
)
# Where the notice ends: the signature, on a line of its own (what a news site adds after it is not
# the notice).
SIGNATURE = re.compile(
    r"^[ \t]*(?:国务院办公厅|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
    r"|[〇○零一二三四五六七八九十]{4}年[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日)[ \t]*$",
    re.MULTILINE,
)
BARE_DATE = re.compile(r"^\s*(?:国务院办公厅)?\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$")
SENTENCE_END = re.compile(r"[。;]")
BRACKETS = re.compile(r"\([^()]*\)")
WEEKDAY_NOTE = re.compile(r"(?:星期|周|礼拜)\s*([一二三四五六日天七])")
ADVISORY = re.compile(r"鼓励|倡导|提倡")
DATE_ANYWHERE = re.compile(r"\d{1,2}\s*月\s*\d{1,2}\s*[日号]")
TOKEN_DATE = re.compile(r"\d{1,2}\s*[日号]")
TOKEN = re.compile(
    r"(?P<date>(?:(?P<y>\d{4})\s*年\s*)?(?:(?P<m>\d{1,2})\s*月\s*)?(?P<d>\d{1,2})\s*[日号])"
    r"|(?P<sep>至|到|[-~—–―]+)"
    r"|(?P<none>不调休|无调休|不补休)"
    r"|(?P<shift>(?:[两二三四五]个)?公休日?(?:分别)?调(?:至|到|为)|调至|调到)"
    r"|(?P<work>上班|补班|照常工作|正常工作)"
    r"|(?P<off>放假|补休|调休|休假|公休|法定节假日|法定假日|法定休假日|休息)"
    r"|(?P<comma>,)"
)


@dataclass(frozen=True)
class NoticeDay:
    date: dt.date
    kind: str  # HOLIDAY or WORKDAY
    name: str

    @property
    def is_workday(self) -> bool:
        return self.kind == WORKDAY


@dataclass(frozen=True)
class Unread:
    """A piece of the notice that was not read, as it was written, and why. None of its dates are
    in the result."""

    text: str
    reason: str


@dataclass
class NoticeParse:
    year: int | None
    days: list[NoticeDay] = field(default_factory=list)
    unread: list[Unread] = field(default_factory=list)
    # Sentences that name a day but set none (鼓励…安排职工在除夕（2月9日）休息): shown, not counted.
    skipped: list[str] = field(default_factory=list)

    @property
    def holidays(self) -> list[NoticeDay]:
        return [day for day in self.days if day.kind == HOLIDAY]

    @property
    def workdays(self) -> list[NoticeDay]:
        return [day for day in self.days if day.kind == WORKDAY]

    def by_date(self) -> dict[dt.date, NoticeDay]:
        return {day.date: day for day in self.days}

    @property
    def years(self) -> list[int]:
        return sorted({day.date.year for day in self.days})


class _Unreadable(Exception):
    pass


def _normalise(text: str) -> str:
    """Full-width digits and punctuation made half-width (NFKC), one character for one, so that a
    position in the result is the same position in what the administrator pasted."""
    out = []
    for char in text:
        folded = unicodedata.normalize("NFKC", char)
        out.append(folded if len(folded) == 1 else char)
    return "".join(out).replace("\r", "\n")


def notice_year(text: str) -> int | None:
    """The year the notice is about, from its title or its first sentence."""
    normal = _normalise(text)
    for pattern in YEAR_PATTERNS:
        match = pattern.search(normal)
        if match:
            return int(match.group(1))
    return None


def festival_name(heading: str) -> str:
    """"“五一”国际劳动节" → 劳动节; "中秋节、国庆节" stays two festivals; an unknown one as written."""
    names: list[str] = []
    for part in re.split(r"[、和及与]", heading):
        part = part.strip(" \t“”\"'‘’「」《》")
        if not part:
            continue
        name = next((canonical for keyword, canonical in FESTIVALS if keyword in part), part)
        if name not in names:
            names.append(name)
    return "、".join(names)


@dataclass
class _Item:
    name: str
    start: int
    end: int

    @property
    def new_year(self) -> bool:
        return "元旦" in self.name


def _items(normal: str) -> list[_Item]:
    headings = []
    for match in HEADING.finditer(normal):
        raw = match.group("name").strip()
        if not raw or not (match.group("mark") or any(keyword in raw for keyword, _c in FESTIVALS)):
            continue
        headings.append((match, festival_name(raw)))
    if not headings:
        return []
    signature = SIGNATURE.search(normal, headings[0][0].end())
    end = signature.start() if signature else len(normal)
    headings = [(m, name) for m, name in headings if m.start() < end]
    return [
        _Item(name=name, start=match.end(), end=headings[i + 1][0].start() if i + 1 < len(headings) else end)
        for i, (match, name) in enumerate(headings)
    ]


def _sentences(normal: str, start: int, end: int):
    """(start, end) of each sentence of normal[start:end]."""
    position = start
    for match in SENTENCE_END.finditer(normal, start, end):
        yield position, match.end()
        position = match.end()
    if position < end:
        yield position, end


class _SentenceReader:
    """The days one sentence sets. Dates wait for the verb that follows them (放假, 补休, 上班…),
    across commas: 2008's "其中：4月4日（清明节），为法定节假日". "A…公休日调至B" moves a weekend to
    B (a day off); A is a working day only where the notice says so (…A上班)."""

    def __init__(self, *, year: int, item: _Item):
        self.year = year
        self.item = item

    def read(self, sentence: str) -> dict[dt.date, str]:
        blanked = BRACKETS.sub(lambda m: " " * len(m.group()), sentence)
        tokens = list(TOKEN.finditer(blanked))
        days: dict[dt.date, str] = {}
        pending: list[dt.date] = []
        targets: list[dt.date] | None = None
        previous: dt.date | None = None

        def assign(dates, kind):
            for day in dates:
                if days.get(day, kind) != kind:
                    raise _Unreadable(_("%(day)s is both a day off and a working day here.") % {"day": _cn(day)})
                days[day] = kind

        i = 0
        while i < len(tokens):
            token = tokens[i]
            kind = token.lastgroup
            if kind == "date":
                start = self._resolve(token, previous=previous, range_start=None)
                dates = [start]
                following = tokens[i + 1:i + 3]
                if (len(following) == 2 and following[0].lastgroup == "sep" and following[1].lastgroup == "date"
                        and not blanked[token.end():following[0].start()].strip()
                        and not blanked[following[0].end():following[1].start()].strip()):
                    end = self._resolve(following[1], previous=start, range_start=start)
                    if start > end and not token.group("y") and (start.month, start.day) != (2, 29):
                        start = start.replace(year=start.year - 1)  # "12月30日至2019年1月1日"
                    if start > end or (end - start).days > LONGEST_RANGE_DAYS:
                        raise _Unreadable(_("The range %(start)s to %(end)s cannot be right.") % {
                            "start": _cn(start), "end": _cn(end)})
                    self._check_weekday(sentence, following[1], end)
                    dates = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
                    i += 2
                self._check_weekday(sentence, token, start)
                previous = dates[-1]
                (targets if targets is not None else pending).extend(dates)
            elif kind == "shift":
                pending, targets = [], []
            elif kind == "work":
                assign(targets or [], HOLIDAY)
                assign(pending, WORKDAY)
                pending, targets = [], None
            elif kind == "off":
                assign(pending, HOLIDAY)
                assign(targets or [], HOLIDAY)
                pending, targets = [], None
            elif kind == "comma" and targets is not None:
                assign(targets, HOLIDAY)
                targets = None
            i += 1
        assign(targets or [], HOLIDAY)
        if pending:
            raise _Unreadable(_("It does not say whether %(days)s are days off or working days.") % {
                "days": "、".join(_cn(day) for day in pending)})
        first = dt.date(self.year - 1, EARLIEST_MONTH_BEFORE, 1)
        for day in days:
            if not first <= day <= dt.date(self.year, 12, 31):
                raise _Unreadable(_("%(day)s is not in the notice's year %(year)s.") % {"day": _cn(day), "year": self.year})
        return days

    def _resolve(self, token, *, previous: dt.date | None, range_start: dt.date | None) -> dt.date:
        year, month, day = token.group("y"), token.group("m"), int(token.group("d"))
        if month is None:
            base = range_start or previous
            if base is None:
                raise _Unreadable(_("“%(text)s” has no month.") % {"text": token.group().strip()})
            year_n, month_n = (int(year) if year else base.year), base.month
        else:
            month_n = int(month)
            if year:
                year_n = int(year)
            elif range_start is not None:
                year_n = range_start.year + (1 if month_n < range_start.month else 0)
            elif self.item.new_year and month_n == 12:
                year_n = self.year - 1  # the New Year holiday's December is the year before's
            else:
                year_n = self.year
        try:
            return dt.date(year_n, month_n, day)
        except ValueError:
            raise _Unreadable(_("“%(text)s” is not a date.") % {"text": token.group().strip()}) from None

    @staticmethod
    def _check_weekday(sentence: str, token, day: dt.date) -> None:
        """A weekday note — （星期六）, （周日）, （农历腊月二十八、周日） — must be the date's weekday: a
        typo, or a year read wrong, is shown rather than stored."""
        rest = sentence[token.end():]
        note = re.match(r"\s*(\([^()]*\))", rest)
        if not note:
            return
        weekday = WEEKDAY_NOTE.search(note.group(1))
        if not weekday:
            return
        written = {"天": 6, "七": 6}.get(weekday.group(1), WEEKDAYS.find(weekday.group(1)))
        if written != day.weekday():
            raise _Unreadable(_("%(day)s is a %(actual)s, not a %(written)s.") % {
                "day": _cn(day), "actual": "星期" + WEEKDAYS[day.weekday()], "written": "星期" + WEEKDAYS[written]})


def _cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _clean(fragment: str) -> str:
    return re.sub(r"\s+", " ", fragment).strip()


def parse_notice(text: str, *, year: int | None = None) -> NoticeParse:
    """Read a pasted notice. ``year`` overrides the year read from its title."""
    original = text or ""
    normal = _normalise(original)
    year = year or notice_year(original)
    result = NoticeParse(year=year)
    if year is None or not normal.strip():
        return result
    items = _items(normal)
    if not items:
        # No "一、元旦：" to hang the dates on: show every sentence that names one.
        for line in re.finditer(r"[^\n]+", normal):
            for start, end in _sentences(normal, line.start(), line.end()):
                if DATE_ANYWHERE.search(normal, start, end) and not BARE_DATE.match(normal[start:end]):
                    result.unread.append(Unread(_clean(original[start:end]),
                                                _("It is not under a festival's heading (such as “一、元旦：”).")))
        return result

    kinds: dict[dt.date, str] = {}
    names: dict[dt.date, str] = {}
    said_in: dict[dt.date, list[tuple[int, int]]] = {}
    for item in items:
        reader = _SentenceReader(year=year, item=item)
        named_any = False
        for start, end in _sentences(normal, item.start, item.end):
            sentence = normal[start:end]
            if not TOKEN_DATE.search(sentence):
                continue
            if BARE_DATE.match(sentence.rstrip("。;")):
                continue
            if ADVISORY.search(sentence):
                result.skipped.append(_clean(original[start:end]))
                continue
            try:
                days = reader.read(sentence)
            except _Unreadable as problem:
                result.unread.append(Unread(_clean(original[start:end]), str(problem)))
                named_any = True
                continue
            named_any = True
            if not days:
                result.unread.append(Unread(_clean(original[start:end]), _("No day off or working day was read here.")))
                continue
            for day, kind in days.items():
                said_in.setdefault(day, []).append((start, end))
                if kinds.get(day, kind) != kind:
                    kinds[day] = "conflict"
                    continue
                kinds[day] = kind
                names.setdefault(day, item.name if kind == HOLIDAY else f"{item.name}调休")
        if not named_any:
            result.unread.append(Unread(_clean(original[item.start:item.end]) or item.name,
                                        _("No date was found in the item “%(name)s”.") % {"name": item.name}))

    for day, kind in sorted(kinds.items()):
        if kind == "conflict":
            text_of = "；".join(dict.fromkeys(_clean(original[s:e]) for s, e in said_in[day]))
            result.unread.append(Unread(text_of, _("%(day)s is both a day off and a working day.") % {"day": _cn(day)}))
            continue
        result.days.append(NoticeDay(date=day, kind=kind, name=names[day]))
    return result
