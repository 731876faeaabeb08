"""Writes about stewards, their enterprises, and the service requests they handle."""

import datetime as dt
import logging
import os
import zipfile

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, prefetch_related_objects
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enterprises.models import Enterprise
from stewards.models import (
    Escalation,
    EscalationProgress,
    LedgerItem,
    RequestAttachment,
    RequestComment,
    ServiceRequest,
    Steward,
    StewardAssignment,
    Visit,
)
from zonehub.events import record_event, register_event_labels
from zonehub.models import Role, User
from zonehub.notifications import notifications_send_pending, notify
from zonehub.permissions import require
from zonehub.workdays import WorkCalendar, due_at, last_workday, local_date, start_of_day


def can_assign_steward(user, enterprise: Enterprise) -> bool:
    return user.is_admin or (
        user.role == Role.WORKSTATION_HEAD and enterprise.workstation_id == user.workstation_id
    )


def steward_assignment_check(*, enterprise: Enterprise, steward: Steward, on, allow_return: bool = False) -> None:
    """Raise ValidationError when ``steward`` may not become the enterprise's steward: it is no
    longer active, or the enterprise rated it unsatisfied in a closed campaign of the year and no
    leader allowed it back. The assign page, the admin and the replacement cases all ask here."""
    if not steward.is_active or not steward.user.is_active:
        raise ValidationError(_("%(name)s is no longer an active steward.") % {"name": steward.name})
    if allow_return:
        return
    # evaluations builds on stewards, so its rule is imported where it is needed.
    from evaluations.services import rated_unsatisfied_this_year

    year = local_date(on).year
    if rated_unsatisfied_this_year(enterprise_id=enterprise.pk, steward_id=steward.pk, year=year):
        raise ValidationError(
            _("This enterprise rated %(name)s unsatisfied in %(year)s: the steward cannot go back to it this "
              "year unless a leader allows it on the replacement case.") % {"name": steward.name, "year": year}
        )


@transaction.atomic
def steward_assign(
    *, enterprise: Enterprise, steward: Steward, actor,
    reason: str = StewardAssignment.EndReason.REASSIGNED, note: str = "", allow_return: bool = False,
) -> StewardAssignment:
    """Make ``steward`` the enterprise's one active steward, ending the current assignment (with
    its reason) in the same transaction. The enterprise and both stewards are told.

    ``allow_return`` is passed only when a leader has lifted the bar on a steward going back to an
    enterprise that rated it unsatisfied this year (DESIGN.md rule 4)."""
    require(can_assign_steward(actor, enterprise),
            _("Only the head of the enterprise's workstation or an administrator may assign its steward."))
    steward_assignment_check(enterprise=enterprise, steward=steward, on=timezone.now(), allow_return=allow_return)
    # Lock the enterprise row so two heads assigning at once queue up instead of colliding.
    Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
    current = StewardAssignment.objects.active().filter(enterprise=enterprise).select_related("steward__user").first()
    if current and current.steward_id == steward.pk:
        raise ValidationError(_("%(name)s is already this enterprise's steward.") % {"name": steward.name})
    now = timezone.now()
    if current:
        current.ended_at = now
        current.end_reason = reason
        current.end_note = note[:200]
        current.save(update_fields=["ended_at", "end_reason", "end_note"])
        record_event(current, root=enterprise, actor=actor, kind="steward.unassigned",
                     from_state=current.steward.name, note=note, data={"reason": reason})
    assignment = StewardAssignment.objects.create(
        enterprise=enterprise, steward=steward, started_at=now, assigned_by=actor
    )
    record_event(assignment, root=enterprise, actor=actor, kind="steward.assigned",
                 from_state=current.steward.name if current else "", to_state=steward.name, note=note)
    key = f"assignment:{assignment.pk}"
    notify(
        enterprise.users.all(), kind="steward.assigned", key=key,
        title=_("Your steward is now %(name)s (%(phone)s)") % {"name": steward.name, "phone": steward.phone},
    )
    notify([steward.user], kind="steward.assigned", key=key,
           title=_("You now serve %(enterprise)s") % {"enterprise": enterprise.name})
    if current:
        notify([current.steward.user], kind="steward.unassigned", key=f"{key}:previous",
               title=_("You no longer serve %(enterprise)s") % {"enterprise": enterprise.name})
    return assignment


@transaction.atomic
def steward_unassign(*, enterprise: Enterprise, actor, reason: str, note: str = "") -> StewardAssignment:
    require(can_assign_steward(actor, enterprise))
    current = StewardAssignment.objects.active().select_for_update().filter(enterprise=enterprise).first()
    if current is None:
        raise ValidationError(_("This enterprise has no active steward."))
    current.ended_at = timezone.now()
    current.end_reason = reason
    current.end_note = note[:200]
    current.save(update_fields=["ended_at", "end_reason", "end_note"])
    record_event(current, root=enterprise, actor=actor, kind="steward.unassigned",
                 from_state=current.steward.name, note=note, data={"reason": reason})
    return current


# =============================================================================================
# Service requests, escalations, visits and the ledger (issue 3).
#
# Every function: permission check, validation (ValidationError with a translated message, and
# nothing changed), one transaction, rows re-read under a row lock, save(update_fields=...), one
# Event per state change with root = the request (so the request page shows escalation events
# too), notification rows written in the same transaction (delivery is enqueued after commit by
# ``notify``). Nothing is ever deleted.
# =============================================================================================

logger = logging.getLogger(__name__)

register_event_labels({
    "request.submitted": gettext_lazy("request submitted"),
    "request.logged": gettext_lazy("request logged by the steward"),
    "request.accepted": gettext_lazy("request accepted"),
    "request.accept_late": gettext_lazy("not accepted in time: workstation head told"),
    "request.commented": gettext_lazy("message"),
    "request.attached": gettext_lazy("files attached"),
    "request.resolved": gettext_lazy("solved by the steward and reported to the enterprise"),
    "request.escalated": gettext_lazy("escalated to departments"),
    "request.reported": gettext_lazy("reported back to the enterprise"),
    "request.confirmed": gettext_lazy("confirmed by the enterprise and closed"),
    "request.reopened": gettext_lazy("reopened by the enterprise"),
    "request.auto_closed": gettext_lazy("closed automatically (no answer from the enterprise)"),
    "escalation.sent": gettext_lazy("escalated to a department"),
    "escalation.reminded": gettext_lazy("department reminded: last working day to reply"),
    "escalation.overdue": gettext_lazy("reply overdue"),
    "escalation.replied": gettext_lazy("department replied"),
    "escalation.consultation": gettext_lazy("department marked it as needing joint consultation"),
    "escalation.progress": gettext_lazy("progress report"),
    "escalation.progress_missed": gettext_lazy("progress report missing"),
    "escalation.concluded": gettext_lazy("joint consultation concluded"),
    "escalation.returned": gettext_lazy("returned by the department as not its business"),
    "escalation.due_changed": gettext_lazy("deadline recomputed after a calendar change"),
    "visit.logged": gettext_lazy("visit logged"),
    "ledger.recorded": gettext_lazy("recorded on the complaint-meeting ledger"),
    "ledger.dispatched": gettext_lazy("dispatched to a department"),
    "ledger.claimed": gettext_lazy("claimed by a department"),
})

