import random

import pytest
from django.urls import reverse

from enterprises import demo as enterprises_demo
from projects import demo
from projects.models import Approval, Category, FiveKeyItem, Project, UnitMonthlyScore
from projects.progress import Status
from projects.selectors import fivekey_board
from stewards import demo as stewards_demo
from zonehub import demo as zonehub_demo
from zonehub.models import User

pytestmark = pytest.mark.django_db


def build_zone(seed: int = 2026) -> dict:
    """The demo up to this floor, as portal.demo.build makes it."""
    rng = random.Random(seed)
    ctx = zonehub_demo.build_organisation(rng)
    enterprises_demo.build(ctx, rng)
    stewards_demo.build(ctx, random.Random(f"{seed}-stewards"))
    demo.build(ctx, random.Random(f"{seed}-projects"))
    return ctx


@pytest.fixture
def demo_zone(db):
    return build_zone()


def test_demo_has_a_years_five_key_list_and_forty_projects_in_every_stage(demo_zone, client):
    counts = (FiveKeyItem.objects.count(), Project.objects.count(), Approval.objects.count(),
              UnitMonthlyScore.objects.count())
    build_zone()
    assert (FiveKeyItem.objects.count(), Project.objects.count(), Approval.objects.count(),
            UnitMonthlyScore.objects.count()) == counts
    assert counts[0] == 60 and counts[1] == 40
    assert set(Project.objects.values_list("stage", flat=True)) == {
        "negotiating", "signed", "land", "construction", "completed", "production"}
    assert set(FiveKeyItem.objects.values_list("category", flat=True)) == {c.value for c in Category}
    leader = User.objects.get(username="leader")
    board = fivekey_board(user=leader, year=2026)
    totals = board["status_totals"]
    assert totals[Status.LAGGING] >= 5 and totals[Status.AHEAD] >= 3 and totals[Status.ON_SCHEDULE] >= 5
    assert FiveKeyItem.objects.filter(responsible_unit__isnull=True).count() >= 3
    # The demo department owns a lagging item whose late node it can mark done.
    dept = User.objects.get(username="dept")
    lagging_own = [row for row in board["rows"] if row.item.responsible_unit_id == dept.department_id
                   and row.progress.status == Status.LAGGING]
    assert lagging_own
    node = lagging_own[0].progress.worst.node
    assert client.post(reverse("login"), {"username": "dept", "password": zonehub_demo.DEMO_PASSWORD}).status_code == 302
    response = client.post(reverse("projects:node_complete", args=[node.pk]),
                           {"completed_on": "2026-11-23", "evidence": "专题会议纪要"})
    assert response.status_code == 302
    # The demo steward serves projects; every role's home page still works.
    steward = User.objects.get(username="steward")
    assert Project.objects.visible_to(steward).exists()
    for username in ("leader", "dept", "steward", "head"):
        client.post(reverse("login"), {"username": username, "password": zonehub_demo.DEMO_PASSWORD})
        assert client.get(reverse("home")).status_code == 200, username
        assert client.get(reverse("projects:board")).status_code == 200
