"""List pages: the right rows for each user, a pinned number of queries however many rows,
filters and sorting, and the home panels."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stewards.models import Escalation, LedgerItem, ServiceRequest
from stewards.tests.factories import EscalationFactory, ServiceRequestFactory, shanghai
from tests.factories import UserFactory
from zonehub.models import Role

pytestmark = pytest.mark.django_db

S = ServiceRequest.Status
NOW = shanghai(2026, 11, 18, 10, 0)  # a Wednesday


def page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def requests_of(enterprise, n, **kw):
    return [ServiceRequestFactory(enterprise=enterprise, title=f"{enterprise.name}诉求{i}", **kw) for i in range(n)]


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def escalations_to(department, enterprise, n, **kw):
    return [
        EscalationFactory(
            department=department,
            request=ServiceRequestFactory(enterprise=enterprise, status=S.ESCALATED, title=f"{department.name}件{i}"),
            due_at=shanghai(2026, 11, 20 + i % 3), remind_at=shanghai(2026, 11, 19, 9), **kw)
        for i in range(n)
    ]


# --- my requests / requests ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["ent_user_a", "steward", "head_a", "leader"])
def test_request_list_shows_the_right_rows_in_a_pinned_number_of_queries(client, zone, who,
                                                                         django_assert_max_num_queries):
    user = zone.steward_a.user if who == "steward" else getattr(zone, who)
    requests_of(zone.ent_a, 3)
    requests_of(zone.ent_b, 3)
    client.force_login(user)
    url = reverse("stewards:request_list")
    few = count_queries(client, url)
    for r in requests_of(zone.ent_a, 12) + requests_of(zone.ent_b, 12):
        EscalationFactory(request=r, department=zone.dept_a)
    many = count_queries(client, url)
    assert many == few  # however many rows
    with django_assert_max_num_queries(8):
        html = page(client.get(url))
    assert f"{zone.ent_a.name}诉求0" in html
    assert (f"{zone.ent_b.name}诉求0" in html) is (who == "leader")


def test_request_list_filters_and_sorts(client, zone):
    late = ServiceRequestFactory(enterprise=zone.ent_a, title="迟迟未受理", accept_due_at=shanghai(2026, 11, 17))
    ServiceRequestFactory(enterprise=zone.ent_a, title="刚刚提交", accept_due_at=shanghai(2026, 11, 19))
    ServiceRequestFactory(enterprise=zone.ent_a, title="已关闭的", status=S.CLOSED, closed_at=NOW)
    client.force_login(zone.head_a)
    url = reverse("stewards:request_list")
    with time_machine.travel(NOW, tick=False):
        html = page(client.get(url, {"attention": "late"}))
        assert "迟迟未受理" in html and "刚刚提交" not in html
        assert 'data-testid="accept-late"' in html
        html = page(client.get(url, {"attention": "open", "o": "accept_due_at"}))
        assert "已关闭的" not in html
        assert html.index("迟迟未受理") < html.index("刚刚提交")
        html = page(client.get(url, {"q": f"#{late.pk}"}))
        assert "迟迟未受理" in html and "刚刚提交" not in html
        # A filter value nobody offered is not a 500.
        assert client.get(url, {"status": "nonsense", "steward": "x", "o": "password"}).status_code == 200
    # The head's steward filter lists only its own workstation's stewards.
    html = page(client.get(url))
    assert zone.steward_a.name in html and zone.steward_b.name not in html


def test_empty_list_says_what_to_do_next(client, zone):
    client.force_login(zone.ent_user_a)
    html = page(client.get(reverse("stewards:request_list")))
    assert 'data-testid="empty"' in html and reverse("stewards:request_create") in html


# --- the department's inbox --------------------------------------------------------------------


def test_inbox_lists_only_the_departments_escalations_by_time_left_in_pinned_queries(client, zone,
                                                                                    django_assert_max_num_queries):
    escalations_to(zone.dept_a, zone.ent_a, 2)
    escalations_to(zone.dept_b, zone.ent_b, 2)
    client.force_login(zone.dept_user_a)
    url = reverse("stewards:inbox")
    with time_machine.travel(NOW, tick=False):
        count_queries(client, url)  # the process reads the calendar once, then keeps it
        few = count_queries(client, url)
        escalations_to(zone.dept_a, zone.ent_b, 10)
        escalations_to(zone.dept_b, zone.ent_a, 10)
        assert count_queries(client, url) == few
        with django_assert_max_num_queries(10):
            html = page(client.get(url))
    assert html.count('data-testid="inbox-row"') == 12
    assert f"{zone.dept_b.name}件" not in html


def test_inbox_shows_days_left_and_days_overdue_in_red_most_urgent_first(client, zone):
    late = EscalationFactory(department=zone.dept_a, request=ServiceRequestFactory(
        enterprise=zone.ent_a, status=S.ESCALATED, title="逾期的件"),
        due_at=shanghai(2026, 11, 16), remind_at=shanghai(2026, 11, 13, 9), overdue_at=shanghai(2026, 11, 16))
    EscalationFactory(department=zone.dept_a, request=ServiceRequestFactory(
        enterprise=zone.ent_a, status=S.ESCALATED, title="宽裕的件"),
        due_at=shanghai(2026, 11, 21), remind_at=shanghai(2026, 11, 20, 9))
    EscalationFactory(department=zone.dept_a, request=ServiceRequestFactory(
        enterprise=zone.ent_a, status=S.ESCALATED, title="已答复的件"),
        due_at=shanghai(2026, 11, 21), remind_at=shanghai(2026, 11, 20, 9), status=Escalation.Status.REPLIED,
        replied_at=NOW, clock_stopped_at=NOW, answered_on_time=True)
    client.force_login(zone.dept_user_a)
    with time_machine.travel(NOW, tick=False):
        html = page(client.get(reverse("stewards:inbox")))
        assert "已答复的件" not in html  # the inbox opens on what waits for an answer
        assert html.index("逾期的件") < html.index("宽裕的件")
        assert 'data-testid="clock-overdue"' in html and "list-group-item-danger" in html
        assert 'data-testid="clock-left"' in html
        assert "2026年11月20日" in html  # due 00:00 on the 21st: people are told "by the 20th"
        html = page(client.get(reverse("stewards:inbox"), {"state": "all"}))
        assert "已答复的件" in html
        html = page(client.get(reverse("stewards:inbox"), {"state": "overdue"}))
        assert "逾期的件" in html and "宽裕的件" not in html
    assert late.pk


# --- the steward's worklist ------------------------------------------------------------------


def test_worklist_sections_in_pinned_queries(client, zone, django_assert_max_num_queries):
    client.force_login(zone.steward_a.user)
    url = reverse("stewards:worklist")
    with time_machine.travel(NOW, tick=False):
        requests_of(zone.ent_a, 1, accept_due_at=shanghai(2026, 11, 17))
        requests_of(zone.ent_b, 2)
        escalations_to(zone.dept_a, zone.ent_a, 1)
        count_queries(client, url)  # the process reads the calendar once, then keeps it
        few = count_queries(client, url)
        requests_of(zone.ent_a, 5, accept_due_at=shanghai(2026, 11, 19))
        requests_of(zone.ent_a, 3, status=S.REOPENED)
        requests_of(zone.ent_a, 3, status=S.REPORTED)
        escalations_to(zone.dept_b, zone.ent_a, 5)
        escalations_to(zone.dept_b, zone.ent_b, 5)
        assert count_queries(client, url) == few
        with django_assert_max_num_queries(8):
            html = page(client.get(url))
    assert 'data-testid="accept-late"' in html
    assert f"{zone.ent_b.name}诉求" not in html and f"{zone.dept_b.name}件0" in html
    # ent_a has not been visited this month.
    assert zone.ent_a.name in html.split('data-testid="wl-unvisited"')[1]


def test_each_worklist_section_keeps_its_own_order_and_cap_in_one_query(zone, django_assert_num_queries):
    """The four request sections come from one query (a row number per section); each is cut at
    the limit after its own order, so a pile in one section never crowds out another."""
    from stewards.selectors import steward_worklist

    with time_machine.travel(NOW, tick=False):
        for day in (21, 17, 19):  # new: the acceptance deadline closest first
            ServiceRequestFactory(enterprise=zone.ent_a, accept_due_at=shanghai(2026, 11, day), title=f"新{day}")
        for day in (30, 24, 27):  # reported: the day it closes by itself first
            ServiceRequestFactory(enterprise=zone.ent_a, status=S.REPORTED, auto_close_due_at=shanghai(2026, 11, day),
                                  title=f"反馈{day}")
    for day in (3, 1, 2):  # in progress and reopened: the oldest first
        with time_machine.travel(shanghai(2026, 11, day, 9), tick=False):
            ServiceRequestFactory(enterprise=zone.ent_a, status=S.ACCEPTED if day != 2 else S.ESCALATED, title=f"办理{day}")
            ServiceRequestFactory(enterprise=zone.ent_a, status=S.REOPENED, title=f"重办{day}")
    ServiceRequestFactory(enterprise=zone.ent_b, title="别人的")
    user = zone.steward_a.user
    served = ServiceRequest.objects.visible_to(user)  # the scope is read once per user object
    assert served.count() == 12
    # One query for the four sections, then the escalations, the enterprises to visit, the visits.
    with time_machine.travel(NOW, tick=False), django_assert_num_queries(4):
        rows = steward_worklist(user, limit=2)
        titles = {section: [r.title for r in rows[section]] for section in ("new", "in_progress", "reopened", "reported")}
        late = [r.accept_late for r in rows["new"]]
    assert titles == {"new": ["新17", "新19"], "in_progress": ["办理1", "办理2"], "reopened": ["重办1", "重办2"],
                      "reported": ["反馈24", "反馈27"]}
    assert late == [True, False]  # 17 November has passed on the 18th


def test_worklist_is_for_stewards_only(client, zone):
    client.force_login(zone.ent_user_a)
    assert client.get(reverse("stewards:worklist")).status_code == 403


# --- the ledger -------------------------------------------------------------------------------


def test_ledger_lists_unclaimed_items_to_departments_in_pinned_queries(client, zone, django_assert_max_num_queries):
    def items(n, **kw):
        for i in range(n):
            LedgerItem.objects.create(enterprise=zone.ent_a, title=kw.pop("title", f"台账{i}"), description="路灯不亮",
                                      meeting_date=dt.date(2026, 11, 10), recorded_by=zone.leader, **kw)

    items(2)
    LedgerItem.objects.create(enterprise=zone.ent_b, title="别人的件", description="x", meeting_date=dt.date(2026, 11, 10),
                              recorded_by=zone.leader, status=LedgerItem.Status.DISPATCHED, department=zone.dept_b)
    client.force_login(zone.dept_user_a)
    url = reverse("stewards:ledger")
    few = count_queries(client, url)
    items(10)
    assert count_queries(client, url) == few
    with django_assert_max_num_queries(6):
        html = page(client.get(url))
    assert html.count('data-testid="claim"') == 12 and "别人的件" not in html
    client.force_login(zone.leader)
    html = page(client.get(url))
    assert "别人的件" in html and 'data-testid="claim"' not in html
    html = page(client.get(url, {"status": "dispatched", "o": "-meeting_date"}))
    assert "别人的件" in html and "台账0" not in html
    assert reverse("stewards:ledger_create") in html


# --- home panels ------------------------------------------------------------------------------


def test_home_panels_per_role(client, zone):
    with time_machine.travel(NOW, tick=False):
        late = ServiceRequestFactory(enterprise=zone.ent_a, title="未受理的件", accept_due_at=shanghai(2026, 11, 17))
        EscalationFactory(department=zone.dept_a, request=ServiceRequestFactory(
            enterprise=zone.ent_a, status=S.ESCALATED, title="逾期吹哨"),
            due_at=shanghai(2026, 11, 17), remind_at=shanghai(2026, 11, 16, 9))
        home = reverse("home")
        client.force_login(zone.ent_user_a)
        html = page(client.get(home))
        assert 'data-testid="panel-enterprise-requests"' in html and "未受理的件" in html
        assert reverse("stewards:request_create") in html
        client.force_login(zone.ent_user_b)
        assert "未受理的件" not in page(client.get(home))
        client.force_login(zone.steward_a.user)
        html = page(client.get(home))
        assert 'data-testid="panel-steward-work"' in html and "未受理的件" in html and "逾期吹哨" in html
        client.force_login(zone.dept_user_a)
        html = page(client.get(home))
        assert 'data-testid="panel-department-inbox"' in html and "逾期吹哨" in html
        assert 'data-testid="clock-overdue"' in html
        client.force_login(zone.dept_user_b)
        assert "逾期吹哨" not in page(client.get(home))
        client.force_login(zone.head_a)
        html = page(client.get(home))
        assert 'data-testid="panel-head-unaccepted"' in html and "未受理的件" in html
        client.force_login(zone.head_b)
        assert "未受理的件" not in page(client.get(home))
        client.force_login(zone.leader)
        html = page(client.get(home))
        panel = html.split('data-testid="panel-leader-deadlines"')[1]
        assert zone.dept_a.name in panel and zone.dept_b.name not in panel
    assert late.pk


def test_a_user_without_a_role_gets_no_panel_and_no_error(client, zone):
    client.force_login(UserFactory(role=""))
    assert client.get(reverse("home")).status_code == 200
    assert Role.ENTERPRISE
