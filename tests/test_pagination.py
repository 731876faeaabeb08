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


def test_api_count_is_exact_or_null_beyond_the_cap(client, zone, seven_requests, settings):
    client.force_login(zone.leader)
    settings.ZONEHUB_LIST_COUNT_CAP = 4
    body = client.get("/api/requests/?page_size=2").json()
    # Not "4": a program reading the count must not take the cap for the number of rows.
    assert body["count"] is None and body["count_capped"] is True and body["next"]
    settings.ZONEHUB_LIST_COUNT_CAP = 100
    body = client.get("/api/requests/").json()
    assert body["count"] == 7 and body["count_capped"] is False


def test_api_cursor_walks_every_row_once_in_a_stable_order(client, zone, seven_requests, settings):
    settings.ZONEHUB_LIST_COUNT_CAP = 4  # the cap does not limit a walk
    client.force_login(zone.leader)
    url, seen = "/api/requests/?cursor=&page_size=3&ordering=-title", []
    pages = 0
    while url:
        body = client.get(url).json()
        assert "count" not in body
        seen += [row["id"] for row in body["results"]]
        url, pages = body["next"], pages + 1
        if pages == 2:  # a request submitted mid-walk comes at the end, nothing is repeated
            ServiceRequestFactory(enterprise=zone.ent_a, title="新诉求")
    assert pages == 3 and len(seen) == 8 == len(set(seen)) and seen == sorted(seen)


def test_api_cursor_keeps_the_enterprise_to_itself(client, zone, seven_requests):
    ServiceRequestFactory(enterprise=zone.ent_b, title="别家的诉求")
    client.force_login(zone.ent_user_a)
    body = client.get("/api/requests/?cursor=").json()
    assert {row["title"] for row in body["results"]} == {f"诉求{i}" for i in range(7)}


def test_api_bad_cursor_is_a_clear_404_not_a_500(client, zone, seven_requests):
    client.force_login(zone.leader)
    response = client.get("/api/requests/?cursor=%%%bad")
    assert response.status_code == 404
