"""Tailored plans (issue 19): the library's arithmetic, versions that apply from the next month and
never rewrite a past one, the default plan that keeps the zone-wide formula's scores, entered
actuals with evidence, and bad input refused with a message and nothing changed."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from evaluations import indicators, plans
from evaluations.indicators import Item, Value, score_plan
from evaluations.models import AssessmentPlan, DepartmentMonthlyGrade, EnteredIndicator, MonthlyActual
from evaluations.services import department_grades_compute, department_score
from evaluations.tests.factories import make_plan, office_user
from stewards.tests.factories import EscalationFactory, ServiceRequestFactory, pdf
from zonehub.workdays import SHANGHAI

pytestmark = pytest.mark.django_db


def at(*args):
    return dt.datetime(*args, tzinfo=SHANGHAI)


# --- the arithmetic ------------------------------------------------------------------------------

def test_each_method_by_hand():
    items = [Item("on_time_rate", "ratio", Decimal(40), Decimal("0.8")),
             Item("overdue", "penalty", Decimal(30), Decimal(1), Decimal(10)),
             Item("claimed", "bonus", Decimal(5), None, Decimal(2)),
             Item("returned", "deduction", Decimal(0), Decimal(0), Decimal(3)),
             Item("nodes_on_time", "ratio", Decimal(30), Decimal(1))]
    values = {"on_time_rate": Value.rate(3, 5), "overdue": Value.count(3), "claimed": Value.count(4),
              "returned": Value.count(2), "nodes_on_time": Value(None)}
    scored = score_plan(items, values)
    # 40 × 0.6 ÷ 0.8 = 30 of 40; 30 − 10 × (3 − 1) = 10 of 30; nodes left out (nothing due).
    # 100 × 40 ÷ 70 = 57.14…; + min(5, 2 × 4) = 5; − 3 × 2 = 6 → 56.1
    assert [r["points"] for r in scored["indicators"]] == ["30", "10", "5", "-6", None]
    assert scored["score"] == Decimal("56.1") and scored["max"] == "70"
    # A ratio never earns more than its weight; a penalty never goes below zero.
    assert score_plan([Item("on_time_rate", "ratio", Decimal(50), Decimal("0.5"))],
                      {"on_time_rate": Value.rate(1, 1)})["score"] == Decimal("100.0")
    assert score_plan([Item("overdue", "penalty", Decimal(20), Decimal(0), Decimal(10))],
                      {"overdue": Value.count(9)})["score"] == Decimal("0.0")


def test_nothing_to_assess_is_no_score_never_a_perfect_one():
    items = indicators.default_items()
    scored = score_plan(items, {"on_time_rate": Value.rate(0, 0), "nodes_on_time": Value.rate(0, 0),
                                "claimed": Value.count(3), "overdue": Value(None), "returned": Value(None)})
    assert scored["score"] is None
    assert score_plan([Item("claimed", "bonus", Decimal(10), None, Decimal(2))], {"claimed": Value.count(5)})["score"] is None


def test_the_default_plan_is_the_zone_wide_formula():
    """The months graded before plans keep their scores: the default plan gives the formula's."""
    cases = [(4, 3, 1, 1, 3, 1, 0, 1), (0, 0, 0, 0, 1, 1, 1, 9), (3, 1, 8, 0, 0, 2, 0, 0), (3, 2, 0, 0, 1, 0, 1, 0),
             (4, 3, 0, 0, 0, 0, 0, 0), (0, 0, 0, 2, 0, 0, 0, 5), (7, 7, 0, 0, 2, 0, 0, 3)]
    keys = ("escalations_due", "replied_on_time", "overdue", "returned", "nodes_on_time", "nodes_late", "nodes_open",
            "nodes_claimed")
    for case in cases:
        numbers = dict(zip(keys, case, strict=True))
        facts = indicators.MonthFacts(month=dt.date(2026, 10, 1), numbers={1: numbers})
        items = indicators.default_items()
        assert score_plan(items, indicators.read_values(items, facts, 1))["score"] == department_score(**numbers), case


# --- versions ------------------------------------------------------------------------------------

@pytest.fixture
def graded_june(zone):
    """Department A graded for June 2026 by its plan v1 (replies only: 3 of 4 on time)."""
    office = office_user()
    v1 = make_plan(zone.dept_a, [{"key": "on_time_rate", "method": "ratio", "weight": 100, "target": 1}], office=office)
    for due, stopped in [(at(2026, 6, 10), at(2026, 6, 9, 9)), (at(2026, 6, 12), at(2026, 6, 11, 9)),
                         (at(2026, 6, 17), at(2026, 6, 16, 9)), (at(2026, 6, 24), at(2026, 6, 25, 9))]:
        EscalationFactory(request=ServiceRequestFactory(enterprise=zone.ent_a), status="replied",
                          department=zone.dept_a, due_at=due, remind_at=due, clock_stopped_at=stopped)
    with time_machine.travel(at(2026, 7, 2, 7), tick=False):
        department_grades_compute(month=dt.date(2026, 6, 1))
    return zone, office, v1


