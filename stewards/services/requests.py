"""Service requests: submitted or logged, accepted, discussed, escalated, reported back,
confirmed, reopened or closed automatically."""

import functools

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises.models import Enterprise
from stewards.events import StewardsEvent
from stewards.models import Escalation, RequestAttachment, RequestComment, ServiceRequest, Steward, StewardAssignment
from stewards.services._shared import (
    S,
    _can_serve_enterprise,
    _choice,
    _description,
    _enterprise_users,
    _lock,
    _steward_users,
    _text,
    _workstation_heads,
    request_url,
)
from stewards.services.attachments import _save_attachments, _validate_files
from stewards.services.escalations import _escalate
from stewards.transitions import ENTERPRISE, require_request_action
from zonehub.db import InsertBatch, NextId, execute_prepared
from zonehub.events import record_event
from zonehub.models import Role, User
from zonehub.notifications import notify
from zonehub.permissions import require
from zonehub.workdays import due_at

# --- requests --------------------------------------------------------------------------------


# The enterprise's name and its steward now (the one open assignment) with the steward's user,
# who is told of the request, and the new request's id (``NextId``: on PostgreSQL the request, its
# event and the notice then go to the database together): the columns a submission needs, in one
# query. Submitting is the zone's busiest write, and building this four-table query with the ORM
# cost more CPU than the submission's three INSERTs together (issue 15); so the ORM writes its
# SQL once per process and database, PostgreSQL plans it once per session (``execute_prepared``),
# and each submission only runs it: the answer is never kept, a steward named a moment ago gets
# the next request. The objects built from the row hold only these columns (any other is read
# from the database when asked for, as after ``only()``).
_USER_FIELDS = ("username", "first_name", "last_name", "name", "is_active")  # its name, whether it is told
_STEWARD_COLUMNS = ("enterprise__name", "steward_id", "steward__user_id",
                    *(f"steward__user__{field}" for field in _USER_FIELDS), "next_id")
_PROBE = -7  # the enterprise id the SQL is written with: its one parameter


@functools.cache
def _steward_row_sql(alias: str, vendor: str) -> str:
    query = (StewardAssignment.objects.using(alias).active().filter(enterprise_id=_PROBE).order_by()
             .annotate(next_id=NextId(ServiceRequest)).values_list(*_STEWARD_COLUMNS)[:1]).query
    sql, params = query.get_compiler(alias).as_sql()
    if tuple(params) != (_PROBE,):
        raise RuntimeError(f"the steward query takes {params!r}, not the enterprise alone")
    return sql


def _partial(model, db: str, **values):
    """An instance of ``model`` as read from ``db`` with only ``values`` (attnames), the rest deferred."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(db, names, [values[name] for name in names])


def _enterprise_and_steward(enterprise_id: int) -> tuple[Enterprise, Steward | None, int | None]:
    """The enterprise, its steward now (its user selected) or None when it has none, and the new
    request's id where the database gives one ahead (``NextId``)."""
    db = router.db_for_read(StewardAssignment)
    connection = connections[db]
    with connection.cursor() as cursor:
        execute_prepared(connection, cursor, "zonehub_steward_row", _steward_row_sql(db, connection.vendor),
                         [enterprise_id])
        row = cursor.fetchone()
    if row is None:  # no steward (full coverage broken): the enterprise alone
        enterprise = Enterprise.objects.annotate(next_id=NextId(ServiceRequest)).get(pk=enterprise_id)
        return enterprise, None, enterprise.next_id
    name, steward_id, user_id, *user_values, next_id = row
    user = _partial(User, db, id=user_id, **dict(zip(_USER_FIELDS, user_values, strict=True)))
    user.is_active = bool(user.is_active)  # SQLite answers 0 or 1
    steward = _partial(Steward, db, id=steward_id, user_id=user_id)
    steward.user = user
    return _partial(Enterprise, db, id=enterprise_id, name=name), steward, next_id


