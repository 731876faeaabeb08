"""Pages of the meetings app. Thin: read through selectors, write through one service each; what
the user typed survives an error."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import ListView
from django_filters.views import FilterView

from enterprises.models import Enterprise
from meetings import documents, selectors, services
from meetings.filters import DecisionFilterSet, MeetingFilterSet, SupervisionNoticeFilterSet
from meetings.forms import (
    CancelForm,
    CloseForm,
    DecisionFormSet,
    FlagForm,
    InvitationForm,
    MeetingForm,
    MinutesForm,
    SupervisionForm,
)
from meetings.models import JointFlag, Meeting
from stewards.models import Escalation
from stewards.services import ALLOWED_ATTACHMENTS
from zonehub.events import event_list_for
from zonehub.exports import ExportMixin
from zonehub.models import Role
from zonehub.pagination import CappedPaginator
from zonehub.roles import ALL_ROLES, HEADS_AND_LEADERS, STAFF, STEWARD_LINE
from zonehub.views import RoleRequiredMixin, UserFilterSetMixin, role_required, serve_stored_file


def _show_errors(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _fail(request, exc: ValidationError):
    for message in exc.messages:
        messages.error(request, message)


# --- meetings --------------------------------------------------------------------------------

MEETING_EXPORT_COLUMNS = [
    ("会议", "title"), ("类型", "get_kind_display"), ("状态", "get_status_display"), ("时间", "starts_at"),
    ("地点", lambda m: str(m.where)), ("通知文号", "notice_code"), ("纪要文号", "minutes_code"),
    ("召集人", "convened_by.display_name"), ("工作站", "workstation.name"),
]


class MeetingListView(UserFilterSetMixin, ExportMixin, RoleRequiredMixin, FilterView):
    """The meetings the user may see: coming first by default, then the latest."""

    allowed_roles = ALL_ROLES
    filterset_class = MeetingFilterSet
    template_name = "meetings/meeting_list.html"
    paginate_by = 30
    paginator_class = CappedPaginator
    export_columns = MEETING_EXPORT_COLUMNS
    export_filename = "会议"

    def get_queryset(self):
        return selectors.meeting_list(self.request.user).order_by("-starts_at", "-id")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["can_convene"] = services.can_convene(user)
        ctx["can_flag"] = services.can_convene(user)
        ctx["drafts"] = (list(selectors.meeting_list(user).filter(status=Meeting.Status.DRAFT).order_by("month"))
                         if user.effective_role in HEADS_AND_LEADERS else [])
        return ctx


def _subject_keys(request) -> list[str]:
    keys = []
    for kind in ("escalation", "request", "project"):
        keys += [f"{kind}:{value}" for value in request.GET.getlist(kind) if value.isdigit() and len(value) < 18]
    return keys


def _invitable_enterprises(subjects):
    ids = {s.request.enterprise_id for s in subjects if s.request is not None}
    ids |= {s.project.investor_id for s in subjects if s.project is not None and s.project.investor_id}
    return Enterprise.objects.filter(pk__in=ids).order_by("name")


def _meeting_form_page(request, *, draft: Meeting | None):
    user = request.user
    keys = _subject_keys(request)
    joint = draft is not None or request.GET.get("kind") == Meeting.Kind.JOINT or \
        request.POST.get("kind") == Meeting.Kind.JOINT
    subjects = selectors.subject_choices(user, keys=keys)
    if joint and services.can_convene(user, Meeting.Kind.JOINT):
        candidates = selectors.joint_agenda_candidates(exclude_meeting=draft)
        if draft is not None:
            drafted = [selectors.subject_of_key(item.subject_key) for item in draft.items.all()]
            candidates = [s for s in drafted if s is not None] + candidates
        known = {s.key for s in subjects}
        subjects = [s for s in candidates if s.key not in known] + subjects
    form_kwargs = {"user": user, "subjects": subjects, "enterprises": _invitable_enterprises(subjects),
                   "joint_allowed": services.can_convene(user, Meeting.Kind.JOINT),
                   "fixed_kind": Meeting.Kind.JOINT if draft is not None else None}
    initial = {"subjects": keys}
    if draft is not None:
        initial = {"kind": draft.kind, "title": draft.title, "purpose": draft.purpose,
                   "subjects": [i.subject_key for i in draft.items.all()]}
    elif joint:
        initial["kind"] = Meeting.Kind.JOINT
    form = MeetingForm(request.POST or None, initial=initial, **form_kwargs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_convene(
                actor=user, kind=data["kind"], title=data["title"], purpose=data["purpose"],
                starts_at=data["starts_at"], subjects=form.chosen_subjects(), place=data["place"],
                on_site=data["on_site"], site_enterprise=data["site_enterprise"], departments=data["departments"],
                enterprises=data["enterprises"], heads=data["heads"], draft=draft)
        except ValidationError as exc:
            _show_errors(form, exc)
        else:
            messages.success(request, _("The meeting is convened: %(code)s. The invited are told and the departments "
                                        "asked to confirm who attends.") % {"code": meeting.notice_code})
            return redirect(meeting)
    return render(request, "meetings/meeting_form.html", {"form": form, "draft": draft, "joint": joint})


@role_required(*STEWARD_LINE, capacities=("steward",))
def meeting_create(request):
    """Convene a meeting (会议召集) about requests, escalations or projects; ``?escalation=``,
    ``?request=``, ``?project=`` tick what a link came from, ``?kind=joint`` the joint meeting."""
    if not services.can_convene(request.user):
        raise PermissionDenied(_("Only stewards, workstation heads and leaders convene meetings."))
    return _meeting_form_page(request, draft=None)


@role_required(*HEADS_AND_LEADERS)
def meeting_convene(request, pk):
    """Convene the joint meeting whose agenda beat drafted: its time, place and who is invited."""
    meeting = selectors.meeting_get(request.user, pk)
    if meeting.status != Meeting.Status.DRAFT:
        messages.info(request, _("This meeting has been convened already."))
        return redirect(meeting)
    if not services.can_manage(request.user, meeting):
        raise PermissionDenied
    return _meeting_form_page(request, draft=meeting)


@role_required(*ALL_ROLES)
def meeting_detail(request, pk):
    user = request.user
    meeting = selectors.meeting_get(user, pk)
    items = selectors.meeting_items(meeting)
    role = user.effective_role
    if role == Role.ENTERPRISE:
        # An enterprise reads its own items only (a joint meeting holds other enterprises').
        items = [i for i in items if i.request_id and i.request.enterprise_id == user.enterprise_id]
    decisions = selectors.meeting_decisions(user, meeting)
    if role == Role.ENTERPRISE:
        decisions = [d for d in decisions if d.request_id and d.request.enterprise_id == user.enterprise_id]
    for decision in decisions:
        decision.chase_state = services.decision_chase_state(decision)
        decision.can_supervise = bool(decision.chase_state) and services.can_supervise_decision(user, decision)
    invitation = selectors.invitation_of(user, meeting)
    answer_form = None
    if invitation is not None:
        answer_form = InvitationForm(initial={"answer": "decline" if invitation.status == "declined" else "attend",
                                              "attendees": invitation.attendees, "reason": invitation.decline_reason})
    can_manage = services.can_manage(user, meeting)
    return render(request, "meetings/meeting_detail.html", {
        "meeting": meeting, "items": items, "decisions": decisions,
        "invitations": selectors.meeting_invitations(meeting) if role != Role.ENTERPRISE else [],
        "invitation": invitation, "answer_form": answer_form,
        "can_answer": invitation is not None and meeting.status == Meeting.Status.SCHEDULED
        and meeting.starts_at > timezone.now(),
        "can_manage": can_manage, "cancel_form": CancelForm(),
        "can_cancel": can_manage and meeting.status in (Meeting.Status.DRAFT, Meeting.Status.SCHEDULED),
        "can_minutes": can_manage and meeting.status == Meeting.Status.SCHEDULED
        and meeting.starts_at <= timezone.now(),
        "sees_documents": role in STAFF,
        "events": event_list_for(meeting) if role != Role.ENTERPRISE else None,
    })


@login_required
@require_POST
@role_required(*STEWARD_LINE)
def meeting_cancel(request, pk):
    meeting = selectors.meeting_get(request.user, pk)
    form = CancelForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["reason"])
        services.meeting_cancel(meeting=meeting, actor=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("The meeting is cancelled; the invited are told."))
    return redirect(meeting)


@login_required
@require_POST
@role_required(Role.DEPARTMENT)
def invitation_answer(request, pk):
    """The department's answer to its invitation: who attends, or why not."""
    meeting = selectors.meeting_get(request.user, pk)
    invitation = selectors.invitation_of(request.user, meeting)
    if invitation is None:
        raise Http404
    form = InvitationForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Check the answer."))
        data = form.cleaned_data
        services.invitation_answer(invitation=invitation, actor=request.user, attending=data["answer"] == "attend",
                                   attendees=data["attendees"], reason=data["reason"])
    except ValidationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("Your answer is sent to whoever convened the meeting."))
    return redirect(meeting)


