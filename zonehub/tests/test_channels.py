"""Each channel against its fake provider (zonehub/tests/fake_providers.py): what it sends, and how
it reads the provider's answers — success, rate limits, bad signatures, timeouts."""

import time
from types import SimpleNamespace

import pytest

from zonehub.channels import GroupChat, Message, PermanentError, RetryableError, backends
from zonehub.channels.dingtalk import DingTalkRobot, sign
from zonehub.channels.sms import TencentCloudSms, normalize_mobile
from zonehub.channels.wecom import WeComApp, WeComRobot
from zonehub.tests.fake_providers import HANG, DingTalkFake, TencentSmsFake, WeComFake, dingtalk_sign

NOTICE = Message(title="今天是答复“园区蒸汽管网接入”的最后一个工作日", body="请尽快答复。", link="https://zonehub.test/requests/12/",
                 kind="escalation.reminded")


def robot(provider, token, secret=""):
    return SimpleNamespace(provider=provider, token=token, secret=secret)


# --- WeCom group robot -------------------------------------------------------------------------


def test_the_wecom_robot_posts_the_notice_as_text_to_its_webhook(wecom):
    sent = WeComRobot().send(NOTICE, robot("wecom", "robot-key-a"))
    (call,) = wecom.calls_to("/cgi-bin/webhook/send")
    assert call.q("key") == "robot-key-a"
    assert call.json == {"msgtype": "text", "text": {"content": f"{NOTICE.title}\n请尽快答复。\nhttps://zonehub.test/requests/12/"}}
    assert '"errcode":0' in sent.answer


def test_the_wecom_robot_reads_a_wrong_key_as_permanent_and_a_rate_limit_as_passing(wecom):
    with pytest.raises(PermanentError) as wrong:
        WeComRobot().send(NOTICE, robot("wecom", "no-such-key"))
    assert "93000" in wrong.value.answer and "invalid webhook url" in wrong.value.answer
    wecom.answer_next(WeComFake.RATE_LIMITED)
    with pytest.raises(RetryableError) as limited:
        WeComRobot().send(NOTICE, robot("wecom", "robot-key-a"))
    assert "45009" in limited.value.answer and "api freq out of limit" in limited.value.answer


def test_a_long_notice_is_cut_to_wecom_s_limit_in_bytes(wecom):
    WeComRobot().send(Message(title="长" * 2000), robot("wecom", "robot-key-a"))
    content = wecom.calls[-1].json["text"]["content"]
    assert len(content.encode()) <= 2048 and content.endswith("…")


# --- WeCom application message -----------------------------------------------------------------


def test_the_wecom_application_message_gets_a_token_once_and_sends_to_the_person(wecom):
    app = WeComApp()
    assert app.configured()
    app.send(NOTICE, "zhangsan")
    app.send(NOTICE, "zhangsan")
    assert len(wecom.calls_to("/cgi-bin/gettoken")) == 1  # kept in the cache
    first, _second = wecom.calls_to("/cgi-bin/message/send")
    assert first.json["touser"] == "zhangsan" and first.json["agentid"] == WeComFake.AGENT_ID
    assert first.json["msgtype"] == "text" and first.json["text"]["content"].startswith(NOTICE.title)
    # A retry after a timeout that got through is dropped by WeCom, not shown twice.
    assert first.json["enable_duplicate_check"] == 1


def test_an_expired_token_is_fetched_again_once(wecom):
    app = WeComApp()
    app.send(NOTICE, "zhangsan")
    wecom.expire_tokens()  # the cached one is no longer valid: 40014
    assert '"errcode":0' in app.send(NOTICE, "zhangsan").answer
    assert len(wecom.calls_to("/cgi-bin/gettoken")) == 2


def test_the_wecom_application_refuses_an_unknown_person_and_a_wrong_secret_for_good(wecom, settings):
    with pytest.raises(PermanentError) as unknown:
        WeComApp().send(NOTICE, "nobody")
    assert "81013" in unknown.value.answer
    settings.ZONEHUB_WECOM_SECRET = "wrong"
    settings.ZONEHUB_WECOM_AGENT_ID = "1000003"  # another cache key: no token yet
    with pytest.raises(PermanentError) as wrong:
        WeComApp().send(NOTICE, "zhangsan")
    assert "40001" in wrong.value.answer


def test_wecom_busy_may_pass(wecom):
    wecom.answer_next(WeComFake.BUSY)
    with pytest.raises(RetryableError):
        WeComApp().send(NOTICE, "zhangsan")


# --- DingTalk custom robot ---------------------------------------------------------------------


def test_the_dingtalk_signature_is_dingtalk_s():
    # HMAC-SHA256 of "timestamp\nsecret" keyed with the secret, base64, then URL-encoded.
    # A "+" in the base64 must reach DingTalk as %2B, or it reads a space and refuses the signature.
    assert sign(1733371200000, "SEC123") == "uHG0DkqMj4qoeFp5%2Bzou%2BypHtBfT69jRdAVGH7qQQ6Q%3D"
    assert dingtalk_sign("1733371200000", "SEC123") == "uHG0DkqMj4qoeFp5+zou+ypHtBfT69jRdAVGH7qQQ6Q="


