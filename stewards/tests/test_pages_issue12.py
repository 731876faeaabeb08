"""Issue 12, "Pages": what a user who tried the request pages found.

1. After submitting, the request page says what happens next, who does it and by when.
2. The category is chosen on purpose: no category preselected, a clear error without one.
3. The description has a limit (2000 characters), the same on the page, in the API and in the
   services, with a live counter under the box and a pointer to attachments.
4. The escalation form shows the request first, then the departments grouped and searchable.
5. The department's escalation page has one "答复" button.
6. A refused file is named once in its error.
7. The head's "not yet accepted" tile puts the oldest deadline first.
"""

import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from stewards import services
from stewards.models import Escalation, LedgerItem, RequestAttachment, ServiceRequest
from stewards.tests.factories import ServiceRequestFactory, pdf, shanghai
from tests.factories import DepartmentFactory
from zonehub.models import Department

pytestmark = pytest.mark.django_db

# A Friday: one working day to accept ends on Monday 7 December, three to reply on Wednesday the 9th.
FRIDAY = shanghai(2026, 12, 4, 10)


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def part(html: str, testid: str) -> str:
    """The element with this data-testid, up to the end of the page (enough to look inside)."""
    assert f'data-testid="{testid}"' in html, testid
    return html.split(f'data-testid="{testid}"', 1)[1]


def next_step(html: str) -> str:
    return part(html, "next-step").split("</div>\n  </div>", 1)[0]


@pytest.fixture
def zhang(zone):
    """Steward A is called 张三, as in the issue."""
    zone.steward_a.user.name = "张三"
    zone.steward_a.user.save(update_fields=["name"])
    return zone


def submit(zone, **kw):
    fields = {"category": "factors", "title": "用电增容", "description": "新产线需要增容。", **kw}
    return services.request_submit(actor=zone.ent_user_a, **fields)


# --- 1. what happens next, who does it, by when ------------------------------------------------


def test_after_submitting_the_enterprise_reads_who_accepts_it_and_by_which_day(client, zhang):
    client.force_login(zhang.ent_user_a)
    with time_machine.travel(FRIDAY, tick=False):
        response = client.post(reverse("stewards:request_create"), {
            "category": "factors", "title": "二号线用电增容", "description": "新产线需要增容。", "urgency": "normal",
        }, follow=True)
    html = page(response)
    step = next_step(html)
    assert "管家 张三 将在 2026年12月7日 24时前受理" in step
    assert "3 个工作日内答复" in step  # and what comes after acceptance
    # No longer the puzzling "handled directly" before anyone has taken it.
    assert "未涉及部门：由管家直接办理" not in html


def test_a_late_acceptance_says_so(client, zhang):
    with time_machine.travel(FRIDAY, tick=False):
        request = submit(zhang)
    with time_machine.travel(shanghai(2026, 12, 8, 9), tick=False):
        client.force_login(zhang.ent_user_a)
        html = page(client.get(reverse("stewards:request_detail", args=[request.pk])))
    assert "管家 张三 应在 2026年12月7日 24时前受理，现已超期" in next_step(html)
    assert re.search(r'class="alert alert-danger[^"]*" data-testid="next-step"', html)


