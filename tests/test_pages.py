import pytest
from django.db import transaction
from django.urls import reverse

from portal import demo

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_zone(django_db_setup, django_db_blocker):
    """The demo zone, built once for the module (a year replayed takes half a minute) inside a
    transaction rolled back at the end; each test still runs in its own savepoint."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo.build()
        transaction.set_rollback(True)


@pytest.mark.parametrize("username", [u for u, _ in demo.LOGIN_HELP])
def test_every_demo_login_gets_a_working_home_page(demo_zone, client, username):
    assert client.post(reverse("login"), {"username": username, "password": demo.DEMO_PASSWORD}).status_code == 302
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response.content.decode().count("<nav") >= 1


def test_demo_is_idempotent_and_believable(demo_zone):
    from enterprises.models import Enterprise
    from stewards.models import Steward
    from zonehub.models import Department, User, Workstation

    counts = (Enterprise.objects.count(), Steward.objects.filter(user__role="steward").count(), User.objects.count())
    demo.build()
    assert (Enterprise.objects.count(), Steward.objects.filter(user__role="steward").count(), User.objects.count()) == counts
    assert counts[0] == 150 and counts[1] == 40
    assert Workstation.objects.count() == 6 and Department.objects.count() == 12


def test_admin_home_shows_calendar_status_and_uncovered_enterprises(demo_zone, client):
    client.post(reverse("login"), {"username": "admin", "password": demo.DEMO_PASSWORD})
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="calendar-status"' in page
    # The banner asks for the years without a published schedule (the current one, and the next
    # from 1 November): the demo is built on today's date, so the page follows today's answer.
    from django.utils import timezone

    from zonehub.services import calendar_years_needing_notice
    from zonehub.workdays import local_date

    needing = calendar_years_needing_notice(today=local_date(timezone.now()))
    assert ('data-testid="calendar-banner"' in page) == bool(needing)
    assert 'data-testid="coverage"' in page


def test_enterprise_home_shows_its_steward_and_phone(demo_zone, client):
    from stewards.selectors import steward_for_enterprise
    from zonehub.models import User

    user = User.objects.get(username="enterprise")
    steward = steward_for_enterprise(user.enterprise)
    client.force_login(user)
    page = client.get(reverse("home")).content.decode()
    assert steward.name in page and steward.phone in page


def test_interface_is_chinese_by_default_and_english_on_request(demo_zone, client):
    client.post(reverse("login"), {"username": "leader", "password": demo.DEMO_PASSWORD})
    assert "退出" in client.get(reverse("home")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Log out" in client.get(reverse("home")).content.decode()


def test_pages_load_nothing_from_the_internet(demo_zone, client):
    client.post(reverse("login"), {"username": "admin", "password": demo.DEMO_PASSWORD})
    page = client.get(reverse("home")).content.decode()
    assert "http://" not in page.replace("http://testserver", "") and "https://" not in page


def test_healthz_reports_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_reports_a_failing_broker_with_503(client, db, monkeypatch):
    from zonehub.celery import app

    def broken(*args, **kwargs):
        raise ConnectionError("down")

    monkeypatch.setattr(app, "connection_for_write", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "broker": "error"}


def test_openapi_schema_is_served(client, zone):
    client.force_login(zone.leader)
    response = client.get(reverse("schema"))
    assert response.status_code == 200
    assert b"/api/enterprises/" in response.content
    assert client.get(reverse("api_docs")).status_code == 200


def test_production_settings_refuse_the_default_secret_key():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import zonehub.settings.production"],
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": "sqlite:///x"}, capture_output=True, text=True,
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_openapi_schema_builds_without_warnings(tmp_path):
    from django.core.management import call_command

    # --fail-on-warn turns every drf-spectacular warning or error (a view left out of the schema,
    # colliding enum names) into a failure.
    call_command("spectacular", "--file", str(tmp_path / "schema.yaml"), "--validate", "--fail-on-warn")
    assert (tmp_path / "schema.yaml").read_text().count("/api/") > 20


def test_the_demo_head_has_an_enterprise_to_assign(demo_zone, client):
    client.post(reverse("login"), {"username": "head", "password": demo.DEMO_PASSWORD})
    page = client.get(reverse("enterprises:uncovered")).content.decode()
    assert reverse("assignments:assign", args=[demo_zone["enterprises"][144].pk]) in page
