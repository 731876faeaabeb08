"""The bell's badge in the navigation bar: how many notifications are unread, "99+" beyond 99."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from zonehub.models import Notification, Role


def told(user, n: int, *, read: bool = False) -> None:
    Notification.objects.bulk_create([
        Notification(recipient=user, kind="escalation.overdue", title=f"逾期 {i}", dedupe_key=f"bell:{i}:{read}")
        for i in range(n)
    ])
    if read:
        Notification.objects.filter(recipient=user, dedupe_key__endswith=":True").update(read_at="2026-12-01T00:00Z")


def badge(client, user) -> str:
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    marker = 'data-testid="unread-count">'
    return html.split(marker, 1)[1].split("<", 1)[0] if marker in html else ""


@pytest.mark.django_db
def test_the_badge_counts_only_unread_notifications(client):
    leader = UserFactory(role=Role.LEADER)
    told(leader, 3)
    told(leader, 5, read=True)
    assert badge(client, leader) == "3"


@pytest.mark.django_db
def test_nothing_unread_shows_no_badge(client):
    leader = UserFactory(role=Role.LEADER)
    told(leader, 2, read=True)
    assert badge(client, leader) == ""


@pytest.mark.django_db
def test_beyond_ninety_nine_the_badge_says_99_plus(client):
    leader = UserFactory(role=Role.LEADER)
    told(leader, 99)
    assert badge(client, leader) == "99"
    Notification.objects.create(recipient=leader, kind="escalation.overdue", title="逾期", dedupe_key="bell:100th")
    assert badge(client, leader) == "99+"