def test_while_being_handled_and_escalated_the_next_step_names_the_departments_and_their_day(client, zhang):
    with time_machine.travel(FRIDAY, tick=False):
        request = submit(zhang)
        services.request_accept(request=request, actor=zhang.steward_a.user)
    client.force_login(zhang.ent_user_a)
    url = reverse("stewards:request_detail", args=[request.pk])
    with time_machine.travel(FRIDAY, tick=False):
        assert "管家 张三 已受理，正在办理" in next_step(page(client.get(url)))
        services.request_escalate(request=request, actor=zhang.steward_a.user, departments=[zhang.dept_a],
                                  reason="请协调供电。")
        step = next_step(page(client.get(url)))
    assert f"已转 {zhang.dept_a.name} 办理，最迟须在 2026年12月9日 24时前答复" in step and "张三" in step
    # Past the day, the page says it is overdue rather than asking for a reply "before" a past day.
    with time_machine.travel(shanghai(2026, 12, 10, 10), tick=False):
        client.force_login(zhang.ent_user_a)  # days later: a new session
        step = next_step(page(client.get(url)))
    assert f"{zhang.dept_a.name} 未在 2026年12月9日 24时前答复，已超期" in step and "最迟须在" not in step

    (esc,) = request.escalations.all()
    with time_machine.travel(shanghai(2026, 12, 7, 10), tick=False):
        services.escalation_reply(escalation=esc, actor=zhang.dept_user_a, reply="已协调。")
        assert "各部门均已答复，下一步由 管家 张三 反馈办理结果" in next_step(page(client.get(url)))


def test_once_reported_the_enterprise_is_asked_to_answer_and_a_closed_request_has_no_next_step(client, zhang):
    request = submit(zhang)
    services.request_resolve_directly(request=request, actor=zhang.steward_a.user, report="已办好。")
    url = reverse("stewards:request_detail", args=[request.pk])
    client.force_login(zhang.ent_user_a)
    html = page(client.get(url))
    assert 'data-testid="next-step"' not in html and 'data-testid="report-back"' in html
    client.force_login(zhang.steward_a.user)
    assert "等待企业确认" in next_step(page(client.get(url)))
    services.request_confirm(request=request, actor=zhang.ent_user_a)
    assert 'data-testid="next-step"' not in page(client.get(url))


# --- 2. the category is chosen on purpose ------------------------------------------------------


@pytest.mark.parametrize("who,url_name,field", [
    ("ent_user_a", "stewards:request_create", "category"),
    ("steward", "stewards:request_log", "category"),
    ("leader", "stewards:ledger_create", "category"),
    ("steward", "stewards:visit_create", "request_category"),
])
def test_no_category_is_preselected(client, zone, who, url_name, field):
    client.force_login(zone.steward_a.user if who == "steward" else getattr(zone, who))
    html = page(client.get(reverse(url_name)))
    select = html.split(f'name="{field}"', 1)[1].split("</select>", 1)[0]
    options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select)
    assert options[0] == ("", " selected", "请选择")
    assert all(not selected for _value, selected, _label in options[1:])


def test_without_a_category_the_form_says_so_and_keeps_what_was_typed(client, zone):
    client.force_login(zone.ent_user_a)
    response = client.post(reverse("stewards:request_create"), {
        "category": "", "title": "二号线用电增容", "description": "新产线需要增容 800 千伏安。", "urgency": "urgent",
    })
    html = page(response)
    assert "请选择诉求类别。" in html
    assert 'value="二号线用电增容"' in html and "新产线需要增容 800 千伏安。" in html
    assert re.search(r'value="urgent"[^>]*checked', html)
    assert not ServiceRequest.objects.exists()


def test_the_on_behalf_and_ledger_forms_ask_for_the_category_too(client, zone):
    client.force_login(zone.steward_a.user)
    html = page(client.post(reverse("stewards:request_log"), {
        "enterprise": zone.ent_a.pk, "channel": "phone", "title": "招聘技术工人", "description": "缺焊工。",
        "urgency": "normal"}))
    assert "请选择诉求类别。" in html and 'value="招聘技术工人"' in html
    client.force_login(zone.leader)
    html = page(client.post(reverse("stewards:ledger_create"), {
        "enterprise": zone.ent_a.pk, "meeting_date": "2026-11-16", "title": "路灯不亮", "description": "园区东路。"}))
    assert "请选择诉求类别。" in html and 'value="路灯不亮"' in html
    assert not ServiceRequest.objects.exists() and not LedgerItem.objects.exists()


# --- 3. a limit on the description, the same everywhere ----------------------------------------

