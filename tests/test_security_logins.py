"""What users are told of their logins, and the caps on guessing through the API and on reset
e-mails (issue 14, items 8 and 14)."""

import base64
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
T0 = dt.datetime(2026, 11, 16, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    yield
    cache.clear()


def attempt(client, username, password, address="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def basic(username, password) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


# --- The last login and the failures since -------------------------------------------------


def test_the_home_page_tells_of_the_last_login_and_the_failed_ones_since(client):
    alice = UserFactory(username="alice")
    with time_machine.travel(T0, tick=False) as clock:
        assert attempt(client, "alice", "pw", "10.0.0.1").status_code == 302
        html = client.get(reverse("home")).content.decode()
        assert 'data-testid="last-login"' in html and "这是您账号的首次登录记录。" in html
        assert 'data-testid="failed-logins"' not in html
        client.logout()

        clock.shift(dt.timedelta(days=1, hours=2))  # 11-17 10:30
        assert attempt(client, "alice", "guess-1", "203.0.113.9").status_code == 200
        clock.shift(dt.timedelta(minutes=5))
        assert attempt(client, "alice", "guess-2", "203.0.113.9").status_code == 200
        # Other accounts' failures are not alice's business.
        attempt(client, "bob", "guess", "203.0.113.9")

        clock.shift(dt.timedelta(hours=1))
        assert attempt(client, "alice", "pw", "10.0.0.2").status_code == 302
        html = client.get(reverse("home")).content.decode()
        assert "您上次登录：2026年11月16日 08:30，来自 10.0.0.1。" in html
        assert "此后您的账号有 2 次登录失败（最近一次：2026年11月17日 10:35，来自 203.0.113.9）。" in html
        assert "如非本人操作，请立即修改密码。" in html and reverse("password_change") in html
        # Said once per login: the same session's next pages say the same, nothing new.
        assert "此后您的账号有 2 次登录失败" in client.get(reverse("home")).content.decode()
        client.logout()

        clock.shift(dt.timedelta(hours=2))
        assert attempt(client, "alice", "pw", "10.0.0.3").status_code == 302
        html = client.get(reverse("home")).content.decode()
        assert "您上次登录：2026年11月17日 11:35，来自 10.0.0.2。" in html and "登录失败" not in html
    assert alice.pk


# --- API Basic auth: guessing from one address -------------------------------------------------


def test_api_basic_auth_failures_are_capped_per_address_across_usernames(client, settings):
    settings.ZONEHUB_RATELIMIT_API_AUTH = "5/m"
    UserFactory(username="carol")
    for i in range(5):  # a spray: one password tried on many usernames
        response = client.get("/api/enterprises/", headers=basic(f"user-{i}", "Password1!"), REMOTE_ADDR="198.51.100.7")
        assert response.status_code in (401, 403), i
    refused = client.get("/api/enterprises/", headers=basic("carol", "pw"), REMOTE_ADDR="198.51.100.7")
    assert refused.status_code == 429 and "Retry-After" in refused
    assert refused.json()["detail"].startswith("您所在网络的登录失败次数过多，请稍后再试。")
    # Another address is not concerned; nor are successful logins counted.
    for _ in range(8):
        assert client.get("/api/enterprises/", headers=basic("carol", "pw"), REMOTE_ADDR="198.51.100.8").status_code == 200
    # The window passes.
    with time_machine.travel(dt.datetime.now(tz=ZoneInfo("UTC")) + dt.timedelta(minutes=2)):
        assert client.get("/api/enterprises/", headers=basic("carol", "pw"), REMOTE_ADDR="198.51.100.7").status_code == 200


def test_the_api_without_basic_auth_is_not_counted(client, settings):
    settings.ZONEHUB_RATELIMIT_API_AUTH = "2/m"
    for _ in range(4):
        assert client.get("/api/enterprises/").status_code in (401, 403)
    client.force_login(UserFactory())
    assert client.get("/api/enterprises/").status_code == 200


# --- Password reset e-mails ------------------------------------------------------------------


def reset(client, email, address):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def test_password_reset_emails_are_capped_per_account_and_per_address(client, settings):
    settings.ZONEHUB_RATELIMIT_PASSWORD_RESET = "3/h"
    UserFactory(username="dora", email="dora@zone.test")
    UserFactory(username="eve", email="eve@zone.test")
    # One account, asked from many addresses.
    for i in range(3):
        assert reset(client, "dora@zone.test", f"10.1.0.{i}").status_code == 302
    response = reset(client, "DORA@zone.test ", "10.1.0.9")
    assert response.status_code == 429 and 'data-testid="rate-limited"' in response.content.decode()
    assert len(mail.outbox) == 3

    # One address, asking for many accounts (existing or not: the page answers the same).
    for email in ("eve@zone.test", "nobody@zone.test", "other@zone.test"):
        assert reset(client, email, "10.2.0.1").status_code == 302
    assert reset(client, "eve2@zone.test", "10.2.0.1").status_code == 429
    assert len(mail.outbox) == 4

    assert client.get(reverse("password_reset"), REMOTE_ADDR="10.2.0.1").status_code == 200  # reading is free
