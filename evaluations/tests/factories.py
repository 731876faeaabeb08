import datetime as dt

import factory
from factory.django import DjangoModelFactory

from evaluations.models import Campaign, Rating
from zonehub.workdays import SHANGHAI


class CampaignFactory(DjangoModelFactory):
    class Meta:
        model = Campaign
        django_get_or_create = ["year", "half"]

    year = 2026
    half = Campaign.Half.H1
    opened_at = dt.datetime(2026, 6, 1, 9, 0, tzinfo=SHANGHAI)
    closes_at = dt.datetime(2026, 6, 24, 0, 0, tzinfo=SHANGHAI)


class RatingFactory(DjangoModelFactory):
    class Meta:
        model = Rating

    campaign = factory.SubFactory(CampaignFactory)
    value = Rating.Value.SATISFIED
    reason = ""


# --- assessment and pay (issue 19) ---------------------------------------------------------------

def office_user(**fields):
    """A login of the assessment office (考核办)."""
    from tests.factories import UserFactory
    from zonehub.models import Role

    return UserFactory(role=Role.ASSESSMENT, **fields)


def make_plan(department, items: list[dict], *, year: int = 2026, office=None, note: str = ""):
    """A department's plan for ``year`` through the service, made in the December before (so it
    applies from January)."""
    from evaluations.plans import plan_version_create

    return plan_version_create(department=department, year=year, items=items, note=note,
                               actor=office or office_user(), today=dt.date(year - 1, 12, 1))


def assessment_matrix_objects(zone) -> dict[str, list]:
    """The A and B side of what the assessment and pay routes open (tests/test_permission_matrix.py):
    a plan of each side's department, an actual with its evidence file, a pay sheet, a rotation
    listing. The sheets and listings are bare rows: who may open them is the question, not their sums."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from evaluations.models import EnteredIndicator, MonthlyActual, PaySheet, RotationCase
    from evaluations.pay import coefficients_in_force
    from stewards.tests.factories import PDF_BYTES

    office = office_user()
    indicator = EnteredIndicator.objects.create(name="招商引资签约额", unit="万元", created_by=office)
    items = [{"key": "on_time_rate", "method": "ratio", "weight": 60, "target": 1},
             {"key": indicator.code, "method": "ratio", "weight": 40, "target": 3000}]
    objects: dict[str, list] = {"plan": [], "actual": [], "paysheet": [], "rotation": []}
    coefficients = coefficients_in_force(dt.date(2026, 9, 1))
    for n, dept in enumerate((zone.dept_a, zone.dept_b)):
        objects["plan"].append(make_plan(dept, items, office=office))
        objects["actual"].append(MonthlyActual.objects.create(
            indicator=indicator, department=dept, month=dt.date(2026, 10, 1), value=3200, evidence="协议 SMX-01",
            evidence_file=SimpleUploadedFile("协议.pdf", PDF_BYTES), evidence_file_name="协议.pdf", entered_by=office))
        objects["paysheet"].append(PaySheet.objects.create(
            period_start=dt.date(2026, 8 + n, 1), pool=0, coefficients=coefficients, drafted_by=office))
        objects["rotation"].append(RotationCase.objects.create(
            subject=RotationCase.Subject.UNIT, department=dept, key=f"unit:{dept.pk}:month:2026-10",
            periods=[{"period": "2026年9月", "grade": "D", "score": "50.0", "rows": []},
                     {"period": "2026年10月", "grade": "D", "score": "55.0", "rows": []}]))
    return objects
