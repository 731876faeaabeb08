"""Issue 13, item 6: dates written the Chinese way (2026年6月28日) in pages, notifications and
workbooks alike, by one function for each kind of date (zonehub.dates); the API alone keeps ISO."""

import datetime as dt
import io
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.urls import reverse
from openpyxl import load_workbook

from stewards import services as stewards
from zonehub.dates import cn_date, cn_datetime, cn_deadline
from zonehub.exports import xlsx_response
from zonehub.models import Notification
from zonehub.workdays import SHANGHAI, date_in_range

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def shanghai(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def test_a_day_is_written_the_chinese_way_and_an_instant_on_its_day_in_beijing():
    assert cn_date(dt.date(2026, 6, 28)) == "2026年6月28日"
    # 16:30 UTC on the 28th is already 00:30 on the 29th in the zone.
    assert cn_date(dt.datetime(2026, 6, 28, 16, 30, tzinfo=dt.UTC)) == "2026年6月29日"
    assert cn_datetime(dt.datetime(2026, 6, 28, 6, 5, tzinfo=dt.UTC)) == "2026年6月28日 14:05"
    assert cn_date(None) == "" and cn_datetime(None) == "" and cn_deadline(None) == ""


def test_a_deadline_stored_as_midnight_after_is_shown_as_its_last_day():
    """due_at is 00:00 of the day after the last day (DESIGN.md rule 1): the day shown is the last
    day, never the next one."""
    assert cn_deadline(shanghai(2026, 6, 29)) == "2026年6月28日"
    # The same instant written in UTC (16:00 on the 28th) is the same deadline.
    assert cn_deadline(dt.datetime(2026, 6, 28, 16, 0, tzinfo=dt.UTC)) == "2026年6月28日"
    rendered = Template("{% load zonehub_dates %}{{ due|cn_deadline }}|{{ day|cn_date }}|{{ at|cn_datetime }}").render(
        Context({"due": shanghai(2026, 6, 29), "day": dt.date(2026, 6, 28), "at": shanghai(2026, 6, 28, 9, 30)}))
    assert rendered == "2026年6月28日|2026年6月28日|2026年6月28日 09:30"


@pytest.mark.django_db
def test_the_escalation_notification_names_the_day_its_page_shows(zone, client):
    """Sent on Thursday 25 June 2026: three working days are Fri 26, Mon 29, Tue 30 June; the reply
    is due by the end of the 30th (stored as 1 July 00:00). The notification said 2026-06-30 in
    ISO form; it now says what the escalation's page says."""
    with time_machine.travel(shanghai(2026, 6, 25, 10, 0), tick=False):
        request = stewards.request_submit(actor=zone.ent_user_a, category="factors", title="用电增容",
                                          description="新产线需要增容。")
        (escalation,) = stewards.request_escalate(request=request, actor=zone.steward_a.user,
                                                  departments=[zone.dept_a], reason="请协调供电公司")
    assert escalation.due_at == shanghai(2026, 7, 1)
    title = Notification.objects.get(kind="escalation.sent", recipient=zone.dept_user_a).title
    assert "请于 2026年6月30日 24时前答复" in title and not ISO_DATE.search(title)
    client.force_login(zone.dept_user_a)
    page = client.get(reverse("stewards:escalation_detail", args=[escalation.pk])).content.decode()
    assert "2026年6月30日 24时前" in page


@pytest.mark.django_db
def test_no_notification_text_holds_an_iso_date(zone):
    """Whatever the sweeps and services sent in a busy day, every title and body a person reads is
    free of ISO dates (the API keeps them)."""
    from projects import services as projects
    from projects.tests.factories import FiveKeyItemFactory, FiveKeyNodeFactory

    with time_machine.travel(shanghai(2026, 6, 25, 10, 0), tick=False):
        request = stewards.request_submit(actor=zone.ent_user_a, category="factors", title="用地", description="d")
        stewards.request_escalate(request=request, actor=zone.steward_a.user, departments=[zone.dept_a, zone.dept_b],
                                  reason="请办理")
        item = FiveKeyItemFactory(responsible_unit=zone.dept_a, lead_leader=zone.leader)
        FiveKeyNodeFactory(item=item, planned_date=dt.date(2026, 6, 14))  # a Sunday
        projects.supervision_sweep(on=dt.date(2026, 6, 25))
    texts = list(Notification.objects.values_list("title", "body"))
    assert {"escalation.sent", "fivekey.lagging"} <= set(Notification.objects.values_list("kind", flat=True))
    assert [t for t in texts if ISO_DATE.search(" ".join(t))] == []
    assert any("2026年6月14日（逢休息日顺延至2026年6月15日）" in body for _title, body in texts)


def test_a_workbook_date_stays_a_date_shown_the_chinese_way():
    rows = [{"day": dt.date(2026, 6, 28), "at": shanghai(2026, 6, 28, 14, 5)}]
    response = xlsx_response(rows, [("日期", "day"), ("时间", "at")], filename="日期")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    day, at = sheet["A2"], sheet["B2"]
    assert day.is_date and day.value == dt.datetime(2026, 6, 28) and day.number_format == 'yyyy"年"m"月"d"日"'
    assert at.is_date and at.value == dt.datetime(2026, 6, 28, 14, 5)
    assert at.number_format == 'yyyy"年"m"月"d"日" hh:mm'


@pytest.mark.django_db
def test_a_date_out_of_range_is_refused_with_chinese_dates():
    with pytest.raises(ValidationError) as refused:
        date_in_range(dt.date(1999, 12, 31), field="visited_on", latest=dt.date(2026, 6, 28))
    message = " ".join(refused.value.message_dict["visited_on"])
    assert "2000年1月1日" in message and "2026年6月28日" in message and not ISO_DATE.search(message)
