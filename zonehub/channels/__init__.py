"""The channels a notification goes out by, beyond the bell: one module per provider, one small
interface (zonehub.channels.base: ``send(message, address) -> Sent``, or a retryable or permanent
error with the provider's answer).

- e-mail (email.py), through Django's EMAIL_BACKEND;
- SMS (sms.py), through Tencent Cloud's SDK, or a ``send(phone, text)`` class (ZONEHUB_SMS_BACKEND);
- WeCom application message to the person (wecom.py, ``WeComApp``);
- the department's group chat (``GroupChat`` below): a WeCom group robot (wecom.py) or a DingTalk
  custom robot with its signed URL (dingtalk.py), as the department's robot says.

A channel that is not configured is absent from ``backends()`` and nothing is planned on it.
"""

from __future__ import annotations

from zonehub.channels.base import Backend, ChannelError, Message, PermanentError, RetryableError, Sent
from zonehub.channels.dingtalk import DingTalkRobot
from zonehub.channels.email import EmailBackend
from zonehub.channels.sms import sms_backend
from zonehub.channels.wecom import WeComApp, WeComRobot

__all__ = [
    "Backend", "ChannelError", "GroupChat", "Message", "PermanentError", "RetryableError", "Sent", "backends",
    "configured_channels",
]


class GroupChat(Backend):
    """A department's group chat: ``address`` is its robot (DepartmentRobot), sent through the
    robot's provider."""

    name = "group"

    def __init__(self):
        self.providers = {"wecom": WeComRobot(), "dingtalk": DingTalkRobot()}

    def configured(self) -> bool:
        return any(p.configured() for p in self.providers.values())

    def send(self, message: Message, address) -> Sent:
        provider = self.providers.get(address.provider)
        if provider is None or not provider.configured():
            raise PermanentError(f"robot provider {address.provider!r} is not configured")
        return provider.send(message, address)


def backends() -> dict[str, Backend]:
    """The configured channels by name (zonehub.models.Channel), read from the settings now."""
    found: dict[str, Backend] = {"email": EmailBackend()}
    sms = sms_backend()
    if sms is not None:
        found["sms"] = sms
    app = WeComApp()
    if app.configured():
        found["wecom"] = app
    group = GroupChat()
    if group.configured():
        found["group"] = group
    return found


def configured_channels() -> set[str]:
    return set(backends())
