"""Guessing a password: django-axes locks a username from one address after five failures, with
real POSTs to the login pages (the public one and the admin's), and the address it counts is the
one the configured proxies vouch for."""

import base64

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from tests.factories import UserFactory
from zonehub.models import Role
from zonehub.ratelimit import client_ip

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def alice(db):
    return UserFactory(username="alice")  # a leader; password "pw"


def attempt(client, username, password, url=LOGIN, **extra):
    return client.post(url, {"username": username, "password": password}, **extra)


def locked_message(settings) -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    with translation.override("zh-hans"):
        return gettext("Too many failed logins for this username from your network: it is locked for %(minutes)s "
                       "minutes. Try again later, or ask an administrator to unlock it.") % {"minutes": minutes}


def logged_in(client) -> bool:
    return client.get(reverse("home")).status_code == 200


def test_five_wrong_passwords_lock_the_username_even_against_the_right_one(client, alice, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        response = attempt(client, "alice", "wrong")
        assert response.status_code == 200 and 'data-testid="locked-out"' not in response.content.decode()
    response = attempt(client, "alice", "wrong")
    html = response.content.decode()
    assert response.status_code == 429
    assert 'data-testid="locked-out"' in html and locked_message(settings) in html
    assert 'name="username"' in html  # the form stays, for anyone else on this device

    response = attempt(client, "alice", "pw")
    assert response.status_code == 429 and 'data-testid="locked-out"' in response.content.decode()
    assert not logged_in(client)


def test_the_lock_holds_one_username_from_one_address(client, alice):
    UserFactory(username="bob")
    for _ in range(5):
        attempt(client, "alice", "wrong")
    assert attempt(client, "bob", "pw").status_code == 302
    assert logged_in(client)
    client.logout()
    # The same username from another address is not locked either.
    assert attempt(client, "alice", "pw", REMOTE_ADDR="10.1.2.3").status_code == 302


def test_a_successful_login_clears_the_failures(client, alice):
    for _ in range(4):
        attempt(client, "alice", "wrong")
    assert attempt(client, "alice", "pw").status_code == 302
    client.logout()
    for _ in range(4):
        assert attempt(client, "alice", "wrong").status_code == 200
    assert attempt(client, "alice", "pw").status_code == 302


def test_the_admin_login_is_locked_the_same_way(client, db):
    UserFactory(username="root", role=Role.ADMIN, is_staff=True, is_superuser=True)
    admin_login = reverse("admin:login")
    for _ in range(5):
        response = attempt(client, "root", "wrong", url=admin_login)
    assert response.status_code == 429
    response = attempt(client, "root", "pw", url=admin_login)
    assert response.status_code == 429
    assert client.get(reverse("admin:index")).status_code == 302


def test_basic_auth_guesses_on_the_api_count_too(client, alice):
    def basic(password):
        token = base64.b64encode(f"alice:{password}".encode()).decode()
        return client.get("/api/requests/", HTTP_AUTHORIZATION=f"Basic {token}")

    for _ in range(5):
        assert basic("wrong").status_code == 403
    assert basic("pw").status_code == 403  # locked: the right password is refused like a wrong one
    assert attempt(client, "alice", "pw").status_code == 429


@pytest.mark.parametrize(
    "proxies,forwarded,expected",
    [
        (0, "6.6.6.6", "192.0.2.1"),  # no proxy configured: the header is the client's word, ignored
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # one proxy: the entry it appended
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.2", "203.0.113.7"),  # two: the outer proxy's view
        (2, "203.0.113.7", "192.0.2.1"),  # shorter than promised: not trusted
        (1, "not-an-ip", "192.0.2.1"),
    ],
)
def test_client_address_trusts_only_the_configured_proxies(settings, proxies, forwarded, expected):
    settings.ZONEHUB_TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_behind_a_proxy_each_client_is_locked_on_its_own(client, alice, settings):
    settings.ZONEHUB_TRUSTED_PROXIES = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for _ in range(5):
        attempt(client, "alice", "wrong", HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    assert attempt(client, "alice", "pw", HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy).status_code == 429
    assert attempt(client, "alice", "pw", HTTP_X_FORWARDED_FOR="203.0.113.8", **proxy).status_code == 302
