"""Issue 13, "Done when": a steward is replaced through a closed campaign, in a real browser, and
every open request of the enterprise is with the new steward (the enterprise's pages, the new
steward's worklist, the API). Built from a small zone of its own, not the demo."""

from __future__ import annotations

import pytest

from tests.browser.conftest import DESKTOP, Browsing

pytestmark = [pytest.mark.browser]

try:
    from playwright.sync_api import expect
except ImportError:  # the chromium fixture skips these tests (and fails them under CI=true)
    expect = None
else:
    expect.set_options(timeout=15_000)


@pytest.fixture
def small_zone(transactional_db, live_server):
    from django.utils import timezone

    from evaluations import services as evaluations
    from stewards.models import ServiceRequest
    from stewards.tests.factories import ServiceRequestFactory
    from tests.factories import EnterpriseFactory, StewardFactory, UserFactory, WorkstationFactory
    from zonehub import services as calendar_services
    from zonehub.models import PasswordSetBy, Role, User
    from zonehub.workdays import local_date

    calendar_services.calendar_seed_from_package()
    year = local_date(timezone.now()).year
    for y in (year - 1, year, year + 1):
        calendar_services.calendar_ensure_year(year=y)
    ws = WorkstationFactory(name="东区工作站")
    old = StewardFactory(user__workstation=ws, user__name="程勇", user__username="chengyong")
    new = StewardFactory(user__workstation=ws, user__name="彭涛", user__username="pengtao")
    enterprise = EnterpriseFactory(workstation=ws, steward=old, name="东方精工有限公司")
    ent_user = UserFactory(role=Role.ENTERPRISE, enterprise=enterprise, username="dongfang")
    head = UserFactory(role=Role.WORKSTATION_HEAD, workstation=ws, username="head", name="李站长")
    leader = UserFactory(role=Role.LEADER, username="boss")
    User.objects.update(password_set_by=PasswordSetBy.DEMO)
    requests = [ServiceRequestFactory(enterprise=enterprise, title="用电增容申请", created_by=ent_user),
                ServiceRequestFactory(enterprise=enterprise, title="环评进度协调", created_by=ent_user,
                                      status=ServiceRequest.Status.ACCEPTED)]
    today = local_date(timezone.now())
    campaign = evaluations.campaign_open(year=today.year, half=evaluations.half_of(today), actor=leader)
    evaluations.rating_create(campaign=campaign, enterprise=enterprise, steward=old, value="unsatisfied",
                              reason="诉求长期无人跟进", actor=ent_user)
    return {"campaign": campaign, "requests": requests, "old": old, "new": new, "head": head,
            "enterprise": enterprise}


def _tab(chromium, live_server, username: str, name: str) -> Browsing:
    tab = Browsing(chromium, live_server.url, DESKTOP, name)
    tab.goto("/accounts/login/")
    tab.page.fill("#id_username", username)
    tab.page.fill("#id_password", "pw")
    tab.page.locator("main form button[type=submit]").click()
    tab.page.wait_for_url(tab.url("/"))
    return tab


def test_a_closed_campaign_replaces_the_steward_and_every_open_request_follows(chromium, live_server, small_zone):
    from stewards.models import ServiceRequest

    z = small_zone
    tabs = []
    try:
        # The leader ends the survey early: participation shown, a reason and a confirmation asked.
        leader = _tab(chromium, live_server, "boss", "leader")
        tabs.append(leader)
        leader.goto(f"/evaluations/campaigns/{z['campaign'].pk}/")
        page = leader.page
        page.locator("[data-testid=close-panel] summary").click()
        expect(page.locator("[data-testid=close-participation]")).to_contain_text("1")
        page.fill("[data-testid=close-reason]", "全部服务企业均已评价")
        page.check("[data-testid=close-confirm]")
        page.locator("button[data-testid=close-campaign]").click()
        page.wait_for_url(leader.url_re(rf"/evaluations/campaigns/{z['campaign'].pk}/"))
        leader.check_page()
        expect(page.locator("[data-testid=close-reason-shown]")).to_contain_text("全部服务企业均已评价")

        # At once the head serves the enterprise, and the enterprise sees who.
        enterprise = _tab(chromium, live_server, "dongfang", "enterprise")
        tabs.append(enterprise)
        expect(enterprise.page.locator("[data-testid=interim-steward]")).to_contain_text("李站长")

        # The head names 彭涛 on the case page.
        head = _tab(chromium, live_server, "head", "head")
        tabs.append(head)
        expect(head.page.locator("[data-testid=interim-enterprises]")).to_contain_text("东方精工有限公司")
        head.goto("/evaluations/cases/")
        head.page.locator("a[href^='/evaluations/cases/']").filter(has_text="东方精工有限公司").first.click()
        head.check_page()
        head.page.select_option("#name select", str(z["new"].pk))
        head.page.locator("#name button[type=submit]").click()
        head.check_page()
        expect(head.page.locator("[data-testid=new-steward]")).to_contain_text("彭涛")

        # Every open request is with 彭涛: the enterprise's pages, 彭涛's worklist, the API.
        assert set(ServiceRequest.objects.filter(enterprise=z["enterprise"]).values_list("steward", flat=True)) \
            == {z["new"].pk}
        for request in z["requests"]:
            enterprise.goto(f"/requests/{request.pk}/")
            expect(enterprise.page.locator("[data-testid=steward]")).to_contain_text("彭涛")
            expect(enterprise.page.locator("[data-testid=steward]")).not_to_contain_text("程勇")
        new = _tab(chromium, live_server, "pengtao", "steward")
        tabs.append(new)
        new.goto("/requests/worklist/")
        for request in z["requests"]:
            expect(new.page.locator("main")).to_contain_text(request.title)
        rows = new.page.request.get(new.url("/api/requests/")).json()["results"]
        assert {r["id"]: r["steward_name"] for r in rows if r["id"] in {q.pk for q in z["requests"]}} == {
            q.pk: "彭涛" for q in z["requests"]}
        # 程勇 still reads them, without a button.
        old = _tab(chromium, live_server, "chengyong", "old-steward")
        tabs.append(old)
        old.goto(f"/requests/{z['requests'][0].pk}/")
        expect(old.page.locator("[data-testid=steward-actions]")).to_have_count(0)
    finally:
        for tab in tabs:
            tab.close()
