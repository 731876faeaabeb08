"""Enterprise users log in with their mobile number and a 6-digit SMS code (through the SMS channel,
against the fake Tencent Cloud server): five minutes, once, stored hashed, limited per number and
per address, locked out like a password; staff keep passwords only; the page speaks Chinese."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from zonehub.models import Event, LoginCode, Role
from zonehub.tests.fake_providers import HANG

pytestmark = pytest.mark.django_db

PAGE = "/accounts/login/phone/"
PHONE = "13912345678"


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def ent_user(zone):
    user = zone.ent_user_a
    user.phone = "139 1234 5678"  # as it was typed into the record
    user.save(update_fields=["phone"])
    return user


def ask(client, phone=PHONE, capture=None, **extra):
    if capture is None:
        return client.post(PAGE, {"phone": phone, "action": "send"}, **extra)
    with capture(execute=True):
        return client.post(PAGE, {"phone": phone, "action": "send"}, **extra)


def log_in(client, code, phone=PHONE, **extra):
    return client.post(PAGE, {"phone": phone, "code": code, "action": "login"}, **extra)


def last_code(sms) -> str:
    phone, template, (code, minutes) = sms.sent[-1]
    assert template == "2002" and minutes == "5"
    return code


def logged_in_as(client):
    response = client.get(reverse("home"))
    return response.wsgi_request.user if response.status_code == 200 else None


def test_an_enterprise_user_logs_in_with_the_code_sent_to_their_mobile(client, ent_user, sms,
                                                                       django_capture_on_commit_callbacks):
    page = client.get(reverse("login")).content.decode()
    assert "手机验证码登录" in page and PAGE in page  # the login page's second tab
    response = ask(client, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 200 and 'data-testid="code-sent"' in response.content.decode()
    assert "5分钟" in response.content.decode() and PHONE in response.content.decode()  # the number stays
    (phone, _template, params) = sms.sent[0]
    code = params[0]
    assert phone == "+8613912345678" and len(code) == 6 and code.isdigit()
    response = log_in(client, code)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert logged_in_as(client) == ent_user
    # Stored as a keyed hash only, used once; the request is in the user's history.
    row = LoginCode.objects.get()
    assert code not in row.code_hash and len(row.code_hash) == 64 and row.used_at is not None
    assert Event.objects.filter(kind="login.code_sent", subject_id=ent_user.pk).exists()


def test_a_code_works_once(client, ent_user, sms, django_capture_on_commit_callbacks):
    ask(client, capture=django_capture_on_commit_callbacks)
    code = last_code(sms)
    assert log_in(client, code).status_code == 302
    client.logout()
    response = log_in(client, code)
    assert response.status_code == 200 and "验证码不正确或已失效" in response.content.decode()
    assert logged_in_as(client) is None


def test_a_code_expires_after_five_minutes(client, ent_user, sms, django_capture_on_commit_callbacks):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        ask(client, capture=django_capture_on_commit_callbacks)
        code = last_code(sms)
        clock.shift(dt.timedelta(minutes=5, seconds=1))
        response = log_in(client, code)
    assert "验证码不正确或已失效" in response.content.decode() and logged_in_as(client) is None


def test_a_new_code_replaces_the_number_s_earlier_one(client, ent_user, sms, django_capture_on_commit_callbacks, settings):
    settings.ZONEHUB_LOGIN_CODE_INTERVAL_SECONDS = 0
    ask(client, capture=django_capture_on_commit_callbacks)
    first = last_code(sms)
    ask(client, capture=django_capture_on_commit_callbacks)
    second = last_code(sms)
    if first != second:
        assert log_in(client, first).status_code == 200
    assert log_in(client, second).status_code == 302


def test_a_code_is_given_up_after_five_wrong_guesses(client, ent_user, sms, django_capture_on_commit_callbacks, settings):
    settings.AXES_FAILURE_LIMIT = 100  # the code's own limit, not the lockout, is tested here
    ask(client, capture=django_capture_on_commit_callbacks)
    code = last_code(sms)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        assert log_in(client, wrong).status_code == 200
    response = log_in(client, code)
    assert "验证码不正确或已失效" in response.content.decode() and logged_in_as(client) is None


def test_wrong_codes_lock_the_account_like_wrong_passwords(client, ent_user, sms, django_capture_on_commit_callbacks):
    ask(client, capture=django_capture_on_commit_callbacks)
    code = last_code(sms)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(2):
        client.post(reverse("login"), {"username": ent_user.username, "password": "wrong"})
    for _ in range(3):
        log_in(client, wrong)  # five failures on the account, password and code together
    response = log_in(client, code)
    assert response.status_code == 429 and 'data-testid="locked-out"' in response.content.decode()
    assert logged_in_as(client) is None
    # Its password is locked too, from this address.
    assert client.post(reverse("login"), {"username": ent_user.username, "password": "pw"}).status_code == 429


def test_one_code_a_minute_per_number(client, ent_user, sms, django_capture_on_commit_callbacks):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        ask(client, capture=django_capture_on_commit_callbacks)
        again = ask(client, capture=django_capture_on_commit_callbacks).content.decode()
        assert "60秒" in again and len(sms.sent) == 1
        assert PHONE in again  # what was typed stays
        clock.shift(61)
        ask(client, capture=django_capture_on_commit_callbacks)
    assert len(sms.sent) == 2


def test_asking_is_limited_per_number_and_per_address(client, ent_user, sms, settings,
                                                      django_capture_on_commit_callbacks):
    settings.ZONEHUB_LOGIN_CODE_INTERVAL_SECONDS = 0
    settings.ZONEHUB_RATELIMIT_LOGIN_CODE_PHONE = "3/h"
    settings.ZONEHUB_RATELIMIT_LOGIN_CODE_IP = "6/h"
    with time_machine.travel(timezone.now(), tick=False):
        for _ in range(3):
            ask(client, capture=django_capture_on_commit_callbacks)
        refused = ask(client, capture=django_capture_on_commit_callbacks).content.decode()
        assert "该手机号获取验证码过于频繁" in refused and len(sms.sent) == 3
        # Other numbers from the same address: its budget of six asks is spent after two more.
        for phone in ("13700000001", "13700000002"):
            assert "过于频繁" not in ask(client, phone=phone).content.decode()
        assert "您的网络获取验证码过于频繁" in ask(client, phone="13700000003").content.decode()
        # Another address may still ask.
        assert "过于频繁" not in ask(client, phone="13700000004", REMOTE_ADDR="10.9.8.7").content.decode()


def test_a_staff_number_gets_no_code_and_no_login(client, zone, sms, django_capture_on_commit_callbacks):
    steward = zone.steward_a.user
    steward.phone = "13811112222"
    steward.save(update_fields=["phone"])
    response = ask(client, phone="13811112222", capture=django_capture_on_commit_callbacks)
    # The page answers as for any number, and sends nothing.
    assert 'data-testid="code-sent"' in response.content.decode()
    assert not sms.sent and not LoginCode.objects.exists()
    assert "验证码不正确或已失效" in log_in(client, "123456", phone="13811112222").content.decode()
    assert logged_in_as(client) is None
    # The same for a number nobody has, and for one two enterprise users share.
    ask(client, phone="13600000000", capture=django_capture_on_commit_callbacks)
    UserFactory(role=Role.ENTERPRISE, enterprise=zone.ent_a, phone="13500000000")
    UserFactory(role=Role.ENTERPRISE, enterprise=zone.ent_b, phone="13500000000")
    ask(client, phone="13500000000", capture=django_capture_on_commit_callbacks)
    assert not sms.sent


def test_bad_input_is_told_in_chinese_and_kept(client, ent_user, sms):
    response = ask(client, phone="12345")
    assert "请输入11位中国大陆手机号码" in response.content.decode() and 'value="12345"' in response.content.decode()
    response = log_in(client, "12ab", phone=PHONE)
    assert "请输入短信中的6位验证码" in response.content.decode()
    assert not sms.calls


def test_a_code_the_provider_refuses_is_logged_not_shown(client, ent_user, sms, django_capture_on_commit_callbacks,
                                                         short_timeout):
    sms.answer_next(HANG)
    response = ask(client, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 200 and 'data-testid="code-sent"' in response.content.decode()
    assert LoginCode.objects.get().sent_at is not None and not sms.sent


def test_without_sms_there_is_no_code_login(client, ent_user, settings):
    settings.ZONEHUB_SMS_BACKEND = ""
    settings.ZONEHUB_SMS_SECRET_ID = ""
    assert "手机验证码登录" not in client.get(reverse("login")).content.decode()
    page = client.get(PAGE).content.decode()
    assert 'data-testid="phone-login-off"' in page
    assert 'data-testid="code-sent"' not in ask(client).content.decode()
    assert not LoginCode.objects.exists()
