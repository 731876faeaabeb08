from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from zonehub.workdays import local_date

# The bell's badge counts unread notifications up to this, then says "99+": a leader is told of
# every overdue escalation, and counting all of theirs would read more rows every week.
UNREAD_SHOWN = 99


def unread_badge(user) -> str:
    """The bell's badge: "" when nothing is unread, else the number, at most "99+" (one query that
    reads at most UNREAD_SHOWN + 1 rows)."""
    count = user.notifications.filter(read_at__isnull=True)[:UNREAD_SHOWN + 1].count()
    if not count:
        return ""
    return f"{UNREAD_SHOWN}+" if count > UNREAD_SHOWN else str(count)


def zonehub(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def calendar_banner():
        if not user.is_admin:
            return []
        from zonehub.services import calendar_years_needing_notice

        return calendar_years_needing_notice(today=local_date(timezone.now()))

    return {
        "unread_badge": SimpleLazyObject(lambda: unread_badge(user)),
        "provisional_years": SimpleLazyObject(calendar_banner),
        "today": local_date(timezone.now()),
    }
