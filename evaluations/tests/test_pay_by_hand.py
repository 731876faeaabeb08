"""Issue 19's "done when": October 2026 worked out by hand for two departments scored by different
plans, and the same scores, grades and pay read back from the month's pages, the pay sheet's page,
each person's own page and the .xlsx the payroll office loads."""

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from openpyxl import load_workbook

from evaluations import pay
from evaluations.models import DepartmentMonthlyGrade, PayLine, PayPost, StewardYearGrade
from evaluations.services import department_grades_compute
from evaluations.tests.factories import make_plan, office_user
from policies.models import Policy, PolicyPush
from policies.tests.factories import PolicyFactory
from stewards.tests.factories import EscalationFactory, ServiceRequestFactory
from tests.factories import UserFactory
from zonehub.models import Role
from zonehub.workdays import SHANGHAI

pytestmark = pytest.mark.django_db
OCTOBER = dt.date(2026, 10, 1)
NOW = dt.datetime(2026, 11, 10, 10, 0, tzinfo=SHANGHAI)


def at(*args):
    return dt.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def october(zone, client):
    """Department A (its plan: replies on time against a 90% target, 60 points; 40 points less 10
    per overdue escalation): 4 replies due, 3 on time, 1 late that went overdue.
    Department B (its plan: replies on time, 50 points; policies redeemed against a target of 2, 50
    points; 5 off per escalation returned): 2 replies due, both on time; 1 returned; 1 policy
    application redeemed in October."""
    z = zone
    office = office_user(username="office")
    make_plan(z.dept_a, [{"key": "on_time_rate", "method": "ratio", "weight": 60, "target": Decimal("0.9")},
                         {"key": "overdue", "method": "penalty", "weight": 40, "target": 0, "per_unit": 10}],
              office=office)
    make_plan(z.dept_b, [{"key": "on_time_rate", "method": "ratio", "weight": 50, "target": 1},
                         {"key": "policies_redeemed", "method": "ratio", "weight": 50, "target": 2},
                         {"key": "returned", "method": "deduction", "weight": 0, "target": 0, "per_unit": 5}],
              office=office)

    def escalation(dept, due, stopped, **extra):
        return EscalationFactory(request=ServiceRequestFactory(enterprise=z.ent_a), status="replied", department=dept,
                                 due_at=due, remind_at=due, clock_stopped_at=stopped, replied_at=stopped, **extra)

    for due, stopped in [(at(2026, 10, 13), at(2026, 10, 12, 17)), (at(2026, 10, 21), at(2026, 10, 20, 9)),
                         (at(2026, 10, 31), at(2026, 10, 30, 9))]:
        escalation(z.dept_a, due, stopped)
    escalation(z.dept_a, at(2026, 10, 16), at(2026, 10, 19, 10), overdue_at=at(2026, 10, 16, 0, 1))
    for due, stopped in [(at(2026, 10, 14), at(2026, 10, 13, 9)), (at(2026, 10, 28), at(2026, 10, 27, 9))]:
        escalation(z.dept_b, due, stopped)
    EscalationFactory(request=ServiceRequestFactory(enterprise=z.ent_b), status="returned", department=z.dept_b,
                      due_at=at(2026, 10, 23), remind_at=at(2026, 10, 22), returned_at=at(2026, 10, 20, 9),
                      clock_stopped_at=at(2026, 10, 20, 9))
    policy = PolicyFactory(department=z.dept_b, status=Policy.Status.PUBLISHED, published_at=at(2026, 9, 1, 9),
                           opens_on=dt.date(2026, 9, 1))
    PolicyPush.objects.create(policy=policy, enterprise=z.ent_b, status=PolicyPush.Status.REDEEMED,
                              approved_amount=300000, approved_on=dt.date(2026, 10, 15))

    # The posts: A's head on a performance post, B's head too, B's other user on an auxiliary post,
    # and steward A (a performance post with its own yearly grade, A) following no unit.
    admin = z.admin
    z.dept_plain_b = UserFactory(role=Role.DEPARTMENT, department=z.dept_b, name="部门乙经办")
    for user, kind, base in [(z.dept_user_a, "performance", 3000), (z.dept_user_b, "performance", 3000),
                             (z.dept_plain_b, "auxiliary", 2000), (z.steward_a.user, "performance", 2500)]:
        pay.pay_post_set(user=user, kind=kind, base=base, effective_from=dt.date(2026, 1, 1), actor=admin)
    StewardYearGrade.objects.create(steward=z.steward_a, year=2026, grade="A", grade_by_thresholds="A")
    z.office, z.leader_user = office, z.leader
    with time_machine.travel(NOW, tick=False):
        department_grades_compute(month=OCTOBER)
        yield z


