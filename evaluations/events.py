"""The kinds of event the evaluations app records, with their timeline labels (zonehub.events)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from zonehub.events import register_event_kinds, register_event_states


class EvaluationsEvent(models.TextChoices):
    CAMPAIGN_OPENED = "campaign.opened", _("rating campaign opened")
    CAMPAIGN_CLOSED = "campaign.closed", _("rating campaign closed")
    CAMPAIGN_REOPENED = "campaign.reopened", _("rating campaign reopened (closed by mistake)")
    RATING_GIVEN = "rating.given", _("steward rated")
    RATING_CHANGED = "rating.changed", _("rating changed")
    CASE_OPENED = "case.opened", _("replacement case opened")
    CASE_REPLACED = "case.replaced", _("new steward named")
    CASE_OVERRIDE = "case.override", _("steward allowed back by a leader")
    CASE_REVIEWED = "case.reviewed", _("effort reviewed by the leaders")
    CASE_OVERDUE = "case.overdue", _("replacement overdue")
    CASE_INTERIM = "case.interim", _("steward taken off: the workstation head serves in the meantime")
    CASE_WITHDRAWN = "case.withdrawn", _("withdrawn: the campaign was reopened")
    # Assessment and pay (issue 19)
    PLAN_VERSION = "plan.version", _("assessment plan version made")
    INDICATOR_ADDED = "indicator.added", _("entered indicator added to the library")
    ACTUAL_ENTERED = "actual.entered", _("monthly actual entered")
    ACTUAL_CHANGED = "actual.changed", _("monthly actual changed")
    STEWARD_GRADED = "steward.graded", _("steward's yearly grade computed")
    FINDING_RECORDED = "finding.recorded", _("subjective lack of effort found")
    PAY_DRAFTED = "paysheet.drafted", _("pay sheet drafted")
    PAY_RECOMPUTED = "paysheet.recomputed", _("pay sheet drafted again")
    PAY_APPROVED = "paysheet.approved", _("pay sheet approved and locked")
    PAY_CORRECTED = "paysheet.corrected", _("pay correction recorded")
    ROTATION_LISTED = "rotation.listed", _("listed in the post rotation pool")
    ROTATION_DECIDED = "rotation.decided", _("rotation outcome recorded")


register_event_kinds(EvaluationsEvent)
# The leaders' finding on a case is a yes/no (ReplacementCase.lack_of_effort): it reads as the finding.
register_event_states(EvaluationsEvent.CASE_REVIEWED, {"True": _("subjective lack of effort"), "False": _("no finding")})
