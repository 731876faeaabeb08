"""Notifications go out by each of their recipient's channels (zonehub.delivery), against the fake
providers: each channel once, its status on the notification with the provider's answer, retried
with backoff a bounded number of times, a provider that hangs given up on without holding back the
others, and a department's group chat told once of each effect."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.factories import DepartmentFactory, UserFactory
from zonehub.models import DepartmentRobot, Notification, NotificationDelivery, NotificationSettings, Role
from zonehub.notification_settings import notification_settings_update
from zonehub.notifications import notifications_send_pending, notify
from zonehub.tests.fake_providers import HANG, DingTalkFake, WeComFake

pytestmark = pytest.mark.django_db


@pytest.fixture
def channels(wecom, dingtalk, sms, settings):
    """Every channel configured, each on its fake; backoff of a minute, doubling, 3 attempts."""
    settings.ZONEHUB_DELIVERY_BACKOFF_SECONDS = 60
    settings.ZONEHUB_DELIVERY_MAX_ATTEMPTS = 3
    settings.ZONEHUB_SITE_URL = "https://zonehub.test"
    return type("Fakes", (), {"wecom": wecom, "dingtalk": dingtalk, "sms": sms})


@pytest.fixture
def dept_user(zone):
    user = zone.dept_user_a
    user.phone = "13800138000"
    user.save(update_fields=["phone"])
    NotificationSettings.objects.create(user=user, wecom_userid="zhangsan")
    return user


def statuses(notification) -> dict[str, str]:
    return dict(notification.deliveries.values_list("channel", "status"))


def test_a_deadline_warning_goes_by_every_channel_once(zone, channels, dept_user):
    DepartmentRobot.objects.create(department=zone.dept_a, provider="wecom", token="robot-key-a")
    notify([dept_user], kind="escalation.reminded", title="今天是答复“蒸汽管网接入”的最后一个工作日",
           key="escalation:1:reminder", url="/requests/escalations/1/", sms=True)
    assert notifications_send_pending() == 1
    note = Notification.objects.get()
    assert note.delivery == "sent"
    assert statuses(note) == {"email": "sent", "sms": "sent", "wecom": "sent", "group": "sent"}
    assert len(mail.outbox) == 1 and mail.outbox[0].body.endswith("https://zonehub.test/requests/escalations/1/")
    assert channels.sms.sent[0][:2] == ("+8613800138000", "2001")
    (app,) = channels.wecom.calls_to("/cgi-bin/message/send")
    assert app.json["touser"] == "zhangsan" and "https://zonehub.test/requests/escalations/1/" in app.json["text"]["content"]
    assert len(channels.wecom.calls_to("/cgi-bin/webhook/send")) == 1
    sms_row = note.deliveries.get(channel="sms")
    assert sms_row.address == "13800138000" and '"Code":"Ok"' in sms_row.answer and sms_row.sent_at
    # Nothing goes twice.
    assert notifications_send_pending() == 0
    assert len(mail.outbox) == 1 and len(channels.sms.sent) == 1 and len(channels.wecom.calls_to("/cgi-bin/webhook/send")) == 1


def test_the_rest_goes_by_e_mail_unless_the_person_chose_otherwise(zone, channels, dept_user):
    notify([dept_user], kind="request.commented", title="企业补充了说明", key="comment:1")
    notifications_send_pending()
    assert statuses(Notification.objects.get(dedupe_key="comment:1")) == {"email": "sent"}
    notification_settings_update(user=dept_user, actor=dept_user, wecom_userid="zhangsan",
                                 channels={"other": ["sms"], "deadline": ["wecom"], "overdue": [], "urgent": []})
    notify([dept_user], kind="request.commented", title="企业又补充了说明", key="comment:2")
    notify([dept_user], kind="escalation.reminded", title="最后一个工作日", key="esc:2:reminder", sms=True)
    notify([dept_user], kind="escalation.overdue", title="已逾期", key="esc:3:overdue", sms=True)
    notifications_send_pending()
    assert statuses(Notification.objects.get(dedupe_key="comment:2")) == {"sms": "sent"}
    assert statuses(Notification.objects.get(dedupe_key="esc:2:reminder")) == {"wecom": "sent"}
    overdue = Notification.objects.get(dedupe_key="esc:3:overdue")
    assert statuses(overdue) == {} and overdue.delivery == "skipped"  # the bell only


def test_an_urgent_notice_goes_by_sms_by_default(zone, channels, dept_user):
    notify([dept_user], kind="request.submitted", title="紧急诉求：停电", key="request:9:submitted", sms=True)
    notifications_send_pending()
    assert set(statuses(Notification.objects.get())) == {"email", "sms", "wecom"}


def test_a_department_s_group_chat_hears_of_an_effect_once_however_many_members_are_told(zone, channels):
    second = UserFactory(role=Role.DEPARTMENT, department=zone.dept_a)
    DepartmentRobot.objects.create(department=zone.dept_a, provider="dingtalk", token="ding-token-a",
                                   secret="SECdingsecret0123456789")
    notify([zone.dept_user_a, second, zone.dept_user_b, zone.leader], kind="escalation.sent",
           title="新的吹哨：蒸汽管网接入", key="escalation:5:sent")
    notifications_send_pending()
    assert len(channels.dingtalk.calls) == 1
    assert channels.dingtalk.calls[0].json["text"]["content"].startswith("新的吹哨：蒸汽管网接入")
    assert NotificationDelivery.objects.filter(channel="group", status="sent").count() == 1
    # Department B has no robot; the leader is in no department.
    assert not NotificationDelivery.objects.filter(channel="group", notification__recipient__in=[zone.dept_user_b, zone.leader])


def test_a_rate_limited_channel_is_retried_after_its_backoff_and_the_others_are_not_sent_again(zone, channels, dept_user):
    channels.sms.answer_next(channels.sms.thirty_second_limit("+8613800138000"))
    with time_machine.travel(timezone.now(), tick=False) as clock:
        notify([dept_user], kind="escalation.reminded", title="最后一个工作日", key="esc:7:reminder", sms=True)
        assert notifications_send_pending() == 0
        note = Notification.objects.get()
        sms_row = note.deliveries.get(channel="sms")
        assert statuses(note) == {"email": "sent", "sms": "pending", "wecom": "sent"}
        assert note.delivery == "pending" and note.next_attempt_at == sms_row.next_attempt_at
        assert sms_row.next_attempt_at - timezone.now() == dt.timedelta(seconds=60)
        assert "LimitExceeded.PhoneNumberThirtySecondLimit" in sms_row.last_error
        assert notifications_send_pending() == 0 and len(channels.sms.calls) == 1  # not before its time
        clock.shift(61)
        assert notifications_send_pending() == 1
    note.refresh_from_db()
    assert note.delivery == "sent" and statuses(note) == {"email": "sent", "sms": "sent", "wecom": "sent"}
    assert note.deliveries.get(channel="sms").attempts == 2
    # The e-mail and the WeCom message went out once, whatever the SMS did.
    assert len(mail.outbox) == 1 and len(channels.wecom.calls_to("/cgi-bin/message/send")) == 1


def test_a_refused_signature_fails_at_once_with_the_provider_s_answer_on_the_recipient_s_page(
        client, zone, channels, dept_user):
    DepartmentRobot.objects.create(department=zone.dept_a, provider="dingtalk", token="ding-token-a", secret="SECwrong")
    notify([dept_user], kind="escalation.sent", title="新的吹哨", key="escalation:8:sent")
    notifications_send_pending()
    note = Notification.objects.get()
    group = note.deliveries.get(channel="group")
    assert (group.status, group.attempts) == ("failed", 1) and "sign not match" in group.last_error
    assert note.delivery == "failed"
    client.force_login(dept_user)
    page = client.get(reverse("notifications")).content.decode()
    assert 'data-channel="email" data-status="sent"' in page and 'data-channel="group" data-status="failed"' in page
    assert "sign not match" in page and "部门群" in page
    # Another person sees none of it.
    client.force_login(zone.dept_user_b)
    assert "sign not match" not in client.get(reverse("notifications")).content.decode()


def test_a_channel_that_times_out_is_tried_a_bounded_number_of_times_and_holds_back_nothing_else(
        zone, channels, dept_user, short_timeout):
    """The group robot hangs: its delivery is given up after ZONEHUB_DELIVERY_MAX_ATTEMPTS (3), with
    the backoff between; every other channel goes out once; the rest of a run leaves the hanging
    robot alone rather than wait for it again."""
    DepartmentRobot.objects.create(department=zone.dept_a, provider="wecom", token="robot-key-a")
    channels.wecom.answer_next(*[HANG] * 10)  # the robot's calls (the application message gets a token first)
    notification_settings_update(user=dept_user, actor=dept_user, channels={"other": ["email"]}, wecom_userid="")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for i in range(3):
            notify([dept_user], kind="escalation.sent", title=f"新的吹哨{i}", key=f"escalation:{i}:sent")
        runs = 0
        while Notification.objects.filter(delivery="pending").exists() and runs < 10:
            notifications_send_pending()
            runs += 1
            clock.shift(3600)
    groups = NotificationDelivery.objects.filter(channel="group").order_by("pk")
    assert [g.status for g in groups] == ["failed"] * 3 and {g.attempts for g in groups} == {3}
    assert all("no answer within 0.3 s" in g.last_error for g in groups)
    # One call at a time: a run tries the hanging robot once, and leaves its other messages for later.
    assert len(channels.wecom.calls_to("/cgi-bin/webhook/send")) == 9 and runs == 9
    assert len(mail.outbox) == 3 and NotificationDelivery.objects.filter(channel="email", status="sent").count() == 3
    assert set(Notification.objects.values_list("delivery", flat=True)) == {"failed"}


def test_a_claim_left_sending_by_a_dead_run_resends_only_what_was_not_marked(zone, channels, dept_user, settings):
    settings.ZONEHUB_DELIVERY_LEASE_SECONDS = 600
    notify([dept_user], kind="escalation.reminded", title="最后一个工作日", key="esc:9:reminder", sms=True)
    note = Notification.objects.get()
    # A run took it, sent the e-mail and marked it, and died while sending the SMS.
    past = timezone.now() - dt.timedelta(minutes=11)
    Notification.objects.update(delivery="sending", claimed_at=past, attempts=1)
    NotificationDelivery.objects.create(notification=note, channel="email", address=dept_user.email, status="sent",
                                        attempts=1, sent_at=past)
    NotificationDelivery.objects.create(notification=note, channel="sms", address=dept_user.phone, status="sending",
                                        attempts=0, next_attempt_at=past)
    assert notifications_send_pending() == 1
    assert not mail.outbox and len(channels.sms.sent) == 1  # the SMS again, the e-mail not
    assert statuses(note) == {"email": "sent", "sms": "sent", "wecom": "sent"}


def test_wecom_rate_limit_on_one_robot_leaves_another_department_s_robot_alone(zone, channels):
    DepartmentRobot.objects.create(department=zone.dept_a, provider="wecom", token="robot-key-a")
    DepartmentRobot.objects.create(department=zone.dept_b, provider="dingtalk", token="ding-token-a",
                                   secret="SECdingsecret0123456789")
    channels.wecom.answer_next(WeComFake.RATE_LIMITED)
    channels.dingtalk.answer_next(DingTalkFake.TOO_FAST)
    notify([zone.dept_user_a], kind="escalation.sent", title="甲局吹哨", key="escalation:20:sent")
    notify([zone.dept_user_b], kind="escalation.sent", title="乙局吹哨", key="escalation:21:sent")
    notify([zone.dept_user_b], kind="escalation.sent", title="乙局吹哨二", key="escalation:22:sent")
    notifications_send_pending()
    rows = {d.dedupe_key: d for d in NotificationDelivery.objects.filter(channel="group")}
    assert rows["escalation:20:sent"].status == "pending" and "45009" in rows["escalation:20:sent"].last_error
    assert rows["escalation:21:sent"].status == "pending" and "130101" in rows["escalation:21:sent"].last_error
    # DingTalk's limit held back the second DingTalk message of the run (not counted as an attempt).
    assert (rows["escalation:22:sent"].status, rows["escalation:22:sent"].attempts) == ("pending", 0)


def test_the_notification_page_reads_every_channel_in_one_query(client, zone, channels, dept_user,
                                                               django_assert_max_num_queries):
    for i in range(12):
        notify([dept_user], kind="escalation.reminded", title=f"提醒{i}", key=f"esc:{i}:reminder", sms=True)
    notifications_send_pending()
    client.force_login(dept_user)
    client.get(reverse("notifications"))
    with django_assert_max_num_queries(6):
        page = client.get(reverse("notifications")).content.decode()
    assert page.count('data-channel="sms" data-status="sent"') == 12


def test_a_provider_that_does_not_answer_is_left_alone_for_the_run_but_another_provider_is_not(
        zone, channels, short_timeout):
    third = UserFactory(role=Role.DEPARTMENT, department=DepartmentFactory())
    DepartmentRobot.objects.create(department=zone.dept_a, provider="wecom", token="robot-key-a")
    DepartmentRobot.objects.create(department=third.department, provider="wecom", token="robot-key-a")
    DepartmentRobot.objects.create(department=zone.dept_b, provider="dingtalk", token="ding-token-a",
                                   secret="SECdingsecret0123456789")
    channels.wecom.answer_next(HANG)
    for user, key in ((zone.dept_user_a, "a"), (third, "c"), (zone.dept_user_b, "b")):
        notify([user], kind="escalation.sent", title=f"吹哨{key}", key=f"escalation:{key}:sent")
    notifications_send_pending()
    rows = {d.dedupe_key: d for d in NotificationDelivery.objects.filter(channel="group")}
    assert (rows["escalation:a:sent"].status, rows["escalation:a:sent"].attempts) == ("pending", 1)
    # WeCom did not answer: its other robot waits for the next run, unattempted; DingTalk is not WeCom.
    assert (rows["escalation:c:sent"].status, rows["escalation:c:sent"].attempts) == ("pending", 0)
    assert rows["escalation:b:sent"].status == "sent"
    assert len(channels.wecom.calls_to("/cgi-bin/webhook/send")) == 1
