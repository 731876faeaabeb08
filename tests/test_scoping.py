"""Each role sees its own and nothing else, by URL and by API."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def api_names(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return {row["name"] for row in response.json()["results"]}


def test_enterprise_user_reaches_only_its_own_enterprise(zone, client):
    client.force_login(zone.ent_user_a)
    assert client.get(reverse("enterprises:detail", args=[zone.ent_a.pk])).status_code == 200
    assert client.get(reverse("enterprises:detail", args=[zone.ent_b.pk])).status_code == 404
    assert client.get(reverse("enterprise-detail", args=[zone.ent_b.pk])).status_code == 404
    assert api_names(client, reverse("enterprise-list")) == {zone.ent_a.name}
    assert client.get(reverse("enterprises:list")).status_code == 403


def test_steward_sees_only_its_enterprises(zone, client):
    client.force_login(zone.steward_a.user)
    assert api_names(client, reverse("enterprise-list")) == {zone.ent_a.name}
    assert client.get(reverse("enterprises:detail", args=[zone.ent_b.pk])).status_code == 404
    page = client.get(reverse("enterprises:list")).content.decode()
    assert zone.ent_a.name in page and zone.ent_b.name not in page


def test_workstation_head_sees_its_workstation(zone, client):
    client.force_login(zone.head_a)
    assert api_names(client, reverse("enterprise-list")) == {zone.ent_a.name}
    assert client.get(reverse("enterprises:detail", args=[zone.ent_b.pk])).status_code == 404


def test_department_user_sees_no_enterprise_records_and_only_its_own_notifications(zone, client):
    from zonehub.notifications import notify

    notify([zone.dept_user_a], kind="t", title="给A", key="k")
    notify([zone.dept_user_b], kind="t", title="给B", key="k")
    client.force_login(zone.dept_user_a)
    assert api_names(client, reverse("enterprise-list")) == set()
    assert client.get(reverse("enterprises:detail", args=[zone.ent_a.pk])).status_code == 404
    titles = [n["title"] for n in client.get(reverse("notification-list")).json()["results"]]
    assert titles == ["给A"]


def test_leader_sees_everything(zone, client):
    client.force_login(zone.leader)
    assert api_names(client, reverse("enterprise-list")) == {zone.ent_a.name, zone.ent_b.name}


def test_anonymous_users_are_sent_to_log_in(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get(reverse("enterprise-list")).status_code in (401, 403)
