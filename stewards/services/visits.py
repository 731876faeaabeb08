"""A steward's visits to the enterprises it serves, and the monthly word on those not visited."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises.models import Enterprise
from stewards.events import StewardsEvent
from stewards.models import ServiceRequest, Steward, StewardAssignment, Visit
from stewards.services.requests import request_log_on_behalf
from stewards.transitions import active_steward_user_id
from zonehub.events import record_event
from zonehub.models import Notification, Role, User
from zonehub.notifications import notify_many
from zonehub.permissions import require
from zonehub.workdays import WorkCalendar, date_in_range, local_date, month_start, next_month_start, previous_month

# --- visits and the ledger -------------------------------------------------------------------


@transaction.atomic
def visit_log(*, actor, enterprise, visited_on, findings: str = "", requests: list[dict] | None = None) -> Visit:
    """A steward logs a visit to an enterprise it serves. Each dict in ``requests`` (category,
    title, description, urgency) becomes a request logged on the enterprise's behalf (channel
    visit) linked to the visit."""
    # Its steward now, whatever its role (issue 16); a head serving in the meantime has a Steward
    # row too (``head_steward``).
    steward = Steward.objects.filter(user_id=actor.pk, is_active=True).first() if actor.is_authenticated else None
    require(steward is not None and active_steward_user_id(enterprise.pk) == actor.pk,
            _("You can log visits only to enterprises you serve."))
    if visited_on is None:
        raise ValidationError({"visited_on": _("Give the date of the visit.")})
    visited_on = date_in_range(visited_on, field="visited_on", latest=local_date(timezone.now()),
                               too_late=_("A visit cannot be in the future."))
    visit = Visit.objects.create(steward=steward, enterprise=enterprise, visited_on=visited_on,
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


# --- the monthly visit reminder (issue 16) ----------------------------------------------------

# A beat that was down on the first working day catches up within these days.
VISIT_NOTICE_CATCH_UP_DAYS = 7
VISIT_NOTICE_NAMES = 20


def visits_missed_notify(*, today=None) -> int:
    """On the first working day of a month, each steward and each workstation head hears once
    which of their enterprises had no visit last month (走访): a steward those it serves now, a
    head those of its workstation. Once per person and month (the notice's key), however often it
    runs; a run missed on that day is caught up in the days after. Returns the notices written."""
    today = today or local_date(timezone.now())
    first = WorkCalendar.for_years({today.year}).first_workday_on_or_after(month_start(today))
    if not (first <= today < first + dt.timedelta(days=VISIT_NOTICE_CATCH_UP_DAYS)):
        return 0
    month = previous_month(today)
    visited = Visit.objects.filter(enterprise=OuterRef("enterprise_id"), visited_on__gte=month,
                                   visited_on__lt=next_month_start(month))
    # (recipient, enterprise name, workstation) of every active assignment to an unvisited enterprise.
    rows = list(StewardAssignment.objects.active().filter(enterprise__is_active=True).exclude(Exists(visited))
                .filter(steward__is_active=True, steward__user__is_active=True)
                .values_list("steward__user_id", "enterprise__name", "enterprise__workstation_id")
                .order_by("enterprise__name"))
    by_user: dict[int, list[str]] = {}
    by_workstation: dict[int, list[str]] = {}
    for user_id, name, workstation_id in rows:
        by_user.setdefault(user_id, []).append(name)
        if workstation_id:
            by_workstation.setdefault(workstation_id, []).append(name)
    # A head also hears of its workstation's enterprises that have no steward and no visit.
    unserved = (Enterprise.objects.filter(is_active=True, has_steward=False, workstation__isnull=False)
                .exclude(Exists(Visit.objects.filter(enterprise=OuterRef("pk"), visited_on__gte=month,
                                                     visited_on__lt=next_month_start(month))))
                .values_list("name", "workstation_id").order_by("name"))
    for name, workstation_id in unserved:
        by_workstation.setdefault(workstation_id, []).append(name)
    heads = User.objects.filter(role=Role.WORKSTATION_HEAD, is_active=True,
                                workstation_id__in=list(by_workstation)).values_list("pk", "workstation_id")
    key = f"visits.missed:{month:%Y-%m}"
    label = f"{month.year}年{month.month}月"
    notices = []

    def notice(user_id, names, url):
        shown = "、".join(names[:VISIT_NOTICE_NAMES]) + ("……" if len(names) > VISIT_NOTICE_NAMES else "")
        notices.append(Notification(
            recipient_id=user_id, kind="visits.missed", dedupe_key=key, url=url, body=shown,
            title=_("%(count)d of your enterprises had no visit in %(month)s") % {"count": len(names), "month": label}))

    told = set()
    for user_id, workstation_id in heads:  # a head serving in the meantime hears as the head
        told.add(user_id)
        notice(user_id, by_workstation[workstation_id], _reverse("stewards:visits") + f"?month={month:%Y-%m}")
    for user_id, names in by_user.items():
        if user_id not in told:
            notice(user_id, names, _reverse("stewards:worklist"))
    return notify_many(notices)


def _reverse(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""
