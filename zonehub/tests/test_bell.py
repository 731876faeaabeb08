"""The bell's badge in the navigation bar: how many notifications are unread, "99+" beyond 99."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from zonehub.models import Notification, Role


def told(user, n: int, *, read: bool = False, key: str = "bell") -> None:
    Notification.objects.bulk_create([
        Notification(recipient=user, kind="escalation.overdue", title=f"逾期 {i}", dedupe_key=f"{key}:{i}",
                     read_at=timezone.now() if read else None)
        for i in range(n)
    ])


def badge(client, user) -> str:
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    marker = 'data-testid="unread-count">'
    return html.split(marker, 1)[1].split("<", 1)[0] if marker in html else ""


@pytest.mark.django_db
def test_the_badge_counts_only_unread_notifications(client):
    leader = UserFactory(role=Role.LEADER)
    told(leader, 3)
    told(leader, 5, read=True, key="read")
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
    told(leader, 1, key="100th")
    assert badge(client, leader) == "99+"
