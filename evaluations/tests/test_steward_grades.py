"""Stewards' yearly grades (seed 002, issue 19): the appraisal becomes a grade by the thresholds; a
finding of subjective lack of effort (主观不努力), by the head of its workstation or a leader, caps
it and makes the steward ineligible that year; D two years running lists the steward for rotation."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from evaluations import appraisals
from evaluations.models import EffortFinding, RotationCase, StewardGradePolicy, StewardYearGrade
from evaluations.tests.factories import office_user
from stewards.models import Visit
from zonehub.workdays import SHANGHAI

pytestmark = pytest.mark.django_db
NEXT_FEBRUARY = dt.datetime(2027, 2, 3, 10, tzinfo=SHANGHAI)


def test_the_thresholds_by_hand():
    thresholds = StewardGradePolicy().thresholds()  # A 95/90/90/90, B 90/80/75/80, C 80/60/50/60

    def measures(**pcts):
        return {k: {"num": 0, "den": 0 if v is None else 1, "pct": None if v is None else str(v)} for k, v in {
            "satisfaction": None, "visits": None, "accepted": None, "answered": None, **pcts}.items()}

    assert appraisals.grade_by_thresholds(measures(satisfaction=100, visits=95, accepted=92, answered=90),
                                          thresholds) == "A"
    assert appraisals.grade_by_thresholds(measures(satisfaction=100, visits=95, accepted=80, answered=90),
                                          thresholds) == "B"
    assert appraisals.grade_by_thresholds(measures(visits=61, accepted=50), thresholds) == "C"
    assert appraisals.grade_by_thresholds(measures(visits=100, accepted=49.9), thresholds) == "D"
    assert appraisals.grade_by_thresholds(measures(), thresholds) == ""  # nothing to assess, never an A
    assert appraisals.capped("A", 1) == "D" and appraisals.capped("B", 0) == "B" and appraisals.capped("", 2) == ""


def test_a_finding_caps_the_grade_and_bars_the_steward_that_year(zone, client, settings):
    z = zone
    office = office_user()
    Visit.objects.create(steward=z.steward_a, enterprise=z.ent_a, visited_on=dt.date(2026, 12, 10), findings="正常",
                         created_by=z.steward_a.user)
    with time_machine.travel(NEXT_FEBRUARY, tick=False):
        client.force_login(office)
        assert client.post("/evaluations/steward-grades/compute/", {"year": "2026"}).status_code == 302
        grade = StewardYearGrade.objects.get(steward=z.steward_a, year=2026)
        assert (grade.grade, grade.eligible, grade.figures["visits"]["pct"]) == ("A", True, "100.0")
        # Only the head of the steward's workstation or a leader; with a reason.
        client.force_login(z.head_b)
        response = client.post("/evaluations/findings/new/", {"steward": z.steward_a.pk, "year": 2026, "reason": "x"})
        assert response.status_code == 400 and not EffortFinding.objects.exists()
        client.force_login(z.head_a)
        response = client.post("/evaluations/findings/new/", {"steward": z.steward_a.pk, "year": 2026, "reason": ""})
        assert response.status_code == 400 and not EffortFinding.objects.exists()
        response = client.post("/evaluations/findings/new/",
                               {"steward": z.steward_a.pk, "year": 2026, "reason": "走访记录与实际不符"})
        assert response.status_code == 302
    grade.refresh_from_db()
    assert (grade.grade, grade.grade_by_thresholds, grade.eligible, grade.findings) == ("D", "A", False, 1)
    client.force_login(z.steward_a.user)
    page = client.get("/evaluations/me/").content.decode()
    assert "不能参加本年度评先评优和提拔任用" in page and "走访记录与实际不符" in page
    # The cap is a setting.
    settings.ZONEHUB_EFFORT_FINDING_CAP = "C"
    with time_machine.travel(NEXT_FEBRUARY, tick=False):
        appraisals.steward_grades_compute(year=2026, actor=office)
    assert StewardYearGrade.objects.get(steward=z.steward_a, year=2026).grade == "C"
    with pytest.raises(PermissionDenied):
        appraisals.effort_finding_record(steward=z.steward_a, year=2026, reason="x", actor=z.dept_user_a)


def test_a_steward_graded_d_two_years_running_is_listed_once(zone):
    z = zone
    StewardYearGrade.objects.create(steward=z.steward_a, year=2025, grade="D", grade_by_thresholds="D")
    StewardYearGrade.objects.create(steward=z.steward_b, year=2025, grade="C", grade_by_thresholds="C")
    for steward in (z.steward_a, z.steward_b):
        StewardYearGrade.objects.create(steward=steward, year=2026, grade="D", grade_by_thresholds="D")
    from evaluations.rotation import rotation_persons_check

    with time_machine.travel(NEXT_FEBRUARY, tick=False):
        assert [c.user for c in rotation_persons_check(year=2026)] == [z.steward_a.user]
        assert rotation_persons_check(year=2026) == []
    case = RotationCase.objects.get()
    assert case.subject == "person" and case.periods_label == "2025年 D、2026年 D"


def test_the_leaders_finding_on_a_case_counts_at_once(zone):
    from evaluations.models import ReplacementCase
    from evaluations.services import case_review
    from evaluations.tests.factories import CampaignFactory, RatingFactory

    z = zone
    StewardYearGrade.objects.create(steward=z.steward_a, year=2026, grade="B", grade_by_thresholds="B",
                                    figures={}, thresholds={})
    campaign = CampaignFactory(status="closed", closed_at=dt.datetime(2026, 6, 24, tzinfo=SHANGHAI))
    rating = RatingFactory(campaign=campaign, enterprise=z.ent_a, steward=z.steward_a, value="unsatisfied",
                           reason="响应慢", rated_by=z.ent_user_a)
    case = ReplacementCase.objects.create(rating=rating, campaign=campaign, enterprise=z.ent_a, steward=z.steward_a,
                                          workstation=z.ws_a, due_at=dt.datetime(2026, 7, 1, tzinfo=SHANGHAI))
    case_review(case=case, lack_of_effort=True, reason="长期无进展", actor=z.leader)
    grade = StewardYearGrade.objects.get(steward=z.steward_a, year=2026)
    assert (grade.grade, grade.eligible, grade.findings) == ("D", False, 1)
    assert StewardGradePolicy.current().a_satisfaction == Decimal("95.0")
