"""The board reads the progress stored on the items (FiveKeyItem.progress_*): these tests hold it
to item_progress, and the board to the same cost whatever the number of items."""

import datetime as dt
import html
import re

import pytest
import time_machine
from django.http import QueryDict
from django.urls import reverse

from projects import selectors, services
from projects.models import Category, FiveKeyItem
from projects.progress import STATUS_ORDER, Status, item_progress
from projects.tests.factories import FiveKeyItemFactory, FiveKeyNodeFactory
from tests.factories import DepartmentFactory, UserFactory
from zonehub.models import Role
from zonehub.workdays import SHANGHAI, WorkCalendar

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 11, 23)  # projects/tests/conftest.py: every test runs on this Monday

# What the board page costs once the day's progress is stored, whatever the number of items:
# session, user, the two ends of the year list, the stale check, the summary, the page, the
# notification badge and the filter form's units and leaders.
BOARD_QUERIES = 10


def stored(item) -> tuple:
    item = FiveKeyItem.objects.get(pk=item.pk)
    return (item.progress_status, item.progress_late_days, item.progress_late_node_id, item.progress_done,
            item.progress_total, item.progress_on)


def computed(item, on=TODAY) -> tuple:
    progress = item_progress(FiveKeyItem.objects.get(pk=item.pk).nodes.all(), today=on, calendar=WorkCalendar())
    return (progress.status, progress.workdays_late, progress.worst.node.pk if progress.worst else None,
            progress.completed, progress.total, on)


def make_items(zone, n: int, *, start: int = 0) -> list[FiveKeyItem]:
    """``n`` items over every category and two units: lagging by different working days, ahead,
    on schedule, and some with no node or no unit."""
    items = []
    for i in range(start, start + n):
        item = FiveKeyItemFactory(title=f"任务{i:03d}", category=list(Category)[i % 5], lead_leader=zone.leader,
                                  responsible_unit=None if i % 11 == 10 else (zone.dept_a, zone.dept_b)[i % 2])
        kind = i % 4
        if kind == 0:  # lagging: a node 3 to 19 days overdue
            FiveKeyNodeFactory(item=item, planned_date=TODAY - dt.timedelta(days=3 + i % 20))
        elif kind == 1:  # ahead
            FiveKeyNodeFactory(item=item, planned_date=D(2026, 12, 15), completed_on=D(2026, 11, 2))
        elif kind == 2:  # on schedule
            FiveKeyNodeFactory(item=item, planned_date=D(2026, 3, 31), completed_on=D(2026, 3, 30))
            FiveKeyNodeFactory(item=item, planned_date=D(2026, 12, 20))
        items.append(item)
    return items


def board_order(items) -> list[int]:
    """The order the board had when it computed every item in Python."""
    rows = selectors.with_progress(FiveKeyItem.objects.filter(pk__in=[i.pk for i in items]).prefetch_related("nodes"),
                                   on=TODAY)
    rows.sort(key=lambda row: (STATUS_ORDER[row.progress.status], -row.progress.workdays_late, row.item.pk))
    return [row.item.pk for row in rows]


def all_pages(client, params=None) -> tuple[list, list]:
    """Every row of the board, page after page, and the context of the first page."""
    first = client.get(reverse("projects:board"), params or {})
    contexts, page = [first.context], first.context["page_obj"]
    while page is not None and page.has_next():
        response = client.get(reverse("projects:board"), {**(params or {}), "page": page.next_page_number()})
        contexts.append(response.context)
        page = response.context["page_obj"]
    return [row for ctx in contexts for row in ctx["board"]["rows"]], contexts


def rows_behind(client, href: str) -> list:
    """Every row a link of the board leads to, as a reader gets them: the rows shown, then, for
    a category that says more follow, its own list page after page."""
    response = client.get(reverse("projects:board") + html.unescape(href))
    assert response.status_code == 200
    rows = []
    for group in response.context["board"]["groups"]:
        if group["more"]:
            more, _contexts = all_pages(client, QueryDict(group["all_link"][1:]).dict())
            assert more[:len(group["rows"])] == group["rows"] and len(more) == group["count"]
            rows += more
        else:
            rows += group["rows"]
    page = response.context["page_obj"]
    if page is not None and page.has_next():
        rows = all_pages(client, QueryDict(href[1:]).dict())[0]
    return rows


# --- stored progress ---------------------------------------------------------------------------


