import datetime as dt

import pytest

from projects.models import FiveKeyItem
from projects.tests.factories import (
    ApprovalFactory,
    FiveKeyItemFactory,
    FiveKeyNodeFactory,
    ProjectFactory,
    ProjectStewardFactory,
)

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def items(zone):
    result = []
    for unit in (zone.dept_a, zone.dept_b):
        for i in range(3):
            item = FiveKeyItemFactory(responsible_unit=unit, lead_leader=zone.leader)
            FiveKeyNodeFactory(item=item, planned_date=D(2026, 11, 2) if i == 0 else D(2026, 12, 10))
            FiveKeyNodeFactory(item=item, planned_date=D(2026, 6, 1), completed_on=D(2026, 5, 30))
            item.cooperating_units.add(zone.dept_b if unit == zone.dept_a else zone.dept_a)
            result.append(item)
    return result


def test_fivekey_items_list_with_status_in_few_queries(client, zone, items, django_assert_max_num_queries):
    client.force_login(zone.dept_user_a)
    with django_assert_max_num_queries(10):
        data = client.get("/api/fivekey-items/", {"year": 2026}).json()
    assert data["count"] == 6
    statuses = {row["id"]: (row["status"], row["workdays_late"]) for row in data["results"]}
    assert statuses[items[0].pk] == ("lagging", 15)
    assert statuses[items[1].pk] == ("on_schedule", 0)
    filtered = client.get("/api/fivekey-items/", {"responsible_unit": zone.dept_b.pk}).json()
    assert {row["id"] for row in filtered["results"]} == {i.pk for i in items[3:]}


def test_nodes_list_and_filters(client, zone, items, django_assert_max_num_queries):
    client.force_login(zone.leader)
    with django_assert_max_num_queries(6):
        data = client.get("/api/fivekey-nodes/", {"item__responsible_unit": zone.dept_a.pk, "open": "true"}).json()
    assert data["count"] == 3


def test_node_completion_through_the_api_uses_the_same_rules(client, zone, items):
    own = items[0].nodes.get(completed_on__isnull=True)
    other = items[3].nodes.get(completed_on__isnull=True)
    client.force_login(zone.dept_user_a)
    url = f"/api/fivekey-nodes/{own.pk}/complete/"
    response = client.post(url, {"completed_on": "2026-12-01", "evidence": "x"}, content_type="application/json")
    assert response.status_code == 400 and "completed_on" in response.json()
    assert client.post(f"/api/fivekey-nodes/{other.pk}/complete/", {"completed_on": "2026-11-20", "evidence": "x"},
                       content_type="application/json").status_code == 403
    response = client.post(url, {"completed_on": "2026-11-20", "evidence": "会议纪要"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["completed_on"] == "2026-11-20"
    # Its node was due on 2 November: done on the 20th, the item is done late (逾期完成), not on schedule.
    data = client.get(f"/api/fivekey-items/{items[0].pk}/").json()
    assert (data["status"], data["workdays_late"], data["lagging_since"]) == ("done_late", 14, None)


def test_claim_and_confirm_through_the_api(client, zone, items):
    open_item = FiveKeyItemFactory(responsible_unit=None, lead_leader=zone.leader)
    client.force_login(zone.dept_user_a)
    assert client.post(f"/api/fivekey-items/{items[3].pk}/claim/").status_code == 400
    response = client.post(f"/api/fivekey-items/{open_item.pk}/claim/")
    assert response.status_code == 200 and response.json()["claim"] == "pending"
    assert client.post(f"/api/fivekey-items/{open_item.pk}/confirm-claim/").status_code == 403
    client.force_login(zone.leader)
    assert client.post(f"/api/fivekey-items/{open_item.pk}/confirm-claim/").json()["responsible_unit"] == zone.dept_a.pk


def test_leaders_create_items_through_the_api(client, zone):
    payload = {"category": "reforms", "year": 2026, "title": "推行并联审批", "lead_leader": zone.leader.pk,
               "responsible_unit": zone.dept_a.pk, "cooperating_units": [zone.dept_b.pk]}
    client.force_login(zone.dept_user_a)
    assert client.post("/api/fivekey-items/", payload, content_type="application/json").status_code == 403
    client.force_login(zone.leader)
    response = client.post("/api/fivekey-items/", payload, content_type="application/json")
    assert response.status_code == 201 and response.json()["cooperating_units"] == [zone.dept_b.pk]
    bad = {**payload, "lead_leader": zone.dept_user_a.pk}
    assert client.post("/api/fivekey-items/", bad, content_type="application/json").status_code == 400
    assert FiveKeyItem.objects.count() == 1


def test_approvals_and_projects_are_scoped_in_the_api(client, zone, django_assert_max_num_queries):
    mine, theirs = ProjectFactory(), ProjectFactory()
    ProjectStewardFactory(project=mine, steward=zone.steward_a)
    ProjectStewardFactory(project=theirs, steward=zone.steward_b)
    for kind in ("filing", "eia", "fire"):
        ApprovalFactory(project=mine, kind=kind, department=zone.dept_a)
        ApprovalFactory(project=theirs, kind=kind, department=zone.dept_b)
    client.force_login(zone.steward_a.user)
    with django_assert_max_num_queries(6):
        data = client.get("/api/approvals/").json()
    assert {row["project"] for row in data["results"]} == {mine.pk}
    approval = mine.approvals.get(kind="eia")
    response = client.post(f"/api/approvals/{approval.pk}/record/", {"status": "blocked", "note": "环评专家评审延期"},
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "blocked"
    other = theirs.approvals.first()
    assert client.post(f"/api/approvals/{other.pk}/record/", {"status": "approved"},
                       content_type="application/json").status_code == 404
    response = client.post(f"/api/projects/{mine.pk}/stage/", {"to_stage": "signed", "on": "2026-11-20"},
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["signed_on"] == "2026-11-20"
    client.force_login(zone.leader)
    with django_assert_max_num_queries(6):
        assert client.get("/api/projects/").json()["count"] == 2


def test_schema_builds_with_the_projects_endpoints(client, zone):
    client.force_login(zone.leader)
    response = client.get("/api/schema/")
    assert response.status_code == 200
    body = response.content.decode()
    for path in ("/api/projects/", "/api/approvals/{id}/record/", "/api/fivekey-items/{id}/claim/",
                 "/api/fivekey-nodes/{id}/complete/"):
        assert path in body
