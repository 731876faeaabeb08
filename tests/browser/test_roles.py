"""Each role's day, through the real pages in a real browser (issue 6, items 4 and 5): log in, see
the dashboard, do the role's main action, see the result. Stewards and enterprise users work on
phones, so their stories also run at 375 × 812, where no page may scroll sideways and the main
form's button must be big enough for a thumb. Every page is checked to load nothing from outside
the live server; each dashboard is saved under test-artifacts/screenshots/."""

from __future__ import annotations

import pytest

from tests.browser.conftest import DESKTOP, PHONE
from zonehub.workdays import last_workday

pytestmark = [pytest.mark.browser]

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips these tests (and fails them under CI=true)
    expect = None
else:
    expect.set_options(timeout=15_000)  # a shared CI machine can be slow; expect returns as soon as it holds

SIZES = [pytest.param(DESKTOP, id="desktop"), pytest.param(PHONE, id="phone")]


def _user(username):
    from zonehub.models import User

    return User.objects.select_related("enterprise", "department", "workstation").get(username=username)


def _submitted_request(enterprise_username: str, title: str):
    """A request the enterprise submitted a moment ago (through the service, as the form does)."""
    from stewards import services

    return services.request_submit(
        actor=_user(enterprise_username), category="factors", title=title,
        description="二号车间新增生产线，需要把用电容量从800千伏安增加到1250千伏安。", urgency="normal",
    )


@pytest.mark.parametrize("viewport", SIZES)
def test_enterprise_submits_a_request_and_sees_its_steward(browse, viewport):
    from stewards.models import ServiceRequest

    me = browse(viewport, "enterprise")
    me.login("enterprise")
    page = me.page
    expect(page.locator("[data-testid=panel-enterprise-requests]")).to_be_visible()
    expect(page.locator("[data-testid=my-steward]")).to_be_visible()
    me.screenshot("dashboard")

    page.locator("[data-testid=panel-submit]").click()
    page.wait_for_url(me.url("/requests/new/"))
    me.check_page()
    expect(page.locator("[data-testid=form-steward]")).to_be_visible()
    title = "二号车间用电增容申请（新增生产线需要把变压器容量从800千伏安提升到1250千伏安）"
    page.select_option("#id_category", "factors")
    page.fill("#id_title", title)
    page.fill("#id_description", "新生产线下月安装调试，需要供电公司尽快现场勘察并给出增容方案。")
    page.locator("label", has=page.locator("input[name=urgency][value=urgent]")).click()
    submit = page.locator("main form button[type=submit]")
    me.assert_thumb_sized(submit)
    submit.click()

    page.wait_for_url(me.url_re(r"/requests/\d+/"))
    me.check_page()
    sr = ServiceRequest.objects.get(title=title)
    assert sr.enterprise.name == _user("enterprise").enterprise.name and sr.urgency == "urgent"
    expect(page.locator("h1")).to_contain_text(title)
    expect(page.locator("[data-testid=request-status]")).to_have_text(sr.get_status_display())
    steward = page.locator("[data-testid=steward]")
    expect(steward).to_contain_text(sr.steward.name)
    expect(steward.locator("[data-testid=steward-phone]")).to_have_attribute("href", f"tel:{sr.steward.phone}")
    timeline = page.locator("[data-testid=timeline] li")
    expect(timeline).to_have_count(1)
    expect(timeline.first).to_contain_text(_user("enterprise").display_name)


