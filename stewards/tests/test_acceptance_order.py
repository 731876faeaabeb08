"""Issue 13, item 10: the head's "not yet accepted" and "acceptance overdue" lists put the most
urgent first (the oldest acceptance deadline on top), whatever order the rows were submitted in."""

import pytest
import time_machine
from django.urls import reverse

from stewards.models import ServiceRequest
from stewards.tests.factories import ServiceRequestFactory, shanghai

pytestmark = pytest.mark.django_db

NOW = shanghai(2026, 6, 30, 10)


@pytest.fixture
def waiting(zone):
    """Three requests waiting to be accepted: the oldest deadline was submitted last (by phone)."""
    rows = {}
    for title, created, due in [("最早提交", shanghai(2026, 6, 25, 9), shanghai(2026, 6, 29)),
                                ("中间提交", shanghai(2026, 6, 26, 9), shanghai(2026, 6, 30, 9)),
                                ("最后录入但最急", shanghai(2026, 6, 29, 9), shanghai(2026, 6, 27))]:
        rows[title] = ServiceRequestFactory(enterprise=zone.ent_a, title=title, created_at=created, accept_due_at=due,
                                            status=ServiceRequest.Status.SUBMITTED)
    return rows


@pytest.mark.parametrize("attention,expected", [
    ("late", ["最后录入但最急", "最早提交", "中间提交"]),
    ("unaccepted", ["最后录入但最急", "最早提交", "中间提交"]),
])
def test_most_urgent_first(client, zone, waiting, attention, expected):
    client.force_login(zone.head_a)
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("stewards:request_list"), {"attention": attention})
    titles = [r.title for r in response.context["object_list"]]
    assert titles == expected


def test_a_chosen_sort_still_wins(client, zone, waiting):
    client.force_login(zone.head_a)
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("stewards:request_list"), {"attention": "unaccepted", "o": "-created_at"})
    assert [r.title for r in response.context["object_list"]][0] == "最后录入但最急"
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("stewards:request_list"), {"attention": "unaccepted", "o": "created_at"})
    assert [r.title for r in response.context["object_list"]][0] == "最早提交"


def test_the_heads_home_tile_opens_the_urgent_list(client, zone, waiting):
    client.force_login(zone.head_a)
    with time_machine.travel(NOW, tick=False):
        html = client.get(reverse("home")).content.decode()
    assert "attention=unaccepted" in html