S = ServiceRequest.Status
E = Escalation.Status

# --- attachments ------------------------------------------------------------------------------

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# extension → (content type, how to recognise the content)
ALLOWED_ATTACHMENTS: dict[str, tuple[str, str]] = {
    ".pdf": ("application/pdf", "pdf"),
    ".jpg": ("image/jpeg", "jpeg"),
    ".jpeg": ("image/jpeg", "jpeg"),
    ".png": ("image/png", "png"),
    ".gif": ("image/gif", "gif"),
    ".webp": ("image/webp", "webp"),
    ".doc": ("application/msword", "ole"),
    ".xls": ("application/vnd.ms-excel", "ole"),
    ".ppt": ("application/vnd.ms-powerpoint", "ole"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "ooxml:word/"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "ooxml:xl/"),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "ooxml:ppt/"),
}
ATTACHMENT_EXTENSIONS_TEXT = "PDF, JPG, PNG, GIF, WebP, Word, Excel, PowerPoint"


def attachment_max_bytes() -> int:
    return settings.ZONEHUB_ATTACHMENT_MAX_MB * 1024 * 1024


def _content_matches(file, kind: str) -> bool:
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    if kind == "pdf":
        return head.startswith(b"%PDF-")
    if kind == "jpeg":
        return head.startswith(b"\xff\xd8\xff")
    if kind == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if kind == "gif":
        return head[:6] in (b"GIF87a", b"GIF89a")
    if kind == "webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if kind == "ole":
        return head.startswith(OLE_MAGIC)
    if kind.startswith("ooxml:"):
        if not head.startswith(ZIP_MAGIC):
            return False
        try:
            with zipfile.ZipFile(file) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return False
        finally:
            file.seek(0)
        prefix = kind.split(":", 1)[1]
        return "[Content_Types].xml" in names and any(n.startswith(prefix) for n in names)
    return False


def attachment_validate(*, file) -> None:
    """Raise ValidationError unless ``file`` (an UploadedFile) is an allowed type — PDF, image
    (JPEG/PNG/GIF/WebP) or Office document — checked by extension AND by its content, and no
    larger than ``settings.ZONEHUB_ATTACHMENT_MAX_MB`` (default 10). Forms and the API call it
    to show the message next to the field; the services call it again before saving."""
    name = os.path.basename(getattr(file, "name", "") or "")
    ext = os.path.splitext(name)[1].lower()
    if ext not in ALLOWED_ATTACHMENTS:
        raise ValidationError(
            _("“%(name)s” is not an allowed type. Allowed: %(types)s.") % {"name": name, "types": ATTACHMENT_EXTENSIONS_TEXT},
            code="file_type",
        )
    size = getattr(file, "size", None) or 0
    if size > attachment_max_bytes():
        raise ValidationError(
            _("“%(name)s” is larger than %(max)s MB.") % {"name": name, "max": attachment_max_bytes() // (1024 * 1024)},
            code="file_size",
        )
    if size == 0:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name}, code="file_empty")
    if not _content_matches(file, ALLOWED_ATTACHMENTS[ext][1]):
        raise ValidationError(
            _("The content of “%(name)s” does not match its type %(ext)s.") % {"name": name, "ext": ext},
            code="file_content",
        )


def _save_attachments(request: ServiceRequest, files, actor, now) -> list[RequestAttachment]:
    saved = []
    for f in files:
        name = os.path.basename(f.name)[:200]
        ext = os.path.splitext(name)[1].lower()
        attachment = RequestAttachment(
            request=request, original_name=name, size=f.size, content_type=ALLOWED_ATTACHMENTS[ext][0],
            uploaded_by=actor, uploaded_at=now,
        )
        f.seek(0)
        attachment.file.save(name, f, save=False)
        attachment.save()
        saved.append(attachment)
    # Files are written before the transaction commits; all validation runs before the first
    # write, so only a crash between the two can leave an orphan file (harmless, never served).
    return saved


def _validate_files(files) -> list:
    files = [f for f in (files or []) if f]
    errors = []
    for f in files:
        try:
            attachment_validate(file=f)
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError({"files": errors})
    return files


# --- who may do what -------------------------------------------------------------------------


def _active_steward_user_id(enterprise) -> int | None:
    return (
        StewardAssignment.objects.active().filter(enterprise=enterprise)
        .values_list("steward__user_id", flat=True).first()
    )


def is_request_enterprise_user(user, request: ServiceRequest) -> bool:
    return user.role == Role.ENTERPRISE and user.enterprise_id == request.enterprise_id


def can_handle_request(user, request: ServiceRequest) -> bool:
    """The steward side of a request: the steward at the time, the enterprise's current steward,
    the head of the enterprise's workstation, or an administrator."""
    if user.is_admin:
        return True
    if user.role == Role.STEWARD:
        if request.steward_id and request.steward.user_id == user.pk:
            return True
        return _active_steward_user_id(request.enterprise_id) == user.pk
    if user.role == Role.WORKSTATION_HEAD:
        return request.enterprise.workstation_id == user.workstation_id
    return False


def can_answer_escalation(user, escalation: Escalation) -> bool:
    return user.is_admin or (user.role == Role.DEPARTMENT and user.department_id == escalation.department_id)


def _can_serve_enterprise(user, enterprise) -> bool:
    if user.is_admin:
        return True
    if user.role == Role.STEWARD:
        return _active_steward_user_id(enterprise.pk) == user.pk
    if user.role == Role.WORKSTATION_HEAD:
        return enterprise.workstation_id == user.workstation_id
    return False


def _text(value, field: str, message) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _choice(value, choices, field: str) -> str:
    if value not in choices.values:
        raise ValidationError({field: _("Choose a valid option.")})
    return value


def _require_open(request: ServiceRequest) -> None:
    if request.status == S.CLOSED:
        raise ValidationError(_("This request is closed; nothing more can be done on it."))


# --- recipients and links --------------------------------------------------------------------


def _users(**filters):
    return list(User.objects.filter(is_active=True, **filters))


def _enterprise_users(request):
    return _users(role=Role.ENTERPRISE, enterprise_id=request.enterprise_id)


