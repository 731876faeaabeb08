"""The rating rules: two values only, a reason when unsatisfied, one rating per steward and
campaign (changed, never doubled), only while open, only of the enterprise's own stewards."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError, IntegrityError, transaction
from django.urls import reverse

from evaluations import services
from evaluations.models import Campaign, Rating
from evaluations.tests.factories import CampaignFactory, RatingFactory
from zonehub.models import Event
from zonehub.workdays import SHANGHAI

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(in_campaign):
    return CampaignFactory()


def rate_url(campaign, steward):
    return reverse("evaluations:rate", args=[campaign.pk, steward.pk])


# --- no third value -----------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["neutral", "fairly satisfied", "比较满意", ""])
def test_database_stores_no_third_value(zone, campaign, value):
    # CHECK constraint (PostgreSQL refuses an over-long value even before it: DataError).
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        RatingFactory(campaign=campaign, enterprise=zone.ent_a, steward=zone.steward_a, rated_by=zone.ent_user_a,
                      value=value, reason="x")
    assert not Rating.objects.exists()


def test_database_refuses_unsatisfied_without_reason(zone, campaign):
    with pytest.raises(IntegrityError), transaction.atomic():
        RatingFactory(campaign=campaign, enterprise=zone.ent_a, steward=zone.steward_a, rated_by=zone.ent_user_a,
                      value="unsatisfied", reason="")


def test_database_refuses_a_second_row(zone, campaign):
    RatingFactory(campaign=campaign, enterprise=zone.ent_a, steward=zone.steward_a, rated_by=zone.ent_user_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        RatingFactory(campaign=campaign, enterprise=zone.ent_a, steward=zone.steward_a, rated_by=zone.ent_user_a)


def test_form_refuses_a_third_value_with_a_message(client, zone, campaign):
    client.force_login(zone.ent_user_a)
    response = client.post(rate_url(campaign, zone.steward_a), {f"s{zone.steward_a.pk}-value": "比较满意"}, follow=True)
    assert not Rating.objects.exists()
    assert "满意" in response.content.decode() and 'alert-danger' in response.content.decode()


def test_api_refuses_a_third_value(client, zone, campaign):
    client.force_login(zone.ent_user_a)
    response = client.post("/api/ratings/", {"campaign": campaign.pk, "steward": zone.steward_a.pk,
                                              "value": "very satisfied"}, content_type="application/json")
    assert response.status_code == 400 and "value" in response.json()
    assert not Rating.objects.exists()


def test_service_refuses_a_third_value(zone, campaign):
    with pytest.raises(ValidationError):
        services.rating_create(campaign=campaign, enterprise=zone.ent_a, steward=zone.steward_a, value="ok",
                               actor=zone.ent_user_a)
    assert not Rating.objects.exists()


# --- unsatisfied needs a reason -------------------------------------------------------------------

def test_unsatisfied_without_reason_is_refused_everywhere(client, zone, campaign):
    with pytest.raises(ValidationError) as exc:
        services.rating_create(campaign=campaign, enterprise=zone.ent_a, steward=zone.steward_a,
                               value="unsatisfied", reason="   ", actor=zone.ent_user_a)
    assert "reason" in exc.value.message_dict
    client.force_login(zone.ent_user_a)
    response = client.post("/api/ratings/", {"campaign": campaign.pk, "steward": zone.steward_a.pk,
                                              "value": "unsatisfied"}, content_type="application/json")
    assert response.status_code == 400 and "reason" in response.json()
    client.post(rate_url(campaign, zone.steward_a), {f"s{zone.steward_a.pk}-value": "unsatisfied"})
    assert not Rating.objects.exists()


# --- only while open ----------------------------------------------------------------------------

def test_rating_outside_an_open_campaign_is_refused(client, zone, campaign):
    services.campaign_close(campaign=campaign, actor=zone.leader, reason="全部企业已评价")
    with pytest.raises(ValidationError) as exc:
        services.rating_create(campaign=campaign, enterprise=zone.ent_a, steward=zone.steward_a, value="satisfied",
                               actor=zone.ent_user_a)
    assert "2026" in exc.value.messages[0]
    client.force_login(zone.ent_user_a)
    response = client.post("/api/ratings/", {"campaign": campaign.pk, "steward": zone.steward_a.pk,
                                              "value": "satisfied"}, content_type="application/json")
    assert response.status_code == 400
    response = client.post(rate_url(campaign, zone.steward_a), {f"s{zone.steward_a.pk}-value": "satisfied"}, follow=True)
    assert 'alert-danger' in response.content.decode()
    assert not Rating.objects.exists()


def test_rating_after_the_closing_instant_is_refused_even_before_the_sweep(zone, campaign):
    with time_machine.travel(dt.datetime(2026, 6, 24, 0, 0, tzinfo=SHANGHAI), tick=False), \
            pytest.raises(ValidationError):
        services.rating_create(campaign=campaign, enterprise=zone.ent_a, steward=zone.steward_a, value="satisfied",
                               actor=zone.ent_user_a)
    with time_machine.travel(dt.datetime(2026, 6, 23, 23, 59, tzinfo=SHANGHAI), tick=False):
        services.rating_create(campaign=campaign, enterprise=zone.ent_a, steward=zone.steward_a, value="satisfied",
                               actor=zone.ent_user_a)


# --- a second rating is refused; a change is allowed while open ----------------------------------

def test_second_rating_is_refused_and_changing_is_allowed(client, zone, campaign):
    rating = services.rating_create(campaign=campaign, enterprise=zone.ent_a, steward=zone.steward_a,
                                    value="satisfied", actor=zone.ent_user_a)
    with pytest.raises(ValidationError) as exc:
        services.rating_create(campaign=campaign, enterprise=zone.ent_a, steward=zone.steward_a,
                               value="unsatisfied", reason="慢", actor=zone.ent_user_a)
    assert zone.steward_a.name in exc.value.messages[0]
    client.force_login(zone.ent_user_a)
    response = client.post("/api/ratings/", {"campaign": campaign.pk, "steward": zone.steward_a.pk,
                                              "value": "unsatisfied", "reason": "慢"}, content_type="application/json")
    assert response.status_code == 400
    rating.refresh_from_db()
    assert rating.value == "satisfied" and Rating.objects.count() == 1

    # Changing it (API PATCH, then the page) updates the one row and records the change.
    response = client.patch(f"/api/ratings/{rating.pk}/", {"value": "unsatisfied", "reason": "反馈不及时"},
                            content_type="application/json")
    assert response.status_code == 200 and response.json()["value"] == "unsatisfied"
    client.post(rate_url(campaign, zone.steward_a), {f"s{zone.steward_a.pk}-value": "satisfied"})
    rating.refresh_from_db()
    assert (rating.value, rating.reason, Rating.objects.count()) == ("satisfied", "", 1)
    kinds = list(Event.objects.filter(subject_id=rating.pk, kind__startswith="rating.").values_list("kind", flat=True))
    assert kinds == ["rating.given", "rating.changed", "rating.changed"]


def test_change_after_close_is_refused(client, zone, campaign):
    rating = services.rating_create(campaign=campaign, enterprise=zone.ent_a, steward=zone.steward_a,
                                    value="satisfied", actor=zone.ent_user_a)
    services.campaign_close(campaign=campaign, actor=zone.leader, reason="全部企业已评价")
    client.force_login(zone.ent_user_a)
    response = client.patch(f"/api/ratings/{rating.pk}/", {"value": "unsatisfied", "reason": "x"},
                            content_type="application/json")
    assert response.status_code == 400
    rating.refresh_from_db()
    assert rating.value == "satisfied"


# --- only the enterprise's own stewards, only by the enterprise ------------------------------------

def test_rating_a_steward_that_is_not_the_enterprises_is_refused(client, zone, campaign):
    with pytest.raises(ValidationError) as exc:
        services.rating_create(campaign=campaign, enterprise=zone.ent_a, steward=zone.steward_b, value="satisfied",
                               actor=zone.ent_user_a)
    # Refused without naming the steward: an enterprise must not learn who any id is (issue 14).
    assert zone.steward_b.name not in exc.value.messages[0]
    client.force_login(zone.ent_user_a)
    response = client.post("/api/ratings/", {"campaign": campaign.pk, "steward": zone.steward_b.pk,
                                              "value": "satisfied"}, content_type="application/json")
    assert response.status_code == 400 and "steward" in response.json()
    assert zone.steward_b.name not in response.content.decode()
    for data in ({f"s{zone.steward_b.pk}-value": "satisfied"}, {f"s{zone.steward_b.pk}-value": "so-so"}):
        response = client.post(rate_url(campaign, zone.steward_b), data, follow=True)
        page = response.content.decode()
        assert "alert-danger" in page and "不是贵企业的管家" in page and zone.steward_b.name not in page
    assert not Rating.objects.exists()


def test_only_enterprise_users_rate(client, zone, campaign):
    with pytest.raises(PermissionDenied):
        services.rating_create(campaign=campaign, enterprise=zone.ent_a, steward=zone.steward_a, value="satisfied",
                               actor=zone.ent_user_b)
    client.force_login(zone.leader)
    response = client.post("/api/ratings/", {"campaign": campaign.pk, "steward": zone.steward_a.pk,
                                              "value": "satisfied"}, content_type="application/json")
    assert response.status_code == 403
    assert not Rating.objects.exists()


def test_project_stewards_are_rated_too(zone, campaign):
    from evaluations.selectors import stewards_to_rate
    from projects.models import Project, ProjectStewardAssignment
    from tests.factories import StewardFactory

    project_steward = StewardFactory(user__workstation=zone.ws_a)
    project = Project.objects.create(name="智能化热轧项目", investor=zone.ent_a, industry=zone.ent_a.industry)
    ProjectStewardAssignment.objects.create(project=project, steward=project_steward)
    rated = stewards_to_rate(zone.ent_a, campaign)
    assert [(s.pk, role) for s, role in rated] == [(zone.steward_a.pk, "enterprise"), (project_steward.pk, "project")]
    rating = services.rating_create(campaign=campaign, enterprise=zone.ent_a, steward=project_steward,
                                    value="satisfied", actor=zone.ent_user_a)
    assert rating.steward_role == Rating.StewardRole.PROJECT


def test_open_twice_is_refused(zone, in_campaign):
    services.campaign_open(year=2026, half="H1", actor=zone.leader)
    with pytest.raises(ValidationError):
        services.campaign_open(year=2026, half="H1", actor=zone.admin)
    with pytest.raises(PermissionDenied):
        services.campaign_open(year=2026, half="H2", actor=zone.head_a)
    assert Campaign.objects.count() == 1
