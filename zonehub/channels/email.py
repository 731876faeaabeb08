"""E-mail, through Django's configured backend (EMAIL_BACKEND): one connection per delivery run's
claim, opened when the claim has an e-mail to send."""

from __future__ import annotations

import logging
import re
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from zonehub.channels.base import Backend, Message, PermanentError, RetryableError, Sent

logger = logging.getLogger(__name__)

# An e-mail subject is one line: Django refuses a subject with a line break (header injection), and
# that refusal used to cost the department its e-mail for a request titled on two lines.
SUBJECT_MAX = 150
LINE_BREAKS = re.compile(r"\s+")


def one_line(text, *, limit: int | None = None) -> str:
    """``text`` on one line (every run of whitespace, line breaks included, becomes one space),
    at most ``limit`` characters, cut with an ellipsis."""
    text = LINE_BREAKS.sub(" ", str(text)).strip()
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def email_subject(title) -> str:
    """The subject of a notification's e-mail: always sendable, never dropped."""
    return one_line(f"[ZoneHub] {one_line(title)}", limit=SUBJECT_MAX)


class EmailBackend(Backend):
    name = "email"

    def __init__(self):
        self.connection = None

    def configured(self) -> bool:
        return bool(settings.EMAIL_BACKEND)

    def open(self) -> None:
        self.connection = get_connection()
        try:
            self.connection.open()
        except Exception:  # noqa: BLE001 - the mail server is down: each message says so when sent
            logger.exception("could not connect to the mail server")

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:  # noqa: BLE001 - closing a broken connection must not lose the run's marks
                logger.exception("closing the mail connection failed")
            self.connection = None

    def send(self, message: Message, address: str) -> Sent:
        if self.connection is None:
            self.open()
        mail = EmailMessage(
            subject=email_subject(message.title), body=f"{message.body}\n\n{message.link}".strip(),
            from_email=settings.DEFAULT_FROM_EMAIL, to=[address], connection=self.connection,
        )
        try:
            mail.send()
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentError(f"refused recipient: {exc.recipients}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise RetryableError(f"{type(exc).__name__}: {exc}") from exc
        return Sent("ok")