def test_a_change_mid_year_applies_from_the_next_month_and_june_keeps_its_version(graded_june):
    zone, office, v1 = graded_june
    june = DepartmentMonthlyGrade.objects.get(department=zone.dept_a, month=dt.date(2026, 6, 1))
    assert (june.plan, june.score) == (v1, Decimal("75.0"))
    with time_machine.travel(at(2026, 7, 15, 10), tick=False):
        v2 = plans.plan_version_create(
            department=zone.dept_a, year=2026, actor=office, note="七月起提高目标",
            items=[{"key": "on_time_rate", "method": "ratio", "weight": 100, "target": Decimal("0.75")}])
        assert (v2.version, v2.effective_from) == (2, dt.date(2026, 8, 1))  # not July: July has begun
        department_grades_compute(month=dt.date(2026, 6, 1))
    june_again = DepartmentMonthlyGrade.objects.get(pk=june.pk)
    assert (june_again.plan, june_again.score) == (v1, june.score)
    assert june_again.detail == june.detail
    from zonehub.events import event_list_for

    assert [e.note for e in event_list_for(v2)] == ["七月起提高目标"]


def test_a_change_needs_its_reason_and_bad_rows_change_nothing(graded_june, client):
    zone, office, v1 = graded_june
    client.force_login(office)
    with time_machine.travel(at(2026, 7, 15, 10), tick=False):
        data = {"department": zone.dept_a.pk, "year": 2026, "note": "", "items-TOTAL_FORMS": 2,
                "items-INITIAL_FORMS": 0, "items-0-key": "on_time_rate", "items-0-method": "ratio",
                "items-0-weight": "60", "items-0-target": "95", "items-1-key": "overdue", "items-1-method": "penalty",
                "items-1-weight": "40", "items-1-target": "0", "items-1-per_unit": ""}
        response = client.post("/evaluations/plans/new/", data)
        page = response.content.decode()
        assert response.status_code == 200 and "第2项指标：请填写每单位分值" in page and 'value="95"' in page
        data["items-1-per_unit"] = "10"
        response = client.post("/evaluations/plans/new/", data)
        assert response.status_code == 200 and "说明方案调整的原因" in response.content.decode()
        assert AssessmentPlan.objects.filter(department=zone.dept_a).count() == 1
        data["note"] = "增加超期扣分"
        response = client.post("/evaluations/plans/new/", data)
        assert response.status_code == 302
    v2 = AssessmentPlan.objects.get(department=zone.dept_a, version=2)
    assert [(r.code, r.target) for r in v2.indicators.all()] == [("on_time_rate", Decimal("0.95")), ("overdue", 0)]


def test_only_the_assessment_office_keeps_plans_and_not_for_a_past_year(zone):
    with pytest.raises(PermissionDenied):
        make_plan(zone.dept_a, [{"key": "on_time_rate", "method": "ratio", "weight": 1, "target": 1}],
                  office=zone.leader)
    with pytest.raises(ValidationError, match="2026年或2027年"):
        plans.plan_version_create(department=zone.dept_a, year=2025, actor=office_user(), today=dt.date(2026, 3, 1),
                                  items=[{"key": "on_time_rate", "method": "ratio", "weight": 1, "target": 1}])
    with pytest.raises(ValidationError) as exc:
        make_plan(zone.dept_a, [{"key": "claimed", "method": "bonus", "weight": 10, "per_unit": 2}])
    assert "仅有加分和减分项" in str(exc.value.messages)


# --- entered indicators --------------------------------------------------------------------------

def test_an_actual_with_evidence_scores_the_month_again(zone, client):
    office = office_user()
    signed = plans.entered_indicator_create(name="招商引资签约额", unit="万元", actor=office)
    make_plan(zone.dept_a, [{"key": signed.code, "method": "ratio", "weight": 100, "target": 4000}], office=office)
    with time_machine.travel(at(2026, 11, 3, 10), tick=False):
        department_grades_compute(month=dt.date(2026, 10, 1))
        row = DepartmentMonthlyGrade.objects.get(department=zone.dept_a, month=dt.date(2026, 10, 1))
        assert row.score is None  # not entered yet: nothing to assess, not a zero
        client.force_login(office)
        prefix = f"a{zone.dept_a.pk}-{signed.pk}"
        form = {"month": "2026-10", "department": zone.dept_a.pk, "indicator": signed.pk, f"{prefix}-value": "3000",
                f"{prefix}-evidence": ""}
        response = client.post("/evaluations/actuals/record/", form)
        assert response.status_code == 400 and 'value="3000"' in response.content.decode()
        assert not MonthlyActual.objects.exists()
        form[f"{prefix}-evidence"] = "签约协议 SMX-2026-10-01"
        form[f"{prefix}-evidence_file"] = pdf()
        assert client.post("/evaluations/actuals/record/", form).status_code == 302
    row.refresh_from_db()
    assert row.score == Decimal("75.0") and row.detail["actuals"] == [MonthlyActual.objects.get().pk]
    client.force_login(zone.dept_user_a)
    page = client.get(f"/evaluations/grades/{row.pk}/").content.decode()
    assert "SMX-2026-10-01" in page and "3000万元" in page
    actual = MonthlyActual.objects.get()
    assert client.get(f"/evaluations/actuals/{actual.pk}/evidence/").status_code == 200
    client.force_login(zone.dept_user_b)
    assert client.get(f"/evaluations/actuals/{actual.pk}/evidence/").status_code == 404


