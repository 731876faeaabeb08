"""The demo's year of requests (the floors up to stewards, as portal.demo.build makes them): every
demo login has today's work, the year has its overdue marks and on-time replies month by month,
and what the requests say holds together. Built once for the module, on a fixed day."""

import datetime as dt

import pytest
import time_machine
from django.db import transaction
from django.db.models import Count

from enterprises import demo as enterprises_demo
from stewards import demo
from stewards.models import Escalation, LedgerItem, ServiceRequest, Visit
from zonehub import demo as zonehub_demo
from zonehub.models import Event, Role, User
from zonehub.workdays import SHANGHAI, last_workday, local_date, months_before

NOW = dt.datetime(2026, 12, 4, 10, tzinfo=SHANGHAI)  # a Friday
FLOORS = [("enterprises", enterprises_demo.build), ("stewards", demo.build)]


def build_zone() -> dict:
    return zonehub_demo.build_zone(2026, FLOORS, lived=ServiceRequest.objects.exists)


@pytest.fixture(scope="module")
def zone(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), time_machine.travel(NOW, tick=False), transaction.atomic():
        ctx = build_zone()
        yield ctx
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def test_requests_and_escalations_are_in_every_state_and_running_it_again_adds_nothing(zone):
    counts = (ServiceRequest.objects.count(), Escalation.objects.count(), Event.objects.count())
    assert set(ServiceRequest.objects.values_list("status", flat=True)) == set(ServiceRequest.Status.values)
    assert set(Escalation.objects.values_list("status", flat=True)) == set(Escalation.Status.values)
    assert set(LedgerItem.objects.values_list("status", flat=True)) == set(LedgerItem.Status.values)
    # A project blocker comes with the projects' floor (projects/tests/test_demo.py).
    assert set(ServiceRequest.objects.values_list("channel", flat=True)) == (
        set(ServiceRequest.Channel.values) - {ServiceRequest.Channel.PROJECT})
    assert ServiceRequest.objects.filter(reopen_count__gt=0).exists()
    assert ServiceRequest.objects.filter(close_reason=ServiceRequest.CloseReason.AUTO).exists()
    assert Escalation.objects.filter(progress_reports__isnull=False).exists()
    build_zone()
    assert (ServiceRequest.objects.count(), Escalation.objects.count(), Event.objects.count()) == counts


def test_the_sweep_marked_what_went_overdue_and_most_replies_came_in_time(zone):
    overdue = Escalation.objects.filter(overdue_at__isnull=False)
    assert overdue.count() >= 20
    # Marked by the real sweep (no actor), a minute after the deadline.
    for e in overdue[:20]:
        assert e.due_at < e.overdue_at <= e.due_at + dt.timedelta(hours=10)
        assert Event.objects.filter(kind="escalation.overdue", subject_id=e.pk, actor__isnull=True).exists()
    replied = Escalation.objects.filter(replied_at__isnull=False)
    on_time = replied.filter(answered_on_time=True).count()
    assert 0.7 < on_time / replied.count() < 0.97
    # Late acceptance flagged to the head; most accepted in time.
    flagged = ServiceRequest.objects.filter(accept_flagged_at__isnull=False).count()
    assert 5 <= flagged < ServiceRequest.objects.filter(accepted_at__isnull=False).count() / 10


def test_six_whole_months_of_on_time_replies_for_the_leaders_chart(zone):
    for month in months_before(local_date(NOW), 6):
        due = [e for e in Escalation.objects.filter(due_at__year=month.year).select_related("department")
               if month <= last_workday(e.due_at) < (month + dt.timedelta(days=32)).replace(day=1)
               and (e.answered_on_time is not None or e.overdue_at)]
        assert len(due) >= 15, month
        assert len({e.department_id for e in due}) >= 6, month
        assert any(e.answered_on_time for e in due) and not all(e.answered_on_time for e in due), month


def test_every_demo_login_has_todays_work(zone):
    enterprise = User.objects.get(username="enterprise")
    mine = ServiceRequest.objects.visible_to(enterprise).exclude(status=ServiceRequest.Status.CLOSED)
    assert {"submitted", "escalated", "reported"} <= set(mine.values_list("status", flat=True))
    steward = User.objects.get(username="steward")
    assert ServiceRequest.objects.visible_to(steward).filter(status="submitted").exists()
    assert Visit.objects.filter(steward__user=steward, visited_on__gte=local_date(NOW).replace(day=1)).exists()
    dept = User.objects.get(username="dept")
    waiting = Escalation.objects.visible_to(dept).filter(status__in=Escalation.OPEN_STATUSES)
    assert waiting.filter(overdue_at__isnull=False).exists()
    assert waiting.filter(status="consultation").exists()
    assert any(last_workday(e.due_at) == local_date(NOW) for e in waiting.filter(status="open"))
    head = User.objects.get(username="head")
    assert ServiceRequest.objects.visible_to(head).filter(status="submitted", accept_flagged_at__isnull=False).exists()


def test_visits_every_month_and_complaint_meetings(zone):
    months = {v.replace(day=1) for v in Visit.objects.values_list("visited_on", flat=True)}
    assert len(months) == 13  # December last year to this December
    per_month = Visit.objects.filter(visited_on__month=11).count()
    assert 100 < per_month <= 146  # most of the enterprises with a steward, once
    assert LedgerItem.objects.values("meeting_date").distinct().count() >= 5


def test_what_a_request_says_holds_together(zone):
    cases = {c.title: c for c in demo.CASES}
    for r in ServiceRequest.objects.prefetch_related("escalations__department"):
        case = cases[r.title]
        assert case.category == r.category
        sent = {e.department.name for e in r.escalations.all()}
        assert sent <= {*case.departments, case.wrong}, (r.title, sent)  # no street light for customs
        returned = {e.department.name for e in r.escalations.all() if e.status == "returned"}
        assert returned <= {case.wrong}, (r.title, returned)
    # Each steward and each person of the zone has a name of their own.
    names = list(User.objects.exclude(role__in=[Role.LEADER]).values_list("name", flat=True))
    bare = [n.split(" ")[-1].removesuffix("（站长）") for n in names if n not in ("安全管理员", "审计管理员", "系统管理员")]
    assert len(bare) == len(set(bare))
    assert not User.objects.filter(role=Role.STEWARD).values("name").annotate(n=Count("id")).filter(n__gt=1).exists()


def test_a_leader_serves_as_a_steward_and_a_steward_waits_on_its_head(zone):
    """Issue 16: the `leader` login serves an enterprise of the demo head's workstation beside its
    role, and the demo steward's overdue escalation waits on the head's home page (一键直达)."""
    from stewards.models import DirectLine, StewardAssignment

    leader = User.objects.get(username="leader")
    head = User.objects.get(username="head")
    served = StewardAssignment.objects.active().get(steward__user=leader)
    assert served.enterprise.workstation_id == head.workstation_id and "steward" in leader.capacities
    waiting = DirectLine.objects.get(status=DirectLine.Status.OPEN)
    assert waiting.workstation_id == head.workstation_id and waiting.escalation.overdue_at is not None
