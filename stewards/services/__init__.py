"""Writes about stewards, their enterprises, and the service requests they handle.

One module per section; this package re-exports their public names, so callers write
``from stewards import services; services.request_submit(...)`` or
``from stewards.services import steward_assign`` without knowing the section.

Every function: permission check, validation (ValidationError with a translated message, and
nothing changed), one transaction, rows re-read under a row lock, save(update_fields=...), one
Event per state change with root = the request (so the request page shows escalation events
too), notification rows written in the same transaction (delivery is enqueued after commit by
``notify``). Nothing is ever deleted.

Sections, and what each imports (there is no cycle):

- ``_shared``: permissions, recipients, links, ``_lock``, the timeline labels (imported by all);
- ``assignments``: who serves an enterprise, and rule 4's bar (``stewards.selectors``);
- ``capacity`` → ``assignments``: every cadre can serve (issue 16);
- ``attachments``: file checks;
- ``deadlines``: working-day deadlines and their recomputation;
- ``escalations`` → ``deadlines``;
- ``requests`` → ``attachments``, ``escalations``;
- ``visits`` → ``requests``; ``ledger`` → ``requests``, ``escalations``;
- ``direct_lines``: 一键直达, a steward's item straight to the workstation head (issue 16);
- ``sweep`` → ``deadlines``, ``requests``;
- ``rollups``: what the dashboards read instead of counting (``stewards.selectors``).
"""

from stewards.services._shared import (
    DESCRIPTION_MAX_LENGTH,
    description_too_long_message,
    escalation_url,
    request_url,
)
from stewards.services.assignments import (
    assignment_bar_add,
    assignment_bar_lift,
    assignment_bar_restore,
    can_assign_steward,
    enterprises_steward_flag_refresh,
    head_steward,
    steward_assign,
    steward_assignment_check,
    steward_interim_end,
    steward_interim_head,
    steward_replace,
    steward_unassign,
)
from stewards.services.attachments import (
    ALLOWED_ATTACHMENTS,
    ATTACHMENT_EXTENSIONS_TEXT,
    OLE_MAGIC,
    ZIP_MAGIC,
    attachment_max_bytes,
    attachment_name,
    attachment_validate,
)
from stewards.services.capacity import (
    cadres_without_capacity,
    can_grant_steward_capacity,
    steward_assign_person,
    steward_capacity_end,
    steward_capacity_grant,
)
from stewards.services.deadlines import deadlines_recompute, on_calendar_changed, reminder_at
from stewards.services.direct_lines import (
    DIRECT_LINE_ACTIONS,
    can_act_on_direct_line,
    can_raise_direct_line,
    direct_line_act,
    direct_line_raise,
)
from stewards.services.escalations import (
    escalation_conclude,
    escalation_mark_consultation,
    escalation_progress_report,
    escalation_reply,
    escalation_return,
)
from stewards.services.ledger import ledger_item_claim, ledger_item_dispatch, ledger_item_record
from stewards.services.requests import (
    request_accept,
    request_attach,
    request_auto_close,
    request_comment,
    request_confirm,
    request_escalate,
    request_log_on_behalf,
    request_raise_project_blocker,
    request_reopen,
    request_report_back,
    request_resolve_directly,
    request_submit,
)
from stewards.services.rollups import reply_months_refresh
from stewards.services.sweep import deadline_sweep
from stewards.services.visits import visit_log, visits_missed_notify

__all__ = [
    "ALLOWED_ATTACHMENTS",
    "DIRECT_LINE_ACTIONS",
    "DESCRIPTION_MAX_LENGTH",
    "ATTACHMENT_EXTENSIONS_TEXT",
    "OLE_MAGIC",
    "ZIP_MAGIC",
    "assignment_bar_add",
    "assignment_bar_lift",
    "assignment_bar_restore",
    "attachment_max_bytes",
    "attachment_name",
    "attachment_validate",
    "cadres_without_capacity",
    "can_act_on_direct_line",
    "can_assign_steward",
    "can_grant_steward_capacity",
    "can_raise_direct_line",
    "deadline_sweep",
    "deadlines_recompute",
    "description_too_long_message",
    "direct_line_act",
    "direct_line_raise",
    "head_steward",
    "escalation_conclude",
    "escalation_mark_consultation",
    "escalation_progress_report",
    "escalation_reply",
    "escalation_return",
    "enterprises_steward_flag_refresh",
    "escalation_url",
    "ledger_item_claim",
    "ledger_item_dispatch",
    "ledger_item_record",
    "on_calendar_changed",
    "reminder_at",
    "request_accept",
    "request_attach",
    "request_auto_close",
    "request_comment",
    "request_confirm",
    "request_escalate",
    "request_log_on_behalf",
    "request_raise_project_blocker",
    "request_reopen",
    "request_report_back",
    "request_resolve_directly",
    "request_submit",
    "reply_months_refresh",
    "request_url",
    "steward_assign",
    "steward_assign_person",
    "steward_capacity_end",
    "steward_capacity_grant",
    "steward_assignment_check",
    "steward_interim_end",
    "steward_interim_head",
    "steward_replace",
    "steward_unassign",
    "visit_log",
    "visits_missed_notify",
]