def test_a_month_by_hand_is_what_the_pages_and_the_xlsx_say(october, client):
    z = october
    # --- by hand -------------------------------------------------------------------------------
    # A: replies 3/4 = 75% of a 90% target → 60 × 0.75 ÷ 0.9 = 50 of 60; overdue 1 → 40 − 10 = 30 of 40.
    #    100 × (50 + 30) ÷ 100 = 80.0 → B (80 ≤ score < 90).
    # B: replies 2/2 → 50 of 50; 1 redeemed of a target of 2 → 25 of 50; returned 1 → −5.
    #    100 × (50 + 25) ÷ 100 − 5 = 70.0 → C.
    expected = {z.dept_a: (Decimal("80.0"), "B", {"on_time_rate": "50", "overdue": "30"}),
                z.dept_b: (Decimal("70.0"), "C", {"on_time_rate": "50", "policies_redeemed": "25", "returned": "-5"})}
    # Pay, October (one month, coefficients A 1.2 · B 1.0 · C 0.8, auxiliary share 0.5):
    #   A's head     performance, unit B 1.0                  3000 × 1.0           = 3000
    #   B's head     performance, unit C 0.8                  3000 × 0.8           = 2400
    #   B's other    auxiliary,   1 + 0.5 × (0.8 − 1) = 0.9   2000 × 0.9           = 1800
    #   steward A    performance, no unit 1.0 × own A 1.2     2500 × 1.2           = 3000
    #   pool = 3000 + 3000 + 2000 + 2500 = 10500; weighted sum 10200; pay = 10500 × weighted ÷ 10200
    pay_by_hand = {z.dept_user_a.username: Decimal("3088.24"), z.dept_user_b.username: Decimal("2470.59"),
                   z.dept_plain_b.username: Decimal("1852.94"), z.steward_a.user.username: Decimal("3088.24")}

    # --- the rows and the month's pages ---------------------------------------------------------
    client.force_login(z.office)
    for dept, (score, grade, points) in expected.items():
        row = DepartmentMonthlyGrade.objects.get(department=dept, month=OCTOBER)
        assert (row.score, row.grade) == (score, grade)
        assert {r["key"]: r["points"] for r in row.indicators if r["points"] is not None} == points
        page = client.get(f"/evaluations/grades/{row.pk}/").content.decode()
        table = page[page.index('data-testid="indicators"'):page.index("</table>", page.index('data-testid="indicators"'))]
        assert f'data-testid="plan-score">{score} ({grade})<' in table
        for key, value in points.items():
            cell = table[table.index(f'data-key="{key}"'):]
            cell = cell[cell.index('data-testid="points">') + len('data-testid="points">'):]
            assert cell.startswith(value), (key, cell[:40])
    # The two plans are different, and each month keeps its version.
    a, b = (DepartmentMonthlyGrade.objects.get(department=d, month=OCTOBER) for d in (z.dept_a, z.dept_b))
    assert a.plan.department == z.dept_a and b.plan.department == z.dept_b

    # --- the pay sheet: drafted by the office, approved by a leader ----------------------------
    with time_machine.travel(NOW, tick=False):
        response = client.post("/evaluations/pay/draft/", {"period": "2026-10", "pool": "", "note": ""})
        assert response.status_code == 302, response.content.decode()[:2000]
        lines = {line.user.username: line for line in PayLine.objects.select_related("user")}
        assert {name: line.amount for name, line in lines.items()} == pay_by_hand
        assert lines[z.dept_plain_b.username].coefficient == Decimal("0.9")
        assert lines[z.steward_a.user.username].own_grade == "A"
        sheet = lines[z.dept_user_a.username].sheet
        assert sheet.pool == Decimal("10500.00")
        page = client.get(f"/evaluations/pay/{sheet.pk}/").content.decode()
        for name, amount in pay_by_hand.items():
            row = page[page.index(f'data-user="{name}"'):]
            assert f'data-testid="amount">{amount}<' in row[:row.index("</tr>")]
        client.force_login(z.leader)
        assert client.post(f"/evaluations/pay/{sheet.pk}/approve/", {"confirm": "yes"}).status_code == 302
        sheet.refresh_from_db()
        assert sheet.is_locked

        # The .xlsx the payroll office loads: one header row, one row per person, the same amounts.
        response = client.get(f"/evaluations/pay/{sheet.pk}/?format=xlsx")
        book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        rows = list(book["绩效工资"].iter_rows(values_only=True))
        header = rows[0]
        amounts = {r[header.index("登录名")]: Decimal(str(r[header.index("绩效工资（元）")])) for r in rows[1:]}
        assert amounts == pay_by_hand
        grades = {r[header.index("登录名")]: r[header.index("单位等级")] for r in rows[1:]}
        assert grades[z.dept_user_a.username] == "B" and grades[z.dept_user_b.username] == "C"

        # Each person reads their own line, and only it.
        client.force_login(z.dept_plain_b)
        mine = client.get("/evaluations/me/").content.decode()
        assert 'data-testid="amount">1852.94<' in mine and "3088.24" not in mine and "2470.59" not in mine
        api = client.get("/api/me/assessment/").json()
        assert [line["amount"] for line in api["lines"]] == ["1852.94"]
        assert client.get(f"/evaluations/pay/{sheet.pk}/").status_code == 403
        assert client.get(f"/api/pay-sheets/{sheet.pk}/").status_code == 403


