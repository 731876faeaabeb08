"""Enterprise users log in with their mobile number and a 6-digit code sent by SMS, the way Chinese
government portals work, besides their password. Staff roles keep passwords only.

- A code is asked for a number; the page answers the same whether the number is an enterprise
  user's or not (it never tells which numbers exist). A code is made only for a number that
  belongs to exactly one active enterprise user, and sent by the SMS channel after the commit.
- A code lives ZONEHUB_LOGIN_CODE_MINUTES (5) minutes, is used once, is kept only as an HMAC keyed
  with the site's secret key, and is given up after ZONEHUB_LOGIN_CODE_MAX_GUESSES wrong guesses;
  a new code replaces the number's earlier ones.
- Asking is limited per number and per address (zonehub.ratelimit); guessing counts for
  django-axes exactly like a wrong password of the same account, so the same lockout (per account
  and address, lifted by the security administrator) stops both.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from zonehub.channels import ChannelError, Message
from zonehub.channels.sms import TencentCloudSms, TextGatewaySms, normalize_mobile, sms_backend
from zonehub.events import CoreEvent, record_event
from zonehub.models import LoginCode, Role, User
from zonehub.tasking import enqueue_on_commit

logger = logging.getLogger(__name__)

CODE_DIGITS = 6


def phone_login_enabled() -> bool:
    """Only with an SMS channel that can send the code (Tencent Cloud: with a login-code template)."""
    backend = sms_backend()
    if isinstance(backend, TencentCloudSms):
        return bool(settings.ZONEHUB_SMS_TEMPLATE_LOGIN_CODE)
    return isinstance(backend, TextGatewaySms)


def _phone_variants(mobile: str) -> list[str]:
    """How a mobile number may have been typed into a user's record."""
    spaced = f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}"
    dashed = f"{mobile[:3]}-{mobile[3:7]}-{mobile[7:]}"
    return [mobile, f"+86{mobile}", f"+86 {mobile}", f"86{mobile}", f"0086{mobile}", spaced, dashed]


def login_user_for(mobile: str) -> User | None:
    """The one active enterprise user with this number, or None (none, several, or staff)."""
    users = list(User.objects.filter(phone__in=_phone_variants(mobile), is_active=True)[:3])
    enterprise = [u for u in users if u.role == Role.ENTERPRISE]
    if len(enterprise) != 1 or len(users) != 1:
        return None
    return enterprise[0]


def lockout_username(mobile: str) -> str:
    """The name django-axes counts a code's guesses under: the account's username when the number
    is an enterprise user's (one lockout for its password and its codes), else the number."""
    user = login_user_for(mobile)
    return user.get_username() if user is not None else mobile


def _hash(mobile: str, code: str) -> str:
    return salted_hmac("zonehub.phone_login.code", f"{mobile}:{code}", algorithm="sha256").hexdigest()


@transaction.atomic
def login_code_send(*, phone: str, ip: str = "") -> bool:
    """Make a code for ``phone`` (already a normalized mobile number) if it is an enterprise user's,
    and send it by SMS after the commit. Returns whether a code was made; the page must not say."""
    mobile = normalize_mobile(phone)
    user = login_user_for(mobile) if mobile else None
    if user is None:
        return False
    now = timezone.now()
    # The number's earlier codes stop working: the last one sent is the one to type.
    LoginCode.objects.filter(phone=mobile, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    # Codes of the number older than a day are of no use to anyone.
    LoginCode.objects.filter(phone=mobile, created_at__lt=now - dt.timedelta(days=1)).delete()
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    row = LoginCode.objects.create(
        phone=mobile, user=user, code_hash=_hash(mobile, code), created_at=now,
        expires_at=now + dt.timedelta(minutes=settings.ZONEHUB_LOGIN_CODE_MINUTES), ip_address=ip[:45],
    )
    record_event(user, actor=None, kind=CoreEvent.LOGIN_CODE_SENT, data={"ip": ip})
    from zonehub.tasks import login_code_sms_task

    # The code itself travels with the task: only its hash is stored, so it cannot be read back.
    enqueue_on_commit(login_code_sms_task, row.pk, code)
    return True


def login_code_deliver(*, code_id: int, code: str) -> bool:
    """Send a code by SMS, once (a task run twice sends nothing more), while it is still valid."""
    backend = sms_backend()
    if backend is None:
        logger.warning("login code %s not sent: no SMS channel is configured", code_id)
        return False
    now = timezone.now()
    if not LoginCode.objects.filter(pk=code_id, sent_at__isnull=True, used_at__isnull=True,
                                    expires_at__gt=now).update(sent_at=now):
        return False
    row = LoginCode.objects.get(pk=code_id)
    if not constant_time_compare(row.code_hash, _hash(row.phone, code)):
        logger.warning("login code %s: the task's code is not the stored one; not sent", code_id)
        return False
    message = Message(title="登录验证码", template="login_code",
                      params=(code, str(settings.ZONEHUB_LOGIN_CODE_MINUTES)))
    try:
        backend.send(message, row.phone)
    except ChannelError as exc:
        # The person asks again after the interval; a login code is not worth a retry that might
        # arrive after it expired.
        logger.warning("login code %s to %s not sent: %s", code_id, row.phone, exc.answer)
        return False
    return True


def login_code_verify(*, phone: str, code: str) -> User | None:
    """The enterprise user whose latest valid code for ``phone`` is ``code``; the code is used up.
    A wrong guess counts against the code (given up after ZONEHUB_LOGIN_CODE_MAX_GUESSES)."""
    mobile = normalize_mobile(phone)
    if not mobile or not code or len(code) != CODE_DIGITS or not code.isdigit():
        return None
    now = timezone.now()
    row = (LoginCode.objects.filter(phone=mobile, used_at__isnull=True, expires_at__gt=now,
                                    guesses__lt=settings.ZONEHUB_LOGIN_CODE_MAX_GUESSES)
           .select_related("user").order_by("-created_at", "-pk").first())
    if row is None:
        return None
    if not constant_time_compare(row.code_hash, _hash(mobile, code)):
        LoginCode.objects.filter(pk=row.pk).update(guesses=F("guesses") + 1)
        return None
    # Used once: of two logins racing with one code, one wins.
    if not LoginCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now):
        return None
    user = row.user
    if not user.is_active or user.role != Role.ENTERPRISE:
        return None  # made a staff member since the code was sent: staff keep passwords only
    return user


class PhoneCodeBackend(ModelBackend):
    """``authenticate(request, username=…, phone=…, sms_code=…)``: an enterprise user by a code
    sent to their mobile number. ``username`` is for django-axes (``lockout_username``), which
    refuses a locked account+address before this backend is asked."""

    def authenticate(self, request, username=None, password=None, phone=None, sms_code=None, **kwargs):
        if phone is None or sms_code is None:
            return None
        user = login_code_verify(phone=phone, code=sms_code)
        return user if user is not None and self.user_can_authenticate(user) else None
