"""Seed the working-day calendar: every year the chinese-calendar package publishes, and the
current and next year from the statutory holidays (provisional) when the package lacks them."""

import datetime as dt

from django.db import migrations


def seed(apps, schema_editor):
    from zonehub.services import _package_years
    from zonehub.workdays import statutory_holidays

    CalendarYear = apps.get_model("zonehub", "CalendarYear")
    CalendarDay = apps.get_model("zonehub", "CalendarDay")
    package = _package_years()
    today = dt.date.today()
    for year in sorted(set(package) | {today.year, today.year + 1}):
        if CalendarYear.objects.filter(year=year).exists():
            continue
        if year in package:
            CalendarYear.objects.create(year=year, provisional=False, source="package")
            days = package[year]
        else:
            CalendarYear.objects.create(year=year, provisional=True, source="statutory")
            days = {day: (False, name) for day, name in statutory_holidays(year).items()}
        CalendarDay.objects.bulk_create(
            CalendarDay(year_id=year, date=day, is_workday=is_workday, name=name)
            for day, (is_workday, name) in sorted(days.items())
        )


class Migration(migrations.Migration):
    dependencies = [("zonehub", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
