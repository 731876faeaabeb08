"""SMS through Tencent Cloud's official SDK (tencentcloud-sdk-python-sms, API 2021-01-11).

Chinese carriers deliver only approved templates under an approved signature (签名), so a
message is a template id and its parameters: a notice's title ({1}) in the notice template, the
code and its minutes in the login-code template. The endpoint is ZONEHUB_SMS_URL (the tests point
it at a fake server on 127.0.0.1).

A deployment with another gateway names a class with ``send(phone, text)`` in ZONEHUB_SMS_BACKEND
instead; it gets the message as text.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.module_loading import import_string

from zonehub.channels.base import Backend, Message, PermanentError, RetryableError, Sent, answer_text, timeout

logger = logging.getLogger(__name__)

MOBILE = re.compile(r"^1[3-9]\d{9}$")

# Tencent Cloud's error codes that may pass by waiting: rate limits (per number every 30 s, hour,
# day; per account), its internal errors, a network failure of the SDK itself. Every other code
# (bad signature or keys, a template or signature not approved, a malformed number, no balance)
# fails the same way again.
RETRYABLE_PREFIXES = (
    "LimitExceeded.PhoneNumberThirtySecondLimit", "LimitExceeded.PhoneNumberOneHourLimit",
    "LimitExceeded.PhoneNumberDailyLimit", "LimitExceeded.DailyLimit", "LimitExceeded.DeliveryFrequencyLimit",
    "RequestLimitExceeded", "InternalError", "ClientNetworkError", "ServerNetworkError",
    "FailedOperation.JsonParseFail", "AuthFailure.SignatureExpire", "JSONDecodeError",
)


def normalize_mobile(value: str) -> str | None:
    """A mainland mobile number as 11 digits (spaces, dashes and +86/0086/86 removed), or None."""
    digits = re.sub(r"[\s\-()（）]", "", str(value or ""))
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix):]
            break
    return digits if MOBILE.match(digits) else None


def cut(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class LogSmsBackend:
    """Writes the message to the log instead of sending it (development, a demo): name it in
    ZONEHUB_SMS_BACKEND. Any class with this ``send(phone, text)`` may stand in its place."""

    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", phone, text)


class TextGatewaySms(Backend):
    """The SMS channel through a ``send(phone, text)`` class named in ZONEHUB_SMS_BACKEND."""

    name = "sms"

    def __init__(self, dotted_path: str):
        self.gateway = import_string(dotted_path)()

    def configured(self) -> bool:
        return True

    def send(self, message: Message, address: str) -> Sent:
        if message.template == "login_code":
            code, minutes = message.params
            text = f"您的登录验证码为{code}，{minutes}分钟内有效。如非本人操作，请忽略本短信。"
        else:
            text = " ".join(message.title.split())
        try:
            self.gateway.send(address, text)
        except Exception as exc:  # noqa: BLE001 - whatever the gateway raises may pass: retried, bounded
            raise RetryableError(f"{type(exc).__name__}: {exc}") from exc
        return Sent("ok")


class TencentCloudSms(Backend):
    """Tencent Cloud SMS (短信), by its SDK: SendSms with a template and its parameters."""

    name = "sms"

    def configured(self) -> bool:
        return all((settings.ZONEHUB_SMS_SECRET_ID, settings.ZONEHUB_SMS_SECRET_KEY,
                    settings.ZONEHUB_SMS_SDK_APP_ID, settings.ZONEHUB_SMS_SIGN_NAME))

    def template(self, message: Message) -> tuple[str, list[str]]:
        limit = settings.ZONEHUB_SMS_PARAM_MAX_LENGTH
        if message.template == "login_code":
            template_id = settings.ZONEHUB_SMS_TEMPLATE_LOGIN_CODE
            params = [str(p) for p in message.params]
        else:
            template_id = settings.ZONEHUB_SMS_TEMPLATE_NOTICE
            params = [cut(message.title, limit)]
        if not template_id:
            raise PermanentError(f"no template configured for {message.template!r} (ZONEHUB_SMS_TEMPLATE_…)")
        return template_id, params

    def client(self):
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import sms_client

        url = urlsplit(settings.ZONEHUB_SMS_URL if "://" in settings.ZONEHUB_SMS_URL
                       else f"https://{settings.ZONEHUB_SMS_URL}")
        http = HttpProfile(protocol=url.scheme or "https", endpoint=url.netloc,
                           reqTimeout=timeout())
        profile = ClientProfile(httpProfile=http, language="zh-CN")
        cred = credential.Credential(settings.ZONEHUB_SMS_SECRET_ID, settings.ZONEHUB_SMS_SECRET_KEY)
        return sms_client.SmsClient(cred, settings.ZONEHUB_SMS_REGION, profile)

    def send(self, message: Message, address: str) -> Sent:
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
        from tencentcloud.sms.v20210111 import models

        template_id, params = self.template(message)
        mobile = normalize_mobile(address)
        if mobile is None:
            raise PermanentError(f"not a mainland mobile number: {address!r}")
        request = models.SendSmsRequest()
        request.PhoneNumberSet = [f"+86{mobile}"]
        request.SmsSdkAppId = settings.ZONEHUB_SMS_SDK_APP_ID
        request.SignName = settings.ZONEHUB_SMS_SIGN_NAME
        request.TemplateId = template_id
        request.TemplateParamSet = params
        try:
            response = self.client().SendSms(request)
        except TencentCloudSDKException as exc:
            code = exc.get_code() or "ClientError"
            answer = f"{code}: {exc.get_message()}" + (f" (RequestId {exc.get_request_id()})" if exc.get_request_id() else "")
            unreachable = code in ("ClientNetworkError", "ServerNetworkError")
            raise (RetryableError if code.startswith(RETRYABLE_PREFIXES) else PermanentError)(
                answer, transport=unreachable) from exc
        statuses = response.SendStatusSet or []
        if not statuses:
            raise RetryableError(f"no send status in the answer (RequestId {response.RequestId})")
        status = statuses[0]
        answer = answer_text({"Code": status.Code, "Message": status.Message, "SerialNo": status.SerialNo,
                              "RequestId": response.RequestId})
        if status.Code != "Ok":
            raise (RetryableError if (status.Code or "").startswith(RETRYABLE_PREFIXES) else PermanentError)(answer)
        return Sent(answer)


def sms_backend() -> Backend | None:
    """The configured SMS channel, or None: ZONEHUB_SMS_BACKEND if named, else Tencent Cloud when
    its keys are set."""
    if settings.ZONEHUB_SMS_BACKEND:
        return TextGatewaySms(settings.ZONEHUB_SMS_BACKEND)
    backend = TencentCloudSms()
    return backend if backend.configured() else None
