"""The demo gives every demo login something to see, and running it twice adds nothing."""

import pytest

from stewards.models import Escalation, LedgerItem, ServiceRequest, Visit
from zonehub import demo
from zonehub.models import Event, User

pytestmark = pytest.mark.django_db


def test_the_demo_has_requests_in_every_state_for_the_demo_logins():
    demo.build()
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
    demo.build()
    assert (ServiceRequest.objects.count(), Escalation.objects.count(), Event.objects.count()) == counts
