"""The kinds of event the supply app records, with their timeline labels (zonehub.events)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from zonehub.events import register_event_kinds


class SupplyEvent(models.TextChoices):
    LINK_ADDED = "supply.link_added", _("chain link added")
    PRODUCT_ADDED = "supply.product_added", _("product added to a chain link")
    GAP_TARGETED = "supply.gap_targeted", _("chain gap made an investment target")
    OFFER_DECLARED = "supply.offer_declared", _("supply offer declared")
    OFFER_CHANGED = "supply.offer_changed", _("supply offer changed")
    OFFER_WITHDRAWN = "supply.offer_withdrawn", _("supply offer withdrawn")
    NEED_DECLARED = "supply.need_declared", _("supply need declared")
    NEED_CHANGED = "supply.need_changed", _("supply need changed")
    NEED_WITHDRAWN = "supply.need_withdrawn", _("supply need withdrawn")
    CASE_OPENED = "supply.case_opened", _("matchmaking case opened")
    CASE_SUGGESTED = "supply.case_suggested", _("matchmaking case suggested by a steward")
    CASE_TAKEN = "supply.case_taken", _("broker took the case")
    CASE_STAGE = "supply.case_stage", _("case moved on")
    CASE_FAILED = "supply.case_failed", _("case failed")
    OBSTACLE_RAISED = "supply.obstacle_raised", _("obstacle raised as a service request")
    OBSTACLE_LINKED = "supply.obstacle_linked", _("service request linked to the case as an obstacle")
    CONTRACT_SIGNED = "supply.contract_signed", _("three-party contract signed")
    DELIVERY_RECORDED = "supply.delivery_recorded", _("delivery recorded")
    PAYMENT_RECORDED = "supply.payment_recorded", _("payment recorded")
    SAVING_REPORTED = "supply.saving_reported", _("saving per unit reported")


register_event_kinds(SupplyEvent)
