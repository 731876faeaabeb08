"""The issue's "Done when" story, end to end through the pages a user clicks."""

import pytest
from django.urls import reverse

from evaluations.models import Campaign, Rating, ReplacementCase
from stewards.models import StewardAssignment
from tests.factories import StewardFactory
from zonehub.models import Notification

pytestmark = pytest.mark.django_db


def test_leader_opens_enterprises_rate_close_replace_find(client, in_campaign, zone,
                                                         django_capture_on_commit_callbacks):
    # A leader opens the campaign by hand.
    client.force_login(zone.leader)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("evaluations:campaign_open"), {"year": 2026, "half": "H1"})
    campaign = Campaign.objects.get(year=2026, half="H1")
    assert response.status_code == 302 and campaign.is_open
    assert Notification.objects.filter(recipient=zone.ent_user_a, kind="campaign.opened").exists()

    # Enterprise A sees the prompt on its home page and rates its steward unsatisfied, with a reason.
    client.force_login(zone.ent_user_a)
    home = client.get(reverse("home")).content.decode()
    assert 'data-testid="rate-prompt"' in home and zone.steward_a.name in home
    client.post(reverse("evaluations:rate", args=[campaign.pk, zone.steward_a.pk]),
                {f"s{zone.steward_a.pk}-value": "unsatisfied", f"s{zone.steward_a.pk}-reason": "办理进展缓慢，未及时反馈"})
    # Enterprise B is satisfied with its steward.
    client.force_login(zone.ent_user_b)
    client.post(reverse("evaluations:rate", args=[campaign.pk, zone.steward_b.pk]),
                {f"s{zone.steward_b.pk}-value": "satisfied"})
    assert Rating.objects.filter(campaign=campaign).count() == 2

    # While the campaign is open the steward cannot see who rated it what.
    client.force_login(zone.steward_a.user)
    page = client.get(reverse("evaluations:campaign_detail", args=[campaign.pk])).content.decode()
    assert 'data-testid="steward-wait"' in page and zone.ent_a.name not in page
    assert client.get("/api/ratings/").json()["count"] == 0

    # The leader closes the campaign: the unsatisfied rating opens a replacement case.
    client.force_login(zone.leader)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("evaluations:campaign_close", args=[campaign.pk]),
                    {"confirm": "yes", "reason": "全部企业已评价"})
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.CLOSED
    case = ReplacementCase.objects.get()
    assert (case.enterprise, case.steward, case.status) == (zone.ent_a, zone.steward_a, "pending")

    # It appears for the head of enterprise A's workstation (and not for the other head).
    client.force_login(zone.head_a)
    assert 'data-testid="replacement-cases"' in client.get(reverse("home")).content.decode()
    assert Notification.objects.filter(recipient=zone.head_a, kind="case.opened").exists()
    client.force_login(zone.head_b)
    assert client.get(reverse("evaluations:case_detail", args=[case.pk])).status_code == 404

    # The head names the new steward.
    new = StewardFactory(user__workstation=zone.ws_a, user__name="雷均")
    client.force_login(zone.head_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("evaluations:case_name", args=[case.pk]), {"steward": new.pk})
    case.refresh_from_db()
    assert case.status == "replaced" and case.new_steward == new
    ended = StewardAssignment.objects.get(enterprise=zone.ent_a, steward=zone.steward_a)
    assert ended.end_reason == StewardAssignment.EndReason.UNSATISFIED and "2026" in ended.end_note

    # The enterprise sees its new steward (home page and a notification).
    client.force_login(zone.ent_user_a)
    assert "雷均" in client.get(reverse("home")).content.decode()
    assert Notification.objects.filter(recipient=zone.ent_user_a, kind="steward.assigned").exists()

    # The leader records a finding of subjective lack of effort; the appraisal shows the steward ineligible.
    client.force_login(zone.leader)
    client.post(reverse("evaluations:case_review", args=[case.pk]), {"lack_of_effort": "yes", "reason": "多次催办未跟进"})
    case.refresh_from_db()
    assert case.lack_of_effort is True
    client.force_login(zone.steward_a.user)
    page = client.get(reverse("evaluations:appraisal") + "?year=2026").content.decode()
    cell = page.split(f'data-testid="eligible-{zone.steward_a.pk}"')[1].split("</td>")[0]
    assert "text-bg-danger" in cell
    # …and now that it closed, the steward sees its ratings.
    assert client.get("/api/ratings/").json()["count"] == 1
