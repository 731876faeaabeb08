"""The demo's projects and five-key list (the floors up to projects, as portal.demo.build makes
them): projects move through their stages with the approvals each stage needs, each invested by an
enterprise of its industry; the five-key nodes are done in time, late, or not yet, and every past
month has its assessment from the real task. Built once for the module, on a fixed day."""

import datetime as dt

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse

from enterprises import demo as enterprises_demo
from projects import demo
from projects.models import STAGE_ORDER, Approval, Category, FiveKeyItem, FiveKeyNode, Project, UnitMonthlyScore
from projects.progress import Status
from projects.selectors import fivekey_board
from stewards import demo as stewards_demo
from stewards.models import ServiceRequest
from zonehub import demo as zonehub_demo
from zonehub.models import User
from zonehub.workdays import SHANGHAI, WorkCalendar, local_date

NOW = dt.datetime(2026, 11, 23, 10, tzinfo=SHANGHAI)  # the app's fixed day (conftest.fixed_day)
FLOORS = [("enterprises", enterprises_demo.build), ("stewards", stewards_demo.build), ("projects", demo.build)]


def build_zone() -> dict:
    return zonehub_demo.build_zone(2026, FLOORS, lived=ServiceRequest.objects.exists)


@pytest.fixture(scope="module")
def zone(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), time_machine.travel(NOW, tick=False), transaction.atomic():
        ctx = build_zone()
        yield ctx
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def test_forty_projects_in_every_stage_and_sixty_items_once(zone):  # and the new one
    counts = (FiveKeyItem.objects.count(), FiveKeyNode.objects.count(), Project.objects.count(),
              Approval.objects.count(), UnitMonthlyScore.objects.count())
    build_zone()
    assert (FiveKeyItem.objects.count(), FiveKeyNode.objects.count(), Project.objects.count(),
            Approval.objects.count(), UnitMonthlyScore.objects.count()) == counts
    # Forty lived through the year, and one signed yesterday still waiting for its steward (issue 16).
    assert counts[0] == 60 and counts[2] == 41
    assert set(Project.objects.values_list("stage", flat=True)) == set(STAGE_ORDER)
    assert set(FiveKeyItem.objects.values_list("category", flat=True)) == {c.value for c in Category}


def test_investors_invest_in_their_own_industry(zone):
    for project in Project.objects.select_related("investor__industry", "industry"):
        if project.investor is not None:
            assert project.investor.industry == project.industry, project.name
    aluminium = Project.objects.get(name="铝合金轮毂扩产项目")
    assert aluminium.investor.name.endswith("铝业有限公司")
    assert Project.objects.visible_to(User.objects.get(username="enterprise")).exists()
    assert Project.objects.visible_to(User.objects.get(username="steward")).exists()


def test_each_approval_is_applied_for_when_its_stage_calls_for_it(zone):
    for project in Project.objects.prefetch_related("approvals"):
        reached = STAGE_ORDER.index(project.stage)
        kinds = {a.kind: a for a in project.approvals.all()}
        if reached == 0:
            assert not kinds, project.name  # nothing applied for before signing
        if reached < STAGE_ORDER.index("construction"):
            fire = kinds.get(Approval.Kind.FIRE)
            assert fire is None, project.name  # a fire inspection comes near completion
        if reached >= STAGE_ORDER.index("construction"):
            permit = kinds[Approval.Kind.CONSTRUCTION]
            assert permit.status == "approved" and permit.approved_on <= project.started_on
        if reached >= STAGE_ORDER.index("completed"):
            assert kinds[Approval.Kind.FIRE].approved_on <= project.completed_on
        for approval in kinds.values():
            assert project.signed_on and approval.started_on >= project.signed_on - dt.timedelta(days=40)
    waiting = Approval.objects.exclude(status="approved")
    assert waiting.filter(due_on__lt=NOW.date()).exists() and waiting.filter(status="blocked").exists()


def test_nodes_done_in_time_late_and_still_open_and_the_board(zone, client):
    calendar = WorkCalendar()
    today = NOW.date()
    outcomes = {"on_time": 0, "late": 0, "open": 0}
    for node in FiveKeyNode.objects.filter(item__year=2026, planned_date__lt=today - dt.timedelta(days=7)):
        due = calendar.first_workday_on_or_after(node.planned_date)
        if node.completed_on is None:
            outcomes["open"] += 1
        else:
            outcomes["on_time" if node.completed_on <= due else "late"] += 1
    assert outcomes["on_time"] > 3 * outcomes["late"] > 0 and outcomes["open"] >= 5
    leader = User.objects.get(username="leader")
    totals = fivekey_board(user=leader, year=2026)["status_totals"]
    assert totals[Status.LAGGING] >= 5 and totals[Status.AHEAD] >= 3 and totals[Status.ON_SCHEDULE] >= 10
    # Every item with a node done late shows it (逾期完成), none of them "on schedule".
    assert totals[Status.DONE_LATE] >= 10 and totals[Status.ON_SCHEDULE] + totals[Status.DONE_LATE] >= 30
    assert FiveKeyItem.objects.filter(responsible_unit__isnull=True).count() == 3  # added late, to be claimed
    assert FiveKeyItem.objects.filter(claim="confirmed").count() == 2
    # The demo department owns a lagging item whose late node it can mark done.
    dept = User.objects.get(username="dept")
    lagging = FiveKeyItem.objects.filter(responsible_unit=dept.department, progress_status=Status.LAGGING)
    assert lagging.exists()
    node = lagging.first().nodes.filter(completed_on__isnull=True, planned_date__lt=today).first()
    client.force_login(dept)
    response = client.post(reverse("projects:node_complete", args=[node.pk]),
                           {"completed_on": "2026-11-20", "evidence": "专题会议纪要"})
    assert response.status_code == 302
    node.refresh_from_db()
    assert node.completed_on == dt.date(2026, 11, 20)


def test_every_past_month_has_its_assessment_with_a_spread(zone):
    months = set(UnitMonthlyScore.objects.filter(year=2026).values_list("month", flat=True))
    assert months == set(range(1, 11))
    october = UnitMonthlyScore.objects.filter(year=2026, month=10)
    assert october.count() >= 8
    assert len(set(october.values_list("score", flat=True))) >= 4
    # Computed by the monthly task on the first working day of November, not at the build.
    assert {local_date(row.computed_at) for row in october} == {dt.date(2026, 11, 2)}


def test_a_project_waits_for_its_steward_and_a_blocker_is_escalated(zone):
    """Issue 16: the newest project has no project steward yet; the demo enterprise's project has a
    blocker escalated to two departments on the requests' clock."""
    from projects.models import ProjectBlocker

    waiting = Project.objects.get(name="智能网联汽车零部件产业园")
    assert not waiting.has_steward and waiting.steward_due_at is not None
    blocker = ProjectBlocker.objects.get()
    assert blocker.request.channel == ServiceRequest.Channel.PROJECT
    assert blocker.request.escalations.count() == 2 and blocker.request.steward.user.username == "steward"