def test_supply_volume_reads_the_supply_app_and_says_when_there_is_no_data(zone, monkeypatch):
    office = office_user()
    make_plan(zone.dept_a, [{"key": "supply_volume", "method": "ratio", "weight": 100, "target": 200}], office=office)
    monkeypatch.setattr(indicators, "broker_figures", lambda month: {})
    with time_machine.travel(at(2026, 11, 3, 10), tick=False):
        department_grades_compute(month=dt.date(2026, 10, 1))
    row = DepartmentMonthlyGrade.objects.get(department=zone.dept_a, month=dt.date(2026, 10, 1))
    assert row.score is None and row.indicators[0]["note"] == "no data"
    stub = {zone.dept_user_a.pk: {"cases_signed": 2, "volume": Decimal("150"), "fee_income": Decimal("3000")}}
    monkeypatch.setattr(indicators, "broker_figures", lambda month: stub)
    with time_machine.travel(at(2026, 11, 3, 10), tick=False):
        department_grades_compute(month=dt.date(2026, 10, 1))
    row.refresh_from_db()
    assert row.score == Decimal("75.0") and row.detail["supply"][0]["volume"] == "150"


def test_the_library_and_the_plans_pages(zone, client, django_assert_max_num_queries):
    office = office_user()
    plans.entered_indicator_create(name="招商引资签约额", unit="万元", actor=office)
    for dept in (zone.dept_a, zone.dept_b):
        make_plan(dept, [{"key": "on_time_rate", "method": "ratio", "weight": 100, "target": 1}], office=office)
    client.force_login(zone.dept_user_a)
    with time_machine.travel(at(2026, 11, 3, 10), tick=False), django_assert_max_num_queries(12):
        page = client.get("/evaluations/plans/?year=2026").content.decode()
    assert zone.dept_a.name in page and zone.dept_b.name not in page  # its own and the default plan
    client.force_login(office)
    assert client.post("/evaluations/indicators/new/", {"name": "招商引资签约额", "direction": "higher"}).status_code == 400
    assert EnteredIndicator.objects.count() == 1


def test_a_month_graded_before_plans_keeps_its_score_and_its_page_explains_it(zone, client):
    """A row kept before issue 19 (figures and score, no breakdown): its page works the breakdown out
    from its figures and the default plan, and it adds up to the score it kept."""
    row = DepartmentMonthlyGrade.objects.create(
        department=zone.dept_a, month=dt.date(2026, 3, 1), escalations_due=4, replied_on_time=3, overdue=1,
        returned=1, nodes_on_time=3, nodes_late=1, nodes_claimed=1, score=Decimal("70.0"), grade="C",
        detail={"due": [], "on_time": [], "late": [], "overdue": [], "returned": [], "nodes": []})
    client.force_login(zone.leader)
    page = client.get(f"/evaluations/grades/{row.pk}/").content.decode()
    table = page[page.index('data-testid="indicators"'):page.index("</table>", page.index('data-testid="indicators"'))]
    assert "按全区统一公式计分" in page and 'data-testid="plan-score">70.0 (C)<' in table
    for key, points in (("on_time_rate", "37.5 / 50"), ("nodes_on_time", "37.5 / 50"), ("claimed", "2"),
                        ("overdue", "-5"), ("returned", "-2")):
        cell = table[table.index(f'data-key="{key}"'):]
        assert cell[cell.index('data-testid="points">') + len('data-testid="points">'):].startswith(points), key


def test_the_results_api_filters_by_month_and_refuses_a_bad_one(graded_june, client):
    zone, office, _v1 = graded_june
    client.force_login(office)
    rows = client.get("/api/assessment-results/?month=2026-06").json()["results"]
    mine = [r for r in rows if r["department"] == zone.dept_a.pk]
    assert mine[0]["score"] == "75.0" and mine[0]["indicators"][0]["points"] == "75"
    assert client.get("/api/assessment-results/?month=2026-13").status_code == 400
    assert client.get("/api/assessment-plans/?department=99999999999999999999").status_code == 400
