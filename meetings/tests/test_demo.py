"""The demo's meetings (the floors they stand on, and theirs), built once on a fixed day: the
month's joint meeting held with its decisions on the clock — one closed on time, one marked
overdue by the sweep and chased up twice (the leaders told) — a chase-up on an escalation, a
flag for the joint meeting, the demo steward's coming on-site meeting, next month's draft."""

import datetime as dt

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from enterprises import demo as enterprises_demo
from meetings import demo
from meetings.models import Decision, JointFlag, Meeting, SupervisionNotice
from stewards import demo as stewards_demo
from stewards.models import ServiceRequest
from zonehub import demo as zonehub_demo
from zonehub.models import Event, Notification
from zonehub.workdays import SHANGHAI

NOW = dt.datetime(2026, 12, 4, 10, tzinfo=SHANGHAI)
FLOORS = [("enterprises", enterprises_demo.build), ("stewards", stewards_demo.build), ("meetings", demo.build)]


@pytest.fixture(scope="module")
def zone(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), time_machine.travel(NOW, tick=False), transaction.atomic():
        ctx = zonehub_demo.build_zone(2026, FLOORS, lived=ServiceRequest.objects.exists)
        yield ctx
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def test_the_joint_meeting_was_held_and_its_decisions_lived_on_the_clock(zone):
    joint = Meeting.objects.get(kind=Meeting.Kind.JOINT, status=Meeting.Status.HELD)
    assert joint.convened_by.username == "head" and joint.minutes_code.startswith("纪要〔")
    assert joint.items.count() >= 1 and joint.invitations.filter(status="confirmed").count() >= 3
    assert joint.invitations.filter(status="declined").exists()
    decisions = {d.department.name: d for d in joint.decisions.select_related("department")}
    assert decisions["发展改革局"].closed_on_time is True and decisions["国网供电公司"].closed_on_time is True
    late = decisions["规划建设局"]
    assert late.status == Decision.Status.OPEN and late.overdue_at is not None and late.overdue_at >= late.due_at
    chases = list(SupervisionNotice.objects.filter(decision=late).order_by("sequence"))
    assert [c.sequence for c in chases] == [1, 2] and chases[1].leaders_told
    assert Notification.objects.filter(kind="decision.overdue", dedupe_key=f"decision:{late.pk}:overdue").exists()
    # The request's timeline shows the meeting and its decisions.
    request = joint.items.exclude(request=None).first().request
    kinds = set(Event.objects.filter(root_type=ContentType.objects.get_for_model(request), root_id=request.pk)
                .values_list("kind", flat=True))
    assert {"meeting.convened", "meeting.held", "decision.made"} <= kinds


def test_the_demo_steward_chases_flags_and_convenes(zone):
    assert SupervisionNotice.objects.filter(escalation__isnull=False, issued_by__username="steward").exists()
    assert JointFlag.objects.filter(flagged_by__username="steward").exists()
    coming = Meeting.objects.get(kind=Meeting.Kind.ORDINARY, convened_by__username="steward")
    assert coming.status == Meeting.Status.SCHEDULED and coming.on_site and coming.starts_at > NOW
    assert coming.invitations.filter(status="confirmed").count() == 1
    # The build ends on 4 December: December's agenda is the one drafted (beat drafts January's from the 20th).
    draft = Meeting.objects.get(kind=Meeting.Kind.JOINT, status=Meeting.Status.DRAFT)
    assert draft.month == dt.date(2026, 12, 1) and draft.items.exists()
