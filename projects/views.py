"""Pages of the projects and the five-key list. Each page reads through a selector and writes
through one service; a service's ValidationError is shown on the form, never a 500."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView
from django_filters.views import FilterView

from projects import exports, selectors, services, serving
from projects.filters import ProjectFilterSet
from projects.forms import (
    ApprovalAddForm,
    ApprovalForm,
    BlockerForm,
    BoardFilterForm,
    ConstructionNodeForm,
    CoordinationForm,
    FiveKeyItemForm,
    NodeCompleteForm,
    NodeForm,
    ProjectForm,
    ProjectStewardForm,
    StageForm,
)
from projects.models import (
    Approval,
    Category,
    ConstructionNode,
    FiveKeyItem,
    FiveKeyNode,
    NodeEvidenceFile,
    Project,
    Stage,
)
from projects.progress import Status, item_progress
from zonehub.events import event_list_for
from zonehub.exports import ExportMixin
from zonehub.models import Role
from zonehub.pagination import CappedPaginator
from zonehub.roles import ALL_ROLES, LEADERS, STAFF
from zonehub.views import RoleRequiredMixin, serve_stored_file
from zonehub.workdays import WorkCalendar, months_before, parse_month, previous_month


def _show_errors(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _fail(request, exc: ValidationError):
    for message in exc.messages:
        messages.error(request, message)


# --------------------------------------------------------------------------------------------
# Projects
# --------------------------------------------------------------------------------------------


class ProjectListView(ExportMixin, RoleRequiredMixin, FilterView):
    allowed_roles = ALL_ROLES
    filterset_class = ProjectFilterSet
    template_name = "projects/project_list.html"
    paginate_by = 50
    paginator_class = CappedPaginator
    export_columns = [
        ("项目名称", "name"), ("阶段", "get_stage_display"), ("投资方", "investor.name"), ("主导产业", "industry.name"),
        ("总投资（万元）", "total_investment"), ("本年计划投资（万元）", "planned_investment_this_year"),
        ("到位资金（万元）", "funds_in_place"), ("约定年产值（万元）", "agreed_annual_output"), ("用地（亩）", "land_mu"),
        ("建筑面积（平方米）", "floor_area"), ("签约日期", "signed_on"), ("开工日期", "started_on"),
        ("竣工日期", "completed_on"), ("投产日期", "production_on"), ("未完成审批", "approvals_open"),
        ("受阻审批", "approvals_blocked"),
        ("项目管家", lambda p: "、".join(a.steward.name for a in p.active_stewards)),
    ]
    export_filename = "重大项目"

    def get_queryset(self):
        return selectors.project_list(self.request.user).order_by("-created_at", "-id")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_create"] = services.is_leader(self.request.user)
        ctx["stages"] = selectors.projects_by_stage(self.request.user)
        return ctx


class ProjectDetailView(RoleRequiredMixin, TemplateView):
    allowed_roles = ALL_ROLES
    template_name = "projects/project_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        project = selectors.project_get(user=user, pk=kwargs["pk"])
        now = selectors.today()
        kinds = list(Approval.Kind)
        # In the order a project needs them (立项备案 first), whatever their codes sort as.
        approvals = sorted(project.approvals.all(), key=lambda a: (kinds.index(a.kind), a.pk))
        for approval in approvals:
            approval.holding_up = approval.is_holding_up(now)
        nodes = list(project.construction_nodes.all())
        for node in nodes:
            node.is_late = node.actual_date is None and node.planned_date < now
        can_update = services.can_update_project(user, project)
        ctx = {
            "project": project, "approvals": approvals, "holding_up": [a for a in approvals if a.holding_up],
            "nodes": nodes, "stage_changes": list(project.stage_changes.all()),
            "assignments": list(project.steward_assignments.all()),
            "steward": next((a.steward for a in project.steward_assignments.all() if a.ended_at is None), None),
            "events": event_list_for(project), "can_update": can_update,
            "can_assign": services.can_assign_project_steward(user, project) or user.role == Role.WORKSTATION_HEAD,
            "stage_form": StageForm(project=project, initial={"on": now}) if can_update else None,
            "stages": [{"value": s.value, "label": s.label, "done": i <= project.stage_index,
                        "current": i == project.stage_index} for i, s in enumerate(Stage)],
            "today": now,
        }
        ctx["approvals_editable"] = {a.pk for a in approvals if services.can_update_approval(user, a)}
        # Issue 16: its blockers, escalated like requests; the flag of a project still without steward.
        ctx["blockers"] = selectors.project_blockers(user, project)
        ctx["can_raise_blocker"] = user.role != Role.ENTERPRISE and serving.is_project_steward(user, project)
        if user.role != Role.ENTERPRISE:
            ctx["items"] = selectors.with_progress(
                selectors.fivekey_item_queryset(user).filter(project=project), on=now)
        return {**super().get_context_data(**kwargs), **ctx}


class ProjectCreateView(RoleRequiredMixin, FormView):
    allowed_roles = LEADERS
    form_class = ProjectForm
    template_name = "projects/form.html"
    extra_context = {"title": _("New major project")}

    def form_valid(self, form):
        try:
            project = services.project_create(actor=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            _show_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The project was added."))
        return redirect(project)


class ProjectEditView(RoleRequiredMixin, FormView):
    allowed_roles = STAFF
    form_class = ProjectForm
    template_name = "projects/form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.project = get_object_or_404(Project.objects.visible_to(request.user), pk=kwargs["pk"])
            if not services.can_update_project(request.user, self.project):
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": Project.objects.get(pk=self.project.pk)}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": self.project.name, "back": self.project}

    def form_valid(self, form):
        try:
            services.project_update(project=self.project, actor=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            _show_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The project was saved."))
        return redirect(self.project)


class ProjectStageView(RoleRequiredMixin, View):
    allowed_roles = STAFF

    def post(self, request, pk):
        project = get_object_or_404(Project.objects.visible_to(request.user), pk=pk)
        form = StageForm(request.POST, project=project)
        if form.is_valid():
            try:
                services.project_stage_change(project=project, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _fail(request, exc)
            else:
                messages.success(request, _("The stage was changed."))
        else:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
        return redirect(project)


class ProjectStewardView(RoleRequiredMixin, FormView):
    allowed_roles = (Role.WORKSTATION_HEAD, Role.LEADER, Role.ADMIN)
    form_class = ProjectStewardForm
    template_name = "projects/form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.project = get_object_or_404(Project.objects.visible_to(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": _("Project steward of %(project)s")
                % {"project": self.project.name}, "back": self.project}

    def form_valid(self, form):
        try:
            services.project_steward_assign(project=self.project, actor=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            _show_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The project steward was assigned."))
        return redirect(self.project)


class UncoveredProjectListView(ExportMixin, RoleRequiredMixin, FilterView):
    """Projects without a project steward (issue 16), like the enterprises without one: the
    longest waiting first, those past their period flagged."""

    allowed_roles = (Role.WORKSTATION_HEAD, Role.LEADER, Role.ADMIN)
    filterset_class = ProjectFilterSet
    template_name = "projects/uncovered_list.html"
    paginate_by = 50
    paginator_class = CappedPaginator
    export_columns = [("项目名称", "name"), ("阶段", "get_stage_display"), ("投资方", "investor.name"),
                      ("工作站", "investor.workstation.name"), ("录入时间", "created_at"),
                      ("应配项目管家期限", "steward_due_at"), ("超期", lambda p: p.steward_overdue_at is not None)]
    export_filename = "无项目管家的重大项目"

    def get_queryset(self):
        return selectors.uncovered_project_list(self.request.user)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "now": timezone.now()}


class BlockerRaiseView(RoleRequiredMixin, FormView):
    """The project steward escalates a blocker to departments (吹哨), on the requests' clock."""

    allowed_roles = (Role.STEWARD,)
    allowed_capacities = (Role.STEWARD,)
    form_class = BlockerForm
    template_name = "projects/form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.project = get_object_or_404(Project.objects.visible_to(request.user).select_related("investor"),
                                             pk=kwargs["pk"])
            if not serving.is_project_steward(request.user, self.project):
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "project": self.project, "user": self.request.user}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "back": self.project,
                "title": _("Escalate a blocker of %(project)s") % {"project": self.project.name},
                "help": _("The departments chosen each reply within %(days)s working days, as for any request.")
                % {"days": settings.ZONEHUB_REPLY_WORKING_DAYS}}

    def form_valid(self, form):
        try:
            serving.project_blocker_raise(project=self.project, actor=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            _show_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Escalated: the departments have been told and their clocks are running."))
        return redirect(self.project)


class ApprovalUpdateView(RoleRequiredMixin, FormView):
    allowed_roles = STAFF
    form_class = ApprovalForm
    template_name = "projects/form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.approval = get_object_or_404(Approval.objects.visible_to(request.user).select_related("project"),
                                              pk=kwargs["pk"])
            if not services.can_update_approval(request.user, self.approval):
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": Approval.objects.get(pk=self.approval.pk)}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "back": self.approval.project,
                "title": f"{self.approval.project.name} · {self.approval.get_kind_display()}"}

    def form_valid(self, form):
        try:
            services.approval_update(approval=self.approval, actor=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            _show_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The approval was updated."))
        return redirect(self.approval.project)


class ProjectPartAddView(RoleRequiredMixin, FormView):
    """Add an approval or a construction node to a project (leaders and its steward)."""

    allowed_roles = (Role.STEWARD, Role.LEADER, Role.ADMIN)
    allowed_capacities = (Role.STEWARD,)  # a cadre serving as the project steward (issue 16)
    template_name = "projects/form.html"
    part = "approval"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.project = get_object_or_404(Project.objects.visible_to(request.user), pk=kwargs["pk"])
            if not services.can_update_project(request.user, self.project):
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_class(self):
        return ApprovalAddForm if self.part == "approval" else ConstructionNodeForm

    def get_context_data(self, **kwargs):
        title = _("Add an approval") if self.part == "approval" else _("Add a construction node")
        return {**super().get_context_data(**kwargs), "back": self.project, "title": f"{self.project.name} · {title}"}

    def form_valid(self, form):
        try:
            if self.part == "approval":
                services.approval_add(project=self.project, actor=self.request.user, **form.cleaned_data)
            else:
                services.construction_node_add(project=self.project, actor=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            _show_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect(self.project)


class ConstructionNodeDoneView(RoleRequiredMixin, View):
    allowed_roles = STAFF

    def post(self, request, pk):
        node = get_object_or_404(
            ConstructionNode.objects.filter(project__in=Project.objects.visible_to(request.user)), pk=pk)
        try:
            actual = dt.date.fromisoformat(request.POST.get("actual_date", ""))
        except ValueError:
            messages.error(request, _("Give the date as YYYY-MM-DD."))
            return redirect(node.project)
        try:
            services.construction_node_update(node=node, actor=request.user, actual_date=actual)
        except ValidationError as exc:
            _fail(request, exc)
        return redirect(node.project)


class InvestmentView(RoleRequiredMixin, TemplateView):
    allowed_roles = STAFF
    template_name = "projects/investment.html"

    def get_context_data(self, **kwargs):
        this_year = selectors.today().year
        try:
            year = int(self.request.GET.get("year", this_year))
        except ValueError:
            year = this_year
        year = min(max(year, 2000), 2100)
        return {**super().get_context_data(**kwargs),
                "figures": selectors.investment_figures(user=self.request.user, year=year),
                "years": list(range(this_year, this_year - 6, -1))}


# --------------------------------------------------------------------------------------------
# The five-key board
# --------------------------------------------------------------------------------------------


class BoardMixin(RoleRequiredMixin):
    allowed_roles = STAFF

    def board_filters(self) -> tuple[BoardFilterForm, dict, str]:
        """The filter form, the board's filters (nonsense in the query string is ignored) and the sort."""
        form = BoardFilterForm(self.request.GET or None, years=selectors.fivekey_years(self.request.user))
        filters = {"year": selectors.today().year, "unit": None, "leader": None, "status": "", "category": ""}
        sort = ""
        if form.is_valid():
            data = form.cleaned_data
            filters.update({name: data[name] for name in ("unit", "leader", "status", "category")})
            filters["year"] = data["year"] or filters["year"]
            sort = data["sort"]
        return form, filters, sort

    def board_stream(self) -> dict:
        """Every row of the board, as a stream (selectors.fivekey_board_stream): the print and the
        Excel export, in the board's order and with its filters and sort."""
        form, filters, sort = self.board_filters()
        services.fivekey_progress_refresh_stale(year=filters["year"])
        return {"year": filters["year"],
                **selectors.fivekey_board_stream(user=self.request.user, **filters, sort=sort)}


class BoardView(BoardMixin, TemplateView):
    """The board on screen, a page at a time from the progress stored on the items, so that it
    costs the same for a zone of 30,000 items as for one of 600. The sort applies to the whole
    list (in SQL), the same keys as the print's and the export's."""

    template_name = "projects/board.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        form, filters, sort = self.board_filters()
        # The sweep stores each day's progress at 07:30; should it not have run, the board does.
        services.fivekey_progress_refresh_stale(year=filters["year"])
        board = selectors.fivekey_board_page(user=user, **filters, sort=sort, page=self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        # Each count of the summary opens exactly the rows it counts; each category its whole list.
        for entry in board["category_counts"]:
            entry["links"] = {s.value: self.link(category=entry["category"].value, status=s.value) for s in Status}
            entry["link"] = self.link(category=entry["category"].value, status=None)
        board["status_links"] = {s.value: self.link(status=s.value) for s in Status}
        board["total_link"] = self.link(status=None)
        for group in board["groups"]:
            group["all_link"] = self.link(category=group["category"].value)
        paginator = board["paginator"]
        return {**super().get_context_data(**kwargs), "form": form, "year": filters["year"], "board": board,
                "statuses": Status, "categories": Category, "can_edit": services.can_edit_items(user),
                "query": query.urlencode(), "page_obj": board["page_obj"], "paginator": paginator,
                "is_paginated": paginator is not None and paginator.num_pages > 1,
                "all_categories_link": self.link(category=None)}

    def link(self, **params) -> str:
        """This board with some filters set (or, given None, removed), from its first page."""
        query = self.request.GET.copy()
        query.pop("page", None)
        for key, value in params.items():
            if value is None:
                query.pop(key, None)
            else:
                query[key] = value
        return f"?{query.urlencode()}"


class BoardPrintView(BoardMixin, View):
    """The wall chart (墙上那张清单): one A3 landscape page per category, streamed as it is read."""

    def get(self, request):
        board = self.board_stream()
        return StreamingHttpResponse(exports.board_print_chunks(board, year=board["year"], printed_on=selectors.today()),
                                     content_type="text/html; charset=utf-8")


class BoardExportView(BoardMixin, View):
    def get(self, request):
        board = self.board_stream()
        return exports.board_response(board, year=board["year"])


class ItemDetailView(RoleRequiredMixin, TemplateView):
    allowed_roles = STAFF
    template_name = "projects/item_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        item = selectors.fivekey_item_get(user=user, pk=kwargs["pk"])
        now = selectors.today()
        calendar = WorkCalendar.for_years({now.year, item.year})
        progress = item_progress(item.nodes.all(), today=now, calendar=calendar)
        judged = {entry.node.pk: entry for entry in progress.nodes}
        nodes = list(item.nodes.all())
        files: dict[int, list] = {}
        for row in NodeEvidenceFile.objects.filter(node__in=[n.pk for n in nodes]).order_by("uploaded_at", "id"):
            files.setdefault(row.node_id, []).append(row)
        for node in nodes:
            node.progress = judged.get(node.pk)
            node.late = node.progress if node.progress and node.progress.is_late else None
            node.files = files.get(node.pk, [])
        can_complete = services.can_complete_node(user, item)
        return {
            **super().get_context_data(**kwargs),
            "item": item, "progress": progress, "nodes": nodes, "events": event_list_for(item),
            "can_edit": services.can_edit_items(user), "can_complete": can_complete,
            "complete_form": NodeCompleteForm(initial={"completed_on": now}) if can_complete else None,
            "can_claim": services.can_claim(user) and item.responsible_unit_id is None
            and item.claim != FiveKeyItem.Claim.PENDING,
            "can_decide": services.is_leader(user) and item.claim == FiveKeyItem.Claim.PENDING,
            "can_coordinate": services.is_leader(user) and progress.status == Status.LAGGING,
            "coordination_form": CoordinationForm(),
            "coordination_notes": item.coordination_notes.select_related("author"),
        }


class ItemCreateView(RoleRequiredMixin, FormView):
    allowed_roles = LEADERS
    form_class = FiveKeyItemForm
    template_name = "projects/form.html"
    extra_context = {"title": _("New five-key item")}

    def get_initial(self):
        return {"year": selectors.today().year, "lead_leader": self.request.user.pk
                if self.request.user.role == Role.LEADER else None}

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        units = data.pop("cooperating_units")
        try:
            item = services.fivekey_item_create(actor=self.request.user, cooperating_units=units, **data)
        except ValidationError as exc:
            _show_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The item was added: now give it its nodes."))
        return redirect(item)


class ItemEditView(RoleRequiredMixin, FormView):
    allowed_roles = LEADERS
    form_class = FiveKeyItemForm
    template_name = "projects/form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.item = get_object_or_404(FiveKeyItem.objects.visible_to(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": FiveKeyItem.objects.get(pk=self.item.pk)}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "title": self.item.title, "back": self.item}

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        units = data.pop("cooperating_units")
        try:
            services.fivekey_item_update(item=self.item, actor=self.request.user, cooperating_units=units, **data)
        except ValidationError as exc:
            _show_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The item was saved."))
        return redirect(self.item)


class NodeFormView(RoleRequiredMixin, FormView):
    allowed_roles = LEADERS
    form_class = NodeForm
    template_name = "projects/form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            if "node_pk" in kwargs:
                self.node = get_object_or_404(FiveKeyNode.objects.visible_to(request.user).select_related("item"),
                                              pk=kwargs["node_pk"])
                self.item = self.node.item
            else:
                self.node = None
                self.item = get_object_or_404(FiveKeyItem.objects.visible_to(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"name": self.node.name, "planned_date": self.node.planned_date} if self.node else {}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "back": self.item,
                "title": _("Node of %(item)s") % {"item": self.item.title}}

    def form_valid(self, form):
        try:
            if self.node:
                services.fivekey_node_update(node=self.node, actor=self.request.user, **form.cleaned_data)
            else:
                services.fivekey_node_add(item=self.item, actor=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            _show_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The node was saved."))
        return redirect(self.item)


class NodeCompleteView(RoleRequiredMixin, FormView):
    allowed_roles = (Role.DEPARTMENT, Role.LEADER, Role.ADMIN)
    form_class = NodeCompleteForm
    template_name = "projects/form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.node = get_object_or_404(FiveKeyNode.objects.visible_to(request.user).select_related("item"),
                                          pk=kwargs["pk"])
            if not services.can_complete_node(request.user, self.node.item):
                raise PermissionDenied(_("Only the item's responsible unit may mark its nodes done."))
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"completed_on": selectors.today()}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "back": self.node.item,
                "title": _("Mark done: %(node)s") % {"node": self.node.name}}

    def form_valid(self, form):
        try:
            services.fivekey_node_complete(node=self.node, actor=self.request.user, **form.cleaned_data)  # files too
        except ValidationError as exc:
            _show_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The node is marked done."))
        return redirect(self.node.item)