def _create_request(*, batch: InsertBatch, enterprise_id: int, actor, channel, category, title, description,
                    urgency, now, accepted: bool, visit=None, steward=None, status=None) -> ServiceRequest:
    """The new request, added to ``batch`` with its id: the rows that point at it join the batch.
    ``status``: where an accepted request starts further on (a complaint-meeting item escalated)."""
    # The enterprise and its steward (the one open assignment, with its user: the notice goes to
    # it) in one query. ``steward``: the one who raised it instead (a project steward's blocker).
    enterprise, current, request_id = _enterprise_and_steward(enterprise_id)
    if steward is None:
        steward = current
    request = ServiceRequest(
        pk=request_id, enterprise=enterprise, channel=channel, category=category, title=title[:200],
        description=description, urgency=urgency, steward=steward, created_by=actor, created_at=now,
        status=status or (S.ACCEPTED if accepted else S.SUBMITTED),
        accept_due_at=None if accepted else due_at(now, settings.ZONEHUB_ACCEPT_WORKING_DAYS),
        accepted_at=now if accepted else None, accepted_by=actor if accepted else None, visit=visit,
    )
    batch.add(request)
    return request


def _validated_request_fields(category, title, description, urgency):
    return (
        _choice(category, ServiceRequest.Category, "category"),
        _text(title, "title", _("Give the request a title."))[:200],
        _description(description, "description", _("Describe the request.")),
        _choice(urgency or ServiceRequest.Urgency.NORMAL, ServiceRequest.Urgency, "urgency"),
    )


def request_submit(*, actor, category: str, title: str, description: str, urgency: str = "normal",
                   files: list | None = None) -> ServiceRequest:
    """An enterprise user submits a request (channel web form) for its own enterprise. The
    enterprise's active steward is attached and notified; acceptance is due within
    ZONEHUB_ACCEPT_WORKING_DAYS working days. ``files``: uploaded files (validated). The request,
    its event, its files and the notice are written in one transaction, the batch's (on
    PostgreSQL one round trip: the zone's busiest write, issue 15)."""
    require(actor.role == Role.ENTERPRISE and actor.enterprise_id,
            _("Only enterprise users submit requests; stewards log them on the enterprise's behalf."))
    category, title, description, urgency = _validated_request_fields(category, title, description, urgency)
    files = _validate_files(files)
    now = timezone.now()
    with InsertBatch() as batch:
        request = _create_request(
            batch=batch, enterprise_id=actor.enterprise_id, actor=actor, channel=ServiceRequest.Channel.WEB,
            category=category, title=title, description=description, urgency=urgency, now=now, accepted=False,
        )
        record_event(request, actor=actor, kind=StewardsEvent.REQUEST_SUBMITTED, to_state=S.SUBMITTED, batch=batch,
                     data={"attachments": len(files), "steward": request.steward.name if request.steward_id else None})
        url = request_url(request)
        if request.steward_id:
            notify([request.steward.user], kind="request.submitted", key=f"request:{request.pk}:submitted", url=url,
                   title=_("New request from %(enterprise)s: %(title)s") % {"enterprise": request.enterprise.name,
                                                                             "title": title},
                   sms=urgency == ServiceRequest.Urgency.URGENT, batch=batch)
        else:
            # No steward (full coverage broken): the workstation head must see it.
            notify(_workstation_heads(request), kind="request.submitted", key=f"request:{request.pk}:submitted",
                   url=url, batch=batch,
                   title=_("A request from %(enterprise)s has no steward to take it") % {
                       "enterprise": request.enterprise.name})
        _save_attachments(request, files, actor, now, batch=batch)
    return request


