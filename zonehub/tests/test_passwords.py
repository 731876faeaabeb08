"""Passwords (issue 14, item 3): at least 8 characters from 3 of the 4 classes, none of the last 5
again; a password someone else set is changed at the first login, and every password after 180
days; the demo's logins keep working with the demo password."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from zonehub.demo import DEMO_PASSWORD, demo_user
from zonehub.events import CoreEvent
from zonehub.models import Event, PasswordSetBy, Role

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
CHANGE = "/accounts/password_change/"
TOO_SIMPLE = "密码须至少包含小写字母、大写字母、数字和其他字符（如 ! @ # 或空格）中的 3 类。"
SET_BY_OTHER = "您的密码由他人（管理员）设置，请先修改为只有您本人知道的密码再继续使用。"


def log_in(client, username, password="pw"):
    response = client.post(LOGIN, {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:300]


def change(client, old, new):
    return client.post(CHANGE, {"old_password": old, "new_password1": new, "new_password2": new})


def errors(response) -> str:
    return " ".join(str(e) for e in response.context["form"].errors.get("new_password2", []))


def test_a_password_needs_three_kinds_of_characters_and_eight_of_them(client):
    user = UserFactory()
    log_in(client, user.username)
    assert reverse("password_change") == CHANGE
    for weak in ("kdjfhgqpwo", DEMO_PASSWORD, "KDJFHGQPWO", "19283746501"):
        response = change(client, "pw", weak)
        assert response.status_code == 200 and TOO_SIMPLE in response.content.decode(), weak
    response = change(client, "pw", "Ab1-xyz")
    assert "密码长度太短。密码必须包含至少 8 个字符。" in errors(response)

    response = change(client, "pw", "Kdjf-hgq2026")
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert "密码已修改。" in client.get(reverse("home")).content.decode()  # still logged in
    client.logout()
    log_in(client, user.username, "Kdjf-hgq2026")
    user.refresh_from_db()
    assert user.password_set_by == PasswordSetBy.USER
    assert Event.objects.filter(kind=CoreEvent.USER_PASSWORD_CHANGED, actor=user, subject_id=user.pk).count() == 1


def test_none_of_the_last_five_passwords_can_be_chosen_again(client):
    user = UserFactory()
    log_in(client, user.username)
    passwords = ["pw"] + [f"Zone-hub{i}x" for i in range(1, 7)]
    for old, new in zip(passwords[:5], passwords[1:6], strict=True):
        assert change(client, old, new).status_code == 302
    # Now on Zone-hub5x; 1 to 5 are the last five.
    for earlier in passwords[1:6]:
        response = change(client, "Zone-hub5x", earlier)
        assert "新密码不能与最近 5 次使用过的密码相同。" in errors(response), earlier
    assert change(client, "Zone-hub5x", "Zone-hub6x").status_code == 302
    assert change(client, "Zone-hub6x", "Zone-hub1x").status_code == 302  # six back: allowed again


def test_a_password_set_by_the_security_administrator_is_changed_at_first_login(client, zone):
    user = UserFactory(role=Role.LEADER)
    security = UserFactory(role=Role.SECURITY_ADMIN, is_staff=True)
    client.force_login(security)
    response = client.post(reverse("admin:auth_user_password_change", args=[user.pk]), {
        "usable_password": "true", "password1": "Given-by-2026", "password2": "Given-by-2026",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()

    log_in(client, user.username, "Given-by-2026")
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == CHANGE
    for path in ("/requests/", "/notifications/", reverse("admin:index")):
        assert client.get(path)["Location"] == CHANGE, path
    api = client.get("/api/enterprises/")
    assert api.status_code == 403 and api.json()["detail"] == SET_BY_OTHER
    htmx = client.get("/notifications/", headers={"HX-Request": "true"})
    assert htmx.status_code == 204 and htmx["HX-Redirect"] == CHANGE
    html = client.get(CHANGE).content.decode()
    assert 'data-testid="password-change-required"' in html and SET_BY_OTHER in html

    # The same password is not "changed".
    assert "新密码不能与最近 5 次使用过的密码相同。" in errors(change(client, "Given-by-2026", "Given-by-2026"))
    assert change(client, "Given-by-2026", "Mine-alone-77").status_code == 302
    assert client.get(reverse("home")).status_code == 200
    assert client.get("/api/enterprises/").status_code == 200


def test_a_password_typed_for_someone_else_anywhere_is_theirs_to_change(db):
    """The admin's user forms and ``manage.py changepassword`` go through set_password(), which
    marks the password as set by someone else unless the user chose it."""
    user = UserFactory()
    assert user.password_set_by == PasswordSetBy.USER
    user.set_password("Given-by-2026")
    user.save()
    user.refresh_from_db()
    assert user.password_set_by == PasswordSetBy.OTHER
    user.set_password("Mine-alone-77", by_self=True)
    user.save(update_fields=["password"])
    user.refresh_from_db()
    assert user.password_set_by == PasswordSetBy.USER and user.check_password("Mine-alone-77")


def test_a_new_hasher_rehashing_at_login_is_not_a_new_password(client, settings):
    user = UserFactory()  # hashed with MD5, the test settings' hasher
    stamp = user.password_changed_at
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.ScryptPasswordHasher",
                                 "django.contrib.auth.hashers.MD5PasswordHasher"]
    log_in(client, user.username)
    user.refresh_from_db()
    assert user.password.startswith("scrypt$")  # rehashed on login
    assert user.password_set_by == PasswordSetBy.USER and user.password_changed_at == stamp
    assert client.get(reverse("home")).status_code == 200


def test_a_password_older_than_180_days_is_changed_before_anything_else(client, settings):
    settings.ZONEHUB_PASSWORD_MAX_AGE_DAYS = 180
    fresh = UserFactory(password_changed_at=timezone.now() - dt.timedelta(days=179))
    old = UserFactory(password_changed_at=timezone.now() - dt.timedelta(days=181))
    log_in(client, fresh.username)
    assert client.get(reverse("home")).status_code == 200
    client.logout()
    log_in(client, old.username)
    assert client.get(reverse("home"))["Location"] == CHANGE
    assert "您的密码已使用超过 180 天，请先修改密码再继续使用。" in client.get(CHANGE).content.decode()
    assert change(client, "pw", "Renewed-2026").status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_logging_out_and_switching_language_stay_open_while_a_change_is_asked(client):
    user = UserFactory()
    user.set_password("Given-by-2026")
    user.save()
    log_in(client, user.username, "Given-by-2026")
    assert client.post(reverse("set_language"), {"language": "en", "next": CHANGE})["Location"] == CHANGE
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home"))["Location"].startswith(LOGIN)


def test_the_demo_logins_keep_the_demo_password_and_are_never_asked_to_change_it(client, settings):
    settings.ZONEHUB_PASSWORD_MAX_AGE_DAYS = 180
    user = demo_user("demo-leader", name="李主任", role=Role.LEADER)
    assert user.password_set_by == PasswordSetBy.DEMO
    with time_machine.travel(timezone.now() + dt.timedelta(days=400)):
        log_in(client, "demo-leader", DEMO_PASSWORD)
        assert client.get(reverse("home")).status_code == 200
