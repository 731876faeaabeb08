"""The request pages (issue 3). Thin: a page reads through ``stewards.selectors`` (scoped by the
user first: missing and not-yours are both 404) and every form calls exactly one service in
``stewards.services``. A service's ValidationError goes on the form, with what the user typed
kept; its PermissionDenied becomes a 403.

Every form works as a plain HTML form; with htmx (``hx-post``) an invalid form is swapped in
place and a valid one redirects the whole page (HX-Redirect)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView
from django_filters.views import FilterView
from django_ratelimit.decorators import ratelimit

from enterprises.models import Enterprise
from stewards import forms as f
from stewards import selectors, services, transitions
from stewards.coverage import direct_lines_of_request
from stewards.filters import (
    EscalationFilterSet,
    EscalationListFilterSet,
    LedgerItemFilterSet,
    ServiceRequestFilterSet,
)
from stewards.models import LedgerItem
from zonehub.exports import ExportMixin
from zonehub.models import Role
from zonehub.pagination import CappedPaginator
from zonehub.roles import ALL_ROLES as REQUEST_READERS
from zonehub.roles import STEWARD_LINE
from zonehub.roles import STEWARDS_AND_HEADS as STEWARD_SIDE
from zonehub.scoping import has_capacity
from zonehub.views import RoleRequiredMixin, UserFilterSetMixin, serve_stored_file

# Files a browser may show itself; everything else is downloaded.


def deadline_days() -> dict:
    """The configured periods (DESIGN.md rule 1: 3 working days by default), for the texts."""
    return {"reply_days": settings.ZONEHUB_REPLY_WORKING_DAYS, "accept_days": settings.ZONEHUB_ACCEPT_WORKING_DAYS}


# Service argument name → form field name, where they differ.
FIELD_ALIASES = {"files": "attachments"}


def add_service_error(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field when the form has one, else on
    top. Never raises for a field name the form does not know."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            field = FIELD_ALIASES.get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# ---------------------------------------------------------------------------------------------
# Lists
# ---------------------------------------------------------------------------------------------


REQUEST_EXPORT_COLUMNS = [
    ("编号", "pk"), ("标题", "title"), ("企业", "enterprise.name"), ("类别", "get_category_display"),
    ("状态", "get_status_display"), ("紧急程度", "get_urgency_display"), ("渠道", "get_channel_display"),
    ("服务管家", "steward.name"), ("提交时间", "created_at"), ("受理期限", "accept_due_at"), ("受理时间", "accepted_at"),
    ("办理中的部门数", "open_escalation_count"), ("反馈时间", "reported_at"), ("办结时间", "closed_at"),
]
ESCALATION_EXPORT_COLUMNS = [
    ("诉求编号", "request_id"), ("诉求标题", "request.title"), ("企业", "request.enterprise.name"),
    ("类别", "request.get_category_display"), ("部门", "department.name"), ("状态", "get_status_display"),
    ("吹哨人", "sent_by.display_name"), ("吹哨时间", "sent_at"), ("答复期限", "due_at"), ("需会商", "needs_consultation"),
    ("答复时间", "replied_at"), ("按时答复", "answered_on_time"), ("标记超期时间", "overdue_at"),
]


class RequestListView(UserFilterSetMixin, ExportMixin, RoleRequiredMixin, FilterView):
    """Enterprise: its own requests. Staff: what they may see, with filters."""

    allowed_roles = REQUEST_READERS
    filterset_class = ServiceRequestFilterSet
    template_name = "stewards/request_list.html"
    paginate_by = 30
    paginator_class = CappedPaginator
    export_columns = REQUEST_EXPORT_COLUMNS
    export_filename = "诉求清单"

    def get_queryset(self):
        return selectors.request_list_for_page(self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["now"] = timezone.now()
        ctx["is_enterprise"] = self.request.user.effective_role == Role.ENTERPRISE
        ctx["is_head"] = self.request.user.effective_role == Role.WORKSTATION_HEAD
        return ctx


class WorklistView(RoleRequiredMixin, View):
    allowed_roles = (Role.STEWARD,)
    allowed_capacities = (Role.STEWARD,)  # a cadre serving as a steward (issue 16)

    def get(self, request):
        return render(request, "stewards/worklist.html", {**selectors.steward_worklist(request.user), **deadline_days()})


class InboxView(ExportMixin, RoleRequiredMixin, FilterView):
    """A department's escalations, the one whose time runs out first on top."""

    allowed_roles = (Role.DEPARTMENT,)
    filterset_class = EscalationFilterSet
    template_name = "stewards/inbox.html"
    paginate_by = 30
    paginator_class = CappedPaginator
    export_columns = ESCALATION_EXPORT_COLUMNS
    export_filename = "吹哨事项"

    def get_queryset(self):
        return selectors.inbox_for_page(self.request.user)

    def get_filterset_kwargs(self, filterset_class):
        # Always bound, so the default ("waiting for us") applies to the bare URL too.
        return {**super().get_filterset_kwargs(filterset_class), "data": self.request.GET}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        selectors.attach_clocks(ctx["object_list"])
        for esc in ctx["object_list"]:
            esc.reply_form = f.ReplyForm(auto_id=f"reply{esc.pk}_%s")
        ctx.update(deadline_days())
        return ctx


