from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from zonehub.workdays import local_date


def zonehub(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def unread():
        return user.notifications.filter(read_at__isnull=True).count()

    def calendar_banner():
        if not user.is_admin:
            return []
        from zonehub.services import calendar_years_needing_notice

        return calendar_years_needing_notice(today=local_date(timezone.now()))

    return {
        "unread_count": SimpleLazyObject(unread),
        "provisional_years": SimpleLazyObject(calendar_banner),
        "today": local_date(timezone.now()),
    }
