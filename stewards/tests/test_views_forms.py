"""The steward's and the leader's other forms, and garbage posted to every form of the app."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

from stewards import services
from stewards.models import Escalation, LedgerItem, ServiceRequest, Visit
from stewards.tests.factories import pdf, shanghai
from zonehub.models import Event

pytestmark = pytest.mark.django_db

S = ServiceRequest.Status
NOW = shanghai(2026, 11, 18, 10, 0)


def page(response) -> str:
    return response.content.decode()


# --- log on the enterprise's behalf ----------------------------------------------------------


def test_steward_logs_a_request_on_the_enterprises_behalf(client, zone):
    client.force_login(zone.steward_a.user)
    url = reverse("stewards:request_log")
    html = page(client.get(url, {"enterprise": zone.ent_a.pk}))
    assert zone.ent_a.name in html and zone.ent_b.name not in html  # only the enterprises it serves
    response = client.post(url, {
        "enterprise": zone.ent_a.pk, "channel": "phone", "category": "talent", "title": "招聘技术工人",
        "description": "电话反映：需要 20 名焊工。", "urgency": "normal", "attachments": [pdf()],
    })
    request = ServiceRequest.objects.get(title="招聘技术工人")
    assert response["Location"] == reverse("stewards:request_detail", args=[request.pk])
    assert request.channel == "phone" and request.status == S.ACCEPTED and request.attachments.count() == 1


def test_a_steward_cannot_log_for_an_enterprise_it_does_not_serve(client, zone):
    client.force_login(zone.steward_a.user)
    response = client.post(reverse("stewards:request_log"), {
        "enterprise": zone.ent_b.pk, "channel": "phone", "category": "talent", "title": "别人的企业",
        "description": "x", "urgency": "normal",
    })
    assert response.status_code == 200 and "invalid-feedback" in page(response)
    assert 'value="别人的企业"' in page(response)
    assert not ServiceRequest.objects.exists()


# --- visits --------------------------------------------------------------------------------------


def test_steward_logs_a_visit_and_turns_a_finding_into_a_request(client, zone):
    client.force_login(zone.steward_a.user)
    with time_machine.travel(NOW, tick=False):
        worklist = page(client.get(reverse("stewards:worklist")))
        assert zone.ent_a.name in worklist.split('data-testid="wl-unvisited"')[1]
        response = client.post(reverse("stewards:visit_create"), {
            "enterprise": zone.ent_a.pk, "visited_on": "2026-11-17", "findings": "厂区门口道路破损。",
            "make_request": "on", "request_category": "infrastructure", "request_title": "修复门口道路",
            "request_description": "门口道路破损，货车进出困难。", "request_urgency": "normal",
        })
        assert response["Location"] == reverse("stewards:worklist")
        worklist = page(client.get(reverse("stewards:worklist")))
    visit = Visit.objects.get()
    assert visit.enterprise == zone.ent_a and visit.visited_on == dt.date(2026, 11, 17)
    request = ServiceRequest.objects.get(title="修复门口道路")
    assert request.visit == visit and request.channel == "visit"
    assert zone.ent_a.name not in worklist.split('data-testid="wl-unvisited"')[1].split('data-testid="wl-visits"')[0]
    assert "厂区门口道路破损。" in worklist.split('data-testid="wl-visits"')[1]


def test_a_visit_asking_for_a_request_without_its_title_is_refused_and_kept(client, zone):
    client.force_login(zone.steward_a.user)
    with time_machine.travel(NOW, tick=False):
        response = client.post(reverse("stewards:visit_create"), {
            "enterprise": zone.ent_a.pk, "visited_on": "2026-11-17", "findings": "用工紧张。", "make_request": "on",
        })
        future = client.post(reverse("stewards:visit_create"), {"enterprise": zone.ent_a.pk, "visited_on": "2026-12-01"})
    assert response.status_code == 200 and "用工紧张。" in page(response)
    assert future.status_code == 200 and "invalid-feedback" in page(future)
    assert not Visit.objects.exists() and not ServiceRequest.objects.exists()


# --- the ledger --------------------------------------------------------------------------------


def test_leader_records_an_item_leaves_it_and_a_department_claims_it(client, zone):
    client.force_login(zone.leader)
    with time_machine.travel(NOW, tick=False):
        response = client.post(reverse("stewards:ledger_create"), {
            "enterprise": zone.ent_a.pk, "meeting_date": "2026-11-16", "category": "infrastructure",
            "title": "园区路灯不亮", "description": "吐槽大会上企业反映园区路灯长期不亮。",
        })
        assert response["Location"] == reverse("stewards:ledger")
        item = LedgerItem.objects.get()
        assert item.status == LedgerItem.Status.UNASSIGNED
        client.force_login(zone.dept_user_a)
        response = client.post(reverse("stewards:ledger_claim", args=[item.pk]))
        assert response["Location"] == reverse("stewards:inbox")
        item.refresh_from_db()
        assert item.status == LedgerItem.Status.CLAIMED and item.department == zone.dept_a
        assert "园区路灯不亮" in page(client.get(reverse("stewards:inbox")))
        # Claimed twice: a message, nothing changes.
        client.force_login(zone.dept_user_b)
        assert client.post(reverse("stewards:ledger_claim", args=[item.pk])).status_code == 404
        assert Escalation.objects.count() == 1


def test_leader_dispatches_an_item_to_a_department(client, zone):
    item = services.ledger_item_record(actor=zone.leader, enterprise=zone.ent_a, title="燃气管网改造",
                                       description="企业反映燃气压力不足。", meeting_date=dt.date(2026, 11, 16))
    client.force_login(zone.leader)
    url = reverse("stewards:ledger_dispatch", args=[item.pk])
    response = client.post(url, {"reason": "请尽快处理。"})
    assert response.status_code == 200 and "invalid-feedback" in page(response) and "请尽快处理。" in page(response)
    response = client.post(url, {"department": zone.dept_b.pk, "reason": "请尽快处理。"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == LedgerItem.Status.DISPATCHED and item.department == zone.dept_b
    assert item.request.escalations.get().department == zone.dept_b
    # Dispatching again is refused with a message.
    response = client.post(url, {"department": zone.dept_a.pk})
    assert response.status_code in (200, 404)
    assert item.request.escalations.count() == 1


def test_only_leaders_record_and_dispatch(client, zone):
    client.force_login(zone.dept_user_a)
    assert client.get(reverse("stewards:ledger_create")).status_code == 403
    client.force_login(zone.steward_a.user)
    assert client.post(reverse("stewards:ledger_create"), {}).status_code == 403


# --- garbage in, never a 500 ------------------------------------------------------------------


GARBAGE = [
    {},
    {"category": "x" * 5000, "title": "\x00", "description": ["a", "b"], "urgency": "<script>", "departments": ["abc", "-1"],
     "enterprise": "1 OR 1=1", "channel": "fax", "visited_on": "2026-02-31", "meeting_date": "yesterday",
     "department": "999999", "reason": "  ", "reply": "", "text": "", "conclusion": "", "report": "", "body": "",
     "make_request": "maybe", "next": "//evil.example"},
]


def _scene(zone):
    request = services.request_submit(actor=zone.ent_user_a, category="factors", title="用电增容",
                                      description="新产线需要增容。")
    services.request_escalate(request=request, actor=zone.steward_a.user, departments=[zone.dept_a], reason="请协调。")
    item = services.ledger_item_record(actor=zone.leader, enterprise=zone.ent_a, title="路灯",
                                       description="不亮", meeting_date=dt.date(2026, 11, 16))
    return request, request.escalations.get(), item


@pytest.mark.parametrize("data", GARBAGE)
def test_garbage_posted_to_every_form_gets_an_answer_never_a_500(client, zone, data):
    request, esc, item = _scene(zone)
    before = (Event.objects.count(), ServiceRequest.objects.count(), Escalation.objects.count(), Visit.objects.count())
    forms = [
        (zone.ent_user_a, "request_create", []), (zone.ent_user_a, "request_comment", [request.pk]),
        (zone.ent_user_a, "request_attach", [request.pk]), (zone.ent_user_a, "request_confirm", [request.pk]),
        (zone.ent_user_a, "request_reopen", [request.pk]),
        (zone.steward_a.user, "request_log", []), (zone.steward_a.user, "visit_create", []),
        (zone.steward_a.user, "request_accept", [request.pk]), (zone.steward_a.user, "request_resolve", [request.pk]),
        (zone.steward_a.user, "request_escalate", [request.pk]), (zone.steward_a.user, "request_report", [request.pk]),
        (zone.dept_user_a, "escalation_reply", [esc.pk]), (zone.dept_user_a, "escalation_consult", [esc.pk]),
        (zone.dept_user_a, "escalation_progress", [esc.pk]), (zone.dept_user_a, "escalation_conclude", [esc.pk]),
        (zone.dept_user_a, "escalation_return", [esc.pk]),
        (zone.leader, "ledger_create", []), (zone.leader, "ledger_dispatch", [item.pk]),
    ]
    for user, name, args in forms:
        client.force_login(user)
        response = client.post(reverse(f"stewards:{name}", args=args), data)
        assert response.status_code < 500, (name, response.status_code)
        assert response.status_code != 302, name  # garbage is never accepted
    after = (Event.objects.count(), ServiceRequest.objects.count(), Escalation.objects.count(), Visit.objects.count())
    assert after == before


def test_a_message_from_a_service_is_shown_on_the_form(client, zone):
    request, esc, item = _scene(zone)
    client.force_login(zone.ent_user_a)
    response = client.post(reverse("stewards:request_confirm", args=[request.pk]))
    assert response.status_code == 200
    assert escape(_("There is nothing to confirm yet: the steward has not reported back.")) in page(response)


def test_the_pages_state_the_configured_number_of_days(client, zone, settings):
    settings.ZONEHUB_REPLY_WORKING_DAYS = 5
    request = services.request_submit(actor=zone.ent_user_a, category="factors", title="用电增容", description="x")
    client.force_login(zone.steward_a.user)
    html = page(client.get(reverse("stewards:request_escalate", args=[request.pk])))
    assert escape(_("Each department gets its own clock of %(days)s working days.") % {"days": 5}) in html
    client.force_login(zone.dept_user_a)
    assert " 5 " in page(client.get(reverse("stewards:inbox"))).split("<main")[1].split("</p>")[0]