TOO_LONG = "字" * 2001
LIMIT_MESSAGE = "说明有 2001 字，请控制在 2000 字以内，较长的材料请作为附件上传。"


def test_the_page_refuses_a_description_over_2000_characters_and_keeps_it(client, zone):
    client.force_login(zone.ent_user_a)
    html = page(client.post(reverse("stewards:request_create"), {
        "category": "factors", "title": "用电增容", "description": TOO_LONG, "urgency": "normal"}))
    assert LIMIT_MESSAGE in html
    assert TOO_LONG in html  # what was typed is still in the box
    assert not ServiceRequest.objects.exists()


def test_2000_characters_pass_and_a_line_break_counts_as_one(client, zone):
    """A browser sends line breaks as CRLF but counts them as one character: so does the server."""
    client.force_login(zone.ent_user_a)
    text = ("甲" * 99 + "\r\n") * 20  # 100 characters a line as the user counts them: 2000
    response = client.post(reverse("stewards:request_create"), {
        "category": "factors", "title": "用电增容", "description": text, "urgency": "normal"})
    assert response.status_code == 302
    assert len(ServiceRequest.objects.get().description) == 1999  # the last line break is trimmed


@pytest.mark.parametrize("who,url_name,data", [
    ("steward", "stewards:request_log", {"enterprise": "ent_a", "channel": "phone", "category": "talent",
                                          "title": "招聘", "urgency": "normal"}),
    ("leader", "stewards:ledger_create", {"enterprise": "ent_a", "meeting_date": "2026-11-16", "category": "other",
                                          "title": "路灯"}),
])
def test_the_other_forms_refuse_it_too(client, zone, who, url_name, data):
    client.force_login(zone.steward_a.user if who == "steward" else getattr(zone, who))
    data = {**data, "enterprise": zone.ent_a.pk, "description": TOO_LONG}
    assert LIMIT_MESSAGE in page(client.post(reverse(url_name), data))
    assert not ServiceRequest.objects.exists() and not LedgerItem.objects.exists()


def test_the_api_refuses_it_with_the_same_message(zone):
    client = APIClient()
    client.force_authenticate(zone.ent_user_a)
    response = client.post("/api/requests/", {"category": "factors", "title": "用电增容", "description": TOO_LONG},
                           format="json")
    assert response.status_code == 400
    assert response.json()["description"] == [LIMIT_MESSAGE]
    leader = APIClient()
    leader.force_authenticate(zone.leader)
    response = leader.post("/api/ledger-items/", {"enterprise": zone.ent_a.pk, "title": "路灯", "category": "other",
                                                  "description": TOO_LONG, "meeting_date": "2026-11-16"}, format="json")
    assert response.status_code == 400 and response.json()["description"] == [LIMIT_MESSAGE]
    assert not ServiceRequest.objects.exists() and not LedgerItem.objects.exists()
    schema = client.get("/api/schema/", {"format": "json"}).json()
    assert schema["components"]["schemas"]["ServiceRequestCreate"]["properties"]["description"]["maxLength"] == 2000


def test_every_service_refuses_it(zone):
    calls = [
        lambda: services.request_submit(actor=zone.ent_user_a, category="factors", title="t", description=TOO_LONG),
        lambda: services.request_log_on_behalf(actor=zone.steward_a.user, enterprise=zone.ent_a, channel="phone",
                                               category="factors", title="t", description=TOO_LONG),
        lambda: services.visit_log(actor=zone.steward_a.user, enterprise=zone.ent_a, visited_on=_today(),
                                   requests=[{"category": "other", "title": "t", "description": TOO_LONG}]),
        lambda: services.ledger_item_record(actor=zone.leader, enterprise=zone.ent_a, title="t", description=TOO_LONG,
                                            meeting_date=_today()),
    ]
    for call in calls:
        with pytest.raises(ValidationError) as caught:
            call()
        assert caught.value.message_dict == {"description": [LIMIT_MESSAGE]}
    assert not ServiceRequest.objects.exists() and not LedgerItem.objects.exists()


