"""Issue 13, items 1–3: a closed campaign replaces for real. The steward rated unsatisfied comes
off at once, the workstation head serves in the meantime and holds the open requests; the named
steward takes them over; an overdue case sits at the top of the leader's home and the leader names
one; a campaign ends early only deliberately and can be reopened after a mistaken close."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluations import services
from evaluations.models import Campaign, Rating, ReplacementCase
from projects.models import Approval, ConstructionNode
from projects.services import project_steward_assign
from projects.tests.factories import ProjectFactory
from stewards.models import AssignmentBar, ServiceRequest, StewardAssignment
from stewards.tests.factories import ServiceRequestFactory
from tests.factories import StewardFactory
from zonehub.models import Event, Notification
from zonehub.workdays import SHANGHAI

pytestmark = pytest.mark.django_db


def at(*args):
    return dt.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def rated(in_campaign, zone):
    """The H1 campaign is open; ent_a rated steward_a unsatisfied and has two open requests."""
    campaign = services.campaign_open(year=2026, half="H1", actor=zone.leader)
    services.rating_create(campaign=campaign, enterprise=zone.ent_a, steward=zone.steward_a, value="unsatisfied",
                           reason="不作为", actor=zone.ent_user_a)
    services.rating_create(campaign=campaign, enterprise=zone.ent_b, steward=zone.steward_b, value="satisfied",
                           actor=zone.ent_user_b)
    requests = [ServiceRequestFactory(enterprise=zone.ent_a, title="用电增容"),
                ServiceRequestFactory(enterprise=zone.ent_a, status=ServiceRequest.Status.ACCEPTED, title="环评")]
    return campaign, requests


def _close(client, zone, campaign, **data):
    client.force_login(zone.leader)
    return client.post(reverse("evaluations:campaign_close", args=[campaign.pk]), data, follow=True)


def test_closing_takes_the_steward_off_at_once_and_the_head_serves_in_the_meantime(client, zone, rated):
    campaign, requests = rated
    _close(client, zone, campaign, confirm="yes", reason="全部企业已评价")

    current = StewardAssignment.objects.active().get(enterprise=zone.ent_a)
    assert current.interim and current.steward.user == zone.head_a
    ended = StewardAssignment.objects.get(enterprise=zone.ent_a, steward=zone.steward_a)
    assert ended.end_reason == StewardAssignment.EndReason.UNSATISFIED
    assert all(r.steward.user == zone.head_a for r in ServiceRequest.objects.filter(pk__in=[x.pk for x in requests]))
    assert Notification.objects.filter(recipient=zone.head_a, kind="steward.assigned").exists()
    # ent_b was satisfied: nothing changes there.
    assert StewardAssignment.objects.active().get(enterprise=zone.ent_b).steward == zone.steward_b

    # The enterprise sees who serves it, with the phone.
    client.force_login(zone.ent_user_a)
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="interim-steward"' in page and zone.head_a.phone in page
    # The head's home lists the enterprises it serves in the meantime.
    client.force_login(zone.head_a)
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="interim-enterprises"' in page and zone.ent_a.name in page
    # The head acts on the requests as the steward side.
    client.force_login(zone.head_a)
    page = client.get(reverse("stewards:request_detail", args=[requests[0].pk])).content.decode()
    assert 'data-testid="accept"' in page

    # The named steward takes over every open request; the interim ends.
    new = StewardFactory(user__workstation=zone.ws_a, user__name="彭涛")
    case = ReplacementCase.objects.get()
    services.replacement_name(case=case, steward=new, actor=zone.head_a)
    assert set(ServiceRequest.objects.filter(enterprise=zone.ent_a).values_list("steward", flat=True)) == {new.pk}
    assert StewardAssignment.objects.get(pk=current.pk).end_reason == StewardAssignment.EndReason.INTERIM_ENDED
    client.force_login(zone.ent_user_a)
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="interim-steward"' not in page and "彭涛" in page
    # The old steward reads its former requests, without any button.
    client.force_login(zone.steward_a.user)
    response = client.get(reverse("stewards:request_detail", args=[requests[0].pk]))
    assert response.status_code == 200 and 'data-testid="steward-actions"' not in response.content.decode()


def test_the_head_named_permanent_ends_the_interim_without_a_second_assignment(zone, rated):
    campaign, _requests = rated
    services.campaign_close(campaign=campaign, actor=zone.leader, reason="全部企业已评价")
    case = ReplacementCase.objects.get()
    head_steward = StewardAssignment.objects.active().get(enterprise=zone.ent_a).steward
    services.replacement_name(case=case, steward=head_steward, actor=zone.head_a)
    current = StewardAssignment.objects.active().get(enterprise=zone.ent_a)
    assert current.steward == head_steward and not current.interim


def test_an_overdue_case_is_at_the_top_of_the_leaders_home_and_the_leader_names_one(client, zone, rated):
    campaign, requests = rated
    services.campaign_close(campaign=campaign, actor=zone.leader, reason="全部企业已评价")
    case = ReplacementCase.objects.get()
    new = StewardFactory(user__workstation=zone.ws_a)
    with time_machine.travel(case.due_at + dt.timedelta(hours=1), tick=False):
        client.force_login(zone.leader)
        page = client.get(reverse("home")).content.decode()
        assert 'data-testid="overdue-cases"' in page and zone.ent_a.name in page
        assert page.index('data-testid="overdue-cases"') < page.index('data-testid="ratings-panel"')
        page = client.get(reverse("evaluations:case_detail", args=[case.pk])).content.decode()
        assert reverse("evaluations:case_name", args=[case.pk]) in page and 'data-testid="interim"' in page
        client.post(reverse("evaluations:case_name", args=[case.pk]), {"steward": new.pk})
    case.refresh_from_db()
    assert case.status == ReplacementCase.Status.REPLACED and case.replaced_by == zone.leader
    assert ServiceRequest.objects.get(pk=requests[0].pk).steward == new
    # Rule 4's bar still holds for a leader: the steward rated unsatisfied cannot be named back.
    other_case_steward = zone.steward_a
    with pytest.raises(ValidationError):
        services.replacement_name(case=case, steward=other_case_steward, actor=zone.leader)


def test_ending_early_needs_confirmation_and_a_reason(client, zone, rated):
    campaign, _requests = rated
    client.force_login(zone.leader)
    page = client.get(reverse("evaluations:campaign_detail", args=[campaign.pk])).content.decode()
    panel = page.split('data-testid="close-participation"')[1].split("</p>")[0]
    assert "2" in panel and "应评企业" in panel  # 2 of 2 enterprises rated, 2 ratings
    page = client.get(reverse("evaluations:campaign_list")).content.decode()
    assert f'{reverse("evaluations:campaign_detail", args=[campaign.pk])}#close' in page

    _close(client, zone, campaign, reason="全部企业已评价")  # not confirmed
    campaign.refresh_from_db()
    assert campaign.is_open
    page = _close(client, zone, campaign, confirm="yes").content.decode()  # no reason
    campaign.refresh_from_db()
    assert campaign.is_open and "提前结束须说明原因" in page
    assert StewardAssignment.objects.active().get(enterprise=zone.ent_a).steward == zone.steward_a

    _close(client, zone, campaign, confirm="yes", reason="全部企业已评价")
    campaign.refresh_from_db()
    assert not campaign.is_open and campaign.close_reason == "全部企业已评价"
    assert Event.objects.get(kind="campaign.closed", subject_id=campaign.pk).note == "全部企业已评价"
    page = client.get(reverse("evaluations:campaign_detail", args=[campaign.pk])).content.decode()
    assert "全部企业已评价" in page


def test_the_sweep_closes_on_time_without_a_reason(zone, rated):
    campaign, _requests = rated
    with time_machine.travel(campaign.closes_at, tick=False):
        services.campaign_sweep()
    campaign.refresh_from_db()
    assert not campaign.is_open and campaign.close_reason == ""
    assert StewardAssignment.objects.active().get(enterprise=zone.ent_a).interim


def test_a_leader_reopens_a_mistaken_close_and_everything_goes_back(client, zone, rated):
    campaign, requests = rated
    services.campaign_close(campaign=campaign, actor=zone.leader, reason="误点")
    client.force_login(zone.leader)
    page = client.get(reverse("evaluations:campaign_detail", args=[campaign.pk])).content.decode()
    assert 'data-testid="reopen-campaign"' in page
    client.post(reverse("evaluations:campaign_reopen", args=[campaign.pk]), {"reason": ""})
    campaign.refresh_from_db()
    assert not campaign.is_open  # a reason is required
    client.post(reverse("evaluations:campaign_reopen", args=[campaign.pk]), {"reason": "误点了立即结束"})
    campaign.refresh_from_db()
    assert campaign.is_open and campaign.reopen_reason == "误点了立即结束"
    assert Rating.objects.filter(campaign=campaign).count() == 2  # ratings kept
    case = ReplacementCase.objects.get()
    assert case.status == ReplacementCase.Status.WITHDRAWN
    current = StewardAssignment.objects.active().get(enterprise=zone.ent_a)
    assert current.steward == zone.steward_a and not current.interim
    assert all(r.steward == zone.steward_a for r in ServiceRequest.objects.filter(pk__in=[x.pk for x in requests]))
    assert not AssignmentBar.objects.in_force().filter(steward=zone.steward_a).exists()
    assert Event.objects.filter(kind="campaign.reopened", subject_id=campaign.pk).exists()

    # Closed again (on time this time): the same case opens again, the bar is back in force.
    with time_machine.travel(campaign.closes_at, tick=False):
        services.campaign_sweep()
    case.refresh_from_db()
    assert case.status == ReplacementCase.Status.PENDING
    assert AssignmentBar.objects.in_force().filter(steward=zone.steward_a, enterprise=zone.ent_a).exists()
    assert StewardAssignment.objects.active().get(enterprise=zone.ent_a).interim


def test_no_reopening_once_a_case_was_acted_on_or_after_the_window(client, zone, rated):
    campaign, _requests = rated
    services.campaign_close(campaign=campaign, actor=zone.leader, reason="误点")
    case = ReplacementCase.objects.get()
    services.replacement_name(case=case, steward=StewardFactory(user__workstation=zone.ws_a), actor=zone.head_a)
    client.force_login(zone.leader)
    page = client.get(reverse("evaluations:campaign_detail", args=[campaign.pk])).content.decode()
    assert 'data-testid="reopen-refused"' in page and 'data-testid="reopen-campaign"' not in page
    with pytest.raises(ValidationError):
        services.campaign_reopen(campaign=campaign, actor=zone.leader, reason="误点")
    with time_machine.travel(campaign.closes_at, tick=False):
        with pytest.raises(ValidationError):
            services.campaign_reopen(campaign=campaign, actor=zone.leader, reason="误点")
        page = client.get(reverse("evaluations:campaign_detail", args=[campaign.pk])).content.decode()
        assert 'data-testid="reopen-panel"' not in page
    client.force_login(zone.head_a)
    assert client.post(reverse("evaluations:campaign_reopen", args=[campaign.pk]), {"reason": "x"}).status_code == 403
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.CLOSED


def test_a_project_steward_change_hands_over_the_projects_open_items(zone):
    project = ProjectFactory(name="新能源电池项目", investor=zone.ent_a)
    Approval.objects.create(project=project, kind=Approval.Kind.EIA, department=zone.dept_a)
    ConstructionNode.objects.create(project=project, name="主体封顶", planned_date="2026-09-30")
    first, second = StewardFactory(user__workstation=zone.ws_a), StewardFactory(user__workstation=zone.ws_a)
    project_steward_assign(project=project, steward=first, actor=zone.leader)
    project_steward_assign(project=project, steward=second, actor=zone.leader)
    line = Event.objects.get(kind="steward.handed_over", root_id=project.pk)
    assert (line.from_state, line.to_state, line.data) == (first.name, second.name, {"approvals": 1, "nodes": 1})
    assert Notification.objects.filter(recipient=first.user, kind="project.steward_unassigned").exists()
