"""Roll-ups the dashboards read instead of counting every row on every view."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from stewards.models import DepartmentReplyMonth, Escalation
from stewards.selectors import reply_month_counts
from zonehub.workdays import local_date, months_before

# The leader's on-time chart shows six whole months; the month before them is kept fresh too, so
# the chart's first month is already right on the first of a month.
REPLY_MONTHS = 7


def reply_months_refresh(*, today: dt.date | None = None, months: int = REPLY_MONTHS) -> int:
    """Count again the last ``months`` whole months of replies (``reply_month_counts`` over every
    escalation) and store them as ``DepartmentReplyMonth`` rows, in one transaction: a reader sees
    the old rows or the new ones, never a mix. Safe to run twice; returns the departments' rows
    stored."""
    now = timezone.now()
    chosen = months_before(today or local_date(now), months)
    counts = reply_month_counts(Escalation.objects.all(), chosen)
    rows = [DepartmentReplyMonth(department_id=row["department_id"], month=row["month"], decided=row["decided"],
                                 on_time=row["on_time"], computed_at=now) for row in counts]
    rows += [DepartmentReplyMonth(  # the zone's total: also says the month was counted
        department=None, month=month, computed_at=now,
        decided=sum(row["decided"] for row in counts if row["month"] == month),
        on_time=sum(row["on_time"] for row in counts if row["month"] == month)) for month in chosen]
    with transaction.atomic():
        DepartmentReplyMonth.objects.filter(month__in=chosen).delete()
        DepartmentReplyMonth.objects.bulk_create(rows)
    return len(counts)
