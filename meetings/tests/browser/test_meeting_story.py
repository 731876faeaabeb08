"""Issue 16's "done when", in a real browser on the demo zone: the steward convenes a meeting on an
escalation; two departments confirm who attends (one on its phone); the workstation head records
the minutes with two decisions; one department closes its decision on time with evidence, the
other is marked overdue by the deadline sweep and chased up (督办); the .docx notice opens, read
back with python-docx; the request's timeline shows the meeting and the chase-up.

The clock is moved (for the live server too) to the next working day's morning, so that the
meeting can be held the same day whatever day the suite runs."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.browser.conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser]

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips these tests
    expect = None
else:
    expect.set_options(timeout=15_000)

TITLE = "用电增容现场协调会"


def _next_working_morning():
    from django.utils import timezone

    from zonehub.workdays import SHANGHAI, WorkCalendar, local_date

    day = WorkCalendar().first_workday_on_or_after(local_date(timezone.now()) + dt.timedelta(days=1))
    return dt.datetime.combine(day, dt.time(9, 30), tzinfo=SHANGHAI)


def test_a_meeting_from_its_notice_to_a_chase_up(browse):
    import time_machine

    morning = _next_working_morning()
    traveller = time_machine.travel(morning, tick=True)
    moved = traveller.start()
    try:
        _story(browse, moved, morning)
    finally:
        traveller.stop()


def _story(browse, moved, morning):
    import io

    from docx import Document

    from meetings.models import Decision, Meeting, SupervisionNotice
    from stewards.models import Escalation
    from stewards.services import deadline_sweep
    from zonehub.models import User

    steward_user = User.objects.get(username="steward")
    escalation = (Escalation.objects.visible_to(steward_user).open().select_related("request", "department")
                  .order_by("-sent_at").first())
    assert escalation is not None, "the demo steward has an open escalation"
    request = escalation.request

    # --- the steward convenes a meeting on the escalation
    steward = browse(DESKTOP, "steward")
    steward.login("steward")
    page = steward.page
    steward.nav("/meetings/")
    page.locator("[data-testid=convene]").click()
    page.wait_for_url(steward.url_re("/meetings/new/"))
    page.locator("[data-testid=checks-subjects] label",
                 has_text=f"#{request.pk} {request.title} → {escalation.department.name}").click()
    page.fill("#id_title", TITLE)
    page.fill("#id_purpose", "协调解决企业新产线用电增容和道路开口问题")
    starts = morning.replace(hour=11, minute=0)
    page.fill("#id_starts_at", starts.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_place", "管委会3楼第一会议室")
    for name in ("发展改革局", "规划建设局"):
        page.locator("[data-testid=checks-departments] label", has_text=re.compile(f"^{name}$")).click()
    page.locator("[data-testid=save]").click()
    page.wait_for_url(re.compile(r".*/meetings/\d+/$"))
    expect(page.locator("[data-testid=meeting-status]")).to_have_text("已通知")
    expect(page.locator("[data-testid=invitation-row]")).to_have_count(2)
    steward.check_page()
    meeting = Meeting.objects.get(title=TITLE)
    assert meeting.notice_code.startswith("会通〔") and meeting.items.get().escalation == escalation

    # --- two departments confirm who attends: 发展改革局 from its home panel, 规划建设局 on a phone
    drc = browse(DESKTOP, "dept")
    drc.login("dept")
    page = drc.page
    page.locator("[data-testid=panel-meetings-department] [data-testid=meeting-tile]", has_text="待回复会议邀请").click()
    page.locator("[data-testid=meeting-row]", has_text=TITLE).get_by_role("link", name=TITLE).click()
    page.wait_for_url(drc.url_re(f"/meetings/{meeting.pk}/"))
    page.fill("#id_attendees", "王芳 副局长；李明 投资科科长")
    page.locator("[data-testid=send-answer]").click()
    expect(page.locator("[data-testid=invitation-status]")).to_have_text("参会")
    drc.check_page()
    plan_user = User.objects.get(username="dept01")
    plan = browse(PHONE, "dept-plan")
    plan.login("dept01")
    page = plan.page
    plan.goto(f"/meetings/{meeting.pk}/")
    page.fill("#id_attendees", "赵强 副局长")
    plan.assert_thumb_sized(page.locator("[data-testid=send-answer]"))
    page.locator("[data-testid=send-answer]").click()
    expect(page.locator("[data-testid=invitation-status]")).to_have_text("参会")
    plan.check_page()
    plan.screenshot("meeting-answered")
    assert meeting.invitations.filter(status="confirmed").count() == 2

    # --- the meeting is held; the head records the minutes with two decisions
    moved.move_to(morning.replace(hour=11, minute=40))
    head = browse(DESKTOP, "head")
    head.login("head")
    page = head.page
    head.goto(f"/meetings/{meeting.pk}/")
    page.locator("[data-testid=record-minutes]").click()
    page.wait_for_url(head.url_re(f"/meetings/{meeting.pk}/minutes/"))
    expect(page.locator("#id_minutes-attendees")).to_have_value(re.compile("王芳 副局长"))
    page.fill(f"#id_minutes-discussion_{meeting.items.get().pk}", "供电方案与道路开口须同步推进。")
    item = str(meeting.items.get().pk)
    for i, (text, department) in enumerate((("三个工作日内出具增容项目备案意见", "发展改革局"),
                                            ("三个工作日内出具道路开口规划条件", "规划建设局"))):
        page.fill(f"#id_decisions-{i}-text", text)
        page.select_option(f"#id_decisions-{i}-department", label=department)
        page.fill(f"#id_decisions-{i}-working_days", "3")
        page.select_option(f"#id_decisions-{i}-item", item)
    page.locator("[data-testid=save-minutes]").click()
    page.wait_for_url(head.url_re(f"/meetings/{meeting.pk}/"))
    expect(page.locator("[data-testid=meeting-status]")).to_have_text("已召开")
    expect(page.locator("[data-testid=decision-row]")).to_have_count(2)
    head.check_page()
    head.screenshot("meeting-held")
    drc_decision, plan_decision = meeting.decisions.order_by("position")
    assert (drc_decision.department.name, plan_decision.department.name) == ("发展改革局", "规划建设局")

    # --- 发展改革局 closes its decision on time, with evidence, from its list
    page = drc.page
    drc.goto("/meetings/decisions/?state=open")
    page.locator("[data-testid=decision-row]", has_text="增容项目备案意见").get_by_role("link").first.click()
    page.wait_for_url(drc.url_re(f"/meetings/decisions/{drc_decision.pk}/"))
    page.fill("#id_evidence", "已出具项目备案意见，文号发改备〔2026〕88号。")
    page.locator("[data-testid=close]").click()
    expect(page.locator("[data-testid=decision-state]")).to_have_text("按时办结")
    drc.check_page()
    drc_decision.refresh_from_db()
    assert drc_decision.closed_on_time is True

    # --- 规划建设局 lets its deadline pass: the sweep marks it overdue, once; the head chases it up
    counts = deadline_sweep(now=plan_decision.due_at + dt.timedelta(minutes=1), send_notifications=False)
    assert counts.get("meetings_decisions_overdue") == 1
    plan_decision.refresh_from_db()
    assert plan_decision.overdue_at is not None and plan_user.department_id == plan_decision.department_id
    moved.move_to(plan_decision.due_at + dt.timedelta(hours=10))
    head = browse(DESKTOP, "head-2")  # a day later: the head signs in again
    head.login("head")
    page = head.page
    head.goto(f"/meetings/decisions/{plan_decision.pk}/")
    expect(page.locator("[data-testid=decision-state]")).to_have_text("超期")
    page.locator("[data-testid=chase-up]").click()
    page.wait_for_url(head.url_re(f"/meetings/decisions/{plan_decision.pk}/supervise/"))
    page.fill("#id_reason", "请于两个工作日内出具道路开口规划条件，并与企业现场对接。")
    page.locator("[data-testid=issue]").click()
    page.wait_for_url(re.compile(r".*/meetings/supervision/\d+/$"))
    notice = SupervisionNotice.objects.get(decision=plan_decision)
    expect(page.get_by_role("heading", name=notice.code)).to_be_visible()
    head.check_page()
    assert notice.department.name == "规划建设局" and notice.code.startswith("督办〔")

    # --- the printable notice, and the Word file of it, read back with python-docx
    head.goto(f"/meetings/supervision/{notice.pk}/print/")
    expect(page.locator("[data-testid=print-code]")).to_have_text(notice.code)
    head.screenshot("supervision-print")
    head.goto(f"/meetings/{meeting.pk}/")
    with page.expect_download() as download:
        page.locator("[data-testid=notice-docx]").click()
    with open(download.value.path(), "rb") as saved:
        document = Document(io.BytesIO(saved.read()))
    lines = [p.text for p in document.paragraphs if p.text]
    assert lines[0].endswith("文件") and lines[1] == meeting.notice_code and lines[2] == f"关于召开{TITLE}的通知"
    assert any("管委会3楼第一会议室" in line for line in lines)
    assert round(document.sections[0].page_width.mm) == 210

    # --- the request's timeline shows the meeting, its decisions and the chase-up
    steward = browse(DESKTOP, "steward-2")  # days later: signs in again
    steward.login("steward")
    page = steward.page
    steward.goto(f"/requests/{request.pk}/")
    timeline = page.locator("[data-testid=timeline]")
    expect(timeline).to_contain_text("召集会议")
    expect(timeline).to_contain_text("会议议定事项：完成时限")
    expect(timeline).to_contain_text(notice.code)
    steward.check_page()
    assert Decision.objects.filter(meeting=meeting, overdue_at__isnull=False).count() == 1
