"""Flooding: the login form (per address), the enterprise's request form and the API's submit
(per user) answer 429 past their limit, save nothing, and can be switched off for benchmarks."""

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from rest_framework.test import APIClient

from stewards.models import ServiceRequest
from tests.factories import UserFactory
from zonehub.models import Role

pytestmark = pytest.mark.django_db

FORM = {"category": "factors", "title": "用电增容", "description": "新产线需要增容。", "urgency": "normal"}


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    yield
    cache.clear()


def rate_limited_message() -> str:
    with translation.override("zh-hans"):
        return gettext("You sent this form too many times in a short while, so this one was not accepted and nothing "
                       "was saved. Please wait a minute and try again.")


@override_settings(ZONEHUB_RATELIMIT_LOGIN="3/m")
def test_the_login_form_is_limited_per_address(client, db):
    # Different usernames each time: this is the flood limit, not the per-username lockout.
    for n in range(3):
        assert client.post("/accounts/login/", {"username": f"nobody{n}", "password": "x"}).status_code == 200
    response = client.post("/accounts/login/", {"username": "nobody9", "password": "x"})
    assert response.status_code == 429
    assert rate_limited_message() in response.content.decode()
    UserFactory(username="carol")
    assert client.post("/accounts/login/", {"username": "carol", "password": "pw"}).status_code == 429
    # Reading the page is never limited, and another address has its own budget.
    assert client.get("/accounts/login/").status_code == 200
    assert client.post("/accounts/login/", {"username": "carol", "password": "pw"},
                       REMOTE_ADDR="10.9.9.9").status_code == 302


@override_settings(ZONEHUB_RATELIMIT_SUBMIT="2/m")
def test_the_request_form_answers_429_and_saves_nothing_past_the_limit(client, zone):
    client.force_login(zone.ent_user_a)
    for n in range(2):
        assert client.post(reverse("stewards:request_create"), {**FORM, "title": f"第{n}件"}).status_code == 302
    response = client.post(reverse("stewards:request_create"), {**FORM, "title": "第三件"})
    assert response.status_code == 429 and response["Retry-After"]
    html = response.content.decode()
    assert 'data-testid="rate-limited"' in html and rate_limited_message() in html
    assert not ServiceRequest.objects.filter(title="第三件").exists()
    assert ServiceRequest.objects.count() == 2
    # The limit is the user's: another enterprise user submits as usual.
    client.force_login(zone.ent_user_b)
    assert client.post(reverse("stewards:request_create"), {**FORM, "title": "乙方"}).status_code == 302


@override_settings(ZONEHUB_RATELIMIT_SUBMIT="2/m")
def test_the_api_submit_answers_429_and_saves_nothing_past_the_limit(zone):
    api = APIClient()
    api.force_authenticate(zone.ent_user_a)
    for n in range(2):
        assert api.post("/api/requests/", {**FORM, "title": f"第{n}件"}, format="json").status_code == 201
    response = api.post("/api/requests/", {**FORM, "title": "第三件"}, format="json")
    assert response.status_code == 429, response.content
    assert "Retry-After" in response
    assert ServiceRequest.objects.count() == 2
    # Reading and following up are not counted.
    assert api.get("/api/requests/").status_code == 200
    pk = ServiceRequest.objects.first().pk
    assert api.post(f"/api/requests/{pk}/comments/", {"body": "补充"}, format="json").status_code == 201


@override_settings(ZONEHUB_RATELIMIT_SUBMIT="1/m", ZONEHUB_RATELIMIT_LOGIN="1/m", RATELIMIT_ENABLE=False)
def test_the_switch_turns_every_limit_off(client, zone):
    UserFactory(username="dave", role=Role.LEADER)
    for _ in range(3):
        assert client.post("/accounts/login/", {"username": "dave", "password": "pw"}).status_code == 302
    client.force_login(zone.ent_user_a)
    for n in range(3):
        assert client.post(reverse("stewards:request_create"), {**FORM, "title": f"第{n}件"}).status_code == 302
    api = APIClient()
    api.force_authenticate(zone.ent_user_a)
    for n in range(3):
        assert api.post("/api/requests/", {**FORM, "title": f"API{n}"}, format="json").status_code == 201