@role_required(*STEWARD_LINE)
def meeting_minutes(request, pk):
    """Record the minutes: attendees, each item's discussion, the decisions on the clock. A
    meeting whose minutes are recorded shows where to read them."""
    user = request.user
    meeting = selectors.meeting_get(user, pk)
    items = selectors.meeting_items(meeting)
    if meeting.status == Meeting.Status.HELD or not services.can_manage(user, meeting):
        return render(request, "meetings/minutes_form.html", {"meeting": meeting, "recorded": True})
    attendees = "；".join(f"{i.department.name}：{i.attendees}" for i in selectors.meeting_invitations(meeting)
                         if i.status == "confirmed")
    form = MinutesForm(request.POST or None, items=items, initial={"attendees": attendees}, prefix="minutes")
    formset = DecisionFormSet(request.POST or None, items=items, prefix="decisions")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        by_pk = {item.pk: item for item in items}
        drafts = [services.DecisionDraft(
            text=f.cleaned_data["text"], working_days=f.cleaned_data["working_days"],
            department=f.cleaned_data["department"], steward=f.cleaned_data["steward"],
            item=by_pk.get(f.cleaned_data["item"])) for f in formset.forms if f.has_changed() and not f.is_blank]
        try:
            services.minutes_record(meeting=meeting, actor=user, attendees=form.cleaned_data["attendees"],
                                    summary=form.cleaned_data["summary"], discussions=form.discussions(),
                                    decisions=drafts)
        except ValidationError as exc:
            _decision_errors(form, formset, exc)
        else:
            messages.success(request, _("The minutes are recorded; each decision's owner is told its deadline."))
            return redirect(meeting)
    return render(request, "meetings/minutes_form.html", {"meeting": meeting, "form": form, "formset": formset,
                                                          "recorded": False})


