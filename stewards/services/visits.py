"""A steward's visits to the enterprises it serves."""


from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stewards.events import StewardsEvent
from stewards.models import ServiceRequest, Visit
from stewards.services._shared import _can_serve_enterprise
from stewards.services.requests import request_log_on_behalf
from zonehub.events import record_event
from zonehub.models import Role
from zonehub.permissions import require
from zonehub.workdays import date_in_range, local_date

# --- visits and the ledger -------------------------------------------------------------------


@transaction.atomic
def visit_log(*, actor, enterprise, visited_on, findings: str = "", requests: list[dict] | None = None) -> Visit:
    """A steward logs a visit to an enterprise it serves. Each dict in ``requests`` (category,
    title, description, urgency) becomes a request logged on the enterprise's behalf (channel
    visit) linked to the visit."""
    require(actor.role == Role.STEWARD and hasattr(actor, "steward") and _can_serve_enterprise(actor, enterprise),
            _("You can log visits only to enterprises you serve."))
    if visited_on is None:
        raise ValidationError({"visited_on": _("Give the date of the visit.")})
    visited_on = date_in_range(visited_on, field="visited_on", latest=local_date(timezone.now()),
                               too_late=_("A visit cannot be in the future."))
    visit = Visit.objects.create(steward=actor.steward, enterprise=enterprise, visited_on=visited_on,
                                 findings=(findings or "").strip(), created_by=actor)
    record_event(visit, root=enterprise, actor=actor, kind=StewardsEvent.VISIT_LOGGED, note=visit.findings,
                 data={"date": visited_on.isoformat()})
    for spec in requests or []:
        request_log_on_behalf(
            actor=actor, enterprise=enterprise, channel=ServiceRequest.Channel.VISIT, visit=visit,
            category=spec.get("category", ServiceRequest.Category.OTHER), title=spec.get("title", ""),
            description=spec.get("description", ""), urgency=spec.get("urgency", ServiceRequest.Urgency.NORMAL),
        )
    return visit
