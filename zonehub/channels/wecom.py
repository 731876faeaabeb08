"""WeCom (企业微信): a department's group robot (webhook), and the application message to one
person (gettoken, then message/send). The provider's address is ZONEHUB_WECOM_API_URL (the tests
point it at a fake server on 127.0.0.1).

WeCom answers HTTP 200 with ``{"errcode": …, "errmsg": …}``; errcode 0 is success. Those that may
pass: -1 (system busy), 45009 / 45011 / 45033 (rate and concurrency limits); an expired or
invalid access token (40014, 42001, 42009) is fetched anew once. Any other code (93000 an invalid
robot key, 40001 a wrong secret, 81013 an unknown user…) fails the same way again.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache

from zonehub.channels.base import Backend, Message, PermanentError, RetryableError, Sent, answer_text, http_json

RETRYABLE_CODES = {-1, 45009, 45011, 45033}
TOKEN_CODES = {40014, 42001, 42009}
# WeCom's limit on a text message's content, in bytes.
TEXT_MAX_BYTES = 2048


def cut_bytes(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode("utf-8", errors="ignore") + "…"


def checked(answer: dict) -> dict:
    """The answer if WeCom says ok, else the error it means."""
    code = answer.get("errcode", 0)
    if code == 0:
        return answer
    raise (RetryableError if code in RETRYABLE_CODES else PermanentError)(answer_text(answer))


class WeComRobot(Backend):
    """A group robot: ``address`` is the department's robot (its ``token`` is the webhook key)."""

    name = "wecom_robot"

    def configured(self) -> bool:
        return bool(settings.ZONEHUB_CHAT_ROBOTS_ENABLED and settings.ZONEHUB_WECOM_API_URL)

    def send(self, message: Message, address) -> Sent:
        url = f"{settings.ZONEHUB_WECOM_API_URL}/cgi-bin/webhook/send?{urlencode({'key': address.token})}"
        payload = {"msgtype": "text", "text": {"content": cut_bytes(message.text, TEXT_MAX_BYTES)}}
        return Sent(answer_text(checked(http_json(url, payload=payload))))


class WeComApp(Backend):
    """The application message (应用消息) to one person: ``address`` is their WeCom UserID. The
    access token is kept in the cache for its life (less five minutes), shared by every worker.
    WeCom's duplicate check is on: the same text to the same person within half an hour (a retry
    after a timeout the message did get through) is dropped by WeCom, not shown twice."""

    name = "wecom"

    def configured(self) -> bool:
        return all((settings.ZONEHUB_WECOM_API_URL, settings.ZONEHUB_WECOM_CORP_ID, settings.ZONEHUB_WECOM_AGENT_ID,
                    settings.ZONEHUB_WECOM_SECRET))

    @staticmethod
    def _cache_key() -> str:
        return f"zonehub:wecom-token:{settings.ZONEHUB_WECOM_CORP_ID}:{settings.ZONEHUB_WECOM_AGENT_ID}"

    def token(self, *, fresh: bool = False) -> str:
        key = self._cache_key()
        token = None if fresh else cache.get(key)
        if token:
            return token
        query = urlencode({"corpid": settings.ZONEHUB_WECOM_CORP_ID, "corpsecret": settings.ZONEHUB_WECOM_SECRET})
        answer = checked(http_json(f"{settings.ZONEHUB_WECOM_API_URL}/cgi-bin/gettoken?{query}"))
        token = answer.get("access_token")
        if not token:
            raise RetryableError(f"gettoken gave no access_token: {answer_text(answer)}")
        cache.set(key, token, timeout=max(60, int(answer.get("expires_in", 7200)) - 300))
        return token

    def send(self, message: Message, address: str) -> Sent:
        try:
            agent_id = int(settings.ZONEHUB_WECOM_AGENT_ID)
        except ValueError as exc:
            raise PermanentError(f"ZONEHUB_WECOM_AGENT_ID is not a number: {settings.ZONEHUB_WECOM_AGENT_ID!r}") from exc
        payload = {
            "touser": address, "msgtype": "text", "agentid": agent_id,
            "text": {"content": cut_bytes(message.text, TEXT_MAX_BYTES)},
            "safe": 0, "enable_duplicate_check": 1, "duplicate_check_interval": 1800,
        }
        for fresh in (False, True):
            url = f"{settings.ZONEHUB_WECOM_API_URL}/cgi-bin/message/send?{urlencode({'access_token': self.token(fresh=fresh)})}"
            answer = http_json(url, payload=payload)
            if answer.get("errcode") in TOKEN_CODES and not fresh:
                cache.delete(self._cache_key())
                continue
            checked(answer)
            if answer.get("invaliduser"):
                raise PermanentError(answer_text(answer))
            return Sent(answer_text(answer))
        raise RetryableError(answer_text(answer))  # pragma: no cover - the loop returns or raises
