"""Who sees pay (issue 19): the person their own line, the assessment office and the leaders all;
nobody else — not a department user, not a steward, not the administrator — by URL and by API.
The list pages and endpoints cost a pinned number of queries however many rows they show."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings

from evaluations import pay, rotation
from evaluations.models import PaySheet, RotationCase, StewardYearGrade
from evaluations.services import department_grades_compute
from evaluations.tests.factories import make_plan, office_user
from tests.factories import UserFactory
from zonehub.models import Role
from zonehub.workdays import SHANGHAI

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 12, 8, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def sheets(zone):
    """Two months graded and paid: September approved, October a draft; six people on posts."""
    z = zone
    z.office = office_user()
    make_plan(z.dept_a, [{"key": "on_time_rate", "method": "ratio", "weight": 100, "target": 1}], office=z.office)
    z.people = [z.dept_user_a, z.dept_user_b, z.steward_a.user, z.steward_b.user,
                UserFactory(role=Role.DEPARTMENT, department=z.dept_a), UserFactory(role=Role.OPERATIONS)]
    for n, user in enumerate(z.people):
        pay.pay_post_set(user=user, kind="auxiliary" if n == 4 else "performance", base=2000 + 100 * n,
                         effective_from=dt.date(2026, 1, 1), actor=z.admin)
    with time_machine.travel(NOW, tick=False):
        for month in (dt.date(2026, 9, 1), dt.date(2026, 10, 1)):
            department_grades_compute(month=month)
        z.september = pay.pay_sheet_draft(period_start_on=dt.date(2026, 9, 1), actor=z.office)
        pay.pay_sheet_approve(sheet=z.september, actor=z.leader)
        z.october = pay.pay_sheet_draft(period_start_on=dt.date(2026, 10, 1), actor=z.office)
    return z


def test_pay_pages_open_for_leaders_and_the_office_only(sheets, client):
    z = sheets
    urls = ["/evaluations/pay/", f"/evaluations/pay/{z.september.pk}/", f"/evaluations/pay/{z.september.pk}/?format=xlsx",
            "/evaluations/rotation/", "/api/pay-sheets/", f"/api/pay-sheets/{z.september.pk}/"]
    for user in (z.leader, z.office):
        client.force_login(user)
        assert [client.get(url).status_code for url in urls] == [200] * len(urls), user.role
    for user in (z.admin, z.dept_user_a, z.steward_a.user, z.head_a, z.ent_user_a, UserFactory(role=Role.OPERATIONS),
                 UserFactory(role=Role.AUDIT_ADMIN)):
        client.force_login(user)
        assert [client.get(url).status_code for url in urls] == [403] * len(urls), user.role


def test_a_person_reads_their_own_line_of_an_approved_sheet_only(sheets, client):
    z = sheets
    for user in z.people:
        with time_machine.travel(NOW, tick=False):
            client.force_login(user)
            page = client.get("/evaluations/me/").content.decode()
            mine = client.get("/api/me/assessment/").json()
        # September's line (approved); not October's (a draft that may still change).
        assert [line["period"] for line in mine["lines"]] == ["2026年9月"]
        assert {line["username"] for line in mine["lines"]} == {user.username}
        own = z.september.lines.get(user=user)
        assert f'data-testid="amount">{own.amount}<' in page
        others = [line for line in z.september.lines.exclude(user=user) if line.amount != own.amount]
        assert not [line for line in others if f">{line.amount}<" in page]
    # The administrator sets the bases but sees no pay.
    client.force_login(z.admin)
    assert client.get("/api/me/assessment/").json()["lines"] == []


def test_an_approved_sheet_is_locked(sheets, client):
    z = sheets
    client.force_login(z.office)
    before = list(z.september.lines.values_list("amount", flat=True))
    response = client.post(f"/evaluations/pay/{z.september.pk}/recompute/", {"pool": "1"})
    assert response.status_code == 302 and list(z.september.lines.values_list("amount", flat=True)) == before
    response = client.post(f"/api/pay-sheets/{z.september.pk}/approve/")
    assert response.status_code == 403  # the office does not approve
    client.force_login(z.leader)
    response = client.post(f"/api/pay-sheets/{z.september.pk}/approve/")
    assert response.status_code == 400 and "已审批" in str(response.json())
    # A draft is drafted again with another pool: the lines share it.
    client.force_login(z.office)
    assert client.post(f"/evaluations/pay/{z.october.pk}/recompute/", {"pool": "12000"}).status_code == 302
    assert sum(z.october.lines.values_list("amount", flat=True)) - Decimal("12000") < Decimal("0.05")


def test_drafting_twice_or_too_early_is_refused_with_a_message(sheets, client):
    z = sheets
    with time_machine.travel(NOW, tick=False):
        client.force_login(z.office)
        response = client.post("/evaluations/pay/draft/", {"period": "2026-09", "pool": "", "note": "补发"})
        assert response.status_code == 400 and "已有" in response.content.decode() and "补发" in response.content.decode()
        response = client.post("/evaluations/pay/draft/", {"period": "2026-12", "pool": ""})
        assert response.status_code == 400 and "尚未结束" in response.content.decode()
        response = client.post("/api/pay-sheets/", {"period": "not a month"})
        assert response.status_code == 400
    assert PaySheet.objects.count() == 2


def test_quarterly_periods_grade_a_unit_by_the_mean_of_its_months(sheets, settings):
    z = sheets
    settings.ZONEHUB_PAY_PERIOD = "quarter"
    with time_machine.travel(NOW, tick=False):
        department_grades_compute(month=dt.date(2026, 7, 1))
        department_grades_compute(month=dt.date(2026, 8, 1))
        sheet = pay.pay_sheet_draft(period_start_on=dt.date(2026, 8, 1), actor=z.office)
    assert (sheet.period, sheet.period_start, sheet.label) == ("quarter", dt.date(2026, 7, 1), "2026年第3季度")
    line = sheet.lines.get(user=z.dept_user_a)
    assert line.months == 3 and len(line.sources["unit_rows"]) == 3


def test_list_pages_and_endpoints_cost_a_pinned_number_of_queries(sheets, client, django_assert_max_num_queries):
    z = sheets
    for n in range(3):
        RotationCase.objects.create(subject="unit", department=z.dept_a, key=f"unit:x:{n}",
                                    periods=[{"period": "2026年9月", "grade": "D", "score": "50", "rows": []}])
    StewardYearGrade.objects.create(steward=z.steward_a, year=2026, grade="C", grade_by_thresholds="C")
    StewardYearGrade.objects.create(steward=z.steward_b, year=2026, grade="B", grade_by_thresholds="B")
    # Each count: the session and the user, then the page's own reads.
    checks = [(z.office, "/evaluations/pay/", 6), (z.office, f"/evaluations/pay/{z.september.pk}/", 9),
              (z.office, "/evaluations/rotation/", 6), (z.office, "/evaluations/plans/", 7),
              (z.office, "/evaluations/actuals/?month=2026-10", 9), (z.office, "/evaluations/steward-grades/?year=2026", 7),
              (z.office, "/evaluations/pay/settings/", 7), (z.dept_user_a, "/evaluations/me/", 10),
              (z.office, "/api/pay-sheets/", 6), (z.office, f"/api/pay-sheets/{z.september.pk}/", 7),
              (z.office, "/api/assessment-plans/", 7), (z.office, "/api/assessment-results/?month=2026-10", 7),
              (z.dept_user_a, "/api/me/assessment/", 10), (z.office, "/", 12)]
    with time_machine.travel(NOW, tick=False):
        for user, url, most in checks:
            client.force_login(user)
            with django_assert_max_num_queries(most):
                assert client.get(url).status_code == 200, url


def test_the_rotation_pool_lists_a_unit_graded_d_twice_once_and_a_leader_decides(zone, client):
    z = zone
    office = office_user()
    make_plan(z.dept_a, [{"key": "on_time_rate", "method": "ratio", "weight": 100, "target": 1}], office=office)
    from stewards.tests.factories import EscalationFactory, ServiceRequestFactory

    for month in (8, 9, 10):  # one reply due each month, never on time: 0 → D
        due = dt.datetime(2026, month, 20, tzinfo=SHANGHAI)
        EscalationFactory(request=ServiceRequestFactory(enterprise=z.ent_a), department=z.dept_a, due_at=due,
                          remind_at=due, clock_stopped_at=due + dt.timedelta(days=2), status="replied")
    with time_machine.travel(NOW, tick=False):
        for month in (8, 9, 10):
            department_grades_compute(month=dt.date(2026, month, 1))
            department_grades_compute(month=dt.date(2026, month, 1))  # twice: listed once
    cases = list(RotationCase.objects.all())
    assert [(c.department, [p["period"] for p in c.periods]) for c in cases] == [(z.dept_a, ["2026年8月", "2026年9月"])]
    assert settings.ZONEHUB_ROTATION_D_PERIODS == 2
    client.force_login(z.leader)
    response = client.post(f"/evaluations/rotation/{cases[0].pk}/decide/", {"outcome": "move", "reason": ""})
    assert response.status_code == 400 and RotationCase.objects.open().count() == 1
    response = client.post(f"/evaluations/rotation/{cases[0].pk}/decide/", {"outcome": "move", "reason": "调整岗位"})
    assert response.status_code == 302
    case = RotationCase.objects.get()
    assert (case.outcome, case.outcome_reason, case.decided_by) == ("move", "调整岗位", z.leader)
    client.force_login(office)
    assert client.post(f"/evaluations/rotation/{case.pk}/decide/", {"outcome": "up", "reason": "x"}).status_code == 403
    assert not rotation.can_decide_rotation(z.admin)
