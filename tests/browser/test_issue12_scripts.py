"""Issue 12, in a real browser: the two small scripts of the request pages (zonehub.js) work
under the site's Content-Security-Policy — the description's live counter, and the escalation
form's department filter — at phone size too."""

from __future__ import annotations

import pytest

from tests.browser.conftest import PHONE

pytestmark = [pytest.mark.browser]

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips these tests
    expect = None
else:
    expect.set_options(timeout=15_000)


def test_the_description_counts_as_you_type_and_keeps_counting_after_an_error(browse):
    me = browse(PHONE, "enterprise")
    me.login("enterprise")
    page = me.page
    me.goto("/requests/new/")
    counter = page.locator("#id_description + [data-counter]")
    expect(counter).to_have_text("已输入 0 / 2000 字")
    page.fill("#id_title", "二号线用电增容")
    page.fill("#id_description", "新产线需要增容。")
    expect(counter).to_have_text("已输入 8 / 2000 字")
    page.fill("#id_description", "字" * 2003)
    expect(counter).to_contain_text("已输入 2003 / 2000 字")
    expect(counter).to_contain_text("超出 3 字")
    expect(counter).to_have_class("form-text text-danger")
    me.check_page()

    # Sent without a category and too long: both errors, the text kept and still counted.
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state("load")
    expect(page.locator(".invalid-feedback", has_text="请选择诉求类别。")).to_be_visible()
    expect(page.locator(".invalid-feedback", has_text="说明有 2003 字")).to_be_visible()
    expect(page.locator("#id_title")).to_have_value("二号线用电增容")
    expect(page.locator("#id_description + [data-counter]")).to_contain_text("已输入 2003 / 2000 字")
    me.check_page()


def test_the_departments_filter_as_you_type(browse):
    from stewards import services
    from zonehub.models import User

    enterprise = User.objects.get(username="enterprise")
    sr = services.request_submit(actor=enterprise, category="factors", title="蒸汽管网接入",
                                 description="新厂区需要接入园区集中供热管网。")
    me = browse(PHONE, "steward")
    me.login("steward")
    page = me.page
    me.goto(f"/requests/{sr.pk}/escalate/")
    # The request first, then the departments.
    brief, picker = page.locator("[data-testid=request-brief]"), page.locator("[data-testid=department-picker]")
    expect(brief).to_contain_text("新厂区需要接入园区集中供热管网。")
    assert brief.bounding_box()["y"] < picker.bounding_box()["y"]

    search = picker.locator("[data-filter-input]")
    expect(search).to_be_visible()
    bureaus = picker.locator("fieldset", has_text="职能部门")
    expect(bureaus).to_be_visible()
    search.fill("供电")
    visible = picker.locator("[data-filter-item]:visible")
    expect(visible).to_have_count(1)
    expect(visible).to_contain_text("国网供电公司")
    expect(bureaus).to_be_hidden()
    # Enter filters; it does not send the form.
    search.press("Enter")
    assert page.url.endswith(f"/requests/{sr.pk}/escalate/")
    expect(page.locator(".invalid-feedback")).to_have_count(0)
    visible.locator("input").check()
    search.fill("不存在的单位")
    expect(picker.locator("[data-filter-empty]")).to_be_hidden()  # the ticked one stays in sight
    expect(picker.locator("[data-filter-item]:visible")).to_have_count(1)
    search.fill("")
    expect(bureaus).to_be_visible()
    me.check_page()

    page.fill("textarea[name=reason]", "请供电公司确认接入点。")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(me.url(f"/requests/{sr.pk}/"))
    sr.refresh_from_db()
    assert [e.department.name for e in sr.escalations.all()] == ["国网供电公司"]
