"""Push, exactly once: publishing pushes a policy to every qualifying enterprise's users and its
steward; an enterprise that comes to qualify later is pushed then, once; a withdrawn policy tells
those who applied; reminders go once, N working days before the window closes."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from enterprises.models import Enterprise
from policies import services
from policies.models import Policy, PolicyPush
from policies.tests.factories import IndicatorFactory, PolicyFactory, TagFactory
from stewards.models import ServiceRequest
from tests.factories import EnterpriseFactory, StewardFactory, UserFactory
from zonehub.models import Notification, Role
from zonehub.workdays import SHANGHAI

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(now, django_capture_on_commit_callbacks):
    # Set up as committed: what the data changes enqueue has run (with no policy published, nothing).
    with django_capture_on_commit_callbacks(execute=True):
        return _world()


def _world():
    w = type("World", (), {})()
    w.high, w.little = TagFactory(name="高新技术企业"), TagFactory(name="专精特新")
    w.steward = StewardFactory()
    w.leader = UserFactory(role=Role.LEADER)
    w.ok = EnterpriseFactory(name="甲科技", steward=w.steward, workstation=w.steward.user.workstation)
    w.ok.tags.set([w.high, w.little])
    IndicatorFactory(enterprise=w.ok, revenue=6000)
    w.ok_user = UserFactory(role=Role.ENTERPRISE, enterprise=w.ok)
    w.almost = EnterpriseFactory(name="乙材料", steward=w.steward, workstation=w.steward.user.workstation)
    w.almost.tags.set([w.high])
    IndicatorFactory(enterprise=w.almost, revenue=7000)
    w.almost_user = UserFactory(role=Role.ENTERPRISE, enterprise=w.almost)
    w.policy = PolicyFactory(tags_all=[w.high, w.little], min_revenue=5000, created_by=w.leader)
    return w


def publish(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.policy_publish(policy=world.policy, actor=world.leader)


def test_publishing_pushes_once_to_the_enterprise_and_its_steward(world, django_capture_on_commit_callbacks):
    assert publish(world, django_capture_on_commit_callbacks) == 1
    push = PolicyPush.objects.get()
    assert (push.enterprise, push.status) == (world.ok, PolicyPush.Status.PUSHED) and push.notified_at
    told = Notification.objects.filter(kind="policy.pushed")
    assert {n.recipient for n in told} == {world.ok_user, world.steward.user}
    assert world.policy.title in told.get(recipient=world.ok_user).title
    assert "专精特新" in told.get(recipient=world.ok_user).body  # why it qualifies
    # The tasks run again (a worker delivered them twice, the sweep came round): nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.policy_push_matches() == 0
        assert services.pushes_notify() == 0
    assert PolicyPush.objects.count() == 1 and told.count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        PolicyPush.objects.create(policy=world.policy, enterprise=world.ok)  # the database says once, too


def test_publishing_is_for_editors_and_drafts_with_a_condition(world, django_capture_on_commit_callbacks):
    with pytest.raises(PermissionDenied):
        services.policy_publish(policy=world.policy, actor=world.steward.user)
    bare = PolicyFactory(created_by=world.leader)
    with pytest.raises(ValidationError, match="条件|condition"):
        services.policy_publish(policy=bare, actor=world.leader)
    publish(world, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError):
        services.policy_publish(policy=world.policy, actor=world.leader)
    assert PolicyPush.objects.count() == 1


def test_an_enterprise_gaining_the_missing_tag_is_pushed_then_once(world, django_capture_on_commit_callbacks):
    publish(world, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        world.almost.tags.add(world.little)
    push = PolicyPush.objects.get(enterprise=world.almost)
    assert Notification.objects.filter(kind="policy.pushed", recipient=world.almost_user).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        world.almost.tags.remove(world.little)
        world.almost.tags.add(world.little)
        IndicatorFactory(enterprise=world.almost, year=2026, revenue=9000)
    assert PolicyPush.objects.filter(enterprise=world.almost).get() == push
    assert Notification.objects.filter(kind="policy.pushed", recipient=world.almost_user).count() == 1


def test_a_year_of_indicators_can_make_an_enterprise_qualify(world, django_capture_on_commit_callbacks):
    poor = EnterpriseFactory(name="丙电子")
    poor.tags.set([world.high, world.little])
    IndicatorFactory(enterprise=poor, year=2025, revenue=100)
    publish(world, django_capture_on_commit_callbacks)
    assert not PolicyPush.objects.filter(enterprise=poor).exists()
    with django_capture_on_commit_callbacks(execute=True):
        IndicatorFactory(enterprise=poor, year=2026, revenue=5200)
    assert PolicyPush.objects.filter(enterprise=poor).exists()


def test_apply_opens_a_policy_request_with_the_steward_attached(world, django_capture_on_commit_callbacks):
    publish(world, django_capture_on_commit_callbacks)
    push = PolicyPush.objects.get()
    with pytest.raises(PermissionDenied):
        services.push_apply(push=push, actor=world.almost_user)  # not its push
    push = services.push_apply(push=push, actor=world.ok_user, note="材料已备齐")
    request = push.request
    assert (push.status, request.category, request.enterprise) == (PolicyPush.Status.APPLIED, "policy", world.ok)
    assert request.steward == world.steward and request.status == ServiceRequest.Status.SUBMITTED
    assert world.policy.title in request.title and "材料已备齐" in request.description
    assert Notification.objects.filter(recipient=world.steward.user, kind="request.submitted").exists()
    with pytest.raises(ValidationError):
        services.push_apply(push=push, actor=world.ok_user)  # once
    assert ServiceRequest.objects.count() == 1


def test_apply_only_while_the_window_is_open(world, django_capture_on_commit_callbacks):
    publish(world, django_capture_on_commit_callbacks)
    push = PolicyPush.objects.get()
    with time_machine.travel(dt.datetime(2027, 1, 4, 10, tzinfo=SHANGHAI), tick=False), \
            pytest.raises(ValidationError, match="2026年11月1日"):
        services.push_apply(push=push, actor=world.ok_user)
    assert not ServiceRequest.objects.exists()


def test_not_needed_hides_it_with_a_reason(world, django_capture_on_commit_callbacks):
    publish(world, django_capture_on_commit_callbacks)
    push = PolicyPush.objects.get()
    with pytest.raises(ValidationError):
        services.push_decline(push=push, actor=world.ok_user, reason="  ")
    push = services.push_decline(push=push, actor=world.ok_user, reason="今年已申报过")
    assert (push.status, push.decline_reason) == (PolicyPush.Status.DECLINED, "今年已申报过")


def test_outcomes_are_recorded_by_leaders_and_the_handling_department(world, django_capture_on_commit_callbacks):
    from tests.factories import DepartmentFactory

    dept = DepartmentFactory()
    Policy.objects.filter(pk=world.policy.pk).update(department=dept)
    publish(world, django_capture_on_commit_callbacks)
    push = services.push_apply(push=PolicyPush.objects.get(), actor=world.ok_user)
    other = UserFactory(role=Role.DEPARTMENT, department=DepartmentFactory())
    with pytest.raises(PermissionDenied):
        services.push_record_outcome(push=push, actor=other, approved=True, amount=1, approved_on=dt.date(2026, 11, 23))
    handler = UserFactory(role=Role.DEPARTMENT, department=dept)
    with pytest.raises(ValidationError) as refused:
        services.push_record_outcome(push=push, actor=handler, approved=True, amount="-5", approved_on=None)
    assert set(refused.value.message_dict) == {"amount"}
    with pytest.raises(ValidationError) as refused:
        services.push_record_outcome(push=push, actor=handler, approved=True, amount="120000",
                                     approved_on=dt.date(2026, 11, 30))
    assert set(refused.value.message_dict) == {"approved_on"}  # in the future
    push = services.push_record_outcome(push=push, actor=handler, approved=True, amount="120,000",
                                        approved_on=dt.date(2026, 11, 23))
    assert (push.status, push.approved_amount) == (PolicyPush.Status.REDEEMED, 120000)
    assert Notification.objects.filter(recipient=world.ok_user, kind="policy.redeemed").exists()
    push = services.push_record_outcome(push=push, actor=world.leader, approved=False, reason="材料不齐")
    assert (push.status, push.approved_amount, push.refuse_reason) == (PolicyPush.Status.REFUSED, None, "材料不齐")


def test_withdrawing_tells_those_who_applied(world, django_capture_on_commit_callbacks):
    publish(world, django_capture_on_commit_callbacks)
    services.push_apply(push=PolicyPush.objects.get(), actor=world.ok_user)
    with pytest.raises(ValidationError):
        services.policy_withdraw(policy=world.policy, actor=world.leader, reason="")
    services.policy_withdraw(policy=world.policy, actor=world.leader, reason="上级政策调整，暂停执行")
    told = Notification.objects.filter(kind="policy.withdrawn")
    assert {n.recipient for n in told} == {world.ok_user, world.steward.user}
    assert told.first().body == "上级政策调整，暂停执行"
    with pytest.raises(ValidationError):
        services.push_apply(push=PolicyPush.objects.get(), actor=world.ok_user)


def test_reminders_go_once_five_working_days_before_the_close(world, django_capture_on_commit_callbacks):
    Policy.objects.filter(pk=world.policy.pk).update(closes_on=dt.date(2026, 12, 4))  # a Friday
    world.policy.refresh_from_db()
    publish(world, django_capture_on_commit_callbacks)
    # Monday 23 November: 9 working days are left after today. Nothing yet.
    assert services.pushes_remind(now=dt.datetime(2026, 11, 23, 9, tzinfo=SHANGHAI)) == 0
    # Friday 27 November: 5 working days are left (30 Nov – 4 Dec).
    with time_machine.travel(dt.datetime(2026, 11, 27, 9, 30, tzinfo=SHANGHAI), tick=False):
        assert services.policy_sweep()["reminded"] == 1
        assert services.policy_sweep()["reminded"] == 0
    told = Notification.objects.filter(kind="policy.reminder")
    assert {n.recipient for n in told} == {world.ok_user, world.steward.user}
    # After the window: expired, once.
    with time_machine.travel(dt.datetime(2026, 12, 5, 9, 30, tzinfo=SHANGHAI), tick=False):
        assert services.policy_sweep()["expired"] == 1
        assert services.policy_sweep()["expired"] == 0
    world.policy.refresh_from_db()
    assert world.policy.status == Policy.Status.EXPIRED


def test_an_applicant_is_not_reminded(world, django_capture_on_commit_callbacks):
    Policy.objects.filter(pk=world.policy.pk).update(closes_on=dt.date(2026, 11, 27))
    publish(world, django_capture_on_commit_callbacks)
    services.push_apply(push=PolicyPush.objects.get(), actor=world.ok_user)
    assert services.pushes_remind(now=dt.datetime(2026, 11, 23, 9, tzinfo=SHANGHAI)) == 0


def test_a_changed_published_policy_reaches_the_new_qualifiers(world, django_capture_on_commit_callbacks):
    publish(world, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.policy_update(policy=world.policy, actor=world.leader, tags_all=[world.high])
    assert set(PolicyPush.objects.values_list("enterprise__name", flat=True)) == {"甲科技", "乙材料"}
    # The push of 甲科技 keeps the reasons of its day.
    assert len(PolicyPush.objects.get(enterprise=world.ok).reasons) == 3


def test_the_enterprise_import_pushes_the_enterprises_it_changed(world, django_capture_on_commit_callbacks):
    """The import writes in bulk (no model signal): its "done" event names the batch."""
    from django.contrib.contenttypes.models import ContentType

    from enterprises.events import EnterpriseEvent
    from enterprises.models import ImportBatch
    from zonehub.events import record_event
    from zonehub.models import Event

    publish(world, django_capture_on_commit_callbacks)
    batch = ImportBatch.objects.create(kind="enterprises", file_name="企业.xlsx", created_by=world.leader)
    with django_capture_on_commit_callbacks(execute=True):
        Enterprise.tags.through.objects.create(enterprise=world.almost, enterprisetag=world.little)  # bulk: no signal
        Event.objects.create(subject_type=ContentType.objects.get_for_model(Enterprise), subject_id=world.almost.pk,
                             root_type=ContentType.objects.get_for_model(Enterprise), root_id=world.almost.pk,
                             kind=EnterpriseEvent.IMPORT_UPDATED, data={"batch": batch.pk, "fields": ["tags"]})
        record_event(batch, actor=world.leader, kind=EnterpriseEvent.IMPORT_DONE, data={"kind": "enterprises"})
    assert PolicyPush.objects.filter(enterprise=world.almost).exists()


def test_what_one_transaction_changes_goes_in_one_task(world, django_capture_on_commit_callbacks, monkeypatch):
    from policies import tasks

    sent = []
    monkeypatch.setattr(tasks.enterprises_match_task, "apply_async", lambda args=(), kwargs=None, **kw: sent.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        world.almost.tags.add(world.little)
        world.ok.tags.remove(world.high)
        IndicatorFactory(enterprise=world.almost, year=2026)
    assert sent == [(sorted([world.ok.pk, world.almost.pk]),)]