def request_log_on_behalf(*, actor, enterprise, channel: str, category: str, title: str, description: str,
                          urgency: str = "normal", files: list | None = None, visit=None) -> ServiceRequest:
    """A steward logs a request for an enterprise it serves (channel phone, visit or complaint
    meeting). It is accepted at once: the steward is the one who took it. Written as a submission
    is: one transaction, the batch's."""
    require(_can_serve_enterprise(actor, enterprise), _("You can log requests only for enterprises you serve."))
    if channel not in (ServiceRequest.Channel.PHONE, ServiceRequest.Channel.VISIT,
                       ServiceRequest.Channel.COMPLAINT_MEETING):
        raise ValidationError({"channel": _("A request logged by a steward came by phone, a visit or a complaint meeting.")})
    category, title, description, urgency = _validated_request_fields(category, title, description, urgency)
    files = _validate_files(files)
    now = timezone.now()
    with InsertBatch() as batch:
        request = _create_request(
            batch=batch, enterprise_id=enterprise.pk, actor=actor, channel=channel, category=category, title=title,
            description=description, urgency=urgency, now=now, accepted=True, visit=visit,
        )
        record_event(request, actor=actor, kind=StewardsEvent.REQUEST_LOGGED, to_state=S.ACCEPTED,
                     data={"channel": channel}, batch=batch)
        notify(_enterprise_users(request), kind="request.logged", key=f"request:{request.pk}:logged",
               url=request_url(request), batch=batch,
               title=_("Your steward logged a request for you: %(title)s") % {"title": title})
        _save_attachments(request, files, actor, now, batch=batch)
    return request


@transaction.atomic
def request_raise_project_blocker(*, actor, enterprise, category: str, title: str, description: str,
                                  urgency: str = "normal") -> ServiceRequest:
    """A project steward raises a project's blocker (issue 16: an approval stuck, power, a road
    opening) as a request of the project's investor enterprise (channel "project blocker"): it is
    the steward at the time and accepted it at once, so it escalates it to the departments with
    the same services and the same clock as any request. The projects app checks that ``actor``
    is the project's steward and keeps which project it is."""
    require(Steward.objects.filter(user_id=actor.pk, is_active=True).exists(),
            _("Only a project's steward may raise its blockers."))
    category, title, description, urgency = _validated_request_fields(category, title, description, urgency)
    now = timezone.now()
    with InsertBatch() as batch:
        request = _create_request(
            batch=batch, enterprise_id=enterprise.pk, actor=actor, channel=ServiceRequest.Channel.PROJECT,
            category=category, title=title, description=description, urgency=urgency, now=now, accepted=True,
            steward=actor.steward,
        )
        record_event(request, actor=actor, kind=StewardsEvent.REQUEST_LOGGED, to_state=S.ACCEPTED,
                     data={"channel": ServiceRequest.Channel.PROJECT}, batch=batch)
    return request


@transaction.atomic
def request_attach(*, request: ServiceRequest, actor, files: list) -> list[RequestAttachment]:
    """Add files to a request (an enterprise user of the request or its steward side; not when closed)."""
    request = _lock(ServiceRequest, request.pk)
    require_request_action(actor, request, "attach")
    files = _validate_files(files)
    if not files:
        raise ValidationError({"files": _("Choose at least one file.")})
    saved = _save_attachments(request, files, actor, timezone.now())
    record_event(request, actor=actor, kind=StewardsEvent.REQUEST_ATTACHED, data={"files": [a.original_name for a in saved]})
    return saved


@transaction.atomic
def request_accept(*, request: ServiceRequest, actor) -> ServiceRequest:
    """The steward accepts a submitted request."""
    request = _lock(ServiceRequest, request.pk)
    require_request_action(actor, request, "accept", message=_("Only the enterprise's steward may accept this request."))
    now = timezone.now()
    request.status, request.accepted_at, request.accepted_by = S.ACCEPTED, now, actor
    request.save(update_fields=["status", "accepted_at", "accepted_by"])
    record_event(request, actor=actor, kind=StewardsEvent.REQUEST_ACCEPTED, from_state=S.SUBMITTED, to_state=S.ACCEPTED,
                 data={"on_time": bool(request.accept_due_at and now < request.accept_due_at)})
    notify(_enterprise_users(request), kind="request.accepted", key=f"request:{request.pk}:accepted",
           url=request_url(request),
           title=_("Your request “%(title)s” was accepted by %(name)s") % {"title": request.title,
                                                                        "name": actor.display_name})
    return request


