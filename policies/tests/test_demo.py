"""The demo's policies (the floors they stand on, and theirs), built once on a fixed day: a dozen
real-looking policies, each pushed once to those that qualify, read, applied for through the
stewards' requests, redeemed or refused; one withdrawn, one still a draft; the demo enterprise
pushed the “小巨人” policy when it was recognised 专精特新, with an application in progress."""

import datetime as dt
from collections import Counter

import pytest
import time_machine
from django.db import transaction
from django.db.models import Sum

from enterprises import demo as enterprises_demo
from policies import demo
from policies.models import Policy, PolicyPush
from stewards import demo as stewards_demo
from stewards.models import ServiceRequest
from zonehub import demo as zonehub_demo
from zonehub.models import Notification
from zonehub.workdays import SHANGHAI

NOW = dt.datetime(2026, 12, 4, 10, tzinfo=SHANGHAI)
FLOORS = [("enterprises", enterprises_demo.build), ("stewards", stewards_demo.build), ("policies", demo.build)]


def build_zone() -> dict:
    return zonehub_demo.build_zone(2026, FLOORS, lived=ServiceRequest.objects.exists)


@pytest.fixture(scope="module")
def zone(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), time_machine.travel(NOW, tick=False), transaction.atomic():
        ctx = build_zone()
        yield ctx
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def test_a_dozen_policies_lived_through_the_year(zone):
    statuses = Counter(Policy.objects.values_list("status", flat=True))
    assert sum(statuses.values()) == 13 and statuses["draft"] == 1 and statuses["withdrawn"] == 1
    assert statuses["expired"] >= 5 and statuses["published"] >= 4
    assert Policy.objects.filter(title="研发费用加计扣除政策申报辅导", status="published").exists()
    pushes = PolicyPush.objects.all()
    assert pushes.count() > 60 and not pushes.filter(notified_at__isnull=True).exists()
    # one push per enterprise and policy, each told once to its users and its steward
    told = Notification.objects.filter(kind="policy.pushed").values_list("recipient", "dedupe_key")
    assert len(told) == len(set(told)) and len(told) >= pushes.count()
    states = Counter(pushes.values_list("status", flat=True))
    assert states["redeemed"] >= 10 and states["refused"] >= 1 and states["declined"] >= 3 and states["applied"] >= 1
    assert pushes.filter(viewed_at__isnull=False).count() > pushes.count() / 2
    redeemed = pushes.filter(status="redeemed")
    assert redeemed.aggregate(total=Sum("approved_amount"))["total"] > 1_000_000
    assert all(p.request.category == "policy" for p in pushes.exclude(request=None).select_related("request"))
    assert Notification.objects.filter(kind="policy.reminder").exists()  # the green-factory window closes soon
    assert Notification.objects.filter(kind="policy.withdrawn").exists()


def test_the_demo_enterprise_has_policies_to_act_on(zone):
    home = zone["enterprises"][0]
    mine = PolicyPush.objects.filter(enterprise=home).select_related("policy")
    titles = {p.policy.title: p for p in mine}
    assert titles["高新技术企业认定奖励"].status == "redeemed" and titles["高新技术企业认定奖励"].approved_amount == 300000
    little_giant = titles["专精特新“小巨人”企业奖励"]
    assert little_giant.status == "pushed" and little_giant.created_at > little_giant.policy.published_at
    open_pushes = [p for p in mine if p.policy.status == "published"]
    assert any(p.status == "applied" for p in open_pushes) and any(p.status == "pushed" for p in open_pushes)


def test_running_it_again_adds_nothing(zone):
    counts = (Policy.objects.count(), PolicyPush.objects.count(), Notification.objects.count())
    build_zone()
    assert (Policy.objects.count(), PolicyPush.objects.count(), Notification.objects.count()) == counts
