"""Issue 19's "done when", in a real browser on the demo zone: the assessment office drafts last
month's pay sheet, a leader approves it from the home page, and a department user, on a phone,
reads their own line — and nobody else's, the sheet itself being closed to them."""

from __future__ import annotations

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


def test_the_office_drafts_a_leader_approves_a_department_user_sees_only_their_line(browse):
    from django.utils import timezone

    from evaluations.models import PayLine, PaySheet
    from evaluations.periods import period_kind, period_label, period_start, previous_period
    from zonehub.models import User
    from zonehub.workdays import local_date

    kind = period_kind()
    last = previous_period(period_start(local_date(timezone.now()), kind), kind)
    label = period_label(last, kind)
    assert not PaySheet.objects.filter(period_start=last).exists()  # the demo leaves it to draft

    # --- the assessment office: its home says the sheet is due; it drafts it
    office = browse(DESKTOP, "assessment")
    office.login("assessment")
    page = office.page
    expect(page.locator("[data-testid=assessment-panel] [data-testid=to-draft]")).to_contain_text(label)
    office.nav("/evaluations/pay/")
    form = page.locator("[data-testid=draft-form]")
    expect(form.locator("#id_period")).to_have_value(f"{last:%Y-%m}")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/evaluations/pay/\d+/$"))
    expect(page.locator("[data-testid=status]")).to_have_text("草稿")
    expect(page.locator(".alert-success")).to_contain_text("已提请领导审批")
    office.check_page()
    sheet = PaySheet.objects.get(period_start=last)
    assert sheet.lines.count() > 50

    # --- a leader: the home page asks for the approval; the sheet locks
    leader = browse(DESKTOP, "leader")
    leader.login("leader")
    page = leader.page
    panel = page.locator("[data-testid=pay-panel]")
    panel.get_by_role("link", name=re.compile(label)).click()
    page.wait_for_url(leader.url_re(f"/evaluations/pay/{sheet.pk}/"))
    page.locator("#confirm").check()
    page.locator("[data-testid=approve]").click()
    page.wait_for_load_state("load")
    expect(page.locator("[data-testid=status]")).to_have_text("已审批并锁定")
    leader.check_page()
    sheet.refresh_from_db()
    assert sheet.is_locked and sheet.approved_by.username == "leader"

    # --- a department user, on a phone: their own line, nobody else's
    dept = User.objects.get(username="dept")
    own = PayLine.objects.get(sheet=sheet, user=dept)
    others = {str(line.amount) for line in PayLine.objects.filter(sheet=sheet).exclude(user=dept)} - {str(own.amount)}
    person = browse(PHONE, "dept")
    person.login("dept")
    page = person.page
    person.nav("/evaluations/me/")
    rows = page.locator("[data-testid=my-lines] tbody tr[data-line]")
    ids = {int(rows.nth(i).get_attribute("data-line")) for i in range(rows.count())}
    assert ids and ids == set(PayLine.objects.filter(user=dept, sheet__status="approved").values_list("pk", flat=True))
    mine = page.locator(f"[data-testid=my-lines] tr[data-line='{own.pk}']")
    expect(mine).to_contain_text(label)
    expect(mine.locator("[data-testid=amount]")).to_have_text(str(own.amount))
    text = page.locator("[data-testid=my-lines]").inner_text()
    assert not [amount for amount in others if amount in text]
    person.check_page()
    person.screenshot("my-assessment")
    response = page.goto(person.url(f"/evaluations/pay/{sheet.pk}/"))
    assert response is not None and response.status == 403
    response = page.goto(person.url(f"/api/pay-sheets/{sheet.pk}/"))
    assert response is not None and response.status == 403
