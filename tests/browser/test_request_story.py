"""Issue 12's request pages, in a real browser, as the three people who use them: the enterprise
submits (a category must be chosen) and reads what happens next and by when; the steward accepts
and escalates from a form that shows the request first and the departments grouped; the
department sees one reply button; the timeline names each department and each actor."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import DESKTOP

pytestmark = [pytest.mark.browser]

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips these tests
    expect = None
else:
    expect.set_options(timeout=15_000)


def test_a_request_from_submission_to_the_departments_reply(browse):
    from zonehub.models import Department, User

    dept_user = User.objects.get(username="dept")
    department = Department.objects.get(pk=dept_user.department_id)

    ent = browse(DESKTOP, "enterprise")
    ent.login("enterprise")
    page = ent.page
    ent.goto("/requests/new/")
    expect(page.locator("#id_category option").first).to_have_text("请选择")
    page.fill("#id_title", "厂房消防验收需协调")
    page.fill("#id_description", "新厂房已完工，需要安排消防验收。")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("load")
    expect(page.locator(".invalid-feedback", has_text="请选择诉求类别。")).to_be_visible()
    expect(page.locator("#id_title")).to_have_value("厂房消防验收需协调")
    page.select_option("#id_category", "approval")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/requests/\d+/$"))
    request_id = int(re.search(r"/requests/(\d+)/", page.url).group(1))
    step = page.locator("[data-testid=next-step]")
    expect(step).to_contain_text(re.compile(r"管家 \S+ 将在 \d{4}年\d{1,2}月\d{1,2}日 24时前受理"))
    expect(page.get_by_text("未涉及部门")).to_have_count(0)
    ent.check_page()
    ent.screenshot("request-next-step")

    steward = browse(DESKTOP, "steward")
    steward.login("steward")
    page = steward.page
    steward.goto(f"/requests/{request_id}/")
    page.locator("[data-testid=accept]").click()
    page.wait_for_load_state("load")
    steward.goto(f"/requests/{request_id}/escalate/")
    brief, picker = page.locator("[data-testid=request-brief]"), page.locator("[data-testid=department-picker]")
    expect(brief).to_contain_text("新厂房已完工，需要安排消防验收。")
    assert brief.bounding_box()["y"] < picker.bounding_box()["y"]  # the request first
    expect(picker.locator("[data-filter-group]").first).to_be_visible()
    page.locator("[data-filter-input]").fill(department.short_name or department.name)
    page.locator("[data-filter-item]:visible input[type=checkbox]").first.check()
    page.fill("#id_reason", "请协调消防验收时间。")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(re.compile(rf".*/requests/{request_id}/$"))
    timeline = page.locator("[data-testid=timeline]")
    expect(timeline).to_contain_text(f"部门：{department.name}")
    expect(timeline).to_contain_text("（")  # the actor with their unit
    expect(page.locator("[data-testid=next-step]")).to_contain_text(f"已转 {department.name} 办理")
    steward.check_page()

    dept = browse(DESKTOP, "dept")
    dept.login("dept")
    page = dept.page
    dept.goto("/requests/inbox/")
    page.locator("[data-testid=inbox-row] a", has_text="厂房消防验收需协调").first.click()
    page.wait_for_load_state("load")
    actions = page.locator("[data-testid=department-actions]")
    expect(actions.get_by_role("button", name="答复", exact=True)).to_have_count(1)
    dept.check_page()
    dept.screenshot("escalation-one-reply-button")
