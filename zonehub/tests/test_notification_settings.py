"""通知设置: every signed-in user chooses the channels of each kind of notice (the bell always),
with the defaults where they chose nothing; the administrator gives a department its group robot."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests.test_audit import form_data
from zonehub.models import DepartmentRobot, Event, NotificationSettings, Topic
from zonehub.notification_settings import DEFAULT_CHANNELS, channels_for, notice_topic, notification_settings_update

pytestmark = pytest.mark.django_db

URL = "/notifications/settings/"


def test_the_defaults_send_deadlines_and_overdue_marks_by_sms_and_chat_the_rest_by_e_mail():
    assert notice_topic("escalation.reminded") == Topic.DEADLINE and notice_topic("escalation.overdue") == Topic.OVERDUE
    # Each app declares its own (stewards above; evaluations, projects, policies here).
    assert notice_topic("case.overdue") == notice_topic("fivekey.lagging") == Topic.OVERDUE
    assert notice_topic("campaign.reminder") == notice_topic("policy.reminder") == Topic.DEADLINE
    assert notice_topic("request.submitted", urgent=True) == Topic.URGENT
    assert notice_topic("request.commented") == Topic.OTHER
    assert {"sms", "wecom"} <= DEFAULT_CHANNELS[Topic.DEADLINE] and {"sms", "wecom"} <= DEFAULT_CHANNELS[Topic.OVERDUE]
    assert DEFAULT_CHANNELS[Topic.OTHER] == {"email"}
    assert channels_for(None, Topic.OTHER) == {"email"}


@pytest.mark.parametrize("who", ["ent_user_a", "dept_user_a", "leader", "head_a"])
def test_every_signed_in_user_has_the_page_with_the_defaults_ticked(client, zone, who):
    client.force_login(getattr(zone, who))
    page = client.get(URL).content.decode()
    assert "通知设置" in page and "截止提醒" in page and "逾期通知" in page and "站内消息" in page
    assert 'name="topic_deadline" value="sms" id="topic_deadline-sms" checked' in page
    assert 'name="topic_other" value="sms" id="topic_other-sms" aria' in page  # not ticked
    assert 'name="topic_other" value="email" id="topic_other-email" checked' in page


def test_saving_the_page_keeps_the_choice_and_records_it(client, zone):
    user = zone.ent_user_a
    client.force_login(user)
    response = client.post(URL, {"topic_deadline": ["sms"], "topic_overdue": ["sms", "email"], "topic_urgent": [],
                                 "topic_other": ["email", "wecom"], "wecom_userid": "li.ming"})
    assert response.status_code == 302
    row = NotificationSettings.objects.get(user=user)
    assert row.channels == {"deadline": ["sms"], "overdue": ["email", "sms"], "urgent": [], "other": ["email", "wecom"]}
    assert row.wecom_userid == "li.ming"
    event = Event.objects.get(kind="notifications.settings_changed", subject_id=user.pk)
    assert event.actor == user and event.data["channels"]["deadline"] == [["email", "sms", "wecom"], ["sms"]]
    page = client.get(URL).content.decode()
    assert "通知设置已保存" in page and 'value="li.ming"' in page
    assert 'name="topic_deadline" value="email" id="topic_deadline-email" aria' in page


def test_a_bad_wecom_account_is_told_in_chinese_and_nothing_changes(client, zone):
    client.force_login(zone.ent_user_a)
    response = client.post(URL, {"topic_deadline": ["sms"], "wecom_userid": "李 明"})
    page = response.content.decode()
    assert response.status_code == 200 and "企业微信账号只能包含字母、数字" in page
    assert 'value="李 明"' in page  # what was typed stays
    assert 'name="topic_deadline" value="email" id="topic_deadline-email" aria' in page
    assert not NotificationSettings.objects.exists()


def test_nobody_changes_another_person_s_settings(zone):
    with pytest.raises(PermissionDenied):
        notification_settings_update(user=zone.ent_user_a, actor=zone.leader, channels={})
    with pytest.raises(ValidationError):
        notification_settings_update(user=zone.leader, actor=zone.leader, channels={"other": ["fax"]})


def test_a_department_user_is_told_of_the_department_s_group_chat(client, zone, settings):
    client.force_login(zone.dept_user_a)
    assert "本部门群尚未配置机器人" in client.get(URL).content.decode()
    DepartmentRobot.objects.create(department=zone.dept_a, provider="wecom", token="k")
    assert "发给本部门的通知也会发到部门群（企业微信群机器人）" in client.get(URL).content.decode()


def test_the_administrator_gives_a_department_its_robot_from_the_pasted_webhook(client, zone):
    client.force_login(zone.admin)
    url = reverse("admin:zonehub_department_change", args=[zone.dept_a.pk])
    data = form_data(client.get(url))
    data.update({"chat_robot-TOTAL_FORMS": "1", "chat_robot-0-provider": "dingtalk",
                 "chat_robot-0-token": "https://oapi.dingtalk.com/robot/send?access_token=abc123",
                 "chat_robot-0-secret": "", "chat_robot-0-is_active": "on"})
    response = client.post(url, data)
    assert response.status_code == 200 and "钉钉机器人须加签" in response.content.decode()
    data["chat_robot-0-secret"] = "SECxyz"
    assert client.post(url, data).status_code == 302
    robot = DepartmentRobot.objects.get(department=zone.dept_a)
    assert (robot.provider, robot.token, robot.secret) == ("dingtalk", "abc123", "SECxyz")
    assert Event.objects.filter(kind="admin.added", root_id=zone.dept_a.pk).exists()