@pytest.mark.parametrize("viewport", SIZES)
def test_steward_accepts_a_new_request_and_escalates_it(browse, viewport):
    from stewards.models import ServiceRequest
    from zonehub.models import Department

    title = "新建厂房施工许可办理（三号地块标准化厂房二期工程，需要规划建设局尽快出具意见）"
    sr = _submitted_request("enterprise", title)
    department = Department.objects.get(name="发展改革局")

    me = browse(viewport, "steward")
    me.login("steward")
    page = me.page
    expect(page.locator("[data-testid=panel-steward-work]")).to_contain_text(title)
    me.screenshot("dashboard")

    me.nav("/requests/worklist/")
    new = page.locator("[data-testid=wl-new]")
    new.get_by_role("link", name=f"#{sr.pk} {title}").click()
    page.wait_for_url(me.url(f"/requests/{sr.pk}/"))
    me.check_page()
    accept = page.locator("[data-testid=accept]")
    me.assert_thumb_sized(accept)
    accept.click()
    expect(page.locator("[data-testid=request-status]")).to_have_text(str(ServiceRequest.Status.ACCEPTED.label))
    me.check_page()

    page.locator("summary", has_text="吹哨").click()
    form = page.locator(f"form[action='/requests/{sr.pk}/escalate/']")
    form.locator(f"input[name=departments][value='{department.pk}']").check()
    form.locator("textarea[name=reason]").fill("需要发改局确认项目备案信息后才能办理施工许可。")
    submit = form.locator("button[type=submit]")
    me.assert_thumb_sized(submit)
    submit.click()

    escalation = page.locator("[data-testid=escalation]", has_text=department.name)
    expect(escalation).to_be_visible()
    expect(escalation.locator("[data-testid^=clock-]")).to_be_visible()
    expect(page.locator("[data-testid=request-status]")).to_have_text(str(ServiceRequest.Status.ESCALATED.label))
    me.check_page()
    sr.refresh_from_db()
    esc = sr.escalations.get()
    assert sr.status == "escalated" and esc.department == department
    due = last_workday(esc.due_at)
    expect(escalation).to_contain_text(f"{due.year}年{due.month}月{due.day}日")


def test_department_replies_to_an_escalation_from_its_inbox(browse):
    from stewards import services
    from zonehub.models import Department

    title = "蒸汽管网接入（新厂区需要接入园区集中供热管网）"
    sr = _submitted_request("enterprise", title)
    steward = sr.steward.user
    services.request_accept(request=sr, actor=steward)
    department = Department.objects.get(name="发展改革局")
    (esc,) = services.request_escalate(request=sr, actor=steward, departments=[department],
                                       reason="请发改局协调热力公司确定接入点。")

    me = browse(DESKTOP, "department")
    me.login("dept")
    page = me.page
    expect(page.locator("[data-testid=panel-department-inbox]")).to_be_visible()
    me.screenshot("dashboard")

    me.nav("/requests/inbox/")
    row = page.locator("[data-testid=inbox-row]", has_text=title)
    expect(row).to_have_count(1)
    row.locator("summary").click()
    row.locator("textarea[name=reply]").fill("已与热力公司对接，下周二现场确定接入点。")
    row.locator("button[type=submit]").click()

    # Back on the inbox with the confirmation; answered, it has left what is waiting for the department.
    expect(page.locator(".alert-success")).to_be_visible()
    assert page.url.startswith(me.url("/requests/inbox/"))
    expect(page.locator("[data-testid=inbox-row]", has_text=title)).to_have_count(0)
    me.check_page()
    esc.refresh_from_db()
    assert esc.status == "replied"
    me.goto(f"/requests/escalations/{esc.pk}/")
    expect(page.locator("[data-testid=reply]")).to_have_text("已与热力公司对接，下周二现场确定接入点。")


def test_workstation_head_assigns_a_steward_to_an_uncovered_enterprise(browse):
    from enterprises.models import IndustryChain, Park
    from stewards.models import Steward, StewardAssignment
    from tests.factories import EnterpriseFactory

    head = _user("head")
    enterprise = EnterpriseFactory(name="崤函新锐储能科技有限公司", workstation=head.workstation,
                                   industry=IndustryChain.objects.get(name="新能源"), park=Park.objects.first())
    steward = Steward.objects.filter(user__workstation=head.workstation, user__role="steward").order_by("pk").last()

    me = browse(DESKTOP, "head")
    me.login("head")
    page = me.page
    expect(page.locator("[data-testid=coverage]")).to_contain_text(enterprise.name)
    me.screenshot("dashboard")

    me.nav("/enterprises/uncovered/")
    expect(page.locator("form#filters")).to_be_visible()  # at desktop size the filters stay open
    row = page.locator("[data-testid=uncovered-table] tr", has_text=enterprise.name)
    row.locator(f"a[href='/enterprises/{enterprise.pk}/assign/']").click()
    page.wait_for_url(me.url(f"/enterprises/{enterprise.pk}/assign/"))
    me.check_page()
    page.select_option("#id_steward", str(steward.pk))
    page.fill("#id_note", "新入驻企业，按片区分配。")
    page.locator("main form button[type=submit]").click()

    page.wait_for_url(me.url(f"/enterprises/{enterprise.pk}/"))
    me.check_page()
    expect(page.locator("main")).to_contain_text(steward.user.name)
    expect(page.locator("main")).to_contain_text(steward.user.phone)
    assert StewardAssignment.objects.active().get(enterprise=enterprise).steward == steward


