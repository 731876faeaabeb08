import datetime as dt

import pytest
import time_machine

from stewards import services as stewards_services
from stewards.models import ServiceRequest
from tests.factories import DepartmentFactory, UserFactory
from zonehub.models import Role
from zonehub.workdays import SHANGHAI

# Every test of the app starts on one Monday morning of a week without holidays.
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def mz(zone, now, django_capture_on_commit_callbacks):
    """The shared ``zone`` with A's enterprise's request escalated (by A's steward) to A's
    department and to a third one (C, with a head and a plain user); B's request escalated to B's."""
    z = zone
    z.dept_c = DepartmentFactory(name="国网供电公司")
    z.dept_user_c = UserFactory(role=Role.DEPARTMENT, department=z.dept_c, is_department_head=True)
    z.dept_plain_c = UserFactory(role=Role.DEPARTMENT, department=z.dept_c)
    z.leader2 = UserFactory(role=Role.LEADER)
    with django_capture_on_commit_callbacks(execute=True):
        z.request_a = stewards_services.request_submit(actor=z.ent_user_a, category=ServiceRequest.Category.FACTORS,
                                                       title="用电增容", description="新产线需要增容 800 千伏安。")
        z.esc_a, z.esc_c = stewards_services.request_escalate(request=z.request_a, actor=z.steward_a.user,
                                                              departments=[z.dept_a, z.dept_c], reason="请协调增容")
        z.request_b = stewards_services.request_submit(actor=z.ent_user_b, category=ServiceRequest.Category.OTHER,
                                                       title="道路积水", description="雨天积水严重。")
        (z.esc_b,) = stewards_services.request_escalate(request=z.request_b, actor=z.steward_b.user,
                                                        departments=[z.dept_b], reason="请排查")
    return z