def test_stored_progress_is_item_progress_after_every_service(zone):
    item = services.fivekey_item_create(actor=zone.leader, category=Category.KEY_WORK, year=2026, title="盘活土地",
                                        lead_leader=zone.leader, responsible_unit=zone.dept_a)
    assert stored(item) == computed(item) == ("on_schedule", 0, None, 0, 0, TODAY)
    late = services.fivekey_node_add(item=item, actor=zone.leader, name="资产处置", planned_date=D(2026, 11, 13))
    assert stored(item) == computed(item) == ("lagging", 6, late.pk, 0, 1, TODAY)
    later = services.fivekey_node_add(item=item, actor=zone.leader, name="土地挂牌", planned_date=D(2026, 11, 2))
    assert stored(item) == computed(item) == ("lagging", 15, later.pk, 0, 2, TODAY)
    services.fivekey_node_update(node=later, actor=zone.leader, name="土地挂牌", planned_date=D(2026, 12, 10))
    assert stored(item) == computed(item) == ("lagging", 6, late.pk, 0, 2, TODAY)
    # Done 5 working days after its due date (16-20 November): done late, never "on schedule".
    services.fivekey_node_complete(node=late, actor=zone.dept_user_a, completed_on=D(2026, 11, 20), evidence="公告")
    assert stored(item) == computed(item) == ("done_late", 5, late.pk, 1, 2, TODAY)
    services.fivekey_node_complete(node=later, actor=zone.dept_user_a, completed_on=D(2026, 11, 23), evidence="成交")
    assert stored(item) == computed(item) == ("done_late", 5, late.pk, 2, 2, TODAY)
    services.fivekey_item_update(item=item, actor=zone.leader, title="盘活低效土地")
    assert stored(item) == computed(item)