def test_leader_reads_the_five_key_board_and_opens_the_rating_campaign(browse):
    from evaluations.models import Campaign

    me = browse(DESKTOP, "leader")
    me.login("leader")
    page = me.page
    expect(page.locator("[data-testid=panel-leader-deadlines]")).to_be_visible()
    expect(page.locator("[data-testid=panel-fivekey]")).to_be_visible()
    me.screenshot("dashboard")

    me.nav("/projects/fivekey/")
    lagging = int(page.locator("[data-testid=count-lagging]").inner_text())
    assert lagging > 0, "the demo has lagging five-key items"
    # In every list the lagging items come first.
    groups = page.evaluate("""() => [...document.querySelectorAll('table[data-testid^="board-"]')]
        .map(t => [...t.querySelectorAll('tr[data-item]')].map(r => r.classList.contains('table-danger')))
        .filter(rows => rows.length)""")
    assert groups and sum(flag for rows in groups for flag in rows) == lagging
    for rows in groups:
        assert rows == sorted(rows, reverse=True), f"a lagging item comes after one that is not: {rows}"
    first_lagging = page.locator("tr.table-danger[data-item] a").first
    item_title = first_lagging.inner_text()
    first_lagging.click()
    page.wait_for_url(me.url_re(r"/projects/fivekey/\d+/"))
    me.check_page()
    expect(page.locator("h1")).to_contain_text(item_title)

    me.nav("/evaluations/")
    open_button = page.locator("[data-testid=open-campaign]")
    if open_button.count():
        open_button.click()
        page.wait_for_url(me.url_re(r"/evaluations/campaigns/\d+/"))
        me.check_page()
        expect(page.locator("h1 .badge")).to_have_text(str(Campaign.Status.OPEN.label))
        me.goto("/evaluations/")
    expect(page.locator("[data-testid=close-campaign]")).to_be_visible()


def test_admin_sees_the_calendar_and_opens_its_admin_page(browse):
    from zonehub.models import CalendarYear

    me = browse(DESKTOP, "admin")
    me.login("admin")
    page = me.page
    status = page.locator("[data-testid=calendar-status]")
    expect(status).to_be_visible()
    this_year = me.page.evaluate("() => new Date().getFullYear()")
    expect(status.locator("tr", has_text=str(this_year))).to_have_count(1)
    me.screenshot("dashboard")

    status.locator("a[href='/admin/zonehub/calendaryear/']").click()
    page.wait_for_url(me.url("/admin/zonehub/calendaryear/"))
    me.check_page()
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(CalendarYear.objects.count())
    expect(page.locator("#result_list")).to_contain_text(str(this_year))


@pytest.mark.parametrize("username", ["steward", "enterprise"])
def test_every_page_in_the_phone_users_menu_fits_a_phone(browse, username):
    """Stewards and enterprise users work on phones: every page their menu offers, and the first
    entry of each list there, must fit 375 px without scrolling sideways."""
    me = browse(PHONE, username)
    me.login(username)
    page = me.page
    paths = page.eval_on_selector_all("#nav a.nav-link", "links => links.map(a => a.getAttribute('href'))")
    assert len(paths) >= 3
    too_wide, toggled = [], False
    for path in [*paths, "/notifications/"]:
        try:
            me.goto(path)
        except AssertionError as exc:
            too_wide.append(str(exc))
            continue
        filters = page.locator("form#filters")
        if filters.count():
            # The list comes first; its filters are one tap away.
            expect(filters).to_be_hidden()
            toggle = page.locator(".zh-filter-toggle")
            if not toggled and toggle.is_visible():
                toggle.click()
                expect(filters).to_be_visible()
                me.assert_thumb_sized(filters.locator("button[type=submit]"))
                toggled = True
    assert not too_wide, "\n".join(too_wide)
    assert toggled or username == "enterprise", "the steward's enterprise list folds its filters on a phone"