def test_a_correction_after_locking_is_a_row_and_the_line_is_not_edited(october, client):
    z = october
    with time_machine.travel(NOW, tick=False):
        sheet = pay.pay_sheet_draft(period_start_on=OCTOBER, actor=z.office)
        line = sheet.lines.get(user=z.dept_user_a)
        client.force_login(z.office)
        # Not while it is a draft: it is drafted again instead.
        response = client.post(f"/evaluations/pay/{sheet.pk}/correct/", {"line": line.pk, "amount": "100",
                                                                         "reason": "漏计加班"})
        assert response.status_code == 400 and "草稿" in response.content.decode()
        pay.pay_sheet_approve(sheet=sheet, actor=z.leader)
        response = client.post(f"/evaluations/pay/{sheet.pk}/correct/", {"line": line.pk, "amount": "-88.24",
                                                                         "reason": "扣除事假"})
        assert response.status_code == 302
        line.refresh_from_db()
        assert line.amount == Decimal("3088.24") and line.corrections.get().amount == Decimal("-88.24")
        # No reason, nothing recorded; what was typed is shown again.
        response = client.post(f"/evaluations/pay/{sheet.pk}/correct/", {"line": line.pk, "amount": "5", "reason": ""})
        assert response.status_code == 400 and line.corrections.count() == 1 and 'value="5"' in response.content.decode()
        client.force_login(z.dept_user_a)
        assert client.get("/api/me/assessment/").json()["lines"][0]["paid"] == "3000.00"
        # The lock holds: drafting again is refused.
        client.force_login(z.office)
        client.post(f"/evaluations/pay/{sheet.pk}/recompute/", {"pool": ""})
        assert PayLine.objects.get(pk=line.pk).amount == Decimal("3088.24")
        assert PayPost.objects.count() == 4
