import datetime as dt

import pytest
import time_machine

from policies.tests.factories import IndicatorFactory, PolicyFactory, TagFactory
from tests.factories import DepartmentFactory, EnterpriseFactory, IndustryChainFactory, StewardFactory, UserFactory
from zonehub.models import Role
from zonehub.workdays import SHANGHAI

# Every test of the app lives on one Monday morning of a week without holidays.
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def policy_zone(zone, now, django_capture_on_commit_callbacks):
    """The shared ``zone`` (two of everything) with tags, figures and one draft policy with three
    conditions: A's enterprise qualifies; B's misses the 专精特新 tag; a third enterprise of A's
    workstation, served by A's steward, misses two conditions."""
    with django_capture_on_commit_callbacks(execute=True):
        z = zone
        z.high, z.little = TagFactory(name="高新技术企业"), TagFactory(name="专精特新")
        z.materials = IndustryChainFactory(name="新材料")
        z.ent_a.tags.set([z.high, z.little])
        z.ent_b.tags.set([z.high])
        for ent in (z.ent_a, z.ent_b):
            ent.industry = z.materials
            ent.save(update_fields=["industry"])
            IndicatorFactory(enterprise=ent, year=2025, revenue=8000)
        z.ent_c = EnterpriseFactory(name="丙", workstation=z.ws_a, steward=z.steward_a)
        z.ent_user_c = UserFactory(role=Role.ENTERPRISE, enterprise=z.ent_c)
        z.handler = DepartmentFactory(name="科技创新局")
        z.handler_user = UserFactory(role=Role.DEPARTMENT, department=z.handler)
        z.policy = PolicyFactory(title="高新技术企业认定奖励", tags_all=[z.high, z.little], industries=[z.materials],
                                 min_revenue=5000, department=z.handler, created_by=z.leader)
    return z


@pytest.fixture
def other_steward():
    return StewardFactory()
