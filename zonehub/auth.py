"""Logging in, for a level-3 system (等保2.0, GB/T 22239-2019; issue 14): how long a session
lasts, when a password must be changed, and what a user is told of the logins on their account.

The rules are here; zonehub/middleware.py applies them to every request, zonehub/auth_views.py
shows them. A session keeps three things of its own: when it logged in, when it was last seen,
and the summary of the account's earlier logins taken at that moment (``login_recorded``, run on
Django's ``user_logged_in`` signal, as Django's own ``last_login`` is)."""

from __future__ import annotations

import datetime as dt
from hashlib import sha256

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.translation import gettext_lazy as _

from zonehub.events import CoreEvent, record_event
from zonehub.models import PasswordSetBy, Role, User

SESSION_LOGIN_AT = "zonehub_login_at"
SESSION_SEEN_AT = "zonehub_seen_at"
SESSION_LOGIN_SUMMARY = "zonehub_login_summary"
# The last-seen time is written at most this often (a session write per request would cost a
# database write per page); the idle limit is therefore exact to within this many seconds.
SEEN_WRITE_SECONDS = 60


# --- Sessions ---------------------------------------------------------------------------------

def session_max_hours(user) -> int:
    if user.role == Role.ENTERPRISE:
        return settings.ZONEHUB_ENTERPRISE_SESSION_MAX_HOURS
    return settings.ZONEHUB_SESSION_MAX_HOURS


def session_limits_on() -> bool:
    return bool(settings.ZONEHUB_SESSION_IDLE_MINUTES or settings.ZONEHUB_SESSION_MAX_HOURS
                or settings.ZONEHUB_ENTERPRISE_SESSION_MAX_HOURS)


SESSION_ENDED_MESSAGES = {
    "idle": _("You were logged out after %(minutes)s minutes without activity, to protect your account. "
              "Please log in again."),
    "max": _("You were logged out because you had been logged in for %(hours)s hours, to protect your "
             "account. Please log in again."),
}


def session_end_reason(*, user, session, now: float) -> str | None:
    """"idle" or "max" once the session is over its limit, else None. ``now`` is a timestamp."""
    login_at = session.get(SESSION_LOGIN_AT)
    seen_at = session.get(SESSION_SEEN_AT, login_at)
    idle = settings.ZONEHUB_SESSION_IDLE_MINUTES * 60
    if idle and seen_at is not None and now - seen_at > idle:
        return "idle"
    longest = session_max_hours(user) * 3600
    if longest and login_at is not None and now - login_at > longest:
        return "max"
    return None


def session_end_message(*, user, reason: str) -> str:
    return SESSION_ENDED_MESSAGES[reason] % {
        "minutes": settings.ZONEHUB_SESSION_IDLE_MINUTES, "hours": session_max_hours(user),
    }


def session_seen(*, session, now: float) -> None:
    """Record activity. A session from before these rules (no login time) starts counting now."""
    if SESSION_LOGIN_AT not in session:
        session[SESSION_LOGIN_AT] = now
    seen_at = session.get(SESSION_SEEN_AT)
    if seen_at is None or now - seen_at >= SEEN_WRITE_SECONDS or now < seen_at:
        session[SESSION_SEEN_AT] = now


# --- Passwords --------------------------------------------------------------------------------

PASSWORD_CHANGE_MESSAGES = {
    "set_by_other": _("Your password was set by someone else: choose your own before you go on."),
    "expired": _("Your password is more than %(days)s days old: choose a new one before you go on."),
}


def password_change_reason(*, user, now: dt.datetime | None = None) -> str | None:
    """Why ``user`` must choose a new password before anything else, or None: "set_by_other" (an
    administrator or a command set it: they know it too) or "expired" (older than
    ZONEHUB_PASSWORD_MAX_AGE_DAYS). Demo logins, and logins without a password, are never asked."""
    if user.password_set_by == PasswordSetBy.DEMO or not user.has_usable_password():
        return None
    if user.password_set_by == PasswordSetBy.OTHER:
        return "set_by_other"
    days = settings.ZONEHUB_PASSWORD_MAX_AGE_DAYS
    now = now or timezone.now()
    if days and user.password_changed_at and now - user.password_changed_at > dt.timedelta(days=days):
        return "expired"
    return None


def password_change_message(reason: str) -> str:
    return PASSWORD_CHANGE_MESSAGES[reason] % {"days": settings.ZONEHUB_PASSWORD_MAX_AGE_DAYS}


@transaction.atomic
def password_change(*, user: User, password: str) -> User:
    """The user chose ``password`` themselves (the change page, knowing the old one, or a reset
    link sent to their e-mail), already checked by the password validators: it clears the mark
    "set by someone else" and starts a new max-age period; the validators' hook keeps it in the
    history. Recorded in the account's event history."""
    reason = password_change_reason(user=user)
    user.set_password(password, by_self=True)
    user.save(update_fields=["password"])
    record_event(user, actor=user, kind=CoreEvent.USER_PASSWORD_CHANGED, data={"was": reason or ""})
    return user


# --- What a user is told of their logins ----------------------------------------------------

def _session_hash(session) -> str:
    # How django-axes marks the login of a session (axes.helpers.get_client_session_hash).
    return sha256(force_bytes(session.session_key)).hexdigest() if session.session_key else ""


def login_summary_get(*, user, session) -> dict:
    """The account's last successful login before the one of ``session`` (its time and
    address, or None), and the failed logins since then (how many, the last one's time and
    address), from django-axes' records of every login (AccessLog) and every failure
    (AccessFailureLog, kept because AXES_ENABLE_ACCESS_FAILURE_LOG is on)."""
    from axes.models import AccessFailureLog, AccessLog

    username = user.get_username()
    previous = (
        AccessLog.objects.filter(username=username).exclude(session_hash=_session_hash(session))
        .order_by("-attempt_time").values("attempt_time", "ip_address").first()
    )
    failures = AccessFailureLog.objects.filter(username=username)
    if previous:
        failures = failures.filter(attempt_time__gt=previous["attempt_time"])
    last_failure = failures.order_by("-attempt_time").values("attempt_time", "ip_address").first()
    return {
        "previous_at": previous["attempt_time"] if previous else None,
        "previous_ip": previous["ip_address"] if previous else "",
        "failures": failures.count() if last_failure else 0,
        "last_failure_at": last_failure["attempt_time"] if last_failure else None,
        "last_failure_ip": last_failure["ip_address"] if last_failure else "",
    }


def login_recorded(sender, request, user, **kwargs) -> None:
    """``user_logged_in``: the session's clocks start, and it keeps what the home page tells of
    earlier logins (read once, here, so that page costs nothing more)."""
    session = getattr(request, "session", None)
    if session is None:
        return
    now = timezone.now()
    session[SESSION_LOGIN_AT] = session[SESSION_SEEN_AT] = now.timestamp()
    summary = login_summary_get(user=user, session=session)
    session[SESSION_LOGIN_SUMMARY] = {
        key: value.isoformat() if isinstance(value, dt.datetime) else value for key, value in summary.items()
    }


def login_summary_from_session(session) -> dict | None:
    """The summary ``login_recorded`` kept, with its times as datetimes again (None before it)."""
    stored = session.get(SESSION_LOGIN_SUMMARY) if session is not None else None
    if not stored:
        return None
    return {
        key: dt.datetime.fromisoformat(value) if key.endswith("_at") and value else value
        for key, value in stored.items()
    }