def _steward_users(request):
    users = []
    if request.steward_id:
        users.append(request.steward.user)
    current = _active_steward_user_id(request.enterprise_id)
    if current and current not in [u.pk for u in users]:
        users.extend(_users(pk=current))
    return users


def _department_users(department_id):
    return _users(role=Role.DEPARTMENT, department_id=department_id)


def _department_heads(department_id):
    heads = _users(role=Role.DEPARTMENT, department_id=department_id, is_department_head=True)
    return heads or _department_users(department_id)


def _workstation_heads(request):
    if not request.enterprise.workstation_id:
        return []
    return _users(role=Role.WORKSTATION_HEAD, workstation_id=request.enterprise.workstation_id)


def _leaders():
    return _users(role=Role.LEADER)


def request_url(request: ServiceRequest) -> str:
    try:
        return reverse("stewards:request_detail", args=[request.pk])
    except NoReverseMatch:
        return f"/requests/{request.pk}/"


def escalation_url(escalation: Escalation) -> str:
    try:
        return reverse("stewards:escalation_detail", args=[escalation.pk])
    except NoReverseMatch:
        return request_url(escalation.request)


# --- deadlines -------------------------------------------------------------------------------


def _reply_days() -> int:
    return settings.ZONEHUB_REPLY_WORKING_DAYS


def reminder_at(due: dt.datetime) -> dt.datetime:
    """The morning (ZONEHUB_REMINDER_HOUR) of the last working day of a period ending at ``due``."""
    return start_of_day(last_workday(due)) + dt.timedelta(hours=settings.ZONEHUB_REMINDER_HOUR)


def _next_period_due(previous_due: dt.datetime, calendar: WorkCalendar | None = None) -> dt.datetime:
    # Periods follow each other: the next one counts from the last working day of the previous.
    return due_at(start_of_day(last_workday(previous_due)), _reply_days(), calendar=calendar)


def _lock(model, pk):
    return model.objects.select_for_update().get(pk=pk)


# --- requests --------------------------------------------------------------------------------


def _create_request(*, enterprise, actor, channel, category, title, description, urgency, now,
                    accepted: bool, visit=None) -> ServiceRequest:
    assignment = (
        StewardAssignment.objects.active().filter(enterprise=enterprise).select_related("steward__user").first()
    )
    request = ServiceRequest.objects.create(
        enterprise=enterprise, channel=channel, category=category, title=title[:200], description=description,
        urgency=urgency, steward=assignment.steward if assignment else None, created_by=actor, created_at=now,
        status=S.ACCEPTED if accepted else S.SUBMITTED,
        accept_due_at=None if accepted else due_at(now, settings.ZONEHUB_ACCEPT_WORKING_DAYS),
        accepted_at=now if accepted else None, accepted_by=actor if accepted else None, visit=visit,
    )
    return request


def _validated_request_fields(category, title, description, urgency):
    return (
        _choice(category, ServiceRequest.Category, "category"),
        _text(title, "title", _("Give the request a title."))[:200],
        _text(description, "description", _("Describe the request.")),
        _choice(urgency or ServiceRequest.Urgency.NORMAL, ServiceRequest.Urgency, "urgency"),
    )


@transaction.atomic
def request_submit(*, actor, category: str, title: str, description: str, urgency: str = "normal",
                   files: list | None = None) -> ServiceRequest:
    """An enterprise user submits a request (channel web form) for its own enterprise. The
    enterprise's active steward is attached and notified; acceptance is due within
    ZONEHUB_ACCEPT_WORKING_DAYS working days. ``files``: uploaded files (validated)."""
    require(actor.role == Role.ENTERPRISE and actor.enterprise_id,
            _("Only enterprise users submit requests; stewards log them on the enterprise's behalf."))
    category, title, description, urgency = _validated_request_fields(category, title, description, urgency)
    files = _validate_files(files)
    now = timezone.now()
    request = _create_request(
        enterprise=actor.enterprise, actor=actor, channel=ServiceRequest.Channel.WEB, category=category, title=title,
        description=description, urgency=urgency, now=now, accepted=False,
    )
    _save_attachments(request, files, actor, now)
    record_event(request, actor=actor, kind="request.submitted", to_state=S.SUBMITTED,
                 data={"attachments": len(files), "steward": request.steward.name if request.steward_id else None})
    url = request_url(request)
    if request.steward_id:
        notify([request.steward.user], kind="request.submitted", key=f"request:{request.pk}:submitted", url=url,
               title=_("New request from %(enterprise)s: %(title)s") % {"enterprise": request.enterprise.name,
                                                                         "title": title},
               sms=urgency == ServiceRequest.Urgency.URGENT)
    else:
        # No steward (full coverage broken): the workstation head must see it.
        notify(_workstation_heads(request), kind="request.submitted", key=f"request:{request.pk}:submitted", url=url,
               title=_("A request from %(enterprise)s has no steward to take it") % {"enterprise": request.enterprise.name})
    return request


@transaction.atomic
def request_log_on_behalf(*, actor, enterprise, channel: str, category: str, title: str, description: str,
                          urgency: str = "normal", files: list | None = None, visit=None) -> ServiceRequest:
    """A steward logs a request for an enterprise it serves (channel phone, visit or complaint
    meeting). It is accepted at once: the steward is the one who took it."""
    require(_can_serve_enterprise(actor, enterprise), _("You can log requests only for enterprises you serve."))
    if channel not in (ServiceRequest.Channel.PHONE, ServiceRequest.Channel.VISIT,
                       ServiceRequest.Channel.COMPLAINT_MEETING):
        raise ValidationError({"channel": _("A request logged by a steward came by phone, a visit or a complaint meeting.")})
    category, title, description, urgency = _validated_request_fields(category, title, description, urgency)
    files = _validate_files(files)
    now = timezone.now()
    request = _create_request(
        enterprise=enterprise, actor=actor, channel=channel, category=category, title=title, description=description,
        urgency=urgency, now=now, accepted=True, visit=visit,
    )
    _save_attachments(request, files, actor, now)
    record_event(request, actor=actor, kind="request.logged", to_state=S.ACCEPTED, data={"channel": channel})
    notify(_enterprise_users(request), kind="request.logged", key=f"request:{request.pk}:logged",
           url=request_url(request),
           title=_("Your steward logged a request for you: %(title)s") % {"title": title})
    return request


