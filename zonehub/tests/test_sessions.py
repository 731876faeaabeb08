"""Sessions end (issue 14, item 2): after 30 minutes without a request and 12 hours after the login
(72 for enterprise users), with the reason shown on the login page; the API with Basic auth has no
session and is not concerned."""

import base64
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from tests.factories import UserFactory
from zonehub.models import Role

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 18, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def limits(settings):
    cache.clear()
    settings.ZONEHUB_SESSION_IDLE_MINUTES = 30
    settings.ZONEHUB_SESSION_MAX_HOURS = 12
    settings.ZONEHUB_ENTERPRISE_SESSION_MAX_HOURS = 72


def log_in(client, user):
    response = client.post(LOGIN, {"username": user.username, "password": "pw"})
    assert response.status_code == 302, response.content.decode()[:500]


def home(client):
    return client.get(reverse("home"), follow=True)


def is_logged_in(response) -> bool:
    return response.redirect_chain == [] and response.status_code == 200


def test_the_login_page_says_when_a_session_ends(client):
    html = client.get(LOGIN).content.decode()
    assert 'data-testid="session-rules"' in html
    assert "30 分钟未操作将自动退出登录" in html and "每次登录最长 12 小时（企业用户 72 小时）" in html


def test_thirty_idle_minutes_log_out_and_the_login_page_says_why(client, zone):
    with time_machine.travel(NOW, tick=False) as clock:
        log_in(client, zone.leader)
        assert is_logged_in(home(client))
        clock.shift(dt.timedelta(minutes=29))
        assert is_logged_in(home(client))  # activity restarts the idle clock
        clock.shift(dt.timedelta(minutes=29))
        assert is_logged_in(home(client))
        clock.shift(dt.timedelta(minutes=31))
        response = home(client)
        assert response.redirect_chain and response.redirect_chain[-1][0].startswith(LOGIN)
        assert "您已 30 分钟未操作，为保护账号安全已自动退出，请重新登录。" in response.content.decode()
        # Logged out for good: the next page asks for a login too.
        assert not is_logged_in(home(client))


def test_a_busy_session_still_ends_twelve_hours_after_the_login(client, zone):
    with time_machine.travel(NOW, tick=False) as clock:
        log_in(client, zone.head_a)
        for _ in range(35):  # a request every 20 minutes: 11 h 40
            clock.shift(dt.timedelta(minutes=20))
            assert is_logged_in(home(client))
        clock.shift(dt.timedelta(minutes=25))  # 12 h 05
        response = home(client)
        assert not is_logged_in(response)
        assert "您本次登录已满 12 小时，为保护账号安全已自动退出，请重新登录。" in response.content.decode()


def test_an_enterprise_user_keeps_a_longer_login_but_the_same_idle_rule(client, zone):
    with time_machine.travel(NOW, tick=False) as clock:
        log_in(client, zone.ent_user_a)
        for _ in range(13 * 3):  # 13 hours of use
            clock.shift(dt.timedelta(minutes=20))
            assert is_logged_in(home(client))
        clock.shift(dt.timedelta(minutes=31))
        assert not is_logged_in(home(client))

    other = UserFactory(role=Role.ENTERPRISE, enterprise=zone.ent_b)
    with time_machine.travel(NOW, tick=False) as clock:
        log_in(client, other)
        for _ in range(72 * 2 - 1):  # 71 h 30 of use
            clock.shift(dt.timedelta(minutes=30))
            assert is_logged_in(home(client))
        clock.shift(dt.timedelta(minutes=31))
        assert not is_logged_in(home(client))


def test_htmx_is_sent_to_the_login_page_instead_of_swapping_it_in(client, zone):
    with time_machine.travel(NOW, tick=False) as clock:
        log_in(client, zone.leader)
        clock.shift(dt.timedelta(minutes=45))
        response = client.get(reverse("notifications"), headers={"HX-Request": "true"})
        assert response.status_code == 204 and response["HX-Redirect"] == LOGIN


def test_the_api_with_a_session_is_logged_out_too_but_basic_auth_is_unaffected(client, zone):
    with time_machine.travel(NOW, tick=False) as clock:
        log_in(client, zone.leader)
        assert client.get("/api/enterprises/").status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        assert client.get("/api/enterprises/").status_code in (401, 403)

        basic = "Basic " + base64.b64encode(f"{zone.leader.username}:pw".encode()).decode()
        assert client.get("/api/enterprises/", headers={"Authorization": basic}).status_code == 200
        clock.shift(dt.timedelta(hours=80))
        assert client.get("/api/enterprises/", headers={"Authorization": basic}).status_code == 200


def test_a_limit_of_zero_is_off(client, zone, settings):
    settings.ZONEHUB_SESSION_IDLE_MINUTES = 0
    settings.ZONEHUB_SESSION_MAX_HOURS = 0
    with time_machine.travel(NOW, tick=False) as clock:
        log_in(client, zone.leader)
        clock.shift(dt.timedelta(hours=20))
        assert is_logged_in(home(client))


def test_the_session_cookie_ends_with_the_browser(client, zone, settings):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    response = client.post(LOGIN, {"username": zone.leader.username, "password": "pw"})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["expires"] and not cookie["max-age"]
