"""How notifications reach people beyond the bell: each channel's delivery of a notification, each
person's choice of channels, each department's group-chat robot, and the codes of the SMS login."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("SMS")
    # An application message to the person in WeCom (企业微信).
    WECOM = "wecom", _("WeCom message")
    # The group chat of the recipient's department, through its robot (WeCom or DingTalk).
    GROUP = "group", _("department group chat")


class NotificationDelivery(models.Model):
    """One channel's delivery of one notification: written when a delivery run first takes the
    notification, then sent, retried with backoff after a failure that may pass, and marked sent or
    failed with the provider's answer. One row per notification and channel, so a channel that
    went out is never sent again because another one is retried; and one group-chat message per
    department robot and effect (``dedupe_key``), however many of its members were told."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    notification = models.ForeignKey(
        "zonehub.Notification", verbose_name=_("notification"), on_delete=models.CASCADE, related_name="deliveries",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    # Where it goes: the e-mail address, the mobile number, the WeCom user id, the robot.
    address = models.CharField(_("address"), max_length=200, blank=True)
    robot = models.ForeignKey(
        "zonehub.DepartmentRobot", verbose_name=_("group robot"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="deliveries",
    )
    # The notification's key, for the group chat: its department hears of an effect once.
    dedupe_key = models.CharField(_("dedupe key"), max_length=150, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    # The provider's answer: to the last failure, and when it went out (its message id).
    last_error = models.TextField(_("provider's answer to the last failure"), blank=True)
    answer = models.CharField(_("provider's answer"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("channel delivery")
        verbose_name_plural = _("channel deliveries")
        ordering = ["notification_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="delivery_once_per_channel"),
            models.UniqueConstraint(
                fields=["robot", "dedupe_key"], condition=Q(channel="group"), name="delivery_once_per_group_message",
            ),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} · {self.get_status_display()}"


class Topic(models.TextChoices):
    """What a notice is about, as a person chooses channels for it (zonehub.notification_settings)."""

    DEADLINE = "deadline", _("deadline warnings")
    OVERDUE = "overdue", _("overdue marks")
    URGENT = "urgent", _("urgent notices")
    OTHER = "other", _("everything else")


class NotificationSettings(models.Model):
    """A person's channels for each topic (the bell is always on). A topic missing from
    ``channels`` uses its defaults (zonehub.notification_settings.DEFAULT_CHANNELS)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, primary_key=True,
        related_name="notification_settings",
    )
    channels = models.JSONField(_("channels by topic"), default=dict, blank=True)
    wecom_userid = models.CharField(
        _("WeCom account (UserID)"), max_length=64, blank=True,
        help_text=_("Your account in the zone's WeCom, as the WeCom administrator sees it (成员 → 账号)."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self):
        return str(self.user)


class DepartmentRobot(models.Model):
    """A department's group chat, reached through the robot added to it: every notice to the
    department's users is posted there once."""

    class Provider(models.TextChoices):
        WECOM = "wecom", _("WeCom group robot")
        DINGTALK = "dingtalk", _("DingTalk custom robot")

    department = models.OneToOneField(
        "zonehub.Department", verbose_name=_("department"), on_delete=models.CASCADE, related_name="chat_robot",
    )
    provider = models.CharField(_("provider"), max_length=10, choices=Provider.choices)
    # The robot's key (WeCom: key=…, DingTalk: access_token=…): the whole webhook address may be
    # pasted, only the key is kept, and the provider's address comes from the settings.
    token = models.CharField(
        _("webhook address or key"), max_length=300,
        help_text=_("Paste the robot's webhook address as the group chat shows it; only its key is kept."),
    )
    secret = models.CharField(
        _("signing secret"), max_length=200, blank=True,
        help_text=_("DingTalk: the secret of the robot's signing security setting (加签, starts with SEC)."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("group robot")
        verbose_name_plural = _("group robots")

    def __str__(self):
        return f"{self.department} · {self.get_provider_display()}"

    def clean(self):
        from urllib.parse import parse_qs, urlsplit

        token = (self.token or "").strip()
        if "://" in token or "?" in token:
            query = parse_qs(urlsplit(token).query)
            name = "key" if self.provider == self.Provider.WECOM else "access_token"
            values = query.get(name) or []
            if not values or not values[0].strip():
                raise ValidationError({"token": _("The address has no %(name)s=…: paste the robot's whole webhook "
                                                  "address, or its key alone.") % {"name": name}})
            token = values[0].strip()
        if not token or any(c.isspace() for c in token):
            raise ValidationError({"token": _("Enter the robot's webhook address or its key.")})
        self.token = token
        self.secret = (self.secret or "").strip()
        if self.provider == self.Provider.DINGTALK and not self.secret:
            raise ValidationError({"secret": _("A DingTalk robot is signed: enter the secret of its signing "
                                               "security setting (加签).")})


class LoginCode(models.Model):
    """A one-time code sent by SMS for an enterprise user's login: kept hashed (with the site's
    secret key), valid for ZONEHUB_LOGIN_CODE_MINUTES, used once, and given up after
    ZONEHUB_LOGIN_CODE_MAX_GUESSES wrong guesses."""

    phone = models.CharField(_("mobile number"), max_length=20)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="login_codes")
    code_hash = models.CharField(_("code (hashed)"), max_length=64)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    guesses = models.PositiveSmallIntegerField(_("wrong guesses"), default=0)
    ip_address = models.CharField(_("address"), max_length=45, blank=True)

    class Meta:
        verbose_name = _("login code")
        verbose_name_plural = _("login codes")
        indexes = [models.Index(fields=["phone", "-created_at"], name="login_code_phone_idx")]

    def __str__(self):
        return f"{self.phone} {self.created_at:%Y-%m-%d %H:%M}"