def _decision_errors(form, formset, exc: ValidationError) -> None:
    """A service error on ``decisions-<n>-<field>`` goes to that row of the formset; the rest to
    the minutes' form. ``n`` counts the rows given (the blank rows were left out)."""
    filled = [f for f in formset.forms if f.has_changed() and not f.is_blank]
    errors = exc.error_dict if hasattr(exc, "error_dict") else {None: exc.error_list}
    for field, messages_ in errors.items():
        if field and field.startswith("decisions-"):
            _prefix, index, name = field.split("-", 2)
            row = filled[int(index)] if int(index) < len(filled) else None
            if row is not None:
                row.add_error(name if name in row.fields else None, messages_)
                continue
        form.add_error(field if field in form.fields else None, messages_)


# --- documents -------------------------------------------------------------------------------

def _docx(document) -> HttpResponse:
    response = HttpResponse(documents.to_docx(document), content_type=documents.DOCX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"{document.filename}.docx")
    return response


def _print(request, document) -> HttpResponse:
    return render(request, "meetings/print/document.html", {"doc": document})


def _meeting_document(request, pk, build, *, need_minutes: bool):
    meeting = selectors.meeting_get(request.user, pk)
    if meeting.status == Meeting.Status.DRAFT or (need_minutes and meeting.status != Meeting.Status.HELD):
        raise Http404
    with translation.override("zh-hans"):
        return build(meeting)


@role_required(*STAFF)
def notice_docx(request, pk):
    return _meeting_document(request, pk, lambda m: _docx(documents.meeting_notice(m)), need_minutes=False)


@role_required(*STAFF)
def notice_print(request, pk):
    return _meeting_document(request, pk, lambda m: _print(request, documents.meeting_notice(m)), need_minutes=False)


@role_required(*STAFF)
def minutes_docx(request, pk):
    return _meeting_document(request, pk, lambda m: _docx(documents.meeting_minutes(m)), need_minutes=True)


@role_required(*STAFF)
def minutes_print(request, pk):
    return _meeting_document(request, pk, lambda m: _print(request, documents.meeting_minutes(m)), need_minutes=True)