@transaction.atomic
def request_comment(*, request: ServiceRequest, actor, body: str) -> RequestComment:
    """A message between the enterprise and the steward; the other side is notified."""
    request = _lock(ServiceRequest, request.pk)
    from_enterprise = require_request_action(actor, request, "comment") == ENTERPRISE
    body = _text(body, "body", _("Write a message."))
    comment = RequestComment.objects.create(request=request, author=actor, body=body)
    record_event(comment, root=request, actor=actor, kind=StewardsEvent.REQUEST_COMMENTED, note=body)
    recipients = _steward_users(request) if from_enterprise else _enterprise_users(request)
    notify(recipients, kind="request.commented", key=f"comment:{comment.pk}", url=request_url(request),
           title=_("New message on “%(title)s” from %(name)s") % {"title": request.title, "name": actor.display_name},
           body=body)
    return comment


def _report(request: ServiceRequest, *, actor, report: str, kind: str, resolved_directly: bool) -> ServiceRequest:
    now = timezone.now()
    from_state = request.status
    fields = ["status", "report", "reported_at", "reported_by", "auto_close_due_at", "resolved_directly"]
    if request.accepted_at is None:
        request.accepted_at, request.accepted_by = now, actor
        fields += ["accepted_at", "accepted_by"]
    request.status = S.REPORTED
    request.report, request.reported_at, request.reported_by = report, now, actor
    request.auto_close_due_at = due_at(now, settings.ZONEHUB_AUTO_CLOSE_WORKING_DAYS)
    request.resolved_directly = resolved_directly
    request.save(update_fields=fields)
    record_event(request, actor=actor, kind=kind, from_state=from_state, to_state=S.REPORTED, note=report)
    notify(_enterprise_users(request), kind=kind, key=f"request:{request.pk}:reported:{request.reopen_count}",
           url=request_url(request),
           title=_("Your steward reported back on “%(title)s”: please confirm or reopen") % {"title": request.title},
           body=report)
    return request


@transaction.atomic
def request_resolve_directly(*, request: ServiceRequest, actor, report: str) -> ServiceRequest:
    """The steward solved it itself (能自己解决的立即解决) and reports to the enterprise: status →
    reported, the auto-close clock starts. Not while a department still holds it."""
    request = _lock(ServiceRequest, request.pk)
    require_request_action(actor, request, "resolve", message=_("Only the enterprise's steward may resolve this request."))
    report = _text(report, "report", _("Tell the enterprise how it was solved."))
    return _report(request, actor=actor, report=report, kind="request.resolved", resolved_directly=True)


@transaction.atomic
def request_escalate(*, request: ServiceRequest, actor, departments: list, reason: str) -> list[Escalation]:
    """The steward blows the whistle (吹哨): one Escalation per department, each with its own
    clock. Refused with no department, for a department already holding an open escalation of
    this request, without a reason, on a closed request and on one waiting for the enterprise.
    Escalating a request not yet accepted accepts it in the same step (the steward has taken it)."""
    request = _lock(ServiceRequest, request.pk)
    require_request_action(actor, request, "escalate", message=_("Only the enterprise's steward may escalate this request."))
    unique = list({d.pk: d for d in departments or []}.values())
    if not unique:
        raise ValidationError({"departments": _("Choose at least one department.")})
    inactive = [d.name for d in unique if not d.is_active]
    if inactive:
        raise ValidationError({"departments": _("%(names)s no longer takes escalations.") % {"names": "、".join(inactive)}})
    holding = list(
        request.escalations.open().filter(department__in=unique).values_list("department__name", flat=True)
    )
    if holding:
        raise ValidationError({"departments": _("%(names)s already holds an open escalation of this request.") % {
            "names": "、".join(holding)}})
    reason = _text(reason, "reason", _("Say what the department is asked to do."))
    now = timezone.now()
    from_state = request.status
    fields = ["status"]
    if request.accepted_at is None:  # escalating is taking it: accepted in the same step
        request.accepted_at, request.accepted_by = now, actor
        fields += ["accepted_at", "accepted_by"]
    escalations = _escalate(request, actor=actor, departments=unique, reason=reason, now=now)
    if from_state != S.ESCALATED:
        request.status = S.ESCALATED
        request.save(update_fields=fields)
        record_event(request, actor=actor, kind=StewardsEvent.REQUEST_ESCALATED, from_state=from_state, to_state=S.ESCALATED,
                     data={"departments": [d.name for d in unique]})
    notify(_enterprise_users(request), kind="request.escalated",
           key=f"request:{request.pk}:escalated:{escalations[0].pk}", url=request_url(request),
           title=_("Your request “%(title)s” was sent to %(names)s") % {
               "title": request.title, "names": "、".join(d.name for d in unique)})
    return escalations


