"""The kinds of event the projects app records, with their timeline labels (zonehub.events)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from zonehub.events import register_event_kinds


class ProjectsEvent(models.TextChoices):
    PROJECT_CREATED = "project.created", _("project created")
    PROJECT_UPDATED = "project.updated", _("project updated")
    PROJECT_STAGE = "project.stage", _("stage changed")
    PROJECT_STEWARD_ASSIGNED = "project.steward_assigned", _("project steward assigned")
    PROJECT_STEWARD_UNASSIGNED = "project.steward_unassigned", _("project steward taken off")
    APPROVAL_UPDATED = "approval.updated", _("approval updated")
    APPROVAL_ADDED = "approval.added", _("approval added")
    CONSTRUCTION_NODE_ADDED = "construction_node.added", _("construction node added")
    CONSTRUCTION_NODE_UPDATED = "construction_node.updated", _("construction node updated")
    FIVEKEY_CREATED = "fivekey.created", _("five-key item created")
    FIVEKEY_UPDATED = "fivekey.updated", _("five-key item edited")
    FIVEKEY_NODE_ADDED = "fivekey.node_added", _("node added")
    FIVEKEY_NODE_UPDATED = "fivekey.node_updated", _("node edited")
    FIVEKEY_NODE_COMPLETED = "fivekey.node_completed", _("node marked done")
    FIVEKEY_CLAIMED = "fivekey.claimed", _("claimed by a unit")
    FIVEKEY_CLAIM_CONFIRMED = "fivekey.claim_confirmed", _("claim confirmed")
    FIVEKEY_CLAIM_REJECTED = "fivekey.claim_rejected", _("claim declined")
    FIVEKEY_LAGGING = "fivekey.lagging", _("flagged as lagging")
    FIVEKEY_RECOVERED = "fivekey.recovered", _("back on schedule")
    FIVEKEY_COORDINATION = "fivekey.coordination", _("coordination (协调)")
    # Issue 16: every project served; a project's blockers escalated like requests.
    PROJECT_STEWARD_OVERDUE = "project.steward_overdue", _("still without a project steward after the deadline")
    PROJECT_BLOCKER_RAISED = "project.blocker_raised", _("blocker escalated to departments")


register_event_kinds(ProjectsEvent)
