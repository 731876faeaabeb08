"""Who qualifies: a policy's conditions become one query over the enterprises, and the same query
says for every enterprise which conditions it meets, and which one it misses when it misses one."""

import datetime as dt

import pytest
from django.utils import translation

from enterprises.models import Enterprise
from policies.conditions import policy_conditions, qualifying_enterprises
from policies.selectors import explain, policy_get, policy_match_list
from policies.tests.factories import IndicatorFactory, PolicyFactory, TagFactory
from tests.factories import EnterpriseFactory, IndustryChainFactory, ParkFactory, StewardFactory, UserFactory
from zonehub.models import Role
from zonehub.workdays import SHANGHAI

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(now):
    high, little = TagFactory(name="高新技术企业"), TagFactory(name="专精特新")
    materials, chips = IndustryChainFactory(name="新材料"), IndustryChainFactory(name="电子信息")
    w = type("World", (), {})()
    w.high, w.little, w.materials, w.chips = high, little, materials, chips
    w.both = EnterpriseFactory(name="甲", industry=materials, above_designated_size=True)
    w.both.tags.set([high, little])
    IndicatorFactory(enterprise=w.both, year=2025, revenue=6000)
    w.one_tag = EnterpriseFactory(name="乙", industry=materials)
    w.one_tag.tags.set([high])
    IndicatorFactory(enterprise=w.one_tag, year=2025, revenue=8000)
    w.far = EnterpriseFactory(name="丙", industry=chips)
    w.gone = EnterpriseFactory(name="丁", industry=materials, is_active=False)
    w.gone.tags.set([high, little])
    IndicatorFactory(enterprise=w.gone, year=2025, revenue=9000)
    w.policy = PolicyFactory(tags_all=[high, little], industries=[materials], min_revenue=5000)
    return w


def test_a_policys_conditions_are_one_query(world, django_assert_num_queries):
    conditions = policy_conditions(world.policy)
    assert [c.code for c in conditions] == ["tag", "tag", "industry", "min_revenue"]
    with django_assert_num_queries(1):
        assert list(qualifying_enterprises(world.policy, conditions)) == [world.both]


def test_the_latest_year_decides_a_threshold_and_no_figures_fail_it(world):
    IndicatorFactory(enterprise=world.both, year=2026, revenue=4000)  # this year's revenue fell
    assert not qualifying_enterprises(world.policy).exists()
    policy = PolicyFactory(tags_all=[world.high])
    policy_with_floor = PolicyFactory(tags_all=[world.high], min_employees=10)
    bare = EnterpriseFactory(name="戊")
    bare.tags.set([world.high])
    assert bare in qualifying_enterprises(policy)
    assert bare not in qualifying_enterprises(policy_with_floor)  # no figures stored: not at least 10


def test_matches_and_near_misses_say_which_condition_is_met(world, django_assert_max_num_queries):
    leader = UserFactory(role=Role.LEADER)
    policy = policy_get(leader, world.policy.pk)  # with its tags, chains and parks
    with django_assert_max_num_queries(1):
        rows, conditions = policy_match_list(leader, policy)
        rows = explain(list(rows), conditions)
    assert [r.name for r in rows] == ["甲"]
    assert all(met for _label, met in rows[0].checks) and rows[0].missing == ""
    with translation.override("en"):
        near, conditions = policy_match_list(leader, world.policy, near=True)
        near = explain(list(near), conditions)
    assert [r.name for r in near] == ["乙"]  # 丙 misses three conditions, 丁 has left the zone
    assert near[0].missing == "has the tag 专精特新"
    assert [met for _label, met in near[0].checks] == [False, True, True, True]  # 专精特新 sorts first


def test_a_steward_sees_matches_among_its_own_enterprises_only(world):
    steward = StewardFactory()
    Enterprise.objects.filter(pk=world.one_tag.pk).update(workstation=steward.user.workstation)
    from stewards.models import StewardAssignment

    StewardAssignment.objects.create(enterprise=world.one_tag, steward=steward)
    rows, _conditions = policy_match_list(steward.user, world.policy)
    assert list(rows) == []
    near, _conditions = policy_match_list(steward.user, world.policy, near=True)
    assert list(near) == [world.one_tag]


def test_every_kind_of_condition(world):
    park = ParkFactory(name="绿色制造产业园")
    Enterprise.objects.filter(pk=world.both.pk).update(
        park=park, ownership=Enterprise.Ownership.PRIVATE,
        created_at=dt.datetime(2022, 3, 1, tzinfo=SHANGHAI))
    policy = PolicyFactory(tags_any=[world.little, world.high], parks=[park], ownerships=["private", "mixed"],
                           above_designated_size=True, min_years_in_zone=3, min_revenue=1000, max_revenue=7000,
                           min_output=1000, min_tax=100, min_employees=50, max_employees=500)
    assert list(qualifying_enterprises(policy)) == [world.both]
    policy.min_years_in_zone = 5  # registered in 2022: not five years yet
    assert not qualifying_enterprises(policy).exists()
    with translation.override("en"):
        labels = [c.label for c in policy_conditions(policy)]
    assert labels == [
        "has one of the tags 专精特新、高新技术企业", "in the park 绿色制造产业园", "ownership: private、mixed ownership",
        "above designated size", "registered in the zone for at least 5 years",
        "latest yearly revenue at least 1000 (10k yuan)", "latest yearly revenue at most 7000 (10k yuan)",
        "latest yearly industrial output at least 1000 (10k yuan)", "latest yearly tax paid at least 100 (10k yuan)",
        "at least 50 employees in the latest year", "at most 500 employees in the latest year"]