@transaction.atomic
def request_report_back(*, request: ServiceRequest, actor, report: str) -> ServiceRequest:
    """The steward reports back to the enterprise once every escalation is replied, concluded or
    returned: status → reported, auto-close due in ZONEHUB_AUTO_CLOSE_WORKING_DAYS working days."""
    request = _lock(ServiceRequest, request.pk)
    require_request_action(actor, request, "report", message=_("Only the enterprise's steward may report back."))
    report = _text(report, "report", _("Tell the enterprise the outcome."))
    return _report(request, actor=actor, report=report, kind="request.reported", resolved_directly=False)


@transaction.atomic
def request_confirm(*, request: ServiceRequest, actor) -> ServiceRequest:
    """The enterprise confirms the outcome: closed (confirmed by the enterprise)."""
    request = _lock(ServiceRequest, request.pk)
    require_request_action(actor, request, "confirm", message=_("Only the enterprise may confirm its request."))
    request.status, request.closed_at = S.CLOSED, timezone.now()
    request.close_reason = ServiceRequest.CloseReason.CONFIRMED
    request.save(update_fields=["status", "closed_at", "close_reason"])
    record_event(request, actor=actor, kind=StewardsEvent.REQUEST_CONFIRMED, from_state=S.REPORTED, to_state=S.CLOSED)
    notify(_steward_users(request), kind="request.confirmed", key=f"request:{request.pk}:closed",
           url=request_url(request),
           title=_("%(enterprise)s confirmed “%(title)s” resolved") % {"enterprise": request.enterprise.name,
                                                                      "title": request.title})
    return request


@transaction.atomic
def request_reopen(*, request: ServiceRequest, actor, reason: str) -> ServiceRequest:
    """The enterprise is not satisfied with the report: back to the steward (status reopened)."""
    request = _lock(ServiceRequest, request.pk)
    require_request_action(actor, request, "reopen", message=_("Only the enterprise may reopen its request."))
    reason = _text(reason, "reason", _("Say why it is not resolved."))
    request.status, request.auto_close_due_at = S.REOPENED, None
    request.reopen_count += 1
    request.save(update_fields=["status", "auto_close_due_at", "reopen_count"])
    record_event(request, actor=actor, kind=StewardsEvent.REQUEST_REOPENED, from_state=S.REPORTED, to_state=S.REOPENED,
                 note=reason)
    notify(_steward_users(request), kind="request.reopened", key=f"request:{request.pk}:reopened:{request.reopen_count}",
           url=request_url(request),
           title=_("%(enterprise)s reopened “%(title)s”") % {"enterprise": request.enterprise.name,
                                                           "title": request.title}, body=reason)
    return request


def request_auto_close(*, request: ServiceRequest, now=None) -> bool:
    """Close a reported request whose auto_close_due_at passed (closed automatically). Guarded by
    a conditional UPDATE: True only for the one call that closed it."""
    now = now or timezone.now()
    with transaction.atomic():
        closed = ServiceRequest.objects.filter(
            pk=request.pk, status=S.REPORTED, auto_close_due_at__isnull=False, auto_close_due_at__lte=now,
        ).update(status=S.CLOSED, closed_at=now, close_reason=ServiceRequest.CloseReason.AUTO)
        if not closed:
            return False
        request = ServiceRequest.objects.select_related("enterprise", "steward__user").get(pk=request.pk)
        record_event(request, actor=None, kind=StewardsEvent.REQUEST_AUTO_CLOSED, from_state=S.REPORTED, to_state=S.CLOSED,
                     data={"due_at": request.auto_close_due_at.isoformat()})
        notify([*_enterprise_users(request), *_steward_users(request)], kind="request.auto_closed",
               key=f"request:{request.pk}:closed", url=request_url(request),
               title=_("“%(title)s” was closed automatically: no answer within %(days)s working days") % {
                   "title": request.title, "days": settings.ZONEHUB_AUTO_CLOSE_WORKING_DAYS})
    return True
