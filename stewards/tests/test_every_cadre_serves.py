"""Issue 16, part 4: every cadre can serve. A leader, a department user or a workstation head may
also be an enterprise's steward: the capacity is separate from the role, its scope is added to the
role's (zonehub.scoping), and the steward's pages and home panel open for it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from stewards import services
from stewards.forms import AssignStewardForm, cadre_label, steward_label
from stewards.models import Escalation, ServiceRequest, Steward, StewardAssignment
from stewards.tests.factories import EscalationFactory, ServiceRequestFactory
from tests.factories import EnterpriseFactory, UserFactory, WorkstationFactory
from zonehub.models import Role

pytestmark = pytest.mark.django_db

S = ServiceRequest.Status


@pytest.fixture
def served(zone):
    """A department user of A's department serving a third enterprise of A's workstation, named by
    A's head from the assign page's "another cadre"; requests of its enterprise, of B's, and one of
    A's escalated to its department."""
    z = zone
    z.ent_c = EnterpriseFactory(workstation=z.ws_a, name="丙新材料有限公司")
    services.steward_assign_person(enterprise=z.ent_c, user=z.dept_user_a, actor=z.head_a, note="全员服务")
    z.req_c = ServiceRequestFactory(enterprise=z.ent_c, title="丙的用电")
    z.req_b = ServiceRequestFactory(enterprise=z.ent_b, title="乙的道路")
    z.req_a = ServiceRequestFactory(enterprise=z.ent_a, title="甲的审批")
    z.escalated_to_dept = EscalationFactory(request=ServiceRequestFactory(enterprise=z.ent_a, title="甲的吹哨"),
                                            department=z.dept_a)
    return z


def titles(response) -> set[str]:
    return {r.title for r in response.context["object_list"]}


def test_a_department_user_serving_sees_its_enterprise_s_requests_and_still_not_another_s(client, served):
    z = served
    steward = Steward.objects.get(user=z.dept_user_a)
    assert steward.workstation == z.ws_a and steward.is_active  # the enterprise's workstation
    assert z.req_c.steward == steward  # the request came in with it as the steward
    client.force_login(z.dept_user_a)
    # By URL: its enterprise's request, its department's escalated one; never B's nor A's others.
    assert titles(client.get(reverse("stewards:request_list"))) == {"丙的用电", "甲的吹哨"}
    assert client.get(reverse("stewards:request_detail", args=[z.req_c.pk])).status_code == 200
    for other in (z.req_b, z.req_a):
        assert client.get(reverse("stewards:request_detail", args=[other.pk])).status_code == 404
        assert client.post(reverse("stewards:request_accept", args=[other.pk])).status_code == 404
    # It acts as the steward on its enterprise's request.
    assert client.post(reverse("stewards:request_accept", args=[z.req_c.pk])).status_code == 302
    z.req_c.refresh_from_db()
    assert z.req_c.status == S.ACCEPTED and z.req_c.accepted_by == z.dept_user_a
    # But not on the request its department holds: that one it answers in its inbox.
    response = client.post(reverse("stewards:request_escalate", args=[z.escalated_to_dept.request_id]),
                           {"departments": [z.dept_b.pk], "reason": "协调"})
    assert response.status_code == 403
    # By API, the same rows.
    listed = {row["id"] for row in client.get("/api/requests/").json()["results"]}
    assert listed == {z.req_c.pk, z.escalated_to_dept.request_id}
    assert client.get(f"/api/requests/{z.req_b.pk}/").status_code == 404
    assert client.get(f"/api/requests/{z.req_a.pk}/").status_code == 404
    assert client.post(f"/api/requests/{z.req_b.pk}/accept/").status_code == 404
    assert {row["id"] for row in client.get("/api/enterprises/").json()["results"]} == {z.ent_c.pk}


def test_its_worklist_menu_and_home_show_the_steward_s_work_beside_its_inbox(client, served):
    z = served
    client.force_login(z.dept_user_a)
    worklist = client.get(reverse("stewards:worklist"))
    assert worklist.status_code == 200
    shown = {r.title for section in ("new", "in_progress", "reopened", "reported") for r in worklist.context[section]}
    assert shown == {"丙的用电"}  # what it serves as a steward, not its department's escalations
    assert not worklist.context["escalations"]
    home = client.get(reverse("home"))
    html = home.content.decode()
    names = {item["name"] for item in home.context["nav_items"]}
    assert {"stewards:worklist", "stewards:inbox", "enterprises:list", "assignments:nameplates"} <= names
    assert "stewards:visits" not in names  # the heads' and leaders' page
    assert 'data-testid="panel-steward-work"' in html and 'data-testid="tiles-department"' in html
    assert "丙的用电" in html
    # Logging a visit to its enterprise works; to another's it is refused.
    response = client.post(reverse("stewards:visit_create"), {"enterprise": z.ent_c.pk, "visited_on": "2026-11-02",
                                                              "findings": "生产正常"})
    assert response.status_code == 302 and z.ent_c.visits.get().steward.user == z.dept_user_a
    with pytest.raises(PermissionDenied):
        services.visit_log(actor=z.dept_user_a, enterprise=z.ent_b, visited_on=z.req_c.created_at.date())


