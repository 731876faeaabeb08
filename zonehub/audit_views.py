"""The audit pages: the audit administrator reads the event history and the login records, filters
them and exports them to Excel. Nothing here changes anything; the system administrator cannot
open them (三员分立)."""

from __future__ import annotations

from django.utils.functional import cached_property
from django.views.generic import ListView
from django_filters.views import FilterView

from zonehub import audit
from zonehub.audit_filters import EventFilterSet, LoginRecordFilterSet
from zonehub.events import EVENT_LABELS, state_label
from zonehub.exports import ExportMixin, export_url, wants_export, xlsx_response
from zonehub.pagination import CappedPaginator, count_cap
from zonehub.roles import AUDITORS
from zonehub.views import RoleRequiredMixin


def _actor_name(event) -> str:
    return event.actor.display_name if event.actor_id else "系统"


def _subject(event) -> str:
    return f"{event.subject_type.name} #{event.subject_id}"


def _details(event) -> str:
    """What an event's data says beyond its object's name and the fields it changed (a role's
    change, the lockout lifted), as "key: value" text."""
    data = event.data if isinstance(event.data, dict) else {}
    parts = []
    for key, value in data.items():
        if key in ("repr", "fields"):
            continue
        if isinstance(value, list) and len(value) == 2 and not any(isinstance(v, dict) for v in value):
            value = f"{_text(value[0])} → {_text(value[1])}"
        parts.append(f"{key}: {_text(value)}")
    return "; ".join(parts)


def _text(value) -> str:
    if isinstance(value, (list, tuple)):
        return "、".join(_text(v) for v in value) or "—"
    return "—" if value in (None, "") else str(value)


EVENT_EXPORT_COLUMNS = [
    ("时间", "created_at"),
    ("操作人", _actor_name),
    ("登录名", "actor.username"),
    ("操作", lambda e: EVENT_LABELS.get(e.kind, e.kind)),
    ("对象", _subject),
    ("对象名称", lambda e: e.data.get("repr", "") if isinstance(e.data, dict) else ""),
    ("原状态", lambda e: state_label(e, e.from_state)),
    ("新状态", lambda e: state_label(e, e.to_state)),
    ("说明", "note"),
    ("变更字段", lambda e: "、".join(e.data.get("fields", [])) if isinstance(e.data, dict) else ""),
    ("详情", _details),
]

LOGIN_EXPORT_COLUMNS = [
    ("时间", "attempt_time"),
    ("登录名", "username"),
    ("结果", lambda row: audit.LoginResult(row["result"]).label),
    ("IP 地址", "ip_address"),
    ("退出时间", "logout_time"),
    ("浏览器", "user_agent"),
    ("页面", "path_info"),
]


class EventListView(ExportMixin, RoleRequiredMixin, FilterView):
    """Every event (who, what, on which object, when), newest first."""

    allowed_roles = AUDITORS
    filterset_class = EventFilterSet
    template_name = "zonehub/audit/event_list.html"
    paginate_by = 50
    paginator_class = CappedPaginator
    export_columns = EVENT_EXPORT_COLUMNS
    export_filename = "操作记录"

    def get_queryset(self):
        return audit.event_list()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        events = list(ctx["object_list"])
        for event in events:
            event.details = _details(event)
        ctx["object_list"] = events
        return ctx


class UnionPaginator(CappedPaginator):
    """The capped count of a UNION (it has no single primary key to count by)."""

    @cached_property
    def count(self) -> int:
        return self.object_list[: count_cap() + 1].count()


class LoginRecordListView(RoleRequiredMixin, ListView):
    """Sign-ins, refusals and lockouts in one list, newest first. Both kinds of record are narrowed
    by the same FilterSet, then listed together (``audit.login_record_list``)."""

    allowed_roles = AUDITORS
    template_name = "zonehub/audit/login_list.html"
    paginate_by = 50
    paginator_class = UnionPaginator
    context_object_name = "records"

    @cached_property
    def filterset(self) -> LoginRecordFilterSet:
        successes, _failures = audit.login_record_sources()
        return LoginRecordFilterSet(self.request.GET, queryset=successes, user=self.request.user)

    def get_queryset(self):
        successes, failures = audit.login_record_sources()
        if not self.filterset.is_valid():
            return audit.login_record_list(successes.none(), failures.none())
        return audit.login_record_list(self.filterset.filter_queryset(successes),
                                       self.filterset.filter_queryset(failures))

    def get(self, request, *args, **kwargs):
        if wants_export(request):
            return xlsx_response(self.get_queryset(), LOGIN_EXPORT_COLUMNS, filename="登录记录")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["filter"] = self.filterset
        ctx["export_url"] = export_url(self.request)
        ctx["retention_days"] = audit.audit_retention_days()
        labels = dict(audit.LoginResult.choices)
        ctx["records"] = ctx["object_list"] = [dict(row, result_label=labels.get(row["result"], row["result"]))
                                               for row in ctx["object_list"]]
        return ctx