def _today():
    from django.utils import timezone

    from zonehub.workdays import local_date

    return local_date(timezone.now())


def test_the_box_counts_as_you_type_and_points_to_attachments(client, zone):
    client.force_login(zone.ent_user_a)
    html = page(client.get(reverse("stewards:request_create")))
    box = re.search(r"<textarea[^>]*name=\"description\"[^>]*>", html).group(0)
    assert 'data-maxlength-counter="2000"' in box and 'data-counter-text="已输入 {n} / 2000 字"' in box
    # No maxlength: a browser would cut a long paste short without a word.
    assert " maxlength=" not in box
    assert "最多 2000 字；方案、函件、表格等较长的材料请作为附件上传。" in html
    # The counter's script is the site's own file (the CSP runs no inline script).
    from django.contrib.staticfiles import finders

    with open(finders.find("zonehub/zonehub.js"), encoding="utf-8") as f:
        script = f.read()
    assert "data-maxlength-counter" in script and "data-filter-input" in script
    assert "<script>" not in html.split("<main", 1)[1]


# --- 4. the escalation form: the request first, then the departments grouped ---------------------


@pytest.fixture
def departments(zone):
    """Besides the zone's two bureaus: two more bureaus and two outside agencies, made out of order."""
    DepartmentFactory(name="规划建设局", kind=Department.Kind.BUREAU)
    DepartmentFactory(name="国网供电公司", short_name="供电", kind=Department.Kind.AGENCY)
    DepartmentFactory(name="财政局", kind=Department.Kind.BUREAU)
    DepartmentFactory(name="海关", short_name="海关", kind=Department.Kind.AGENCY)
    DepartmentFactory(name="已撤销局", kind=Department.Kind.BUREAU, is_active=False)
    return zone


def _groups(html: str) -> list[tuple[str, list[str]]]:
    picker = part(html, "department-picker")
    return [(legend, re.findall(r'<input type="checkbox"[^>]*> ([^<]+)</label>', body))
            for legend, body in re.findall(r"<legend[^>]*>([^<]+)</legend>(.*?)</fieldset>", picker)]


@pytest.mark.parametrize("where", ["escalate_page", "request_page"])
def test_the_request_comes_first_then_the_departments_in_groups_ordered_by_name(client, departments, where):
    zone = departments
    request = submit(zone, title="新厂房施工许可", description="三号地块标准化厂房二期，需要规划意见。", category="approval")
    client.force_login(zone.steward_a.user)
    url = reverse("stewards:request_escalate" if where == "escalate_page" else "stewards:request_detail",
                  args=[request.pk])
    html = page(client.get(url))
    if where == "request_page":
        html = html.split("吹哨", 1)[1]  # inside the escalation box
    brief = part(html, "request-brief").split('data-testid="department-picker"')[0]
    for shown in ("新厂房施工许可", "政务审批", "三号地块标准化厂房二期，需要规划意见。", zone.ent_a.name):
        assert shown in brief
    groups = _groups(html)
    assert [legend for legend, _names in groups] == ["职能部门", "驻区单位"]
    bureaus = sorted([zone.dept_a.name, zone.dept_b.name, "规划建设局", "财政局"])
    assert groups[0][1] == bureaus and groups[1][1] == ["国网供电公司", "海关"]
    # The search box, for the script to show; what it searches on includes the short name.
    assert "data-filter-input hidden" in html and 'data-filter-text="国网供电公司 供电"' in html


