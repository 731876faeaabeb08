"""The zone-wide formula of the department grades becomes the default plan (issue 19): for every
year that has graded months, version 1 of the default plan, from January, holds the formula with
the weights configured now (ZONEHUB_GRADE_*), and every month already graded is linked to it. The
rows keep their figures and scores; their page works out each indicator's points from the figures
and this plan, which is how they were scored."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import migrations

NOTE = "全区统一考核公式转为默认考核方案（问题19之前已评定的月份按此方案计分）。"


def forwards(apps, schema_editor):
    Grade = apps.get_model("evaluations", "DepartmentMonthlyGrade")
    Plan = apps.get_model("evaluations", "AssessmentPlan")
    Indicator = apps.get_model("evaluations", "PlanIndicator")
    s = settings
    items = [
        ("on_time_rate", "ratio", Decimal(s.ZONEHUB_GRADE_REPLY_POINTS), Decimal(1), None),
        ("nodes_on_time", "ratio", Decimal(s.ZONEHUB_GRADE_NODE_POINTS), Decimal(1), None),
        ("claimed", "bonus", Decimal(s.ZONEHUB_GRADE_CLAIM_BONUS_MAX), None, Decimal(s.ZONEHUB_GRADE_CLAIM_BONUS)),
        ("overdue", "deduction", Decimal(0), Decimal(0), Decimal(s.ZONEHUB_GRADE_OVERDUE_PENALTY)),
        ("returned", "deduction", Decimal(0), Decimal(0), Decimal(s.ZONEHUB_GRADE_RETURNED_PENALTY)),
    ]
    years = sorted({month.year for month in Grade.objects.values_list("month", flat=True).distinct()})
    for year in years:
        plan = Plan.objects.filter(department__isnull=True, year=year).order_by("version").first()
        if plan is None:
            plan = Plan.objects.create(department=None, year=year, version=1, effective_from=dt.date(year, 1, 1),
                                       note=NOTE)
            Indicator.objects.bulk_create([
                Indicator(plan=plan, code=code, method=method, weight=weight, target=target, per_unit=per_unit,
                          position=i) for i, (code, method, weight, target, per_unit) in enumerate(items)])
        Grade.objects.filter(month__year=year, plan__isnull=True).update(plan=plan)


class Migration(migrations.Migration):

    dependencies = [
        ("evaluations", "0006_assessment_plans_and_pay"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
