"""What checking a sheet produces, and the small helpers every importer's check uses."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from enterprises.imports.sheets import cell_text
from zonehub.workdays import year_in_range

YES = {"是", "Y", "YES", "1", "TRUE", "√"}
NO = {"否", "N", "NO", "0", "FALSE", "×"}


@dataclass
class RowPlan:
    """What importing one clean row will do. Importers subclass it for what their sheet adds."""

    row: int
    action: str  # "create", "update" or "unchanged"
    label: str
    values: dict = field(default_factory=dict)
    existing: object = None
    changed: list = field(default_factory=list)


@dataclass
class CheckResult:
    errors: list = field(default_factory=list)
    plans: list = field(default_factory=list)

    def error(self, row: int, column: str, message) -> None:
        self.errors.append({"row": row, "column": column, "message": str(message)})

    def count(self, action: str) -> int:
        return sum(1 for p in self.plans if p.action == action)


class RowFailed(Exception):
    """Raised by an importer's ``apply`` when a service refuses a row: the import is rolled back
    and the batch names the row and column."""

    def __init__(self, row, column, messages):
        super().__init__(row)
        self.error = {"row": row, "column": column, "message": " ".join(messages)}


def chunks(values, size=900):
    """Lists of at most ``size`` values: an ``__in`` lookup stays under SQLite's variable limit."""
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start:start + size]


def text(result: CheckResult, number: int, header: str, raw, *, limit: int | None = None) -> str:
    """The cell as text; an error when it is longer than the column holds."""
    value = cell_text(raw)
    if limit and len(value) > limit:
        result.error(number, header, _("At most %(n)d characters; this has %(len)d.") % {"n": limit, "len": len(value)})
    return value


def lookup(result: CheckResult, number: int, header: str, value: str, table: dict, what):
    """``table[value]``, or an error naming the template's list of allowed values."""
    obj = table.get(value)
    if obj is None:
        result.error(number, header, _("%(value)s is not a known %(what)s: use one of the values listed on the "
                                       "template's second sheet.") % {"value": value, "what": what})
    return obj


def parse_date(value) -> dt.date | None:
    """A date cell, or text such as 2026-03-01, 2026/3/1 or 2026年3月1日; None when it is neither,
    or when its year is outside the years the product works with (0001-01-01 is a slip)."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", cell_text(value))
        if not match:
            return None
        try:
            value = dt.date(*(int(g) for g in match.groups()))
        except ValueError:
            return None
    return value if year_in_range(value.year) else None