def test_the_grouped_list_still_escalates_and_keeps_the_ticks_on_an_error(client, departments):
    zone = departments
    request = submit(zone)
    client.force_login(zone.steward_a.user)
    agency = Department.objects.get(name="国网供电公司")
    url = reverse("stewards:request_escalate", args=[request.pk])
    html = page(client.post(url, {"departments": [agency.pk, zone.dept_a.pk], "reason": ""}))
    assert re.search(rf'value="{agency.pk}"[^>]* checked', html)
    assert client.post(url, {"departments": [agency.pk, zone.dept_a.pk], "reason": "请协调。"}).status_code == 302
    assert set(request.escalations.values_list("department__name", flat=True)) == {"国网供电公司", zone.dept_a.name}


# --- 5. one reply button ---------------------------------------------------------------------------


def test_the_department_sees_one_reply_button(client, zone):
    request = submit(zone)
    (esc,) = services.request_escalate(request=request, actor=zone.steward_a.user, departments=[zone.dept_a],
                                       reason="请协调。")
    client.force_login(zone.dept_user_a)
    html = page(client.get(reverse("stewards:escalation_detail", args=[esc.pk])))
    actions = part(html, "department-actions")
    buttons = re.findall(r"<(?:button|summary)[^>]*>([^<]*)</(?:button|summary)>", actions)
    assert [b.strip() for b in buttons].count("答复") == 1
    assert 'name="reply"' in actions
    # Posting it still replies.
    response = client.post(reverse("stewards:escalation_reply", args=[esc.pk]), {"reply": "已协调。"})
    assert response.status_code == 302
    esc.refresh_from_db()
    assert esc.status == Escalation.Status.REPLIED


# --- 6. a refused file is named once ---------------------------------------------------------------


@pytest.mark.parametrize("bad", [
    SimpleUploadedFile("病毒.exe", b"MZ\x90\x00" * 10, content_type="application/octet-stream"),
    SimpleUploadedFile("假的.pdf", b"<html>not a pdf</html>", content_type="application/pdf"),
    SimpleUploadedFile("空的.pdf", b"", content_type="application/pdf"),
], ids=["type", "content", "empty"])
def test_the_file_error_names_the_file_once(client, zone, bad):
    client.force_login(zone.ent_user_a)
    html = page(client.post(reverse("stewards:request_create"), {
        "category": "policy", "title": "研发补贴兑现", "description": "去年的补贴还没有到账。", "urgency": "normal",
        "attachments": [pdf(), bad]}))
    errors = " ".join(re.findall(r'<div class="invalid-feedback d-block">([^<]*)</div>', html))
    assert errors.count(bad.name) == 1, errors
    assert html.count(bad.name) == 1
    assert not ServiceRequest.objects.exists() and not RequestAttachment.objects.exists()


def test_adding_a_bad_file_to_a_request_names_it_once(client, zone):
    request = submit(zone)
    client.force_login(zone.ent_user_a)
    html = page(client.post(reverse("stewards:request_attach", args=[request.pk]), {
        "attachments": [SimpleUploadedFile("病毒.exe", b"MZ\x90\x00" * 10)]}))
    assert html.count("病毒.exe") == 1
    assert not RequestAttachment.objects.exists()


# --- 7. the head's tile: the most urgent first -----------------------------------------------------


def test_the_heads_tile_lists_the_oldest_deadline_first(client, zone):
    for title, created, due in [("先提交", shanghai(2026, 6, 25, 9), shanghai(2026, 6, 29)),
                                ("后提交", shanghai(2026, 6, 26, 9), shanghai(2026, 6, 30, 9)),
                                ("最后录入但最急", shanghai(2026, 6, 29, 9), shanghai(2026, 6, 27))]:
        ServiceRequestFactory(enterprise=zone.ent_a, title=title, created_at=created, accept_due_at=due,
                              status=ServiceRequest.Status.SUBMITTED)
    client.force_login(zone.head_a)
    with time_machine.travel(shanghai(2026, 6, 30, 10), tick=False):
        tile = part(page(client.get(reverse("home"))), "panel-head-unaccepted")
    positions = [tile.index(title) for title in ("最后录入但最急", "先提交", "后提交")]
    assert positions == sorted(positions)
