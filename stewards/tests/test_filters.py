"""One FilterSet per list serves its page and its API: the same parameters give the same rows,
the page shows only its own fields, and the API keeps every parameter it had."""

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from stewards.filters import LedgerItemFilterSet, ServiceRequestFilterSet
from stewards.models import ServiceRequest
from stewards.tests.factories import EscalationFactory, ServiceRequestFactory
from zonehub.filters import MAX_ID, SearchFilter

pytestmark = pytest.mark.django_db

S = ServiceRequest.Status


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def page_ids(client, url, params) -> set[int]:
    response = client.get(url, params)
    assert response.status_code == 200
    return {row.pk for row in response.context["object_list"]}


def api_ids(client, url, params) -> set[int]:
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def requests(zone):
    rows = {}
    for status in (S.SUBMITTED, S.ACCEPTED, S.ESCALATED, S.CLOSED):
        closed_at = timezone.now() if status == S.CLOSED else None
        rows[status] = [ServiceRequestFactory(enterprise=ent, status=status, title=f"{status}-{ent.pk}",
                                              closed_at=closed_at) for ent in (zone.ent_a, zone.ent_b)]
    return rows


@pytest.mark.parametrize("who", ["leader", "head_a", "ent_user_a"])
def test_the_request_page_and_api_take_the_same_status_filter_and_return_the_same_rows(client, zone, requests, who):
    user = getattr(zone, who)
    client.force_login(user)
    url, api_url, rest = reverse("stewards:request_list"), "/api/requests/", api(user)
    for params in ({"status": "submitted"}, {"status": "closed"}, {"status": ["submitted", "closed"]}, {},
                   {"status": "accepted", "q": "accepted"}, {"category": "factors", "channel": "web"}):
        on_page = page_ids(client, url, params)
        assert on_page == api_ids(rest, api_url, params), params
        expected = set(ServiceRequest.objects.visible_to(user).filter(
            status__in=[params["status"]] if isinstance(params.get("status"), str) else params.get("status") or list(S),
        ).values_list("pk", flat=True))
        assert on_page == expected, params
    # One status the page offers, several through the API; a value nobody offers: 400 and no rows.
    assert rest.get(api_url, {"status": "nonsense"}).status_code == 400
    assert page_ids(client, url, {"status": "nonsense"}) == set()


def test_the_escalation_list_page_and_api_share_their_filters(client, zone):
    mine = EscalationFactory(department=zone.dept_a, request=ServiceRequestFactory(enterprise=zone.ent_a,
                                                                                    status=S.ESCALATED))
    EscalationFactory(department=zone.dept_b, request=ServiceRequestFactory(enterprise=zone.ent_b, status=S.ESCALATED))
    client.force_login(zone.leader)
    params = {"department": zone.dept_a.pk, "status": "open", "q": mine.request.title}
    assert page_ids(client, reverse("stewards:escalation_list"), params) == {mine.pk}
    assert api_ids(api(zone.leader), "/api/escalations/", params) == {mine.pk}


def test_search_reads_words_and_ids_and_never_fails(zone, requests):
    qs = ServiceRequest.objects.all()
    target = requests[S.ACCEPTED][0]

    def found(value):
        return set(ServiceRequestFilterSet({"q": value}, queryset=qs, user=zone.leader).qs)

    assert found(f"#{target.pk}") >= {target} and found(str(target.pk)) >= {target}
    assert found(f"  {target.title}  ") == {target}
    assert found(zone.ent_b.name) == set(qs.filter(enterprise=zone.ent_b))
    assert found("") == found("   ") == set(qs)
    for odd in (str(MAX_ID + 1), "9" * 40, "#²", "#"):
        assert found(odd) == set()  # no row, and no OverflowError / ValueError
    assert SearchFilter.as_id("#12") == 12 and SearchFilter.as_id("12a") is None


def test_plain_ids_out_of_range_are_a_400_in_the_api_and_no_rows_on_the_page(client, zone, requests):
    rest = api(zone.leader)
    for value in (str(MAX_ID + 1), "1e300", "0", "-3", "1.5"):
        assert rest.get("/api/requests/", {"enterprise": value}).status_code == 400, value
    assert api_ids(rest, "/api/requests/", {"enterprise": 99999}) == set()  # not looked up: simply no rows
    client.force_login(zone.leader)
    assert page_ids(client, reverse("stewards:request_list"), {"enterprise": str(MAX_ID + 1)}) == set()
    assert page_ids(client, reverse("stewards:request_list"), {"enterprise": zone.ent_b.pk}) == {
        r.pk for rows in requests.values() for r in rows if r.enterprise_id == zone.ent_b.pk}


def test_the_page_shows_its_own_fields_and_the_api_reads_the_rest(client, zone, requests):
    client.force_login(zone.leader)
    html = client.get(reverse("stewards:request_list")).content.decode()
    assert 'name="status"' in html and 'name="enterprise"' in html and 'name="created_after"' not in html
    # The API's own parameters also work on a page URL.
    assert page_ids(client, reverse("stewards:request_list"), {"open": "false"}) == {r.pk for r in requests[S.CLOSED]}
    # The enterprise's page hides the staff filters; its API still takes them.
    client.force_login(zone.ent_user_a)
    html = client.get(reverse("stewards:request_list")).content.decode()
    assert 'name="status"' in html and 'name="enterprise"' not in html and 'name="urgency"' not in html
    assert api_ids(api(zone.ent_user_a), "/api/requests/", {"urgency": "urgent"}) == set()
    filterset = ServiceRequestFilterSet(queryset=ServiceRequest.objects.all(), user=zone.steward_a.user)
    assert [f.name for f in filterset.page_form_fields] == [
        "q", "status", "category", "urgency", "channel", "enterprise", "attention", "month", "o"]
    assert [f.name for f in LedgerItemFilterSet(user=zone.leader).page_form_fields] == [
        "status", "department", "q", "o"]