class EscalationListView(ExportMixin, RoleRequiredMixin, FilterView):
    """Every escalation the user may see, across departments (the department's own page is the
    inbox): the list behind the dashboard's deadline counts."""

    allowed_roles = (Role.LEADER, Role.ADMIN, Role.WORKSTATION_HEAD, Role.STEWARD)
    allowed_capacities = (Role.STEWARD,)  # a cadre serving as a steward (issue 16)
    filterset_class = EscalationListFilterSet
    template_name = "stewards/escalation_list.html"
    paginate_by = 30
    paginator_class = CappedPaginator
    export_columns = ESCALATION_EXPORT_COLUMNS
    export_filename = "吹哨事项"

    def get_queryset(self):
        return selectors.escalation_list(self.request.user).order_by("due_at", "id")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        selectors.attach_clocks(ctx["object_list"])
        ctx.update(deadline_days())
        return ctx


class LedgerView(ExportMixin, RoleRequiredMixin, FilterView):
    allowed_roles = (Role.LEADER, Role.ADMIN, Role.DEPARTMENT, Role.WORKSTATION_HEAD, Role.STEWARD)
    filterset_class = LedgerItemFilterSet
    template_name = "stewards/ledger.html"
    paginate_by = 30
    paginator_class = CappedPaginator
    export_columns = [
        ("会议日期", "meeting_date"), ("企业", "enterprise.name"), ("类别", "get_category_display"), ("标题", "title"),
        ("情况说明", "description"), ("状态", "get_status_display"), ("责任部门", "department.name"),
        ("记录人", "recorded_by.display_name"), ("记录时间", "recorded_at"),
    ]
    export_filename = "吐槽大会台账"

    def get_queryset(self):
        return selectors.ledger_for_page(self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        role = self.request.user.effective_role
        ctx["can_record"] = role == Role.LEADER or self.request.user.is_admin
        ctx["can_claim"] = role == Role.DEPARTMENT
        return ctx


# ---------------------------------------------------------------------------------------------
# The request page and its files
# ---------------------------------------------------------------------------------------------


class RequestDetailView(RoleRequiredMixin, View):
    allowed_roles = REQUEST_READERS

    def get(self, request, pk):
        user = request.user
        sr = selectors.request_get(user, pk)
        escalations = list(selectors.request_escalations_for_page(user, sr))
        selectors.attach_clocks(escalations)
        actions = transitions.request_actions(user, sr, escalations=escalations)
        now = timezone.now()
        is_enterprise = user.effective_role == Role.ENTERPRISE
        ctx = {
            "sr": sr,
            "escalations": escalations,
            "attachments": list(sr.attachments.all()),
            "events": selectors.request_events(sr, user=user),
            "notes_visible": selectors.escalation_notes_visible(user),
            "actions": actions,
            "is_enterprise": is_enterprise,
            "is_department": user.effective_role == Role.DEPARTMENT,
            "now": now,
            "next_step": selectors.request_next_step(sr, escalations, now=now, is_enterprise=is_enterprise),
            # Several forms on one page: each gets its own element ids.
            "comment_form": f.CommentForm(auto_id="comment_%s"),
            "reopen_form": f.ReasonForm(auto_id="reopen_%s"),
            "report_form": f.ReportForm(auto_id="report_%s"),
            "resolve_form": f.ReportForm(auto_id="resolve_%s"),
            "escalate_form": f.EscalateForm(user=user, auto_id="escalate_%s") if "escalate" in actions else None,
            "attach_form": f.AttachForm(auto_id="attach_%s") if "attach" in actions else None,
        }
        # 一键直达 (issue 16): never the enterprise's, nor a department's business.
        if not is_enterprise and (user.effective_role != Role.DEPARTMENT or has_capacity(user, Role.STEWARD)):
            ctx["direct_lines"] = direct_lines_of_request(user, sr)
            open_line = next((d for d in ctx["direct_lines"] if d.status == d.Status.OPEN), None)
            ctx["can_direct_line"] = open_line is None and services.can_raise_direct_line(user, sr)
            ctx["can_act_direct_line"] = open_line is not None and services.can_act_on_direct_line(user, open_line)
        ctx["steward_line"] = _on_steward_line(user)
        return render(request, "stewards/request_detail.html", ctx)


def _on_steward_line(user) -> bool:
    """Whether the page offers the steward side's links to the meetings app's pages (convene a
    meeting, flag for the joint meeting, chase up); that app checks again on its own pages."""
    return user.effective_role in STEWARD_LINE or has_capacity(user, Role.STEWARD)


class AttachmentDownloadView(RoleRequiredMixin, View):
    """Files are never public: each download checks the user's scope (missing and not-yours are
    both 404)."""

    allowed_roles = REQUEST_READERS

    def get(self, request, pk, file_pk):
        attachment = get_object_or_404(selectors.attachment_list(request.user), pk=file_pk, request_id=pk)
        return serve_stored_file(attachment.file, content_type=attachment.content_type,
                                 filename=attachment.original_name)


# ---------------------------------------------------------------------------------------------
# Forms that create
# ---------------------------------------------------------------------------------------------


class ServiceFormView(RoleRequiredMixin, View):
    """A page with one form that calls one service."""

    form_class = f.ConfirmForm
    template_name = "stewards/form_page.html"
    page_title = ""
    help_text = ""
    submit_label = gettext_lazy("Submit")
    success_message = ""
    multipart = False

    def get_form_kwargs(self):
        return {}

    def get_form(self, data=None, files=None):
        return self.form_class(data, files, **self.get_form_kwargs())

    def get_context(self, form):
        return {
            "form": form, "page_title": self.page_title, "help_text": str(self.help_text) % deadline_days(),
            "submit_label": self.submit_label, "multipart": self.multipart, "cancel_url": self.cancel_url(),
        }

    def cancel_url(self):
        return reverse("home")

    def render_form(self, form, status=200):
        if self.request.htmx:
            return render(self.request, "stewards/includes/action_form.html",
                          {**self.get_context(form), "action_url": self.request.path}, status=status)
        return render(self.request, self.template_name, self.get_context(form), status=status)

    def get(self, request, *args, **kwargs):
        return self.render_form(self.get_form())

    def post(self, request, *args, **kwargs):
        form = self.get_form(request.POST, request.FILES)
        if form.is_valid():
            try:
                target = self.perform(form)
            except ValidationError as exc:
                add_service_error(form, exc)
            except PermissionDenied as exc:
                if not request.htmx:
                    raise
                # htmx does not swap a 403 into the page: reload the page with the message.
                messages.error(request, str(exc) or _("You are not allowed to do this."))
                return HttpResponse(status=403, headers={"HX-Redirect": self.cancel_url()})
            else:
                if self.success_message:
                    messages.success(request, self.success_message)
                url = self.success_url(target)
                if request.htmx:
                    return HttpResponse(status=204, headers={"HX-Redirect": url})
                return redirect(url)
        f.note_files_not_kept(form)
        return self.render_form(form)

    def perform(self, form):
        raise NotImplementedError

    def success_url(self, target) -> str:
        return reverse("stewards:request_detail", args=[target.pk])


@method_decorator(ratelimit(group="request_submit", key="user_or_ip", rate="zonehub.ratelimit.submit_rate",
                           method="POST"), name="post")
class RequestCreateView(ServiceFormView):
    allowed_roles = (Role.ENTERPRISE,)
    form_class = f.RequestForm
    template_name = "stewards/request_form.html"
    page_title = gettext_lazy("Submit a request")
    help_text = gettext_lazy("Tell us the difficulty: your steward takes it within %(accept_days)s working day(s), "
                             "and follows it through to the end.")
    submit_label = gettext_lazy("Submit the request")
    success_message = gettext_lazy("Your request was submitted; your steward has been told.")
    multipart = True

    def get_context(self, form):
        ctx = super().get_context(form)
        ctx["steward"] = selectors.steward_for_enterprise(self.request.user.enterprise)
        return ctx

    def cancel_url(self):
        return reverse("stewards:request_list")

    def perform(self, form):
        d = form.cleaned_data
        return services.request_submit(
            actor=self.request.user, category=d["category"], title=d["title"], description=d["description"],
            urgency=d["urgency"], files=d["attachments"],
        )


class OnBehalfCreateView(ServiceFormView):
    allowed_roles = (Role.STEWARD,)
    allowed_capacities = (Role.STEWARD,)  # a cadre serving as a steward (issue 16)
    form_class = f.OnBehalfForm
    template_name = "stewards/request_form.html"
    page_title = gettext_lazy("Log a request on an enterprise's behalf")
    help_text = gettext_lazy("For a request you took by phone, on a visit or at a complaint meeting: "
                             "it is accepted by you at once.")
    submit_label = gettext_lazy("Log the request")
    success_message = gettext_lazy("The request was logged.")
    multipart = True

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def get(self, request, *args, **kwargs):
        form = self.get_form()
        if request.GET.get("enterprise", "").isdigit():
            form.initial["enterprise"] = int(request.GET["enterprise"])
        return self.render_form(form)

    def cancel_url(self):
        return reverse("stewards:worklist")

    def perform(self, form):
        d = form.cleaned_data
        return services.request_log_on_behalf(
            actor=self.request.user, enterprise=d["enterprise"], channel=d["channel"], category=d["category"],
            title=d["title"], description=d["description"], urgency=d["urgency"], files=d["attachments"],
        )


class VisitCreateView(ServiceFormView):
    allowed_roles = (Role.STEWARD,)
    allowed_capacities = (Role.STEWARD,)  # a cadre serving as a steward (issue 16)
    form_class = f.VisitForm
    template_name = "stewards/visit_form.html"
    page_title = gettext_lazy("Log a visit")
    help_text = gettext_lazy("Every enterprise you serve should be visited each month; a finding can become a request.")
    submit_label = gettext_lazy("Log the visit")
    success_message = gettext_lazy("The visit was logged.")

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def get(self, request, *args, **kwargs):
        form = self.get_form()
        if request.GET.get("enterprise", "").isdigit():
            form.initial["enterprise"] = int(request.GET["enterprise"])
        return self.render_form(form)

    def cancel_url(self):
        return reverse("stewards:worklist")

    def perform(self, form):
        d = form.cleaned_data
        return services.visit_log(
            actor=self.request.user, enterprise=d["enterprise"], visited_on=d["visited_on"],
            findings=d["findings"], requests=form.requests_payload(),
        )

    def success_url(self, target):
        return reverse("stewards:worklist")


class LedgerItemCreateView(ServiceFormView):
    allowed_roles = (Role.LEADER, Role.ADMIN)
    form_class = f.LedgerItemForm
    page_title = gettext_lazy("Record a complaint-meeting item")
    help_text = gettext_lazy("An item raised at a complaint meeting (吐槽大会): dispatch it to a department now, "
                             "or leave it on the ledger for a department to claim.")
    submit_label = gettext_lazy("Record")
    success_message = gettext_lazy("The item was recorded on the ledger.")

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def cancel_url(self):
        return reverse("stewards:ledger")

    def perform(self, form):
        d = form.cleaned_data
        return services.ledger_item_record(
            actor=self.request.user, enterprise=d["enterprise"], title=d["title"], description=d["description"],
            meeting_date=d["meeting_date"], category=d["category"], department=d["department"], reason=d["reason"],
        )

    def success_url(self, target):
        return reverse("stewards:ledger")


# ---------------------------------------------------------------------------------------------
# Actions on one request
# ---------------------------------------------------------------------------------------------


class RequestActionView(ServiceFormView):
    """A form about one request, shown on the request page and on a page of its own (used when
    JavaScript is off and to show errors)."""

    template_name = "stewards/request_action.html"
    allowed_roles = REQUEST_READERS

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.object = get_object_or_404(selectors.request_detail_queryset(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context(self, form):
        return {**super().get_context(form), "sr": self.object}

    def cancel_url(self):
        return reverse("stewards:request_detail", args=[self.object.pk])

    def success_url(self, target):
        return reverse("stewards:request_detail", args=[self.object.pk])


class AcceptView(RequestActionView):
    allowed_roles = STEWARD_SIDE
    allowed_capacities = (Role.STEWARD,)  # a cadre serving as a steward (issue 16)
    page_title = gettext_lazy("Accept the request")
    help_text = gettext_lazy("Accepting tells the enterprise you have taken it.")
    submit_label = gettext_lazy("Accept")
    success_message = gettext_lazy("Accepted: the enterprise has been told.")

    def perform(self, form):
        return services.request_accept(request=self.object, actor=self.request.user)


class CommentView(RequestActionView):
    allowed_roles = (*STEWARD_SIDE, Role.ENTERPRISE)
    allowed_capacities = (Role.STEWARD,)  # a cadre serving as a steward (issue 16)
    form_class = f.CommentForm
    page_title = gettext_lazy("Write a message")
    help_text = gettext_lazy("Messages between the enterprise and its steward; the other side is notified.")
    submit_label = gettext_lazy("Send")
    success_message = gettext_lazy("Your message was sent.")

    def perform(self, form):
        return services.request_comment(request=self.object, actor=self.request.user, body=form.cleaned_data["body"])


class AttachView(RequestActionView):
    allowed_roles = (*STEWARD_SIDE, Role.ENTERPRISE)
    allowed_capacities = (Role.STEWARD,)  # a cadre serving as a steward (issue 16)
    form_class = f.AttachForm
    page_title = gettext_lazy("Add files")
    help_text = gettext_lazy("PDF, pictures or Office documents.")
    submit_label = gettext_lazy("Upload")
    success_message = gettext_lazy("The files were added.")
    multipart = True

    def perform(self, form):
        return services.request_attach(request=self.object, actor=self.request.user,
                                       files=form.cleaned_data["attachments"])


class ResolveView(RequestActionView):
    allowed_roles = STEWARD_SIDE
    allowed_capacities = (Role.STEWARD,)  # a cadre serving as a steward (issue 16)
    form_class = f.ReportForm
    page_title = gettext_lazy("Solve it yourself")
    help_text = gettext_lazy("能自己解决的立即解决: write what you did; the enterprise confirms or reopens.")
    submit_label = gettext_lazy("Report to the enterprise")
    success_message = gettext_lazy("Reported to the enterprise.")

    def perform(self, form):
        return services.request_resolve_directly(request=self.object, actor=self.request.user,
                                                 report=form.cleaned_data["report"])


class EscalateView(RequestActionView):
    allowed_roles = STEWARD_SIDE
    allowed_capacities = (Role.STEWARD,)  # a cadre serving as a steward (issue 16)
    form_class = f.EscalateForm
    page_title = gettext_lazy("Escalate to departments")
    help_text = gettext_lazy("专员吹哨、部门报到: each department you choose must reply within %(reply_days)s working days.")
    submit_label = gettext_lazy("Escalate")
    success_message = gettext_lazy("Escalated: the departments have been told and their clocks are running.")

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def perform(self, form):
        d = form.cleaned_data
        return services.request_escalate(request=self.object, actor=self.request.user,
                                         departments=list(d["departments"]), reason=d["reason"])


class ReportBackView(RequestActionView):
    allowed_roles = STEWARD_SIDE
    allowed_capacities = (Role.STEWARD,)  # a cadre serving as a steward (issue 16)
    form_class = f.ReportForm
    page_title = gettext_lazy("Report back to the enterprise")
    help_text = gettext_lazy("Every department has answered: tell the enterprise the outcome.")
    submit_label = gettext_lazy("Report back")
    success_message = gettext_lazy("Reported back: the enterprise will confirm or reopen.")

    def perform(self, form):
        return services.request_report_back(request=self.object, actor=self.request.user,
                                            report=form.cleaned_data["report"])


class ConfirmView(RequestActionView):
    allowed_roles = (Role.ENTERPRISE,)
    page_title = gettext_lazy("Confirm it is resolved")
    help_text = gettext_lazy("Confirming closes the request.")
    submit_label = gettext_lazy("Confirm resolved")
    success_message = gettext_lazy("Thank you: the request is closed.")

    def perform(self, form):
        return services.request_confirm(request=self.object, actor=self.request.user)


class ReopenView(RequestActionView):
    allowed_roles = (Role.ENTERPRISE,)
    form_class = f.ReasonForm
    page_title = gettext_lazy("Not resolved: reopen")
    help_text = gettext_lazy("Say what is still missing; the request goes back to your steward.")
    submit_label = gettext_lazy("Reopen")
    success_message = gettext_lazy("Reopened: your steward has been told.")

    def perform(self, form):
        return services.request_reopen(request=self.object, actor=self.request.user, reason=form.cleaned_data["reason"])


# ---------------------------------------------------------------------------------------------
# The department's side: one escalation
# ---------------------------------------------------------------------------------------------


class EscalationDetailView(RoleRequiredMixin, View):
    allowed_roles = REQUEST_READERS

    def get(self, request, pk):
        user = request.user
        esc = get_object_or_404(selectors.escalation_detail_queryset(user), pk=pk)
        if user.effective_role == Role.ENTERPRISE:
            # The enterprise follows its request on the request page; the escalation's working
            # notes are between the steward and the department.
            return redirect("stewards:request_detail", pk=esc.request_id)
        selectors.attach_clocks([esc])
        ctx = {
            "esc": esc, "sr": esc.request, "actions": transitions.escalation_actions(user, esc), "now": timezone.now(),
            "progress_reports": list(esc.progress_reports.all()),
            "reply_form": f.ReplyForm(auto_id="reply_%s"), "consult_form": f.ReasonForm(auto_id="consult_%s"),
            "return_form": f.ReasonForm(auto_id="return_%s"), "progress_form": f.ProgressForm(auto_id="progress_%s"),
            "conclude_form": f.ConcludeForm(auto_id="conclude_%s"),
            "steward_line": _on_steward_line(user),
        }
        return render(request, "stewards/escalation_detail.html", ctx)


class EscalationActionView(ServiceFormView):
    template_name = "stewards/escalation_action.html"
    allowed_roles = (Role.DEPARTMENT,)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.object = get_object_or_404(selectors.escalation_detail_queryset(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context(self, form):
        return {**super().get_context(form), "esc": self.object, "sr": self.object.request}

    def cancel_url(self):
        return reverse("stewards:escalation_detail", args=[self.object.pk])

    def success_url(self, target):
        if self.request.POST.get("next") == "inbox":
            return reverse("stewards:inbox")
        return reverse("stewards:escalation_detail", args=[self.object.pk])


class ReplyView(EscalationActionView):
    form_class = f.ReplyForm
    page_title = gettext_lazy("Reply (答复)")
    help_text = gettext_lazy("Your answer goes to the steward; replying stops the clock.")
    submit_label = gettext_lazy("Reply")
    success_message = gettext_lazy("Replied: the steward has been told.")

    def perform(self, form):
        return services.escalation_reply(escalation=self.object, actor=self.request.user,
                                         reply=form.cleaned_data["reply"])


class ConsultView(EscalationActionView):
    form_class = f.ReasonForm
    page_title = gettext_lazy("Needs joint consultation (需会商)")
    help_text = gettext_lazy("For a case that needs several units: the reply clock stops, and a progress report is "
                             "then due at least every %(reply_days)s working days until you conclude.")
    submit_label = gettext_lazy("Mark as needing joint consultation")
    success_message = gettext_lazy("Marked as needing joint consultation.")

    def perform(self, form):
        return services.escalation_mark_consultation(escalation=self.object, actor=self.request.user,
                                                     reason=form.cleaned_data["reason"])


class ProgressView(EscalationActionView):
    form_class = f.ProgressForm
    page_title = gettext_lazy("Progress report")
    help_text = gettext_lazy("Report at least every %(reply_days)s working days until you conclude.")
    submit_label = gettext_lazy("Post the progress report")
    success_message = gettext_lazy("Progress report posted.")

    def perform(self, form):
        return services.escalation_progress_report(escalation=self.object, actor=self.request.user,
                                                   text=form.cleaned_data["text"])


class ConcludeView(EscalationActionView):
    form_class = f.ConcludeForm
    page_title = gettext_lazy("Conclude")
    help_text = gettext_lazy("The outcome of the joint consultation, for the steward.")
    submit_label = gettext_lazy("Conclude")
    success_message = gettext_lazy("Concluded: the steward has been told.")

    def perform(self, form):
        return services.escalation_conclude(escalation=self.object, actor=self.request.user,
                                            conclusion=form.cleaned_data["conclusion"])


class ReturnView(EscalationActionView):
    form_class = f.ReasonForm
    page_title = gettext_lazy("Return: not our business")
    help_text = gettext_lazy("Say why, and which unit you think it belongs to; the steward can escalate elsewhere.")
    submit_label = gettext_lazy("Return to the steward")
    success_message = gettext_lazy("Returned to the steward.")

    def perform(self, form):
        return services.escalation_return(escalation=self.object, actor=self.request.user,
                                          reason=form.cleaned_data["reason"])


# ---------------------------------------------------------------------------------------------
# The ledger
# ---------------------------------------------------------------------------------------------


class LedgerActionView(ServiceFormView):
    template_name = "stewards/ledger_action.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.object = get_object_or_404(LedgerItem.objects.visible_to(request.user).select_related(
                "enterprise", "department"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context(self, form):
        return {**super().get_context(form), "item": self.object}

    def cancel_url(self):
        return reverse("stewards:ledger")

    def success_url(self, target):
        return reverse("stewards:ledger")


class DispatchView(LedgerActionView):
    allowed_roles = (Role.LEADER, Role.ADMIN)
    form_class = f.DispatchForm
    page_title = gettext_lazy("Dispatch to a department")
    help_text = gettext_lazy("The department gets it as an escalation with the usual clock of %(reply_days)s working days.")
    submit_label = gettext_lazy("Dispatch")
    success_message = gettext_lazy("Dispatched: the department has been told.")

    def get_form_kwargs(self):
        return {"user": self.request.user}

    def perform(self, form):
        return services.ledger_item_dispatch(item=self.object, actor=self.request.user,
                                             department=form.cleaned_data["department"],
                                             reason=form.cleaned_data["reason"])


class ClaimView(LedgerActionView):
    allowed_roles = (Role.DEPARTMENT,)
    page_title = gettext_lazy("Claim (认领)")
    help_text = gettext_lazy("Your department takes the item; its clock of %(reply_days)s working days starts now.")
    submit_label = gettext_lazy("Claim for my department")
    success_message = gettext_lazy("Claimed: it is in your inbox.")

    def perform(self, form):
        return services.ledger_item_claim(item=self.object, actor=self.request.user)

    def success_url(self, target):
        return reverse("stewards:inbox")


class AssignStewardView(RoleRequiredMixin, FormView):
    """Assign an enterprise's steward: the head of its workstation or an administrator. Served
    under the enterprise's address (``/enterprises/<pk>/assign/``, ``stewards/enterprise_urls.py``,
    URL name ``assignments:assign``); the enterprise page links here."""

    allowed_roles = (Role.WORKSTATION_HEAD, Role.ADMIN)
    form_class = f.AssignStewardForm
    template_name = "stewards/assign_steward.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.enterprise = get_object_or_404(Enterprise.objects.visible_to(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "enterprise": self.enterprise}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "enterprise": self.enterprise}

    def form_valid(self, form):
        d = form.cleaned_data
        try:
            if d["person"]:
                services.steward_assign_person(enterprise=self.enterprise, user=d["person"], actor=self.request.user,
                                               note=d["note"])
            else:
                services.steward_assign(enterprise=self.enterprise, steward=d["steward"], actor=self.request.user,
                                        note=d["note"])
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The steward was assigned and the enterprise has been told."))
        return redirect("enterprises:detail", pk=self.enterprise.pk)
