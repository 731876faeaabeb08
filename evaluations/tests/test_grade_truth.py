"""Issue 12: a grade tells the truth. November 2026 computed by hand for two departments, and the
pages that show it: A had no reply due but two escalations still overdue from October and a
five-key node late since September; B had nothing at all to assess."""

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from evaluations import services
from evaluations.models import DepartmentMonthlyGrade
from projects.models import FiveKeyItem
from projects.tests.factories import FiveKeyItemFactory, FiveKeyNodeFactory
from stewards.tests.factories import EscalationFactory, ServiceRequestFactory
from zonehub.workdays import SHANGHAI

pytestmark = pytest.mark.django_db
NOVEMBER = dt.date(2026, 11, 1)


def at(*args):
    return dt.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def november(zone):
    def escalation(**fields):
        return EscalationFactory(request=ServiceRequestFactory(enterprise=zone.ent_a), department=zone.dept_a,
                                 **fields)

    with time_machine.travel(at(2026, 12, 1, 6, 30), tick=False):
        # Due in October, never answered: overdue since 21 October, still overdue when November began.
        never = escalation(due_at=at(2026, 10, 21), remind_at=at(2026, 10, 20), overdue_at=at(2026, 10, 21, 0, 1))
        # Due in October, answered late on 10 November: overdue when November began.
        late = escalation(status="replied", due_at=at(2026, 10, 28), remind_at=at(2026, 10, 27),
                          overdue_at=at(2026, 10, 28, 0, 1), clock_stopped_at=at(2026, 11, 10, 10),
                          replied_at=at(2026, 11, 10, 10), answered_on_time=False)
        # Answered on time in October: October's, not November's.
        escalation(status="replied", due_at=at(2026, 10, 14), remind_at=at(2026, 10, 13),
                   clock_stopped_at=at(2026, 10, 13, 9), replied_at=at(2026, 10, 13, 9), answered_on_time=True)
        item = FiveKeyItemFactory(title="盘活低效用地", year=2026, responsible_unit=zone.dept_a)
        lagging = FiveKeyNodeFactory(item=item, name="土地收储", planned_date=dt.date(2026, 9, 15))
        on_time = FiveKeyNodeFactory(item=item, name="方案批复", planned_date=dt.date(2026, 11, 16),
                                     completed_on=dt.date(2026, 11, 13))
        claimed = FiveKeyItemFactory(title="认领的任务", year=2026, responsible_unit=zone.dept_a,
                                     claim=FiveKeyItem.Claim.CONFIRMED, claim_unit=zone.dept_a,
                                     claim_confirmed_on=dt.date(2026, 11, 5))
        FiveKeyNodeFactory(item=claimed, planned_date=dt.date(2026, 12, 20))
        services.department_grades_compute(month=NOVEMBER)
    return type("N", (), {"never": never, "late": late, "lagging": lagging, "on_time": on_time})


def test_the_month_is_computed_by_hand(zone, november):
    a = DepartmentMonthlyGrade.objects.get(department=zone.dept_a, month=NOVEMBER)
    # Replies: none due in November, two still overdue from October → 0 of 2 on time: 0 of 50.
    assert (a.escalations_due, a.escalations_carried, a.replied_on_time, a.overdue, a.returned) == (2, 2, 0, 0, 0)
    assert sorted(a.detail["carried"]) == sorted([november.never.pk, november.late.pk])
    # Nodes: one due in November done on time, one late since September still open → 1 of 2: 25 of 50.
    assert (a.nodes_on_time, a.nodes_late, a.nodes_open, a.nodes_carried, a.nodes_claimed) == (1, 0, 1, 1, 1)
    # (0 + 25) / (50 + 50) × 100 = 25.0; + 2 for the claim = 27.0 → D. It used to be 100 / A.
    assert (a.score, a.grade) == (Decimal("27.0"), "D")
    assert a.detail["base"] == "25.0" and a.detail["bonus"] == "2"
    lag = {entry["id"]: (entry["outcome"], entry["workdays_late"], entry["carried"]) for entry in a.detail["nodes"]}
    # 15 September to 30 November: 11 working days in September, 18 in October, 21 in November.
    assert lag == {november.lagging.pk: ("open", 50, True), november.on_time.pk: ("on_time", 0, False)}
    b = DepartmentMonthlyGrade.objects.get(department=zone.dept_b, month=NOVEMBER)
    assert (b.escalations_due, b.nodes_counted, b.score, b.grade) == (0, 0, None, "")