def test_the_dingtalk_robot_signs_its_url_and_the_fake_checks_it(dingtalk):
    DingTalkRobot().send(NOTICE, robot("dingtalk", "ding-token-a", "SECdingsecret0123456789"))
    (call,) = dingtalk.calls
    assert call.q("access_token") == "ding-token-a"
    assert abs(int(call.q("timestamp")) - time.time() * 1000) < 60_000
    assert call.json["msgtype"] == "text" and call.json["text"]["content"].startswith(NOTICE.title)


def test_a_wrong_dingtalk_secret_is_refused_for_good(dingtalk):
    with pytest.raises(PermanentError) as refused:
        DingTalkRobot().send(NOTICE, robot("dingtalk", "ding-token-a", "SECwrong"))
    assert "310000" in refused.value.answer and "sign not match" in refused.value.answer


def test_dingtalk_s_twenty_a_minute_limit_may_pass(dingtalk):
    dingtalk.answer_next(DingTalkFake.TOO_FAST)
    with pytest.raises(RetryableError) as limited:
        DingTalkRobot().send(NOTICE, robot("dingtalk", "ding-token-a", "SECdingsecret0123456789"))
    assert "130101" in limited.value.answer


def test_the_group_chat_sends_through_the_robot_s_provider(wecom, dingtalk):
    chat = GroupChat()
    chat.send(NOTICE, robot("wecom", "robot-key-a"))
    chat.send(NOTICE, robot("dingtalk", "ding-token-a", "SECdingsecret0123456789"))
    assert len(wecom.calls) == 1 and len(dingtalk.calls) == 1


# --- Tencent Cloud SMS (the official SDK, pointed at the fake) ---------------------------------


def test_sms_goes_through_the_sdk_with_the_notice_template_and_its_parameter(sms):
    sent = TencentCloudSms().send(NOTICE, "138 0013 8000")
    (call,) = sms.calls
    assert call.headers["x-tc-action"] == "SendSms" and call.json["TemplateId"] == "2001"
    assert call.json["PhoneNumberSet"] == ["+8613800138000"]
    assert call.json["SignName"] == TencentSmsFake.SIGN_NAME and call.json["SmsSdkAppId"] == TencentSmsFake.APP_ID
    # The title, cut to the template parameter's limit.
    (param,) = call.json["TemplateParamSet"]
    assert len(param) == 20 and param.endswith("…") and NOTICE.title.startswith(param[:-1])
    assert '"Code":"Ok"' in sent.answer and "SerialNo" in sent.answer


def test_the_login_code_template_takes_the_code_and_its_minutes(sms):
    TencentCloudSms().send(Message(title="登录验证码", template="login_code", params=("042137", "5")), "13800138000")
    assert sms.sent == [("+8613800138000", "2002", ["042137", "5"])]


def test_a_wrong_secret_key_fails_the_signature_for_good(sms, settings):
    settings.ZONEHUB_SMS_SECRET_KEY = "not-the-key"
    with pytest.raises(PermanentError) as refused:
        TencentCloudSms().send(NOTICE, "13800138000")
    assert refused.value.answer.startswith("AuthFailure.SignatureFailure")
    assert not sms.sent


def test_the_per_number_limit_may_pass_a_template_error_will_not(sms, settings):
    sms.per_number_limit = 1
    TencentCloudSms().send(NOTICE, "13800138000")
    with pytest.raises(RetryableError) as limited:
        TencentCloudSms().send(NOTICE, "13800138000")
    assert "LimitExceeded.PhoneNumberThirtySecondLimit" in limited.value.answer
    settings.ZONEHUB_SMS_TEMPLATE_NOTICE = "2002"  # two parameters expected, one given
    with pytest.raises(PermanentError) as wrong:
        TencentCloudSms().send(NOTICE, "13900139000")
    assert "TemplateParameterFormatError" in wrong.value.answer


def test_a_number_that_is_no_mobile_is_not_sent(sms):
    with pytest.raises(PermanentError):
        TencentCloudSms().send(NOTICE, "0571-88886666")
    assert not sms.calls
    assert normalize_mobile("+86 138-0013-8000") == "13800138000" and normalize_mobile("12345") is None


# --- Timeouts and what is configured ---------------------------------------------------------------


def test_a_provider_that_does_not_answer_is_given_up_on_in_time_and_may_pass(wecom, sms, short_timeout):
    wecom.answer_next(HANG)
    started = time.monotonic()
    with pytest.raises(RetryableError) as hung:
        WeComRobot().send(NOTICE, robot("wecom", "robot-key-a"))
    assert "no answer within" in hung.value.answer
    sms.answer_next(HANG)
    with pytest.raises(RetryableError):
        TencentCloudSms().send(NOTICE, "13800138000")
    assert time.monotonic() - started < 5


def test_a_channel_is_off_until_configured(settings):
    settings.ZONEHUB_SMS_BACKEND = ""
    settings.ZONEHUB_SMS_SECRET_ID = ""
    settings.ZONEHUB_WECOM_CORP_ID = ""
    settings.ZONEHUB_CHAT_ROBOTS_ENABLED = False
    assert set(backends()) == {"email"}
    settings.ZONEHUB_CHAT_ROBOTS_ENABLED = True
    settings.ZONEHUB_SMS_BACKEND = "zonehub.notifications.LogSmsBackend"
    assert set(backends()) == {"email", "sms", "group"}
