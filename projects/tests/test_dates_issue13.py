"""Issue 13, item 6: one rule for each date of a five-key node, written the Chinese way everywhere.

The report: a notification said "应于 2026-06-29" where the list said 计划日期 6月28日; a node late
since June showed 滞后起始日 2026年12月4日; a node finished 110 working days late showed 正常.

The cause of the day apart: 28 June 2026 is a Sunday. A node planned for a day off is due on the
next working day (Civil Code art. 203, projects.progress), and the notification wrote that due date
(29 June, in ISO form) while the pages wrote the planned date. Now every place writes the node's
date with one function (progress.node_dates_text): the planned date, and the working day it runs
on to when it is a day off. A node becomes late the day after its due date, and that day — not the
day the sweep noticed — is its lagging spell's first day.
"""

import datetime as dt
import io
import re

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from projects import services
from projects.models import Category, FiveKeyItem
from projects.tests.factories import FiveKeyItemFactory, FiveKeyNodeFactory
from zonehub.models import Notification
from zonehub.workdays import SHANGHAI

pytestmark = pytest.mark.django_db
D = dt.date
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DEC_4 = D(2026, 12, 4)  # a Friday: the day of the report


@pytest.fixture
def december_4():
    with time_machine.travel(dt.datetime(2026, 12, 4, 10, 0, tzinfo=SHANGHAI), tick=False):
        yield DEC_4


def _item(zone, title, *nodes, category=Category.KEY_WORK):
    item = FiveKeyItemFactory(title=title, category=category, responsible_unit=zone.dept_a, lead_leader=zone.leader)
    for name, planned, done in nodes:
        FiveKeyNodeFactory(item=item, name=name, planned_date=planned, completed_on=done)
    return item


def workbook_rows(response):
    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows()]


def test_the_notification_names_the_day_the_list_shows_in_chinese(client, zone, december_4):
    item = _item(zone, "盘活僵尸企业土地", ("土地挂牌", D(2026, 6, 28), None))  # 28 June: a Sunday
    services.supervision_sweep(on=DEC_4)
    (body,) = set(Notification.objects.filter(kind="fivekey.lagging").values_list("body", flat=True))
    shown = "2026年6月28日（逢休息日顺延至2026年6月29日）"
    assert body == f"节点“土地挂牌”计划于{shown}完成，自2026年6月30日起滞后，已滞后 110 个工作日。"
    assert not ISO_DATE.search(body)
    # The item's page writes the node's date as the notification does, and the same first day late.
    client.force_login(zone.leader)
    page = client.get(item.get_absolute_url()).content.decode()
    assert f"<td>{shown}</td>" in page
    assert 'data-testid="lagging-since">2026年6月30日<' in page
    assert "滞后 110 个工作日（2026年6月30日起）" in page


def test_a_node_late_since_june_is_lagging_since_the_day_after_its_due_date_not_today(client, zone, december_4):
    item = _item(zone, "建设50公里供热管网", ("管网铺设", D(2026, 6, 29), None))  # a Monday
    services.supervision_sweep(on=DEC_4)
    item.refresh_from_db()
    assert item.lagging_since == D(2026, 6, 30)
    client.force_login(zone.leader)
    page = client.get(item.get_absolute_url()).content.decode()
    assert 'data-testid="lagging-since">2026年6月30日<' in page  # not 2026年12月4日, the day the sweep saw it
    assert 'data-testid="late-node">滞后 110 个工作日（2026年6月30日起）' in page
    api = client.get(f"/api/fivekey-items/{item.pk}/").json()
    assert (api["status"], api["workdays_late"], api["lagging_since"]) == ("lagging", 110, "2026-06-30")  # machines: ISO