def test_the_grades_page_shows_each_part_and_ranks_only_what_was_assessed(client, zone, november):
    client.force_login(zone.leader)
    response = client.get(reverse("evaluations:grade_list"), {"month": "2026-11"})
    rows = response.context["rows"]
    assert [(r.grade.department, r.rank) for r in rows] == [(zone.dept_a, 1), (zone.dept_b, None)]
    page = response.content.decode()
    row_a = page[page.index(f'data-department="{zone.dept_a.pk}"'):page.index(f'data-department="{zone.dept_b.pk}"')]
    row_b = page[page.index(f'data-department="{zone.dept_b.pk}"'):]
    row_b = row_b[:row_b.index("</tr>")]
    assert "27.0" in row_a and ">D<" in row_a
    detail = reverse("evaluations:grade_detail", args=[DepartmentMonthlyGrade.objects.get(department=zone.dept_a).pk])
    assert f'href="{detail}#replies">0/2</a>' in row_a and "含往月 2 项" in row_a and "0.0/50" in row_a
    assert f'href="{detail}#nodes">1/2</a>' in row_a and "25.0/50" in row_a and "+2" in row_a
    assert "无考核事项" in row_b and "badge" not in row_b
    # The chart draws the graded departments only.
    chart = re.search(r'<script type="application/json" id="grade-data">(.*?)</script>', page, re.S).group(1)
    assert '"score": 27.0' in chart and chart.count('"name"') == 1
    # The export still opens.
    assert client.get(reverse("evaluations:grade_list"), {"month": "2026-11", "export": "xlsx"}).status_code == 200


def test_the_detail_explains_the_score_with_the_rows_behind_it(client, zone, november):
    a = DepartmentMonthlyGrade.objects.get(department=zone.dept_a, month=NOVEMBER)
    client.force_login(zone.dept_user_a)
    page = client.get(reverse("evaluations:grade_detail", args=[a.pk])).content.decode()
    parts = page[page.index('data-testid="score-parts"'):page.index("</table>", page.index('data-testid="score-parts"'))]
    assert "0.0 / 50" in parts and "25.0 / 50" in parts and 'data-testid="base">25.0<' in parts
    assert "+2" in parts and "27.0 (D)" in parts
    carried = page[page.index('data-testid="escalations-carried"'):]
    carried = carried[:carried.index("</table>")]
    for escalation in (november.never, november.late):
        assert reverse("stewards:escalation_detail", args=[escalation.pk]) in carried
    nodes = page[page.index('data-testid="nodes"'):]
    nodes = nodes[:nodes.index("</table>")]
    lagging = nodes[nodes.index(f'data-node="{november.lagging.pk}"'):]
    assert "土地收储" in lagging and "未完成" in lagging and ">50<" in lagging
    assert reverse("projects:item_detail", args=[november.lagging.item_id]) in nodes
    b = DepartmentMonthlyGrade.objects.get(department=zone.dept_b, month=NOVEMBER)
    # Another department's detail is not A's to read.
    assert client.get(reverse("evaluations:grade_detail", args=[b.pk])).status_code == 404
    client.force_login(zone.leader)
    page = client.get(reverse("evaluations:grade_detail", args=[b.pk])).content.decode()
    assert 'data-testid="nothing-to-assess"' in page and "无考核事项" in page


def test_a_department_with_nothing_to_assess_sees_so_on_its_home(client, zone, november):
    client.force_login(zone.dept_user_b)
    with time_machine.travel(at(2026, 12, 2, 9), tick=False):
        page = client.get(reverse("home")).content.decode()
    tile = page[page.index('data-testid="my-grade"'):]
    assert "无考核事项" in tile[:tile.index("</a>")]
