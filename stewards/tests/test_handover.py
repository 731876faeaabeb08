"""Issue 13, item 1: when an enterprise's steward changes, its open work follows the new steward
(requests, the follow-up of their escalations), on each timeline; the old steward keeps reading
what it did and can no longer act on it."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from stewards import services
from stewards.models import RequestHandover, ServiceRequest
from stewards.tests.factories import EscalationFactory, ServiceRequestFactory
from tests.factories import StewardFactory
from zonehub.models import Event, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def work(zone):
    """ent_a's requests: one waiting to be accepted, one escalated to dept_a, one closed."""
    waiting = ServiceRequestFactory(enterprise=zone.ent_a, title="用电增容待受理")
    escalated = ServiceRequestFactory(enterprise=zone.ent_a, status=ServiceRequest.Status.ESCALATED, title="环评协调")
    escalation = EscalationFactory(request=escalated, department=zone.dept_a)
    closed = ServiceRequestFactory(enterprise=zone.ent_a, status=ServiceRequest.Status.CLOSED, title="已办结",
                                   closed_at=escalated.created_at)
    return waiting, escalated, escalation, closed


def test_open_requests_follow_the_new_steward_with_the_hand_over_on_their_timeline(client, zone, work):
    waiting, escalated, escalation, closed = work
    new = StewardFactory(user__workstation=zone.ws_a, user__name="彭涛")
    old_name = zone.steward_a.name

    services.steward_assign(enterprise=zone.ent_a, steward=new, actor=zone.head_a)

    waiting.refresh_from_db(), escalated.refresh_from_db(), closed.refresh_from_db()
    assert waiting.steward == new and escalated.steward == new
    assert closed.steward == zone.steward_a  # finished work stays with who did it
    lines = Event.objects.filter(kind="steward.handed_over").order_by("root_id")
    assert [(e.root_id, e.from_state, e.to_state) for e in lines] == [
        (waiting.pk, old_name, "彭涛"), (escalated.pk, old_name, "彭涛")]
    # One notification each, with how many moved.
    for user in (zone.ent_user_a, new.user, zone.steward_a.user):
        rows = Notification.objects.filter(recipient=user, dedupe_key__startswith="assignment:")
        assert rows.count() == 1 and "2" in rows.get().title

    # The enterprise sees the new steward on its requests.
    client.force_login(zone.ent_user_a)
    page = client.get(reverse("stewards:request_detail", args=[waiting.pk])).content.decode()
    assert "彭涛" in page and old_name not in page.split('data-testid="steward"')[1].split("</div>")[2]

    # The new steward gets the buttons, the worklist and the API; the department's reply goes to it.
    client.force_login(new.user)
    page = client.get(reverse("stewards:request_detail", args=[waiting.pk])).content.decode()
    assert 'data-testid="accept"' in page
    ids = {row["id"] for row in client.get("/api/requests/?page_size=100").json()["results"]}
    assert {waiting.pk, escalated.pk} <= ids
    client.force_login(zone.dept_user_a)
    services.escalation_reply(escalation=escalation, actor=zone.dept_user_a, reply="已协调。")
    assert Notification.objects.filter(recipient=new.user, kind__startswith="escalation").exists()
    assert not Notification.objects.filter(recipient=zone.steward_a.user, kind__startswith="escalation").exists()


def test_the_old_steward_keeps_reading_but_can_no_longer_act(client, zone, work):
    waiting, escalated, _escalation, closed = work
    new = StewardFactory(user__workstation=zone.ws_a)
    services.steward_assign(enterprise=zone.ent_a, steward=new, actor=zone.head_a)
    old = zone.steward_a.user

    visible = set(ServiceRequest.objects.visible_to(old).values_list("pk", flat=True))
    assert {waiting.pk, escalated.pk, closed.pk} <= visible
    client.force_login(old)
    response = client.get(reverse("stewards:request_detail", args=[waiting.pk]))
    assert response.status_code == 200 and 'data-testid="steward-actions"' not in response.content.decode()
    with pytest.raises(PermissionDenied):
        services.request_accept(request=waiting, actor=old)
    with pytest.raises(PermissionDenied):
        services.request_comment(request=escalated, actor=old, body="我来跟进")
    response = client.post(reverse("stewards:request_accept", args=[waiting.pk]))
    waiting.refresh_from_db()
    assert waiting.status == ServiceRequest.Status.SUBMITTED and response.status_code in (302, 403)
    # A steward that never served the enterprise reads none of it.
    other = ServiceRequest.objects.visible_to(zone.steward_b.user)
    assert not other.filter(pk__in=[waiting.pk, escalated.pk, closed.pk]).exists()


def test_taking_the_steward_off_hands_the_open_work_to_the_head(zone, work):
    waiting, escalated, _escalation, _closed = work
    services.steward_unassign(enterprise=zone.ent_a, actor=zone.head_a, reason="steward_left")
    waiting.refresh_from_db(), escalated.refresh_from_db()
    assert waiting.steward is None and escalated.steward is None
    assert RequestHandover.objects.filter(from_steward=zone.steward_a, to_steward=None).count() == 2
    assert Notification.objects.filter(recipient=zone.steward_a.user, kind="steward.unassigned").exists()
    # The head acts on them (the steward side of the enterprise's workstation).
    services.request_accept(request=waiting, actor=zone.head_a)
    waiting.refresh_from_db()
    assert waiting.status == ServiceRequest.Status.ACCEPTED


def test_the_hand_over_is_set_based(zone, django_assert_max_num_queries):
    for _ in range(12):
        ServiceRequestFactory(enterprise=zone.ent_a)
    new = StewardFactory(user__workstation=zone.ws_a)
    with django_assert_max_num_queries(40):
        services.steward_assign(enterprise=zone.ent_a, steward=new, actor=zone.head_a)
    assert ServiceRequest.objects.filter(enterprise=zone.ent_a, steward=new).count() == 12