def test_the_admin_stores_the_progress_of_the_nodes_it_edits(client, zone):
    item = FiveKeyItemFactory(responsible_unit=zone.dept_a)
    node = FiveKeyNodeFactory(item=item, planned_date=D(2026, 12, 10))
    client.force_login(UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True))
    response = client.post(reverse("admin:projects_fivekeynode_change", args=[node.pk]),
                           {"item": item.pk, "name": node.name, "planned_date": "2026-11-13"})
    assert response.status_code == 302
    assert stored(item) == computed(item) and stored(item)[0] == "lagging"
    response = client.post(reverse("admin:projects_fivekeynode_delete", args=[node.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert stored(item) == computed(item) == ("on_schedule", 0, None, 0, 0, TODAY)


def test_a_changed_holiday_schedule_marks_the_stored_progress_stale(zone):
    from zonehub.models import CalendarYear
    from zonehub.services import calendar_changed

    old, current, next_year = (FiveKeyItemFactory(year=year) for year in (2025, 2026, 2027))
    calendar_changed.send(sender=CalendarYear, years=[2026])
    # Stored today by a service: marked unset, so that the next view writes them again.
    assert [stored(item)[-1] for item in (old, current, next_year)] == [None, None, TODAY]


# --- the board page ----------------------------------------------------------------------------


# Filtered and sorted: the form looks the chosen unit and leader up (one query each).
VARIANTS = [{}, {"status": "lagging"}, {"category": "enterprises", "unit": "A"}, {"sort": "leader"}, {"sort": "unit", "page": 2},
            {"leader": "L", "sort": "progress"}, {"status": "ahead", "sort": "title", "page": 9}]


def test_the_board_costs_the_same_for_3_items_as_for_60(client, zone, django_assert_max_num_queries):
    client.force_login(zone.leader)

    def costs() -> list[int]:
        client.get(reverse("projects:board"))  # the day's first view computes and counts the year
        counted = []
        for variant in VARIANTS:
            params = {key: {"A": zone.dept_a.pk, "L": zone.leader.pk}.get(value, value)
                      for key, value in variant.items()}
            with django_assert_max_num_queries(BOARD_QUERIES + ("unit" in params) + ("leader" in params)) as queries:
                assert client.get(reverse("projects:board"), params).status_code == 200
            counted.append(len(queries))
        return counted

    make_items(zone, 3)
    few = costs()
    make_items(zone, 57, start=3)
    assert costs() == few and few[0] == BOARD_QUERIES
    response = client.get(reverse("projects:board"))
    # 12 items in each category: each shows whole, and nothing is paged.
    assert response.context["board"]["total"] == 60 and len(response.context["board"]["rows"]) == 60
    assert [len(group["rows"]) for group in response.context["board"]["groups"]] == [12] * 5
    assert response.context["paginator"] is None and not response.context["is_paginated"]


def test_each_category_shows_whole_or_says_how_many_more_follow(client, zone, monkeypatch):
    """Paging used to cut a category off (重点工作 12 showed 7 rows): each category now shows its
    first rows and how many more follow, with a link to all of them, a page at a time."""
    monkeypatch.setattr(selectors, "BOARD_PAGE_SIZE", 7)
    monkeypatch.setattr(selectors, "BOARD_GROUP_SIZE", 5)
    items = make_items(zone, 40)
    FiveKeyItemFactory(year=2025, title="去年的任务")  # another year: neither counted nor listed
    client.force_login(zone.leader)
    response = client.get(reverse("projects:board"))
    board = response.context["board"]
    order = board_order(items)
    page = response.content.decode()
    for group in board["groups"]:
        in_category = [pk for pk in order if FiveKeyItem.objects.get(pk=pk).category == group["category"]]
        assert group["count"] == len(in_category) == 8
        # The first five, lagging first, then "3 more follow" and a link to the whole category.
        assert [row.item.pk for row in group["rows"]] == in_category[:5]
        assert group["more"] == 3
        section = page[page.index(f'data-testid="board-{group["category"].value}"'):]
        assert 'data-testid="group-more" data-more="3"' in section[:section.index("</p>") + 4]
        whole, contexts = all_pages(client, {"category": group["category"].value})
        assert [row.item.pk for row in whole] == in_category
        assert len(contexts) == 2 and len(contexts[0]["board"]["rows"]) == 7
        assert "第 1–7 项，共 8 项" in client.get(reverse("projects:board"),
                                              {"category": group["category"].value}).content.decode()
    # Each row shows what item_progress says today.
    for row in board["rows"]:
        assert (row.progress.status, row.progress.workdays_late, row.progress.completed, row.progress.total) == \
            computed(row.item)[:2] + computed(row.item)[3:5]
        if row.progress.status == Status.LAGGING:
            assert row.progress.worst.node.pk == computed(row.item)[2]


def test_every_count_of_the_summary_opens_exactly_the_rows_it_counts(client, zone, monkeypatch):
    """The summary said 超前 6 while no row on the page showed 超前: each count now links to the
    board filtered to it, and following the link (and its "more" links) shows exactly those rows."""
    monkeypatch.setattr(selectors, "BOARD_PAGE_SIZE", 4)
    monkeypatch.setattr(selectors, "BOARD_GROUP_SIZE", 3)
    make_items(zone, 45)
    client.force_login(zone.leader)
    for params in ({}, {"unit": zone.dept_a.pk}, {"category": "work"}):
        response = client.get(reverse("projects:board"), params)
        page = response.content.decode()
        links = [(html.unescape(re.search(r'href="([^"]*)"', tag).group(1)), int(re.search(r'data-count="(\d+)"', tag).group(1)))
                 for tag in re.findall(r'<a\b[^>]*data-testid="board-count"[^>]*>', page)]
        assert len(links) >= 4 and sum(count for _href, count in links) > 0
        for href, count in links:
            query = QueryDict(href[1:])
            rows = rows_behind(client, href)
            assert len(rows) == count, href
            assert len({row.item.pk for row in rows}) == count, href
            for row in rows:
                if "status" in query:
                    assert row.progress.status == query["status"], href
                if "category" in query:
                    assert row.item.category == query["category"], href
                if "unit" in query:
                    assert str(row.item.responsible_unit_id) == query["unit"], href
    # "ahead" in all: every ahead item, under its category, none left unshown.
    ahead = response.context["board"]["status_totals"]["ahead"]
    response = client.get(reverse("projects:board"), {"status": "ahead"})
    shown = sum(len(group["rows"]) + group["more"] for group in response.context["board"]["groups"])
    assert shown == response.context["board"]["matching"] and ahead <= shown


def test_a_lagging_item_shows_first(client, zone):
    make_items(zone, 60)
    newest = FiveKeyItemFactory(title="最晚录入却最滞后", category=Category.REFORMS, lead_leader=zone.leader)
    FiveKeyNodeFactory(item=newest, name="方案报批", planned_date=D(2026, 9, 30))
    client.force_login(zone.leader)
    response = client.get(reverse("projects:board"))
    board = response.context["board"]
    # Under its category, as on the wall chart: first there.
    assert next(g for g in board["groups"] if g["category"] == Category.REFORMS)["rows"][0].item == newest
    page = response.content.decode()
    reforms = page[page.index('data-testid="board-reforms"'):]
    assert reforms.index('data-item="') == reforms.index(f'data-item="{newest.pk}"')
    assert "方案报批" in page
    # Filtered to lagging, it is the first row of all.
    assert client.get(reverse("projects:board"), {"status": "lagging", "category": "reforms"}).context[
        "board"]["rows"][0].item == newest


# Each sort of the board as a reader would sort the rows by hand: the reference the SQL orders
# (selectors.BOARD_SORT_ORDERS) are checked against.
BOARD_SORTS = {
    "title": lambda row: (row.item.title, row.item.pk),
    "unit": lambda row: (row.item.responsible_unit.name if row.item.responsible_unit else "", row.item.pk),
    "leader": lambda row: (row.item.lead_leader.display_name, row.item.pk),
    "progress": lambda row: (row.progress.completed, row.item.pk),
}


@pytest.mark.parametrize("sort", sorted(BOARD_SORTS))
def test_each_sort_orders_the_whole_list_as_the_export_does(client, zone, sort):
    leaders = [UserFactory(role=Role.LEADER, name=name) for name in ("王", "李", "")]
    units = [DepartmentFactory(name=name) for name in ("应急管理局", "财政局")]
    items = make_items(zone, 12)
    for i, item in enumerate(items):
        FiveKeyItem.objects.filter(pk=item.pk).update(
            category=Category.KEY_WORK, lead_leader=leaders[i % 3], title=f"{'乙甲丙'[i % 3]}任务{i}",
            responsible_unit=None if i % 5 == 4 else units[i % 2])
    client.force_login(zone.leader)
    rows = client.get(reverse("projects:board"), {"sort": sort}).context["board"]["rows"]
    python = selectors.with_progress(selectors.fivekey_item_queryset(zone.leader).filter(year=2026), on=TODAY)
    python.sort(key=BOARD_SORTS[sort])
    assert [row.item.pk for row in rows] == [row.item.pk for row in python]


def test_stale_progress_is_recomputed_when_the_board_is_viewed(client, zone, django_assert_max_num_queries):
    late = FiveKeyItemFactory(title="滞后任务", lead_leader=zone.leader)
    FiveKeyNodeFactory(item=late, planned_date=D(2026, 11, 13))
    due_today = FiveKeyItemFactory(title="今天到期", lead_leader=zone.leader)
    FiveKeyNodeFactory(item=due_today, planned_date=TODAY)
    assert stored(late)[:2] == ("lagging", 6) and stored(due_today)[0] == "on_schedule"
    client.force_login(zone.leader)
    # The next morning, before any sweep: yesterday's progress is stale.
    with time_machine.travel(dt.datetime(2026, 11, 24, 8, 0, tzinfo=SHANGHAI), tick=False):
        response = client.get(reverse("projects:board"))
        assert response.context["board"]["status_totals"]["lagging"] == 2
        assert [row.item for row in response.context["board"]["rows"]] == [late, due_today]
        assert stored(late) == computed(late, D(2026, 11, 24)) and stored(late)[:2] == ("lagging", 7)
        assert stored(due_today) == computed(due_today, D(2026, 11, 24))
        assert stored(due_today)[:2] == ("lagging", 1)
        # Refreshed once: the next view only checks.
        with django_assert_max_num_queries(BOARD_QUERIES):
            client.get(reverse("projects:board"))


def test_the_leader_panel_counts_from_the_stored_progress(client, zone):
    items = make_items(zone, 9)
    FiveKeyItem.objects.filter(pk__in=[i.pk for i in items]).update(progress_on=TODAY - dt.timedelta(days=1),
                                                                   progress_status="ahead")
    client.force_login(zone.leader)
    panel = next(p for p in client.get(reverse("home")).context["panels"]
                 if p["template"] == "projects/panels/leader_fivekey.html")
    assert panel["total"] == 9 and panel["status_totals"]["lagging"] == 3
    assert [row.item.pk for row in panel["lagging"]] == board_order(items)[:3]
    # Every row holds today's progress; only those that were wrong were written (stamped today).
    assert all(stored(item)[:5] == computed(item)[:5] for item in items)
    assert {stored(item)[-1] for item in items if computed(item)[0] == "ahead"} == {TODAY - dt.timedelta(days=1)}
    assert {stored(item)[-1] for item in items if computed(item)[0] != "ahead"} == {TODAY}


def test_the_sweep_stores_the_days_progress(zone):
    item = FiveKeyItemFactory(responsible_unit=zone.dept_a, lead_leader=zone.leader)
    FiveKeyNodeFactory(item=item, planned_date=D(2026, 11, 24))
    last_year = FiveKeyItemFactory(year=2025, responsible_unit=zone.dept_a, lead_leader=zone.leader)
    FiveKeyNodeFactory(item=last_year, planned_date=D(2025, 12, 30))
    FiveKeyItem.objects.update(progress_on=None, progress_status="")
    assert services.supervision_sweep(on=D(2026, 11, 25))["flagged"] == 2
    for each in (item, last_year):
        assert stored(each) == computed(each, D(2026, 11, 25)) and stored(each)[0] == "lagging"


# --- touch only what changed (issue 15) ----------------------------------------------------------


def _updates(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries
            if q["sql"].startswith("UPDATE") and "projects_fivekeyitem" in q["sql"]]


def _summary_counts(year=2026) -> dict:
    """The counts the board shows, against those a COUNT of the rows finds."""
    from projects.models import FiveKeyProgressDay

    stored = FiveKeyProgressDay.objects.get(year=year).counts
    return ({(c, st): n for c, by in stored.items() for st, n in by.items() if n},
            {(c, st): n for c, by in services.fivekey_progress_counts_count(year).items() for st, n in by.items()})


def test_the_day_is_computed_once_and_only_changed_rows_are_written(zone):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    late = FiveKeyItemFactory(lead_leader=zone.leader)
    FiveKeyNodeFactory(item=late, planned_date=D(2026, 11, 13))  # lagging: its days late grow each working day
    steady = FiveKeyItemFactory(lead_leader=zone.leader)
    FiveKeyNodeFactory(item=steady, planned_date=D(2026, 12, 20))  # on schedule for weeks
    turning = FiveKeyItemFactory(lead_leader=zone.leader)
    FiveKeyNodeFactory(item=turning, planned_date=TODAY)  # due today: lagging tomorrow
    services.fivekey_progress_refresh_stale(year=2026, on=TODAY)
    with CaptureQueriesContext(connection) as queries:
        assert services.fivekey_progress_refresh_stale(year=2026, on=TODAY) == 0
    assert len(queries) == 1 and not _updates(queries)  # one small question, no write
    tomorrow = D(2026, 11, 24)
    with CaptureQueriesContext(connection) as queries:
        assert services.fivekey_progress_refresh_stale(year=2026, on=tomorrow) == 2
    assert len(_updates(queries)) == 1
    assert stored(late) == computed(late, tomorrow) and stored(turning) == computed(turning, tomorrow)
    assert stored(turning)[0] == "lagging"
    assert stored(steady)[-1] == TODAY and stored(steady)[:5] == computed(steady, tomorrow)[:5]  # untouched
    assert _summary_counts()[0] == _summary_counts()[1] == {("projects", "lagging"): 2, ("projects", "on_schedule"): 1}


def test_a_node_change_shows_at_once_and_moves_the_counts(client, zone):
    item = FiveKeyItemFactory(lead_leader=zone.leader, responsible_unit=zone.dept_a, category=Category.REFORMS)
    node = FiveKeyNodeFactory(item=item, planned_date=D(2026, 11, 13))
    make_items(zone, 10)
    client.force_login(zone.leader)
    board = client.get(reverse("projects:board")).context["board"]
    lagging = board["status_totals"]["lagging"]
    services.fivekey_node_complete(node=node, actor=zone.dept_user_a, completed_on=TODAY, evidence="批复")
    board = client.get(reverse("projects:board")).context["board"]
    assert board["status_totals"]["lagging"] == lagging - 1
    assert next(g for g in board["groups"] if g["category"] == Category.REFORMS)["counts"]["done_late"] == 1
    services.fivekey_item_update(item=item, actor=zone.leader, category=Category.KEY_WORK)
    assert _summary_counts()[0] == _summary_counts()[1]
    assert stored(item) == computed(item)


def test_a_calendar_change_recomputes_the_years_it_touches(zone):
    from projects.models import FiveKeyProgressDay
    from zonehub.models import CalendarYear
    from zonehub.services import calendar_changed

    item = FiveKeyItemFactory(lead_leader=zone.leader)
    FiveKeyNodeFactory(item=item, planned_date=D(2026, 11, 13))
    services.fivekey_progress_refresh_stale(year=2026, on=TODAY)
    services.fivekey_progress_refresh_stale(year=2027, on=TODAY)
    # The days it was late change with the holidays (here, as if the stored figure were wrong).
    FiveKeyItem.objects.filter(pk=item.pk).update(progress_late_days=1)
    calendar_changed.send(sender=CalendarYear, years=[2026])
    assert list(FiveKeyProgressDay.objects.values_list("year", flat=True)) == [2027]
    services.fivekey_progress_refresh_stale(year=2026, on=TODAY)
    assert stored(item) == computed(item) and stored(item)[1] == 6