# Shown in the browser (the rest downloads), as stewards' attachments are.


class NodeEvidenceDownloadView(RoleRequiredMixin, View):
    """A node's evidence file: never public, each download checks the user's scope (missing and
    not-yours are both 404), served as stewards' attachments are."""

    allowed_roles = STAFF

    def get(self, request, node_pk, file_pk):
        row = get_object_or_404(NodeEvidenceFile.objects.visible_to(request.user), pk=file_pk, node_id=node_pk)
        return serve_stored_file(row.file, content_type=row.content_type, filename=row.original_name)


class ItemActionView(RoleRequiredMixin, View):
    """Claim (认领), confirm or decline a claim, record coordination: small POST-only actions."""

    allowed_roles = STAFF
    action = ""

    def post(self, request, pk):
        item = get_object_or_404(FiveKeyItem.objects.visible_to(request.user), pk=pk)
        try:
            if self.action == "claim":
                services.fivekey_item_claim(item=item, actor=request.user)
                messages.success(request, _("Your claim was sent to the lead leader for confirmation."))
            elif self.action in ("confirm", "decline"):
                services.fivekey_claim_decide(item=item, actor=request.user, confirm=self.action == "confirm",
                                              note=request.POST.get("note", ""))
                messages.success(request, _("The claim was confirmed.") if self.action == "confirm"
                                 else _("The claim was declined."))
            elif self.action == "coordinate":
                services.fivekey_coordination_add(item=item, actor=request.user, note=request.POST.get("note", ""))
                messages.success(request, _("The coordination note was recorded."))
        except ValidationError as exc:
            _fail(request, exc)
        return redirect(item)


class RankingView(RoleRequiredMixin, TemplateView):
    allowed_roles = STAFF
    template_name = "projects/ranking.html"

    def get_context_data(self, **kwargs):
        now = selectors.today()
        chosen = parse_month(self.request.GET.get("month")) or previous_month(now)
        year, month = chosen.year, chosen.month
        months = [(f"{first:%Y-%m}", f"{first.year}年{first.month}月") for first in reversed(months_before(now, 13))]
        ranking = selectors.unit_ranking(user=self.request.user, year=year, month=month)
        return {**super().get_context_data(**kwargs), "year": year, "month": month,
                "current": f"{year}-{month:02d}", "months": months, "rows": ranking["rows"],
                "unassessed": ranking["unassessed"], "board_year": year}