def test_the_spell_starts_where_an_earlier_late_node_ran_into_this_one(zone, december_4):
    """Late without a day between since 1 July: the first node (due 30 June, done 15 July) and the
    second (due 14 July, still open) make one spell."""
    item = _item(zone, "推行五重清单考核", ("方案制定", D(2026, 6, 30), D(2026, 7, 15)),
                 ("试点推开", D(2026, 7, 14), None))
    services.supervision_sweep(on=DEC_4)
    item.refresh_from_db()
    assert item.lagging_since == D(2026, 7, 1)


def test_a_node_done_110_working_days_late_shows_done_late_everywhere(client, zone, december_4):
    done_late = _item(zone, "落地割胶机器人项目", ("主体竣工", D(2026, 6, 28), DEC_4))
    on_time = _item(zone, "引进储能电池项目", ("签约", D(2026, 6, 30), D(2026, 6, 29)), category=Category.INVESTMENT)
    lagging = _item(zone, "举办专用汽车产业链招商会", ("招商会", D(2026, 11, 20), None))
    client.force_login(zone.leader)

    # The board: 逾期完成 (not 正常), the node and its working days, counted in its own column.
    page = client.get(reverse("projects:board")).content.decode()
    row = page[page.index(f'data-item="{done_late.pk}"'):]
    row = row[:row.index("</tr>")]
    assert 'data-status="done_late">逾期完成<' in row and "主体竣工" in row and "逾期 110 个工作日完成" in row
    assert re.search(r'data-testid="count-done-late"><a [^>]*data-count="1">1</a>', page)
    # Lagging first, then done late, then on schedule, although the done-late node is more days late.
    assert page.index(f'data-item="{lagging.pk}"') < page.index(f'data-item="{done_late.pk}"')
    assert FiveKeyItem.objects.get(pk=on_time.pk).progress_status == "on_schedule"
    ordered = list(FiveKeyItem.objects.filter(year=2026).order_by("progress_rank", "-progress_late_days", "pk")
                   .values_list("pk", flat=True))
    assert ordered == [lagging.pk, done_late.pk, on_time.pk]

    # The item: the node's row says so, with its working days.
    item_page = client.get(done_late.get_absolute_url()).content.decode()
    assert 'data-status="done_late"' in item_page and 'data-testid="done-late-node"' in item_page
    assert "逾期 110 个工作日" in item_page and "2026年12月4日" in item_page

    # The wall chart and the Excel sheet.
    printed = b"".join(client.get(reverse("projects:board_print")).streaming_content).decode()
    assert "主体竣工（2026年6月28日（逢休息日顺延至2026年6月29日），已于2026年12月4日完成，逾期110个工作日）" in printed
    assert "逾期完成 1 项" in printed and ">逾期完成</td>" in printed
    rows = workbook_rows(client.get(reverse("projects:board_export"), {"year": 2026}))
    header = [cell.value for cell in rows[1]]
    by_title = {row[2].value: dict(zip(header, row, strict=True)) for row in rows[2:]}
    sheet_row = by_title["落地割胶机器人项目"]
    assert sheet_row["时序进度"].value == "逾期完成" and sheet_row["滞后或逾期工作日"].value == 110
    assert sheet_row["节点（计划日期 / 完成日期）"].value == \
        "主体竣工（2026年6月28日（逢休息日顺延至2026年6月29日） / 2026年12月4日，逾期110个工作日完成）"
    assert by_title["引进储能电池项目"]["时序进度"].value == "正常"
    # The lagging spell's first day: a real date cell, shown as 2026年11月21日.
    since = by_title["举办专用汽车产业链招商会"]["滞后起始日"]
    assert since.is_date and since.value.date() == D(2026, 11, 21) and since.number_format == 'yyyy"年"m"月"d"日"'
    assert not any(ISO_DATE.search(str(cell.value)) for row in rows for cell in row if isinstance(cell.value, str))

    # The API's status, and its filter on the board.
    assert client.get(f"/api/fivekey-items/{done_late.pk}/").json()["status"] == "done_late"
    filtered = client.get(reverse("projects:board"), {"status": "done_late"}).context["board"]["rows"]
    assert [row.item.pk for row in filtered] == [done_late.pk]
