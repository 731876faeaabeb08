"""The meetings API: the same scoping as the pages (departments: the meetings they were invited to
and the decisions they own; enterprises: the meetings about their requests), pinned in queries;
a decision closed through it."""

import pytest
import time_machine
from rest_framework.test import APIClient

from meetings.models import Decision
from meetings.services import joint_flag, supervision_issue
from meetings.tests.factories import at, convene, decision, hold
from stewards.services import deadline_sweep

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def held(mz):
    z = mz
    for _i in range(2):
        meeting = convene(z.steward_a.user, z.esc_a, departments=[z.dept_a, z.dept_c])
        hold(meeting, z.head_a, decision(department=z.dept_a, item=meeting.items.get()),
             decision(department=z.dept_c, item=meeting.items.get()))
        other = convene(z.steward_b.user, z.esc_b, departments=[z.dept_b])
        hold(other, z.head_b, decision(department=z.dept_b, item=other.items.get()))
    deadline_sweep(now=at(2026, 12, 1, 0, 1))
    with time_machine.travel(at(2026, 12, 1, 10), tick=False):
        for d in Decision.objects.filter(department=z.dept_c):
            supervision_issue(actor=z.head_a, decision=d, reason="请办结")
    return z


@pytest.mark.parametrize("who, path, expected", [
    ("dept_user_a", "/api/meetings/", 2), ("dept_user_b", "/api/meetings/", 2), ("ent_user_a", "/api/meetings/", 2),
    ("ent_user_b", "/api/meetings/", 2), ("leader", "/api/meetings/", 4), ("steward_b", "/api/meetings/", 2),
    ("dept_user_a", "/api/meeting-decisions/", 2), ("dept_plain_c", "/api/meeting-decisions/", 2),
    ("ent_user_a", "/api/meeting-decisions/", 4), ("head_b", "/api/meeting-decisions/", 2),
    ("dept_plain_c", "/api/supervision-notices/", 2), ("dept_user_a", "/api/supervision-notices/", 0),
    ("ent_user_a", "/api/supervision-notices/", 0), ("steward_a", "/api/supervision-notices/", 2),
    ("leader", "/api/supervision-notices/", 2),
])
def test_lists_are_scoped(api, held, who, path, expected, django_assert_max_num_queries):
    user = getattr(held, who)
    api.force_authenticate(getattr(user, "user", user))
    with django_assert_max_num_queries(14):
        response = api.get(path)
    assert response.status_code == 200
    assert response.json()["count"] == expected


def test_an_enterprise_reads_only_its_items_of_a_meeting(api, held):
    z = held
    joint_flag(actor=z.steward_b.user, request=z.request_b, escalation=z.esc_b, reason="跨站")
    joint = convene(z.head_a, z.esc_a, z.esc_b, departments=[z.dept_a], kind="joint", title="联席会")
    api.force_authenticate(z.ent_user_b)
    body = api.get(f"/api/meetings/{joint.pk}/").json()
    assert [i["request"] for i in body["items"]] == [z.request_b.pk]


def test_a_department_closes_its_decision(api, held):
    z = held
    mine = Decision.objects.filter(department=z.dept_a).first()
    other = Decision.objects.filter(department=z.dept_c).first()
    api.force_authenticate(z.dept_user_a)
    traveller = time_machine.travel(at(2026, 12, 2, 10), tick=False)
    traveller.start()
    assert api.post(f"/api/meeting-decisions/{other.pk}/close/", {"evidence": "x"}).status_code == 404
    assert api.post(f"/api/meeting-decisions/{mine.pk}/close/", {"evidence": ""}).status_code == 400
    response = api.post(f"/api/meeting-decisions/{mine.pk}/close/", {"evidence": "已完成"})
    assert response.status_code == 200 and response.json()["status"] == "closed"
    assert response.json()["closed_on_time"] is False  # closed after the deadline passed
    api.force_authenticate(z.steward_a.user)
    assert api.post(f"/api/meeting-decisions/{mine.pk}/close/", {"evidence": "x"}).status_code in (400, 403)
    traveller.stop()