def test_a_department_user_without_the_capacity_keeps_its_role_s_pages_only(client, zone):
    client.force_login(zone.dept_user_a)
    assert client.get(reverse("stewards:worklist")).status_code == 403
    names = {item["name"] for item in client.get(reverse("home")).context["nav_items"]}
    assert "stewards:worklist" not in names


def test_a_leader_serves_as_a_steward_and_acts_on_its_enterprise_s_request(client, zone):
    z = zone
    ent = EnterpriseFactory(workstation=z.ws_a)
    services.steward_assign_person(enterprise=ent, user=z.leader, actor=z.head_a)
    request = ServiceRequestFactory(enterprise=ent)
    client.force_login(z.leader)
    page = client.get(reverse("stewards:request_detail", args=[request.pk]))
    assert 'data-testid="accept"' in page.content.decode()
    assert client.post(reverse("stewards:request_accept", args=[request.pk])).status_code == 302
    request.refresh_from_db()
    assert request.status == S.ACCEPTED
    home = client.get(reverse("home")).content.decode()
    assert 'data-testid="panel-steward-work"' in home
    # A leader who does not serve this enterprise reads it (leaders see all) but does not act.
    other = UserFactory(role=Role.LEADER)
    client.force_login(other)
    assert client.get(reverse("stewards:request_detail", args=[request.pk])).status_code == 200
    with pytest.raises(PermissionDenied):
        services.request_resolve_directly(request=request, actor=other, report="已办")


def test_the_assign_page_offers_cadres_and_names_one(client, zone):
    z = zone
    form = AssignStewardForm(user=z.head_a, enterprise=z.ent_a)
    person_options = [label for value, label in form.fields["person"].choices if value]
    assert cadre_label(z.dept_user_a) in person_options and cadre_label(z.leader) in person_options
    assert cadre_label(z.head_a) in person_options  # its own head may serve too
    assert cadre_label(z.head_b) not in person_options  # another workstation's head serves there
    assert z.dept_a.name in cadre_label(z.dept_user_a)
    client.force_login(z.head_a)
    # Neither, or both: the form says so and nothing changes.
    response = client.post(reverse("assignments:assign", args=[z.ent_a.pk]), {"note": "x"})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    response = client.post(reverse("assignments:assign", args=[z.ent_a.pk]),
                           {"person": z.dept_user_a.pk, "note": "全员服务"})
    assert response.status_code == 302
    current = StewardAssignment.objects.active().get(enterprise=z.ent_a)
    assert current.steward.user == z.dept_user_a and current.steward.workstation == z.ws_a
    # Once serving, the cadre is one of the stewards the pickers offer, with its role said, and no
    # longer one of the cadres to grant.
    labels = [label for value, label in AssignStewardForm(user=z.head_a).fields["steward"].choices if value]
    label = steward_label(current.steward)
    assert label in labels and z.ws_a.name in label and str(z.dept_user_a.get_role_display()) in label
    form = AssignStewardForm(user=z.head_a, enterprise=z.ent_a)
    assert cadre_label(z.dept_user_a) not in [text for value, text in form.fields["person"].choices if value]


def test_who_may_serve_and_where(zone):
    z = zone
    with pytest.raises(ValidationError):  # an enterprise user is no cadre
        services.steward_capacity_grant(user=z.ent_user_a, actor=z.admin, workstation=z.ws_a)
    with pytest.raises(PermissionDenied):  # a head names stewards in its own workstation only
        services.steward_capacity_grant(user=z.dept_user_a, actor=z.head_b, workstation=z.ws_a)
    with pytest.raises(ValidationError):  # a head of B serves in B
        services.steward_capacity_grant(user=z.head_b, actor=z.admin, workstation=z.ws_a)
    with pytest.raises(ValidationError):  # a leader needs a workstation
        services.steward_capacity_grant(user=z.leader, actor=z.admin)
    steward = services.steward_capacity_grant(user=z.head_a, actor=z.admin)
    assert steward.workstation == z.ws_a
    # A steward whose user moves serves in the new workstation.
    ws_c = WorkstationFactory()
    z.steward_a.user.workstation = ws_c
    z.steward_a.user.save()
    z.steward_a.refresh_from_db()
    assert z.steward_a.workstation == ws_c
    # The capacity ends only once nobody is left without a steward.
    served = services.steward_capacity_grant(user=z.dept_user_b, actor=z.admin, workstation=z.ws_b)
    services.steward_assign(enterprise=z.ent_b, steward=served, actor=z.admin)
    with pytest.raises(ValidationError):
        services.steward_capacity_end(steward=served, actor=z.admin)
    services.steward_assign(enterprise=z.ent_b, steward=z.steward_b, actor=z.admin)
    assert not services.steward_capacity_end(steward=served, actor=z.admin).is_active


def test_the_head_sees_a_cadre_serving_in_its_workstation(client, zone):
    z = zone
    services.steward_assign_person(enterprise=z.ent_a, user=z.dept_user_b, actor=z.head_a)
    client.force_login(z.head_a)
    stewards = {s["name"] for s in client.get("/api/stewards/").json()["results"]}
    assert z.dept_user_b.display_name in stewards
    client.force_login(z.head_b)
    stewards = {s["name"] for s in client.get("/api/stewards/").json()["results"]}
    assert z.dept_user_b.display_name not in stewards
    assert Escalation.objects.count() == 0
