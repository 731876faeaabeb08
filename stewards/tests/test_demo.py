"""The demo gives every demo login something to see, and running it twice adds nothing."""

import random

import pytest

from enterprises import demo as enterprises_demo
from stewards import demo
from stewards.models import Escalation, LedgerItem, ServiceRequest, Visit
from zonehub import demo as zonehub_demo
from zonehub.models import Event, User

pytestmark = pytest.mark.django_db


def build_zone(seed: int = 2026) -> None:
    """The demo up to this floor, as portal.demo.build makes it."""
    rng = random.Random(seed)
    ctx = zonehub_demo.build_organisation(rng)
    enterprises_demo.build(ctx, rng)
    demo.build(ctx, random.Random(f"{seed}-stewards"))


def test_the_demo_has_requests_in_every_state_for_the_demo_logins():
    build_zone()
    counts = (ServiceRequest.objects.count(), Escalation.objects.count(), Event.objects.count())
    assert set(ServiceRequest.objects.values_list("status", flat=True)) == set(ServiceRequest.Status.values)
    assert set(Escalation.objects.values_list("status", flat=True)) == set(Escalation.Status.values) - {"concluded"}
    assert Escalation.objects.filter(overdue_at__isnull=False).exists()
    assert Escalation.objects.filter(answered_on_time=True).exists()
    assert ServiceRequest.objects.filter(accept_flagged_at__isnull=False).exists()
    assert set(LedgerItem.objects.values_list("status", flat=True)) == set(LedgerItem.Status.values)
    assert Visit.objects.exists()
    for username in ("enterprise", "steward", "dept", "head"):
        user = User.objects.get(username=username)
        assert ServiceRequest.objects.visible_to(user).exists(), username
    dept = User.objects.get(username="dept")
    assert Escalation.objects.visible_to(dept).filter(overdue_at__isnull=False).exists()
    build_zone()
    assert (ServiceRequest.objects.count(), Escalation.objects.count(), Event.objects.count()) == counts
