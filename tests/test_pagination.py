"""Lists count at most ZONEHUB_LIST_COUNT_CAP rows, so their cost does not grow with the zone;
beyond the cap the page and the API say so, and every row is still reachable up to it."""

import pytest
from django.urls import reverse

from stewards.tests.factories import ServiceRequestFactory


@pytest.fixture
def seven_requests(zone):
    return [ServiceRequestFactory(enterprise=zone.ent_a, title=f"诉求{i}") for i in range(7)]


def test_list_beyond_the_cap_says_more_than_and_pages_on(client, zone, seven_requests, settings, monkeypatch):
    from stewards.views import RequestListView

    settings.ZONEHUB_LIST_COUNT_CAP = 4
    monkeypatch.setattr(RequestListView, "paginate_by", 2)
    client.force_login(zone.leader)
    html = client.get(reverse("stewards:request_list")).content.decode()
    assert "超过 4 条" in html or "more than 4" in html
    # The pages up to the cap are there.
    assert client.get(reverse("stewards:request_list") + "?page=2").status_code == 200


def test_list_within_the_cap_gives_the_exact_count(client, zone, seven_requests, settings, monkeypatch):
    from stewards.views import RequestListView

    settings.ZONEHUB_LIST_COUNT_CAP = 100
    monkeypatch.setattr(RequestListView, "paginate_by", 2)
    client.force_login(zone.leader)
    html = client.get(reverse("stewards:request_list")).content.decode()
    assert "超过" not in html and "more than" not in html
    assert "共 7" in html or "7 in all" in html or "7 条" in html


def test_api_count_stops_at_the_cap_and_says_so(client, zone, seven_requests, settings):
    client.force_login(zone.leader)
    settings.ZONEHUB_LIST_COUNT_CAP = 4
    body = client.get("/api/requests/?page_size=2").json()
    assert body["count"] == 4 and body["count_capped"] is True and body["next"]
    settings.ZONEHUB_LIST_COUNT_CAP = 100
    body = client.get("/api/requests/").json()
    assert body["count"] == 7 and body["count_capped"] is False
