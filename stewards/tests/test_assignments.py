"""Who serves an enterprise: one active steward, its history, and the assign page (served under
the enterprise's address, ``assignments:assign``)."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from stewards.models import StewardAssignment
from stewards.services import steward_assign
from tests.factories import StewardFactory


@pytest.mark.django_db
def test_database_refuses_a_second_active_steward(zone):
    with pytest.raises(IntegrityError), transaction.atomic():
        StewardAssignment.objects.create(enterprise=zone.ent_a, steward=zone.steward_b)
    assert StewardAssignment.objects.active().filter(enterprise=zone.ent_a).count() == 1


@pytest.mark.django_db
def test_admin_form_refuses_a_second_active_steward_with_a_message(zone, client):
    client.force_login(zone.admin)
    response = client.post(reverse("admin:stewards_stewardassignment_add"), {
        "enterprise": zone.ent_a.pk, "steward": zone.steward_b.pk,
        "started_at_0": "2026-11-01", "started_at_1": "09:00",
    })
    assert response.status_code == 200
    assert "active steward" in response.content.decode() or "在岗" in response.content.decode()
    assert StewardAssignment.objects.filter(enterprise=zone.ent_a).count() == 1


@pytest.mark.django_db
def test_assigning_a_steward_ends_the_old_assignment_with_history(zone, django_capture_on_commit_callbacks):
    new = StewardFactory(user__workstation=zone.ws_a)
    with django_capture_on_commit_callbacks(execute=True):
        steward_assign(enterprise=zone.ent_a, steward=new, actor=zone.head_a, note="调整分工")
    rows = list(StewardAssignment.objects.filter(enterprise=zone.ent_a).order_by("started_at"))
    assert [r.steward for r in rows] == [zone.steward_a, new]
    assert rows[0].ended_at is not None and rows[0].end_reason == "reassigned"
    assert rows[1].ended_at is None
    # The enterprise is told who its new steward is.
    assert zone.ent_user_a.notifications.filter(kind="steward.assigned").exists()


@pytest.mark.django_db
def test_another_workstations_head_cannot_assign(zone):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        steward_assign(enterprise=zone.ent_a, steward=zone.steward_b, actor=zone.head_b)
    assert StewardAssignment.objects.active().get(enterprise=zone.ent_a).steward == zone.steward_a


@pytest.mark.django_db
def test_assign_page_changes_the_steward(zone, client):
    new = StewardFactory(user__workstation=zone.ws_a)
    client.force_login(zone.head_a)
    response = client.post(reverse("assignments:assign", args=[zone.ent_a.pk]), {"steward": new.pk, "note": "x"})
    assert response.status_code == 302
    assert StewardAssignment.objects.active().get(enterprise=zone.ent_a).steward == new
    # A steward of another workstation is not offered.
    response = client.post(reverse("assignments:assign", args=[zone.ent_a.pk]), {"steward": zone.steward_b.pk})
    assert response.status_code == 200
    assert StewardAssignment.objects.active().get(enterprise=zone.ent_a).steward == new