# --- decisions -------------------------------------------------------------------------------

DECISION_EXPORT_COLUMNS = [
    ("议定事项", "text"), ("会议", "meeting.title"), ("纪要文号", "meeting.minutes_code"),
    ("责任单位", "owner_name"), ("工作日", "working_days"), ("完成时限", "due_at"), ("状态", "get_status_display"),
    ("办结时间", "closed_at"), ("按时办结", lambda d: {True: "是", False: "否"}.get(d.closed_on_time, "")),
    ("逾期标记", "overdue_at"), ("诉求编号", "request_id"), ("办结材料", "evidence"),
]


class DecisionListView(UserFilterSetMixin, ExportMixin, RoleRequiredMixin, FilterView):
    """Meeting decisions (会议议定事项): a department's inbox of them, beside its escalations; the
    list behind every figure of the panels (``state``)."""

    allowed_roles = STAFF
    filterset_class = DecisionFilterSet
    template_name = "meetings/decision_list.html"
    paginate_by = 50
    paginator_class = CappedPaginator
    export_columns = DECISION_EXPORT_COLUMNS
    export_filename = "会议议定事项"

    def get_queryset(self):
        return selectors.decision_list(self.request.user).order_by("status", "due_at", "id")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        now = timezone.now()
        for decision in ctx["object_list"]:
            decision.late_now = decision.is_open and decision.due_at <= now
        return ctx


@role_required(*STAFF)
def decision_detail(request, pk):
    user = request.user
    decision = selectors.decision_get(user, pk)
    state = services.decision_chase_state(decision)
    return render(request, "meetings/decision_detail.html", {
        "decision": decision, "chase_state": state,
        "can_close": decision.is_open and services.can_close_decision(user, decision), "close_form": CloseForm(),
        "can_supervise": bool(state) and services.can_supervise_decision(user, decision),
        "notices": selectors.notices_of_decision(decision),
    })


@login_required
@require_POST
@role_required(*STAFF)
def decision_close(request, pk):
    decision = selectors.decision_get(request.user, pk)
    form = CloseForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.decision_close(decision=decision, actor=request.user, evidence=form.cleaned_data["evidence"],
                                    file=form.cleaned_data["file"])
        except ValidationError as exc:
            _show_errors(form, exc)
        else:
            messages.success(request, _("The decision is closed with its evidence."))
            return redirect(decision)
    if not services.can_close_decision(request.user, decision):
        raise PermissionDenied(_("Only the department or the steward the decision was given to closes it."))
    decision.refresh_from_db()
    return render(request, "meetings/decision_detail.html", {
        "decision": decision, "chase_state": services.decision_chase_state(decision),
        "can_close": decision.is_open, "close_form": form, "open_close": True,
        "notices": selectors.notices_of_decision(decision)}, status=200)


@role_required(*STAFF)
def decision_evidence(request, pk):
    decision = selectors.decision_get(request.user, pk)
    if not decision.evidence_file:
        raise Http404
    name = decision.evidence_name
    ext = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    content_type = ALLOWED_ATTACHMENTS.get(ext, ("application/octet-stream",))[0]
    return serve_stored_file(decision.evidence_file, content_type=content_type, filename=name)


# --- chase-ups (督办) --------------------------------------------------------------------------

def _supervise(request, *, escalation=None, decision=None, back):
    user = request.user
    if escalation is not None:
        state = services.escalation_chase_state(escalation)
        allowed = services.can_supervise_escalation(user, escalation)
        previous = selectors.notices_of_escalation(escalation)
    else:
        state = services.decision_chase_state(decision)
        allowed = services.can_supervise_decision(user, decision)
        previous = selectors.notices_of_decision(decision)
    form = SupervisionForm(request.POST or None)
    if request.method == "POST":
        if not allowed:
            raise PermissionDenied(_("Only the request's steward side, who runs the meeting and the leaders issue "
                                     "chase-ups."))
        if form.is_valid():
            try:
                notice = services.supervision_issue(actor=user, reason=form.cleaned_data["reason"],
                                                    escalation=escalation, decision=decision)
            except ValidationError as exc:
                _show_errors(form, exc)
            else:
                messages.success(request, _("Chase-up %(code)s issued: the department and its head are told.")
                                 % {"code": notice.code})
                return redirect(notice)
    return render(request, "meetings/supervise_form.html", {
        "form": form, "escalation": escalation, "decision": decision, "state": state, "allowed": allowed,
        "previous": previous, "back": back, "next_sequence": len(previous) + 1})


