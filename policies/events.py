"""The kinds of event the policies app records, with their timeline labels (zonehub.events)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from zonehub.events import register_event_kinds


class PolicyEvent(models.TextChoices):
    POLICY_CREATED = "policy.created", _("policy created")
    POLICY_UPDATED = "policy.updated", _("policy changed")
    POLICY_PUBLISHED = "policy.published", _("policy published and pushed")
    POLICY_WITHDRAWN = "policy.withdrawn", _("policy withdrawn")
    POLICY_EXPIRED = "policy.expired", _("policy expired: the application window has closed")
    PUSH_DECLINED = "push.declined", _("policy marked not needed by the enterprise")
    PUSH_APPLIED = "push.applied", _("enterprise applied for the policy")
    PUSH_REDEEMED = "push.redeemed", _("policy redeemed")
    PUSH_REFUSED = "push.refused", _("policy application refused")


register_event_kinds(PolicyEvent)
