"""DingTalk (钉钉) custom robot of a department's group chat, with the signing security setting
(加签): each call carries ``timestamp`` (milliseconds) and ``sign``, the HMAC-SHA256 of
"timestamp\\nsecret" keyed with the secret, base64-encoded, then URL-encoded, as DingTalk
documents it. The address is ZONEHUB_DINGTALK_API_URL (the tests point it at a fake server).

DingTalk answers ``{"errcode": …, "errmsg": …}``; 0 is success. 130101 (more than 20 messages a
minute) and -1 (system busy) may pass; 310000 (signature, keyword or IP refused), 300001 (no such
token) and the others fail the same way again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import quote_plus, urlencode

from django.conf import settings

from zonehub.channels.base import Backend, Message, PermanentError, RetryableError, Sent, answer_text, http_json

RETRYABLE_CODES = {-1, 130101}
# The content limit DingTalk states for a text message is 20,000 bytes; messages here are short.
TEXT_MAX_CHARS = 5000


def sign(timestamp_ms: int, secret: str) -> str:
    """The ``sign`` query parameter, URL-encoded as DingTalk's own sample does (quote_plus)."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), string_to_sign, digestmod=hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


class DingTalkRobot(Backend):
    name = "dingtalk_robot"

    def configured(self) -> bool:
        return bool(settings.ZONEHUB_CHAT_ROBOTS_ENABLED and settings.ZONEHUB_DINGTALK_API_URL)

    def send(self, message: Message, address) -> Sent:
        timestamp = int(time.time() * 1000)
        query = urlencode({"access_token": address.token, "timestamp": timestamp})
        if address.secret:
            query += f"&sign={sign(timestamp, address.secret)}"
        url = f"{settings.ZONEHUB_DINGTALK_API_URL}/robot/send?{query}"
        payload = {"msgtype": "text", "text": {"content": message.text[:TEXT_MAX_CHARS]}}
        answer = http_json(url, payload=payload)
        code = answer.get("errcode", 0)
        if code != 0:
            raise (RetryableError if code in RETRYABLE_CODES else PermanentError)(answer_text(answer))
        return Sent(answer_text(answer))
