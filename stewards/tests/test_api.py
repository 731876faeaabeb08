"""The requests API: same services, same scoping, 400 for bad input, pinned query counts."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from stewards import services
from stewards.models import Escalation, LedgerItem, ServiceRequest
from stewards.tests.factories import pdf

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def submit(user, title="用电增容"):
    return services.request_submit(actor=user, category="factors", title=title, description="说明")


@pytest.fixture
def two_owners(zone):
    """Three requests of each enterprise, each escalated to its own department."""
    for owner, steward, dept in ((zone.ent_user_a, zone.steward_a, zone.dept_a), (zone.ent_user_b, zone.steward_b,
                                                                                   zone.dept_b)):
        for i in range(3):
            request = submit(owner, f"诉求{i}")
            services.request_escalate(request=request, actor=steward.user, departments=[dept], reason="请办理")
    return zone


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_each_role_lists_only_its_requests_in_a_fixed_number_of_queries(two_owners, django_assert_max_num_queries):
    zone = two_owners
    mine = set(ServiceRequest.objects.filter(enterprise=zone.ent_a).values_list("pk", flat=True))
    theirs = set(ServiceRequest.objects.filter(enterprise=zone.ent_b).values_list("pk", flat=True))
    for user, expected in ((zone.ent_user_a, mine), (zone.ent_user_b, theirs), (zone.steward_a.user, mine),
                           (zone.head_b, theirs), (zone.dept_user_a, mine), (zone.leader, mine | theirs)):
        client = api(user)
        with django_assert_max_num_queries(6):
            assert ids(client.get("/api/requests/")) == expected


def test_a_department_lists_only_escalations_sent_to_it(two_owners, django_assert_max_num_queries):
    zone = two_owners
    client = api(zone.dept_user_a)
    with django_assert_max_num_queries(6):
        response = client.get("/api/escalations/")
    assert ids(response) == set(Escalation.objects.filter(department=zone.dept_a).values_list("pk", flat=True))
    assert {row["department_name"] for row in response.json()["results"]} == {zone.dept_a.name}
    theirs = Escalation.objects.filter(department=zone.dept_b).first()
    assert client.get(f"/api/escalations/{theirs.pk}/").status_code == 404
    assert client.post(f"/api/escalations/{theirs.pk}/reply/", {"reply": "x"}).status_code == 404


def test_an_enterprise_cannot_fetch_another_enterprises_request_events_or_attachments(zone):
    theirs = services.request_submit(actor=zone.ent_user_b, category="other", title="B", description="b",
                                     files=[pdf()])
    client = api(zone.ent_user_a)
    for url in (f"/api/requests/{theirs.pk}/", f"/api/requests/{theirs.pk}/events/",
                f"/api/requests/{theirs.pk}/comments/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/api/requests/{theirs.pk}/attach/", {"files": [pdf()]}, format="multipart").status_code == 404
    assert client.get("/api/requests/").json()["count"] == 0
    own = api(zone.ent_user_b).get(f"/api/requests/{theirs.pk}/").json()
    assert [a["original_name"] for a in own["attachments"]] == ["证明材料.pdf"]
    assert "file" not in own["attachments"][0]  # no public URL: files are served only by a scoped view


def test_a_steward_sees_only_its_enterprises_requests(zone):
    theirs = submit(zone.ent_user_b)
    client = api(zone.steward_a.user)
    assert client.get(f"/api/requests/{theirs.pk}/").status_code == 404
    assert client.post(f"/api/requests/{theirs.pk}/accept/").status_code == 404


def test_filters(two_owners):
    zone = two_owners
    client = api(zone.leader)
    first = ServiceRequest.objects.filter(enterprise=zone.ent_a).first()
    assert ids(client.get("/api/requests/", {"enterprise": zone.ent_b.pk})) == set(
        ServiceRequest.objects.filter(enterprise=zone.ent_b).values_list("pk", flat=True))
    assert ids(client.get("/api/requests/", {"status": "submitted"})) == set()
    assert len(ids(client.get("/api/requests/", {"status": "escalated", "category": "factors", "urgency": "normal",
                                                 "channel": "web"}))) == 6
    today = timezone.localdate(first.created_at)  # the filter reads dates in Asia/Shanghai
    assert len(ids(client.get("/api/requests/", {"created_after": today.isoformat(),
                                                 "created_before": today.isoformat()}))) == 6
    assert ids(client.get("/api/requests/", {"created_after": (today + dt.timedelta(days=2)).isoformat()})) == set()
    Escalation.objects.filter(department=zone.dept_a).update(overdue_at=first.created_at)
    assert ids(client.get("/api/escalations/", {"overdue": "true"})) == set(
        Escalation.objects.filter(department=zone.dept_a).values_list("pk", flat=True))
    assert len(ids(client.get("/api/escalations/", {"department": zone.dept_b.pk, "status": "open"}))) == 3
    assert client.get("/api/requests/", {"status": "nonsense"}).status_code == 400


def test_the_whole_story_through_the_api(zone, mailoutbox):
    enterprise, steward = api(zone.ent_user_a), api(zone.steward_a.user)
    response = enterprise.post("/api/requests/", {"category": "factors", "title": "用电增容", "description": "说明",
                                                  "urgency": "urgent", "files": [pdf()]}, format="multipart")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["steward_name"] == zone.steward_a.user.display_name
    assert steward.post(f"/api/requests/{pk}/accept/").status_code == 200
    response = steward.post(f"/api/requests/{pk}/escalate/", {"departments": [zone.dept_a.pk, zone.dept_b.pk],
                                                              "reason": "请协调"}, format="json")
    assert response.status_code == 201, response.content
    first, second = (row["id"] for row in response.json())
    assert api(zone.dept_user_a).post(f"/api/escalations/{first}/reply/", {"reply": "已办"}).status_code == 200
    dept_b = api(zone.dept_user_b)
    assert dept_b.post(f"/api/escalations/{second}/consultation/", {"reason": "需会商"}).status_code == 200
    assert dept_b.post(f"/api/escalations/{second}/progress/", {"text": "进展"}).status_code == 201
    assert len(dept_b.get(f"/api/escalations/{second}/progress/").json()) == 1
    assert dept_b.post(f"/api/escalations/{second}/conclude/", {"conclusion": "结论"}).status_code == 200
    assert steward.post(f"/api/requests/{pk}/comments/", {"body": "已联系供电所"}).status_code == 201
    assert steward.post(f"/api/requests/{pk}/report-back/", {"report": "办结"}).status_code == 200
    assert enterprise.post(f"/api/requests/{pk}/reopen/", {"reason": "仍有问题"}).json()["status"] == "reopened"
    assert steward.post(f"/api/requests/{pk}/resolve/", {"report": "再次处理"}).json()["status"] == "reported"
    assert enterprise.post(f"/api/requests/{pk}/confirm/").json()["status"] == "closed"
    events = enterprise.get(f"/api/requests/{pk}/events/").json()
    assert [e["kind"] for e in events][:3] == ["request.submitted", "request.accepted", "escalation.sent"]
    assert all(e["label"] != e["kind"] for e in events)


@pytest.mark.parametrize("path,payload", [
    ("escalate", {"departments": [], "reason": "x"}),
    ("escalate", {"departments": [999999], "reason": "x"}),
    ("escalate", {"reason": "x"}),
    ("resolve", {}),
    ("resolve", {"report": "   "}),
    ("report-back", {"report": "x"}),
    ("confirm", {}),
    ("reopen", {"reason": "x"}),
])
def test_bad_input_on_request_actions_is_a_400_with_a_message_and_changes_nothing(zone, path, payload):
    request = submit(zone.ent_user_a)
    user = zone.ent_user_a if path in ("confirm", "reopen") else zone.steward_a.user
    response = api(user).post(f"/api/requests/{request.pk}/{path}/", payload, format="json")
    assert response.status_code == 400, response.content
    assert response.json()
    request.refresh_from_db()
    assert request.status == "submitted" and not Escalation.objects.exists()


def test_bad_files_are_a_400(zone):
    client = api(zone.ent_user_a)
    response = client.post("/api/requests/", {"category": "other", "title": "t", "description": "d",
                                              "files": [SimpleUploadedFile("a.exe", b"MZ")]}, format="multipart")
    assert response.status_code == 400 and "files" in response.json()
    assert client.post("/api/requests/", {"title": "t"}, format="json").status_code == 400
    assert not ServiceRequest.objects.exists()


def test_answering_twice_or_acting_on_a_closed_request_is_a_400(zone):
    request = submit(zone.ent_user_a)
    (escalation,) = services.request_escalate(request=request, actor=zone.steward_a.user, departments=[zone.dept_a],
                                              reason="r")
    dept = api(zone.dept_user_a)
    assert dept.post(f"/api/escalations/{escalation.pk}/reply/", {"reply": "一"}).status_code == 200
    response = dept.post(f"/api/escalations/{escalation.pk}/reply/", {"reply": "二"})
    assert response.status_code == 400 and response.json()["detail"]
    assert dept.post(f"/api/escalations/{escalation.pk}/return/", {"reason": "x"}).status_code == 400
    request = services.request_report_back(request=request, actor=zone.steward_a.user, report="r")
    services.request_confirm(request=request, actor=zone.ent_user_a)
    response = api(zone.steward_a.user).post(f"/api/requests/{request.pk}/escalate/",
                                             {"departments": [zone.dept_b.pk], "reason": "x"}, format="json")
    assert response.status_code == 400


def test_the_wrong_role_gets_a_403(zone):
    request = submit(zone.ent_user_a)
    (escalation,) = services.request_escalate(request=request, actor=zone.steward_a.user, departments=[zone.dept_a],
                                              reason="r")
    # The department sees the request (read-only) but may not act on it as a steward.
    assert api(zone.dept_user_a).post(f"/api/requests/{request.pk}/resolve/", {"report": "x"}).status_code == 403
    assert api(zone.leader).post(f"/api/escalations/{escalation.pk}/reply/", {"reply": "x"}).status_code == 403
    assert api(zone.steward_a.user).post("/api/requests/", {"category": "other", "title": "t",
                                                            "description": "d"}).status_code == 403


def test_visits_and_the_ledger(zone, django_assert_max_num_queries):
    steward = api(zone.steward_a.user)
    response = steward.post("/api/visits/", {
        "enterprise": zone.ent_a.pk, "visited_on": "2025-02-07", "findings": "路灯不亮",
        "requests": [{"category": "infrastructure", "title": "路灯", "description": "东侧"}]}, format="json")
    assert response.status_code == 201, response.content
    assert ServiceRequest.objects.get(visit_id=response.json()["id"]).channel == "visit"
    assert api(zone.steward_b.user).get("/api/visits/").json()["count"] == 0
    for day in ("2025-02-03", "2025-02-04"):
        services.visit_log(actor=zone.steward_b.user, enterprise=zone.ent_b, visited_on=dt.date.fromisoformat(day))
        services.visit_log(actor=zone.steward_a.user, enterprise=zone.ent_a, visited_on=dt.date.fromisoformat(day))
    with django_assert_max_num_queries(6):
        assert len(ids(steward.get("/api/visits/"))) == 3
    assert steward.post("/api/visits/", {"enterprise": zone.ent_b.pk, "visited_on": "2025-02-07"}).status_code == 403

    leader = api(zone.leader)
    for i in range(3):
        response = leader.post("/api/ledger-items/", {"enterprise": zone.ent_a.pk, "title": f"吐槽{i}",
                                                      "description": "d", "meeting_date": "2025-02-06"})
        assert response.status_code == 201, response.content
    items = list(LedgerItem.objects.order_by("pk"))
    response = leader.post(f"/api/ledger-items/{items[0].pk}/dispatch_to/", {"department": zone.dept_a.pk})
    assert response.status_code == 200 and response.json()["status"] == "dispatched"
    dept_b = api(zone.dept_user_b)
    assert dept_b.post(f"/api/ledger-items/{items[1].pk}/claim/").json()["status"] == "claimed"
    with django_assert_max_num_queries(6):
        listed = ids(dept_b.get("/api/ledger-items/"))
    assert listed == {items[1].pk, items[2].pk}  # its own claim and the unassigned one
    assert dept_b.post(f"/api/ledger-items/{items[0].pk}/claim/").status_code == 404
    assert dept_b.post(f"/api/ledger-items/{items[1].pk}/claim/").status_code == 400
    assert api(zone.ent_user_a).get("/api/ledger-items/").json()["count"] == 0


def test_the_openapi_schema_documents_the_actions(zone):
    response = api(zone.admin).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/requests/{id}/escalate/", "/api/requests/{id}/report-back/", "/api/escalations/{id}/reply/",
                 "/api/escalations/{id}/return/", "/api/ledger-items/{id}/claim/", "/api/requests/{id}/events/"):
        assert path in paths, path
    body = paths["/api/requests/{id}/escalate/"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"].endswith("/Escalate")
