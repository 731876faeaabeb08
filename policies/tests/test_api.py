"""The API: /api/policies/ (with conditions), /api/policies/{id}/matches/, /api/policy-pushes/.
Enterprises see only published policies and their own pushes; missing and not-yours are 404."""

import pytest
from rest_framework.test import APIClient

from policies import services
from policies.models import PolicyPush
from policies.tests.factories import PolicyFactory
from stewards.models import ServiceRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def published(policy_zone, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.policy_publish(policy=policy_zone.policy, actor=policy_zone.leader)
    PolicyFactory(title="草稿政策", created_by=policy_zone.leader)
    return policy_zone


def test_enterprises_read_only_published_policies_with_their_conditions(api, published,
                                                                        django_assert_max_num_queries):
    z = published
    api.force_authenticate(z.ent_user_b)
    with django_assert_max_num_queries(10):
        data = api.get("/api/policies/").json()
    assert [p["title"] for p in data["results"]] == ["高新技术企业认定奖励"]
    policy = data["results"][0]
    assert [c["code"] for c in policy["conditions"]] == ["tag", "tag", "industry", "min_revenue"]
    assert policy["tags_all"] == ["专精特新", "高新技术企业"] and policy["min_revenue"] == "5000.00"
    draft_id = PolicyFactory(created_by=z.leader).pk
    assert api.get(f"/api/policies/{draft_id}/").status_code == 404
    api.force_authenticate(z.leader)
    assert len(api.get("/api/policies/").json()["results"]) == 3


def test_matches_are_scoped_like_the_enterprises(api, published):
    z = published
    url = f"/api/policies/{z.policy.pk}/matches/"
    api.force_authenticate(z.leader)
    assert [m["name"] for m in api.get(url).json()["results"]] == [z.ent_a.name]
    near = api.get(url + "?near=true").json()["results"]
    assert [m["name"] for m in near] == [z.ent_b.name]
    assert near[0]["missing"] and [c["met"] for c in near[0]["checks"]].count(False) == 1
    api.force_authenticate(z.steward_b.user)
    assert api.get(url).json()["results"] == []
    assert [m["name"] for m in api.get(url + "?near=1").json()["results"]] == [z.ent_b.name]
    api.force_authenticate(z.ent_user_b)
    assert api.get(url).json()["results"] == []  # an enterprise sees itself only, and it does not qualify


def test_pushes_an_enterprise_sees_only_its_own(api, published, django_assert_max_num_queries):
    z = published
    mine = PolicyPush.objects.get(enterprise=z.ent_a)
    api.force_authenticate(z.ent_user_b)
    with django_assert_max_num_queries(8):
        assert api.get("/api/policy-pushes/").json()["results"] == []
    assert api.get(f"/api/policy-pushes/{mine.pk}/").status_code == 404
    assert api.post(f"/api/policy-pushes/{mine.pk}/apply/", {}).status_code == 404
    api.force_authenticate(z.ent_user_a)
    data = api.get("/api/policy-pushes/").json()["results"]
    assert [p["id"] for p in data] == [mine.pk] and data[0]["reasons"]
    api.force_authenticate(z.steward_b.user)
    assert api.get("/api/policy-pushes/").json()["results"] == []
    api.force_authenticate(z.steward_a.user)
    assert [p["id"] for p in api.get("/api/policy-pushes/").json()["results"]] == [mine.pk]


def test_apply_decline_and_outcome_through_the_api(api, published):
    z = published
    push = PolicyPush.objects.get(enterprise=z.ent_a)
    api.force_authenticate(z.ent_user_a)
    response = api.post(f"/api/policy-pushes/{push.pk}/decline/", {"reason": ""}, format="json")
    assert response.status_code == 400
    response = api.post(f"/api/policy-pushes/{push.pk}/apply/", {"note": "请管家协助"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "applied"
    assert ServiceRequest.objects.get().category == "policy"
    response = api.post(f"/api/policy-pushes/{push.pk}/outcome/", {"outcome": "redeemed", "amount": "120000",
                                                                   "approved_on": "2026-11-23"}, format="json")
    assert response.status_code == 403  # the enterprise does not record its own money
    api.force_authenticate(z.handler_user)
    response = api.post(f"/api/policy-pushes/{push.pk}/outcome/", {"outcome": "redeemed", "amount": "120000",
                                                                   "approved_on": "2026-11-23"}, format="json")
    assert response.status_code == 200 and response.json()["approved_amount"] == "120000.00"
