"""Who hears of what by which channel: the topic of each kind of notice, each person's channels
for each topic (the bell always), and their defaults.

Defaults: deadline warnings, overdue marks and urgent notices by SMS and chat (the WeCom
application message), the rest by e-mail; e-mail stays on for the first three too, so that a
person with no mobile number or no WeCom account on file still hears of a deadline outside the
bell. A department's group chat is the department's, set by the administrator, not a person's.
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zonehub.events import CoreEvent, record_event
from zonehub.models import Channel, NotificationSettings, Topic

# The channels a person chooses (the group chat is the department's).
PERSONAL_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.WECOM)

DEFAULT_CHANNELS: dict[str, frozenset[str]] = {
    Topic.DEADLINE: frozenset({Channel.EMAIL, Channel.SMS, Channel.WECOM}),
    Topic.OVERDUE: frozenset({Channel.EMAIL, Channel.SMS, Channel.WECOM}),
    Topic.URGENT: frozenset({Channel.EMAIL, Channel.SMS, Channel.WECOM}),
    Topic.OTHER: frozenset({Channel.EMAIL}),
}

# The kind of each notice (the ``kind`` its app gives ``notify``) that is a deadline warning or an
# overdue mark, declared by the app that sends it (``register_notice_topics`` in its AppConfig.ready).
# Every other kind is "urgent" when its sender marks it so (``sms=True``: an urgent request), else
# "everything else".
KIND_TOPICS: dict[str, str] = {}


def register_notice_topics(topics: dict[str, str]) -> None:
    """Declare the topic of kinds of notice (an app's deadline warnings and overdue marks)."""
    KIND_TOPICS.update({kind: Topic(topic) for kind, topic in topics.items()})


def notice_topic(kind: str, *, urgent: bool = False) -> str:
    return KIND_TOPICS.get(kind) or (Topic.URGENT if urgent else Topic.OTHER)


def channels_for(row: NotificationSettings | None, topic: str) -> frozenset[str]:
    """The channels a person chose for ``topic`` (the defaults where they chose nothing)."""
    chosen = (row.channels or {}).get(topic) if row is not None else None
    if not isinstance(chosen, list):
        return DEFAULT_CHANNELS[topic]
    return frozenset(c for c in chosen if c in PERSONAL_CHANNELS)


def notification_settings_get(*, user) -> NotificationSettings:
    """The person's settings; unsaved defaults when they never changed them."""
    row = NotificationSettings.objects.filter(user=user).first()
    return row if row is not None else NotificationSettings(user=user, channels={})


WECOM_USERID = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")


@transaction.atomic
def notification_settings_update(*, user, actor, channels: dict[str, list[str]], wecom_userid: str = "") \
        -> NotificationSettings:
    """A person chooses the channels of each topic and gives their WeCom account. Their own only."""
    if actor is None or actor.pk != user.pk:
        raise PermissionDenied(_("You may change only your own notification settings."))
    unknown_topics = set(channels) - set(Topic.values)
    unknown_channels = {c for chosen in channels.values() for c in chosen} - set(PERSONAL_CHANNELS)
    if unknown_topics or unknown_channels:
        raise ValidationError(_("Unknown topic or channel: %(names)s") % {
            "names": ", ".join(sorted(unknown_topics | unknown_channels))})
    wecom_userid = (wecom_userid or "").strip()
    if wecom_userid and not WECOM_USERID.match(wecom_userid):
        raise ValidationError({"wecom_userid": _("A WeCom account has letters, digits and _ . @ - only, "
                                                 "at most 64 of them.")})
    row, _created = NotificationSettings.objects.select_for_update().get_or_create(user=user)
    new_channels = {topic: sorted(set(channels.get(topic, []))) for topic in Topic.values}
    before = {"channels": {t: sorted(channels_for(row, t)) for t in Topic.values}, "wecom_userid": row.wecom_userid}
    row.channels, row.wecom_userid = new_channels, wecom_userid
    row.save(update_fields=["channels", "wecom_userid", "updated_at"])
    changed = {
        topic: [before["channels"][topic], new_channels[topic]]
        for topic in Topic.values if before["channels"][topic] != new_channels[topic]
    }
    if changed or before["wecom_userid"] != wecom_userid:
        data = {"channels": changed}
        if before["wecom_userid"] != wecom_userid:
            data["wecom_userid"] = [before["wecom_userid"], wecom_userid]
        record_event(user, actor=actor, kind=CoreEvent.NOTIFICATION_SETTINGS_CHANGED, data=data)
    return row
