from axes import apps as axes_apps
from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
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
        # Every process forgets the calendar it kept when a day or a year changes, whoever changes
        # it (the services call it too, for their bulk writes, which send no signal).
        from zonehub.models import CalendarDay, CalendarYear

        for model in (CalendarDay, CalendarYear):
            for signal in (post_save, post_delete):
                signal.connect(_calendar_row_changed, sender=model,
                               dispatch_uid=f"zonehub.calendar_changed.{model.__name__}.{signal is post_save}")


class AxesConfig(axes_apps.AppConfig):
    """django-axes (login failures and lockouts) as the admin names it: axes gives its app no
    verbose name, so the sidebar said "Axes"; its models' names are translated in our catalogue."""

    default = False  # "zonehub" in INSTALLED_APPS still means ZonehubConfig
    verbose_name = _("Login protection")


def _calendar_row_changed(sender, **kwargs):
    from zonehub.workdays import calendar_edited

    calendar_edited()


def _calendar_after_flush(sender, using="default", **kwargs):
    """The calendar is data, seeded by a migration. ``manage.py flush`` (and every transactional
    test's teardown) empties it and then sends post_migrate: seed it again, or every deadline
    would silently fall back to the statutory holidays."""
    from django.utils import timezone

    from zonehub import services
    from zonehub.models import CalendarYear
    from zonehub.workdays import forget_calendar, local_date

    forget_calendar()  # what this process kept described the tables before the flush
    if CalendarYear.objects.using(using).exists():
        return
    services.calendar_seed_from_package()
    year = local_date(timezone.now()).year
    for y in (year, year + 1):
        services.calendar_ensure_year(year=y)