@role_required(*STEWARD_LINE, capacities=("steward",))
def escalation_supervise(request, pk):
    """A chase-up (督办) on an escalation that is late or at risk."""
    escalation = get_object_or_404(Escalation.objects.visible_to(request.user)
                                   .select_related("request__enterprise", "request__steward__user", "department"), pk=pk)
    return _supervise(request, escalation=escalation, back=reverse("stewards:escalation_detail", args=[escalation.pk]))


@role_required(*STEWARD_LINE, capacities=("steward",))
def decision_supervise(request, pk):
    """A chase-up (督办) on a meeting decision that is late or at risk."""
    decision = selectors.decision_get(request.user, pk)
    return _supervise(request, decision=decision, back=decision.get_absolute_url())


NOTICE_EXPORT_COLUMNS = [
    ("文号", "code"), ("督办对象", lambda n: n.department.name if n.department_id else ""),
    ("事项", "item_title"), ("第几次督办", "sequence"), ("督办要求", "reason"), ("办结时限", "respond_by"),
    ("督办人", "issued_by.display_name"), ("督办时间", "issued_at"),
    ("已报领导", lambda n: "是" if n.leaders_told else "否"), ("诉求编号", "request_id"),
]


class NoticeListView(UserFilterSetMixin, ExportMixin, RoleRequiredMixin, FilterView):
    """The chase-ups (督办) the user may see: a department's own, the steward side's, everyone's
    for the leaders."""

    allowed_roles = STAFF
    filterset_class = SupervisionNoticeFilterSet
    template_name = "meetings/notice_list.html"
    paginate_by = 50
    paginator_class = CappedPaginator
    export_columns = NOTICE_EXPORT_COLUMNS
    export_filename = "督办"

    def get_queryset(self):
        return selectors.notice_list(self.request.user).order_by("-issued_at", "-id")


@role_required(*STAFF)
def notice_detail(request, pk):
    notice = selectors.notice_get(request.user, pk)
    return render(request, "meetings/notice_detail.html", {"notice": notice})


def _notice_document(request, pk, build):
    notice = selectors.notice_get(request.user, pk)
    with translation.override("zh-hans"):
        return build(notice)


@role_required(*STAFF)
def supervision_docx(request, pk):
    return _notice_document(request, pk, lambda n: _docx(documents.supervision_notice(n)))


@role_required(*STAFF)
def supervision_print(request, pk):
    return _notice_document(request, pk, lambda n: _print(request, documents.supervision_notice(n)))


# --- flags for the joint meeting ---------------------------------------------------------------

class FlagListView(RoleRequiredMixin, ListView):
    """What stewards flagged for the joint meeting, and which meeting took it."""

    allowed_roles = STEWARD_LINE
    allowed_capacities = ("steward",)
    template_name = "meetings/flag_list.html"
    paginate_by = 50
    paginator_class = CappedPaginator

    def get_queryset(self):
        return (JointFlag.objects.visible_to(self.request.user)
                .select_related("request__enterprise", "escalation__department", "flagged_by", "meeting")
                .order_by("meeting_id", "-flagged_at", "-id"))


@role_required(*STEWARD_LINE, capacities=("steward",))
def flag_create(request):
    """Flag a request (or one of its escalations) for the joint meeting: it crosses workstations or
    departments."""
    user = request.user
    subjects = [s for s in selectors.subject_choices(user, keys=_subject_keys(request)) if s.project is None]
    form = FlagForm(request.POST or None, subjects=subjects, initial={"subject": (_subject_keys(request) or [""])[0]})
    if request.method == "POST" and form.is_valid():
        subject = form.subject_map.get(form.cleaned_data["subject"])
        try:
            if subject is None:
                raise ValidationError({"subject": _("Choose the request.")})
            services.joint_flag(actor=user, request=subject.request, escalation=subject.escalation,
                                reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _show_errors(form, exc)
        else:
            messages.success(request, _("Flagged: it goes on the next joint meeting's agenda."))
            return redirect("meetings:flag_list")
    return render(request, "meetings/flag_form.html", {"form": form})

