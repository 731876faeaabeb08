"""What every channel shares: the message, the outcome, the two kinds of failure, and the one
HTTP call the chat providers need.

A backend's ``send(message, address)`` returns a ``Sent`` with the provider's answer, or raises
``RetryableError`` (a timeout, a rate limit, a server error: may pass, try again later) or
``PermanentError`` (a bad signature, an unknown user, a template refused: the same message would
fail the same way). The delivery run (zonehub.notifications) decides what to do with either.
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from django.conf import settings

# The provider's answer is kept on the delivery row, cut to this.
ANSWER_MAX = 1000


@dataclass(frozen=True)
class Message:
    """What is sent, whatever the channel: a title, maybe a body and a link, the notice's kind; SMS
    templates take ``params`` (or the title) as their parameters."""

    title: str
    body: str = ""
    link: str = ""
    kind: str = ""
    # Which SMS template: "notice" (the title as {1}) or "login_code" (the code and its minutes).
    template: str = "notice"
    params: tuple[str, ...] = field(default_factory=tuple)

    @property
    def text(self) -> str:
        """Plain text: the title, then the body and the link, each on its own line."""
        return "\n".join(part for part in (self.title, self.body, self.link) if part)


@dataclass(frozen=True)
class Sent:
    """It went out; ``answer`` is what the provider said (its message id, or "ok")."""

    answer: str = ""


class ChannelError(Exception):
    retryable = True

    def __init__(self, answer: str, *, transport: bool = False):
        self.answer = str(answer)[:ANSWER_MAX]
        # The provider could not be reached at all (no answer, no connection, its server failing):
        # every address at that provider fails alike, not only this one.
        self.transport = transport
        super().__init__(self.answer)


class RetryableError(ChannelError):
    """May pass: a timeout, a refused connection, a rate limit, the provider's server error."""

    retryable = True


class PermanentError(ChannelError):
    """Will not pass by waiting: bad credentials or signature, an unknown recipient, a refused
    template. Sent again, the same message fails the same way."""

    retryable = False


class Backend:
    """A channel's provider. ``configured()`` says whether the settings name one (a channel that is
    not configured sends nothing and is left out of every notification); ``open()`` and
    ``close()`` frame one delivery run's sends (one mail connection, one access token)."""

    name = ""

    def configured(self) -> bool:  # pragma: no cover - each backend says
        raise NotImplementedError

    def open(self) -> None:
        return None

    def close(self) -> None:
        return None

    def send(self, message: Message, address) -> Sent:  # pragma: no cover - each backend sends
        raise NotImplementedError


def timeout() -> float:
    return settings.ZONEHUB_CHANNEL_TIMEOUT_SECONDS


def answer_text(data) -> str:
    """A provider's JSON answer as it is kept: compact, in its own words, cut to ANSWER_MAX."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))[:ANSWER_MAX]


def http_json(url: str, *, payload: dict | None = None, method: str | None = None) -> dict:
    """One call to a provider's JSON API (POST when there is a payload). The answer's JSON, or a
    ChannelError: no answer in time, no connection, a server error or a 429 may pass; any other
    HTTP error will not; an answer that is not JSON (a proxy's error page) may pass."""
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8") if payload is not None else None
    request = urllib.request.Request(
        url, data=data, method=method or ("POST" if data is not None else "GET"),
        headers={"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"},
    )
    seconds = timeout()
    try:
        with urllib.request.urlopen(request, timeout=seconds) as response:
            body = response.read(256 * 1024)
    except urllib.error.HTTPError as exc:
        text = exc.read(2000).decode("utf-8", errors="replace")
        error = RetryableError if exc.code >= 500 or exc.code == 429 else PermanentError
        raise error(f"HTTP {exc.code}: {text}", transport=exc.code >= 500) from exc
    except TimeoutError as exc:
        raise RetryableError(f"no answer within {seconds:g} s", transport=True) from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, (TimeoutError, socket.timeout)):
            raise RetryableError(f"no answer within {seconds:g} s", transport=True) from exc
        raise RetryableError(f"no connection: {exc.reason}", transport=True) from exc
    except OSError as exc:  # reset or broken while reading
        raise RetryableError(f"connection failed: {exc}", transport=True) from exc
    try:
        answer = json.loads(body.decode("utf-8"))
    except ValueError as exc:
        raise RetryableError(f"not a JSON answer: {body[:300].decode('utf-8', errors='replace')}", transport=True) from exc
    if not isinstance(answer, dict):
        raise RetryableError(f"unexpected answer: {answer_text(answer)}")
    return answer
