from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ZonehubConfig(AppConfig):
    name = "zonehub"
    verbose_name = _("Zone administration")

    def ready(self):
        post_migrate.connect(_calendar_after_flush, sender=self, dispatch_uid="zonehub.calendar_after_flush")
        # A session's clocks and what the home page tells of earlier logins (zonehub.auth).
        from django.contrib.auth.signals import user_logged_in

        from zonehub import auth

        user_logged_in.connect(auth.login_recorded, dispatch_uid="zonehub.login_recorded")


def _calendar_after_flush(sender, using="default", **kwargs):
    """The calendar is data, seeded by a migration. ``manage.py flush`` (and every transactional
    test's teardown) empties it and then sends post_migrate: seed it again, or every deadline
    would silently fall back to the statutory holidays."""
    from django.utils import timezone

    from zonehub import services
    from zonehub.models import CalendarYear
    from zonehub.workdays import local_date

    if CalendarYear.objects.using(using).exists():
        return
    services.calendar_seed_from_package()
    year = local_date(timezone.now()).year
    for y in (year, year + 1):
        services.calendar_ensure_year(year=y)