@transaction.atomic
def request_attach(*, request: ServiceRequest, actor, files: list) -> list[RequestAttachment]:
    """Add files to a request (an enterprise user of the request or its steward side; not when closed)."""
    request = _lock(ServiceRequest, request.pk)
    require(is_request_enterprise_user(actor, request) or can_handle_request(actor, request))
    _require_open(request)
    files = _validate_files(files)
    if not files:
        raise ValidationError({"files": _("Choose at least one file.")})
    saved = _save_attachments(request, files, actor, timezone.now())
    record_event(request, actor=actor, kind="request.attached", data={"files": [a.original_name for a in saved]})
    return saved


@transaction.atomic
def request_accept(*, request: ServiceRequest, actor) -> ServiceRequest:
    """The steward accepts a submitted request."""
    request = _lock(ServiceRequest, request.pk)
    require(can_handle_request(actor, request), _("Only the enterprise's steward may accept this request."))
    _require_open(request)
    if request.status != S.SUBMITTED:
        raise ValidationError(_("This request has already been accepted."))
    now = timezone.now()
    request.status, request.accepted_at, request.accepted_by = S.ACCEPTED, now, actor
    request.save(update_fields=["status", "accepted_at", "accepted_by"])
    record_event(request, actor=actor, kind="request.accepted", from_state=S.SUBMITTED, to_state=S.ACCEPTED,
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
    from_enterprise = is_request_enterprise_user(actor, request)
    require(from_enterprise or can_handle_request(actor, request))
    _require_open(request)
    body = _text(body, "body", _("Write a message."))
    comment = RequestComment.objects.create(request=request, author=actor, body=body)
    record_event(comment, root=request, actor=actor, kind="request.commented", note=body)
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
    require(can_handle_request(actor, request), _("Only the enterprise's steward may resolve this request."))
    _require_open(request)
    if request.status == S.REPORTED:
        raise ValidationError(_("This request has already been reported back; the enterprise has to answer first."))
    if request.escalations.open().exists():
        raise ValidationError(_("A department still holds this request: wait for its reply."))
    report = _text(report, "report", _("Tell the enterprise how it was solved."))
    return _report(request, actor=actor, report=report, kind="request.resolved", resolved_directly=True)


def _escalate(request: ServiceRequest, *, actor, departments, reason: str, now) -> list[Escalation]:
    calendar = WorkCalendar()
    due = due_at(now, _reply_days(), calendar=calendar)
    remind = reminder_at(due)
    created = []
    for department in departments:
        escalation = Escalation.objects.create(
            request=request, department=department, sent_by=actor, sent_at=now, reason=reason,
            due_at=due, remind_at=remind,
        )
        record_event(escalation, root=request, actor=actor, kind="escalation.sent", to_state=E.OPEN, note=reason,
                     data={"department": department.name, "due_at": due.isoformat()})
        notify(_department_users(department.pk), kind="escalation.sent", key=f"escalation:{escalation.pk}:sent",
               url=escalation_url(escalation), sms=request.urgency == ServiceRequest.Urgency.URGENT,
               title=_("New escalation from %(enterprise)s: %(title)s (reply by %(due)s)") % {
                   "enterprise": request.enterprise.name, "title": request.title,
                   "due": f"{local_date(due) - dt.timedelta(days=1):%Y-%m-%d}"},
               body=reason)
        created.append(escalation)
    return created


@transaction.atomic
def request_escalate(*, request: ServiceRequest, actor, departments: list, reason: str) -> list[Escalation]:
    """The steward blows the whistle (吹哨): one Escalation per department, each with its own
    clock. Refused with no department, for a department already holding an open escalation of
    this request, without a reason, on a closed request and on one waiting for the enterprise.
    Escalating a request not yet accepted accepts it in the same step (the steward has taken it)."""
    request = _lock(ServiceRequest, request.pk)
    require(can_handle_request(actor, request), _("Only the enterprise's steward may escalate this request."))
    _require_open(request)
    if request.status == S.REPORTED:
        raise ValidationError(_("This request has been reported back; the enterprise has to confirm or reopen it first."))
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
        record_event(request, actor=actor, kind="request.escalated", from_state=from_state, to_state=S.ESCALATED,
                     data={"departments": [d.name for d in unique]})
    notify(_enterprise_users(request), kind="request.escalated",
           key=f"request:{request.pk}:escalated:{escalations[0].pk}", url=request_url(request),
           title=_("Your request “%(title)s” was sent to %(names)s") % {
               "title": request.title, "names": "、".join(d.name for d in unique)})
    return escalations


def _lock_escalation(escalation: Escalation, actor) -> Escalation:
    escalation = Escalation.objects.select_for_update(of=("self",)).select_related(
        "request__enterprise", "request__steward__user", "department").get(pk=escalation.pk)
    require(can_answer_escalation(actor, escalation), _("Only the department it was sent to may answer it."))
    return escalation


def _stop_clock(escalation: Escalation, now) -> list[str]:
    if escalation.clock_stopped_at is not None:
        return []
    escalation.clock_stopped_at = now
    escalation.answered_on_time = now < escalation.due_at
    return ["clock_stopped_at", "answered_on_time"]


def _tell_steward(escalation: Escalation, *, kind: str, key: str, title: str, body: str = "") -> None:
    notify(_steward_users(escalation.request), kind=kind, key=key, url=request_url(escalation.request),
           title=title, body=body)
    request = escalation.request
    if not request.escalations.open().exists():
        notify(_steward_users(request), kind="request.all_answered", url=request_url(request),
               key=f"request:{request.pk}:all_answered:{escalation.pk}:{escalation.status}",
               title=_("Every department has answered “%(title)s”: report back to the enterprise") % {
                   "title": request.title})


@transaction.atomic
def escalation_reply(*, escalation: Escalation, actor, reply: str) -> Escalation:
    """The department replies (答复): the clock stops; on time iff replied_at < due_at.

    The reply's time is taken once the row is locked, so a reply and the sweep are ordered by the
    lock: a reply counted on time is never marked overdue, and one marked overdue is late."""
    escalation = _lock_escalation(escalation, actor)
    if escalation.status == E.CONSULTATION:
        raise ValidationError(_("This escalation is under joint consultation: post progress or conclude it."))
    if escalation.status != E.OPEN:
        raise ValidationError(_("This escalation has already been answered."))
    reply = _text(reply, "reply", _("Write the reply."))
    now = timezone.now()
    escalation.status, escalation.reply, escalation.replied_at, escalation.replied_by = E.REPLIED, reply, now, actor
    fields = ["status", "reply", "replied_at", "replied_by", *_stop_clock(escalation, now)]
    escalation.save(update_fields=fields)
    record_event(escalation, root=escalation.request, actor=actor, kind="escalation.replied", from_state=E.OPEN,
                 to_state=E.REPLIED, note=reply,
                 data={"department": escalation.department.name, "on_time": escalation.answered_on_time})
    _tell_steward(escalation, kind="escalation.replied", key=f"escalation:{escalation.pk}:replied",
                  title=_("%(department)s replied on “%(title)s”") % {"department": escalation.department.name,
                                                                      "title": escalation.request.title}, body=reply)
    return escalation


@transaction.atomic
def escalation_mark_consultation(*, escalation: Escalation, actor, reason: str) -> Escalation:
    """The department marks it as needing joint consultation (需会商): the reply clock stops and a
    progress report is due every ZONEHUB_REPLY_WORKING_DAYS working days until it concludes."""
    escalation = _lock_escalation(escalation, actor)
    if escalation.status != E.OPEN:
        raise ValidationError(_("Only an escalation awaiting its reply can be marked for joint consultation."))
    reason = _text(reason, "reason", _("Say why joint consultation is needed."))
    now = timezone.now()
    escalation.status, escalation.needs_consultation = E.CONSULTATION, True
    escalation.consultation_reason, escalation.consultation_marked_at = reason, now
    escalation.next_progress_due_at = due_at(now, _reply_days())
    fields = ["status", "needs_consultation", "consultation_reason", "consultation_marked_at",
              "next_progress_due_at", *_stop_clock(escalation, now)]
    escalation.save(update_fields=fields)
    record_event(escalation, root=escalation.request, actor=actor, kind="escalation.consultation", from_state=E.OPEN,
                 to_state=E.CONSULTATION, note=reason,
                 data={"department": escalation.department.name, "on_time": escalation.answered_on_time,
                       "next_progress_due_at": escalation.next_progress_due_at.isoformat()})
    notify(_steward_users(escalation.request), kind="escalation.consultation",
           key=f"escalation:{escalation.pk}:consultation", url=request_url(escalation.request),
           title=_("%(department)s needs joint consultation on “%(title)s”") % {
               "department": escalation.department.name, "title": escalation.request.title}, body=reason)
    return escalation


@transaction.atomic
def escalation_progress_report(*, escalation: Escalation, actor, text: str) -> EscalationProgress:
    """A progress report on a consultation case: the next period starts now."""
    escalation = _lock_escalation(escalation, actor)
    if escalation.status != E.CONSULTATION:
        raise ValidationError(_("Progress reports are for escalations under joint consultation."))
    text = _text(text, "text", _("Write the progress."))
    now = timezone.now()
    was_due = escalation.next_progress_due_at
    progress = EscalationProgress.objects.create(
        escalation=escalation, text=text, reported_by=actor, reported_at=now, was_due_at=was_due,
        on_time=bool(was_due and now < was_due),
    )
    escalation.next_progress_due_at = due_at(now, _reply_days())
    escalation.save(update_fields=["next_progress_due_at"])
    record_event(progress, root=escalation.request, actor=actor, kind="escalation.progress", note=text,
                 data={"department": escalation.department.name, "escalation": escalation.pk,
                       "on_time": progress.on_time})
    notify(_steward_users(escalation.request), kind="escalation.progress", key=f"progress:{progress.pk}",
           url=request_url(escalation.request),
           title=_("%(department)s reported progress on “%(title)s”") % {
               "department": escalation.department.name, "title": escalation.request.title}, body=text)
    return progress


@transaction.atomic
def escalation_conclude(*, escalation: Escalation, actor, conclusion: str) -> Escalation:
    """The department concludes a consultation case."""
    escalation = _lock_escalation(escalation, actor)
    if escalation.status != E.CONSULTATION:
        raise ValidationError(_("Only an escalation under joint consultation can be concluded."))
    conclusion = _text(conclusion, "conclusion", _("Write the conclusion."))
    now = timezone.now()
    escalation.status, escalation.conclusion = E.CONCLUDED, conclusion
    escalation.concluded_at, escalation.concluded_by = now, actor
    escalation.save(update_fields=["status", "conclusion", "concluded_at", "concluded_by"])
    record_event(escalation, root=escalation.request, actor=actor, kind="escalation.concluded",
                 from_state=E.CONSULTATION, to_state=E.CONCLUDED, note=conclusion,
                 data={"department": escalation.department.name})
    _tell_steward(escalation, kind="escalation.concluded", key=f"escalation:{escalation.pk}:concluded",
                  title=_("%(department)s concluded “%(title)s”") % {
                      "department": escalation.department.name, "title": escalation.request.title}, body=conclusion)
    return escalation


@transaction.atomic
def escalation_return(*, escalation: Escalation, actor, reason: str) -> Escalation:
    """Not the department's business: returned to the steward with a reason; the clock stops and
    the steward may escalate elsewhere."""
    escalation = _lock_escalation(escalation, actor)
    if escalation.status not in Escalation.OPEN_STATUSES:
        raise ValidationError(_("This escalation has already been answered."))
    reason = _text(reason, "reason", _("Say why this is not your department's business."))
    now = timezone.now()
    from_state = escalation.status
    escalation.status, escalation.return_reason = E.RETURNED, reason
    escalation.returned_at, escalation.returned_by = now, actor
    fields = ["status", "return_reason", "returned_at", "returned_by", *_stop_clock(escalation, now)]
    escalation.save(update_fields=fields)
    record_event(escalation, root=escalation.request, actor=actor, kind="escalation.returned", from_state=from_state,
                 to_state=E.RETURNED, note=reason, data={"department": escalation.department.name})
    _tell_steward(escalation, kind="escalation.returned", key=f"escalation:{escalation.pk}:returned",
                  title=_("%(department)s returned “%(title)s” as not its business") % {
                      "department": escalation.department.name, "title": escalation.request.title}, body=reason)
    return escalation


@transaction.atomic
def request_report_back(*, request: ServiceRequest, actor, report: str) -> ServiceRequest:
    """The steward reports back to the enterprise once every escalation is replied, concluded or
    returned: status → reported, auto-close due in ZONEHUB_AUTO_CLOSE_WORKING_DAYS working days."""
    request = _lock(ServiceRequest, request.pk)
    require(can_handle_request(actor, request), _("Only the enterprise's steward may report back."))
    _require_open(request)
    if request.status == S.REPORTED:
        raise ValidationError(_("This request has already been reported back; the enterprise has to answer first."))
    if request.status not in (S.ESCALATED, S.REOPENED):
        raise ValidationError(_("Report back once the departments have answered; to solve it yourself, use “resolve”."))
    if request.escalations.open().exists():
        raise ValidationError(_("Not every department has answered yet."))
    report = _text(report, "report", _("Tell the enterprise the outcome."))
    return _report(request, actor=actor, report=report, kind="request.reported", resolved_directly=False)


@transaction.atomic
def request_confirm(*, request: ServiceRequest, actor) -> ServiceRequest:
    """The enterprise confirms the outcome: closed (confirmed by the enterprise)."""
    request = _lock(ServiceRequest, request.pk)
    require(is_request_enterprise_user(actor, request), _("Only the enterprise may confirm its request."))
    _require_open(request)
    if request.status != S.REPORTED:
        raise ValidationError(_("There is nothing to confirm yet: the steward has not reported back."))
    request.status, request.closed_at = S.CLOSED, timezone.now()
    request.close_reason = ServiceRequest.CloseReason.CONFIRMED
    request.save(update_fields=["status", "closed_at", "close_reason"])
    record_event(request, actor=actor, kind="request.confirmed", from_state=S.REPORTED, to_state=S.CLOSED)
    notify(_steward_users(request), kind="request.confirmed", key=f"request:{request.pk}:closed",
           url=request_url(request),
           title=_("%(enterprise)s confirmed “%(title)s” resolved") % {"enterprise": request.enterprise.name,
                                                                      "title": request.title})
    return request


@transaction.atomic
def request_reopen(*, request: ServiceRequest, actor, reason: str) -> ServiceRequest:
    """The enterprise is not satisfied with the report: back to the steward (status reopened)."""
    request = _lock(ServiceRequest, request.pk)
    require(is_request_enterprise_user(actor, request), _("Only the enterprise may reopen its request."))
    _require_open(request)
    if request.status != S.REPORTED:
        raise ValidationError(_("Only a request the steward has reported back on can be reopened."))
    reason = _text(reason, "reason", _("Say why it is not resolved."))
    request.status, request.auto_close_due_at = S.REOPENED, None
    request.reopen_count += 1
    request.save(update_fields=["status", "auto_close_due_at", "reopen_count"])
    record_event(request, actor=actor, kind="request.reopened", from_state=S.REPORTED, to_state=S.REOPENED,
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
        record_event(request, actor=None, kind="request.auto_closed", from_state=S.REPORTED, to_state=S.CLOSED,
                     data={"due_at": request.auto_close_due_at.isoformat()})
        notify([*_enterprise_users(request), *_steward_users(request)], kind="request.auto_closed",
               key=f"request:{request.pk}:closed", url=request_url(request),
               title=_("“%(title)s” was closed automatically: no answer within %(days)s working days") % {
                   "title": request.title, "days": settings.ZONEHUB_AUTO_CLOSE_WORKING_DAYS})
    return True


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
    if visited_on > local_date(timezone.now()):
        raise ValidationError({"visited_on": _("A visit cannot be in the future.")})
    visit = Visit.objects.create(steward=actor.steward, enterprise=enterprise, visited_on=visited_on,
                                 findings=(findings or "").strip(), created_by=actor)
    record_event(visit, root=enterprise, actor=actor, kind="visit.logged", note=visit.findings,
                 data={"date": visited_on.isoformat()})
    for spec in requests or []:
        request_log_on_behalf(
            actor=actor, enterprise=enterprise, channel=ServiceRequest.Channel.VISIT, visit=visit,
            category=spec.get("category", ServiceRequest.Category.OTHER), title=spec.get("title", ""),
            description=spec.get("description", ""), urgency=spec.get("urgency", ServiceRequest.Urgency.NORMAL),
        )
    return visit


def _require_leader(actor) -> None:
    require(actor.is_leader or actor.is_admin, _("Only leaders keep the complaint-meeting ledger."))


@transaction.atomic
def ledger_item_record(*, actor, enterprise, title: str, description: str, meeting_date,
                       category: str = "other", department=None, reason: str = "") -> LedgerItem:
    """A leader records an item raised at a complaint meeting (吐槽大会); with ``department`` it is
    dispatched at once (see ledger_item_dispatch)."""
    _require_leader(actor)
    if enterprise is None:
        raise ValidationError({"enterprise": _("Choose the enterprise that raised it.")})
    title = _text(title, "title", _("Give the ledger item a title."))
    description = _text(description, "description", _("Describe the item."))
    category = _choice(category or ServiceRequest.Category.OTHER, ServiceRequest.Category, "category")
    if meeting_date is None:
        raise ValidationError({"meeting_date": _("Give the date of the meeting.")})
    if meeting_date > local_date(timezone.now()):
        raise ValidationError({"meeting_date": _("The meeting cannot be in the future.")})
    item = LedgerItem.objects.create(enterprise=enterprise, title=title[:200], description=description,
                                     category=category, meeting_date=meeting_date, recorded_by=actor)
    record_event(item, actor=actor, kind="ledger.recorded", to_state=LedgerItem.Status.UNASSIGNED)
    if department is not None:
        item = ledger_item_dispatch(item=item, actor=actor, department=department, reason=reason)
    return item


def _ledger_assign(item: LedgerItem, *, actor, department, reason: str, status: str) -> LedgerItem:
    now = timezone.now()
    request = _create_request(
        enterprise=item.enterprise, actor=actor, channel=ServiceRequest.Channel.COMPLAINT_MEETING,
        category=item.category, title=item.title, description=item.description,
        urgency=ServiceRequest.Urgency.NORMAL, now=now, accepted=True,
    )
    request.status = S.ESCALATED
    request.save(update_fields=["status"])
    record_event(request, actor=actor, kind="request.logged", to_state=S.ESCALATED,
                 data={"channel": ServiceRequest.Channel.COMPLAINT_MEETING, "ledger_item": item.pk})
    _escalate(request, actor=actor, departments=[department], reason=reason or item.description, now=now)
    item.status, item.department, item.request = status, department, request
    fields = ["status", "department", "request"]
    if status == LedgerItem.Status.DISPATCHED:
        item.dispatched_at, item.dispatched_by = now, actor
        fields += ["dispatched_at", "dispatched_by"]
    else:
        item.claimed_at, item.claimed_by = now, actor
        fields += ["claimed_at", "claimed_by"]
    item.save(update_fields=fields)
    record_event(item, actor=actor, kind=f"ledger.{status}", from_state=LedgerItem.Status.UNASSIGNED, to_state=status,
                 data={"department": department.name, "request": request.pk})
    if request.steward_id:
        notify([request.steward.user], kind="request.logged", key=f"request:{request.pk}:ledger", url=request_url(request),
               title=_("A complaint-meeting item of %(enterprise)s went to %(department)s: %(title)s") % {
                   "enterprise": item.enterprise.name, "department": department.name, "title": item.title})
    return item


def _lock_unassigned_item(item: LedgerItem) -> LedgerItem:
    item = LedgerItem.objects.select_for_update(of=("self",)).select_related("enterprise").get(pk=item.pk)
    if item.status != LedgerItem.Status.UNASSIGNED:
        raise ValidationError(_("This item already has a department."))
    return item


@transaction.atomic
def ledger_item_dispatch(*, item: LedgerItem, actor, department, reason: str = "") -> LedgerItem:
    """A leader dispatches an unassigned ledger item to a department: a request (channel complaint
    meeting) and an escalation to that department with the usual clock are created."""
    _require_leader(actor)
    item = _lock_unassigned_item(item)
    if department is None:
        raise ValidationError({"department": _("Choose at least one department.")})
    if not department.is_active:
        raise ValidationError({"department": _("%(names)s no longer takes escalations.") % {"names": department.name}})
    return _ledger_assign(item, actor=actor, department=department, reason=(reason or "").strip(),
                          status=LedgerItem.Status.DISPATCHED)


@transaction.atomic
def ledger_item_claim(*, item: LedgerItem, actor) -> LedgerItem:
    """A department user claims (认领) an unassigned ledger item for its department: the same as a
    dispatch to it, with the clock starting now. The leader who recorded it is told."""
    require(actor.role == Role.DEPARTMENT and actor.department_id, _("Only department users claim ledger items."))
    item = _lock_unassigned_item(item)
    item = _ledger_assign(item, actor=actor, department=actor.department, reason="",
                          status=LedgerItem.Status.CLAIMED)
    notify([item.recorded_by], kind="ledger.claimed", key=f"ledger:{item.pk}:claimed",
           title=_("%(department)s claimed “%(title)s”") % {"department": actor.department.name, "title": item.title})
    return item


# --- the sweep (DESIGN.md rule 3) ------------------------------------------------------------
#
# Each kind of due work is one queryset whose filter is exactly the condition of a partial
# index, so the sweep reads only due rows. Rows are taken in batches, in pk order, with
# SELECT ... FOR UPDATE SKIP LOCKED (concurrent sweeps share the work; SQLite, which has no row
# locks, serialises writers instead), and every effect is a conditional UPDATE whose WHERE
# repeats the due condition (reminded_at IS NULL, overdue_at IS NULL AND clock_stopped_at IS
# NULL, ...): the effect, its event and its notification rows commit together, once, however
# many sweeps run, twice, at once, or after one died half way (its batch rolled back).
#
# Catching up after downtime: everything due is done on the next run. A reminder whose deadline
# has already passed is skipped (the department gets the overdue notice instead: a "last day"
# reminder after the last day would be wrong); missed consultation periods are all counted in
# one step, with one notice.


def _remind_due(now):
    return Escalation.objects.filter(clock_stopped_at__isnull=True, reminded_at__isnull=True,
                                     overdue_at__isnull=True, remind_at__lte=now, due_at__gt=now)


def _overdue_due(now):
    return Escalation.objects.filter(clock_stopped_at__isnull=True, overdue_at__isnull=True, due_at__lte=now)


def _progress_due(now):
    return Escalation.objects.filter(status=E.CONSULTATION, next_progress_due_at__lte=now)


def _accept_due(now):
    return ServiceRequest.objects.filter(status=S.SUBMITTED, accept_flagged_at__isnull=True, accept_due_at__lte=now)


def _auto_close_due(now):
    return ServiceRequest.objects.filter(status=S.REPORTED, auto_close_due_at__lte=now)


def _sweep_rows(queryset, apply, *, now, batch: int, related=()) -> int:
    """Run ``apply(row, now)`` on every row of ``queryset``, one transaction per batch."""
    done, last_pk = 0, 0
    while True:
        with transaction.atomic():
            rows = list(
                queryset.filter(pk__gt=last_pk).select_for_update(skip_locked=True).order_by("pk")[:batch]
            )
            if related:
                prefetch_related_objects(rows, *related)
            for row in rows:
                # One bad row must not stop every deadline: its effect is rolled back to the
                # savepoint, logged, and tried again on the next run. A time limit still stops it.
                try:
                    with transaction.atomic():
                        done += bool(apply(row, now))
                except SoftTimeLimitExceeded:
                    raise
                except Exception:  # noqa: BLE001 - logged with its traceback; the sweep goes on
                    logger.exception("deadline sweep: %s failed on %s #%s; left for the next run",
                                     getattr(apply, "__name__", apply), row._meta.model_name, row.pk)
        if len(rows) < batch:
            return done
        last_pk = rows[-1].pk


ESCALATION_RELATED = ("request__enterprise", "request__steward__user", "department")


def _escalation_remind(escalation: Escalation, now) -> bool:
    if not Escalation.objects.filter(
        pk=escalation.pk, clock_stopped_at__isnull=True, reminded_at__isnull=True, overdue_at__isnull=True,
        due_at__gt=now,
    ).update(reminded_at=now):
        return False
    request = escalation.request
    record_event(escalation, root=request, actor=None, kind="escalation.reminded",
                 data={"department": escalation.department.name, "due_at": escalation.due_at.isoformat()})
    notify(_department_users(escalation.department_id), kind="escalation.reminded",
           key=f"escalation:{escalation.pk}:reminder", url=escalation_url(escalation), sms=True,
           title=_("Today is the last working day to reply to “%(title)s” (%(enterprise)s)") % {
               "title": request.title, "enterprise": request.enterprise.name})
    return True


def _escalation_overdue(escalation: Escalation, now) -> bool:
    # replied_at IS NULL and clock_stopped_at IS NULL: a reply committed meanwhile wins.
    if not Escalation.objects.filter(
        pk=escalation.pk, clock_stopped_at__isnull=True, replied_at__isnull=True, overdue_at__isnull=True,
        due_at__lte=now,
    ).update(overdue_at=now):
        return False
    request = escalation.request
    record_event(escalation, root=request, actor=None, kind="escalation.overdue", from_state=escalation.status,
                 to_state="overdue", data={"department": escalation.department.name,
                                           "due_at": escalation.due_at.isoformat()})
    title = _("Overdue: %(department)s has not replied to “%(title)s” (%(enterprise)s)") % {
        "department": escalation.department.name, "title": request.title, "enterprise": request.enterprise.name}
    recipients = {u.pk: u for u in [*_department_heads(escalation.department_id), *_steward_users(request), *_leaders()]}
    notify(recipients.values(), kind="escalation.overdue", key=f"escalation:{escalation.pk}:overdue",
           url=escalation_url(escalation), title=title, sms=True)
    return True


def _escalation_progress_missed(escalation: Escalation, now) -> bool:
    was_due = escalation.next_progress_due_at
    calendar = WorkCalendar()
    missed, next_due = 0, was_due
    while next_due <= now:  # after downtime, every missed period counts
        missed += 1
        next_due = _next_period_due(next_due, calendar)
    if not Escalation.objects.filter(
        pk=escalation.pk, status=E.CONSULTATION, next_progress_due_at=was_due,
    ).update(next_progress_due_at=next_due, progress_overdue_count=F("progress_overdue_count") + missed,
             last_progress_overdue_at=now):
        return False
    request = escalation.request
    record_event(escalation, root=request, actor=None, kind="escalation.progress_missed",
                 data={"department": escalation.department.name, "was_due_at": was_due.isoformat(),
                       "missed": missed, "next_due_at": next_due.isoformat()})
    notify([*_department_users(escalation.department_id), *_steward_users(request)],
           kind="escalation.progress_missed", key=f"escalation:{escalation.pk}:progress_missed:{was_due.isoformat()}",
           url=escalation_url(escalation),
           title=_("Progress report missing: %(department)s on “%(title)s”") % {
               "department": escalation.department.name, "title": request.title})
    return True


def _request_accept_late(request: ServiceRequest, now) -> bool:
    if not ServiceRequest.objects.filter(
        pk=request.pk, status=S.SUBMITTED, accept_flagged_at__isnull=True, accept_due_at__lte=now,
    ).update(accept_flagged_at=now):
        return False
    record_event(request, actor=None, kind="request.accept_late", data={"due_at": request.accept_due_at.isoformat()})
    notify([*_workstation_heads(request), *_steward_users(request)], kind="request.accept_late",
           key=f"request:{request.pk}:accept_late", url=request_url(request),
           title=_("Not accepted in time: “%(title)s” from %(enterprise)s") % {
               "title": request.title, "enterprise": request.enterprise.name})
    return True


def _request_auto_close(request: ServiceRequest, now) -> bool:
    return request_auto_close(request=request, now=now)


def deadline_sweep(*, now=None, batch: int = 100, send_notifications: bool = True) -> dict[str, int]:
    """Apply every due effect exactly once: reminders, overdue marks, missed progress reports,
    late acceptance flags, auto-closes; then send pending notifications. Returns counts."""
    now = now or timezone.now()
    counts = {
        "reminded": _sweep_rows(_remind_due(now), _escalation_remind, now=now, batch=batch,
                                related=ESCALATION_RELATED),
        "overdue": _sweep_rows(_overdue_due(now), _escalation_overdue, now=now, batch=batch,
                               related=ESCALATION_RELATED),
        "progress_missed": _sweep_rows(_progress_due(now), _escalation_progress_missed, now=now, batch=batch,
                                       related=ESCALATION_RELATED),
        "accept_late": _sweep_rows(_accept_due(now), _request_accept_late, now=now, batch=batch,
                                   related=("enterprise", "steward__user")),
        "auto_closed": _sweep_rows(_auto_close_due(now), _request_auto_close, now=now, batch=batch),
    }
    # A notification whose delivery task was lost (broker down) goes out now.
    sent = 0
    while send_notifications:
        n = notifications_send_pending(batch=200)
        sent += n
        if n < 200:
            break
    counts["notifications_sent"] = sent
    if any(counts.values()):
        logger.info("deadline sweep: %s", counts)
    return counts


# --- the calendar changed --------------------------------------------------------------------


def _touches_years(qs, start_field: str, end_field: str, years: list[int]):
    first, last = min(years), max(years)
    return qs.filter(**{f"{start_field}__lt": start_of_day(dt.date(last + 1, 1, 1)),
                        f"{end_field}__gte": start_of_day(dt.date(first, 1, 1))})


@transaction.atomic
def deadlines_recompute(*, years: list[int]) -> int:
    """The calendar of ``years`` changed: recompute the deadlines still running that were computed
    across those years — due_at/remind_at of escalations whose clock runs (not yet overdue: an
    effect done stays done), next progress due times, request accept and auto-close due times.
    Returns the number of rows changed."""
    years = [int(y) for y in years or []]
    if not years:
        return 0
    calendar = WorkCalendar()
    changed = 0
    running = Escalation.objects.filter(clock_stopped_at__isnull=True, overdue_at__isnull=True)
    for escalation in _touches_years(running, "sent_at", "due_at", years).select_for_update().order_by("pk"):
        new_due = due_at(escalation.sent_at, _reply_days(), calendar=calendar)
        if new_due == escalation.due_at:
            continue
        old_due = escalation.due_at
        escalation.due_at, escalation.remind_at = new_due, reminder_at(new_due)
        escalation.save(update_fields=["due_at", "remind_at"])
        record_event(escalation, root=escalation.request, actor=None, kind="escalation.due_changed",
                     data={"from": old_due.isoformat(), "to": new_due.isoformat()})
        changed += 1
    consulting = Escalation.objects.filter(status=E.CONSULTATION)
    for escalation in _touches_years(consulting, "consultation_marked_at", "next_progress_due_at", years) \
            .select_for_update().order_by("pk"):
        last_report = escalation.progress_reports.order_by("-reported_at").values_list("reported_at", flat=True).first()
        start = max(filter(None, [escalation.consultation_marked_at, last_report]))
        if escalation.last_progress_overdue_at and escalation.last_progress_overdue_at > start:
            continue  # periods were already counted as missed since the last report: leave them
        new_due = due_at(start, _reply_days(), calendar=calendar)
        if new_due != escalation.next_progress_due_at:
            escalation.next_progress_due_at = new_due
            escalation.save(update_fields=["next_progress_due_at"])
            changed += 1
    waiting = ServiceRequest.objects.filter(status=S.SUBMITTED, accept_flagged_at__isnull=True,
                                            accept_due_at__isnull=False)
    for request in _touches_years(waiting, "created_at", "accept_due_at", years).select_for_update().order_by("pk"):
        new_due = due_at(request.created_at, settings.ZONEHUB_ACCEPT_WORKING_DAYS, calendar=calendar)
        if new_due != request.accept_due_at:
            request.accept_due_at = new_due
            request.save(update_fields=["accept_due_at"])
            changed += 1
    reported = ServiceRequest.objects.filter(status=S.REPORTED, auto_close_due_at__isnull=False)
    for request in _touches_years(reported, "reported_at", "auto_close_due_at", years).select_for_update().order_by("pk"):
        new_due = due_at(request.reported_at, settings.ZONEHUB_AUTO_CLOSE_WORKING_DAYS, calendar=calendar)
        if new_due != request.auto_close_due_at:
            request.auto_close_due_at = new_due
            request.save(update_fields=["auto_close_due_at"])
            changed += 1
    return changed


def on_calendar_changed(sender, years=(), **kwargs) -> None:
    """Receiver of zonehub.services.calendar_changed (connected in StewardsConfig.ready)."""
    deadlines_recompute(years=list(years))
