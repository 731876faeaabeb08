"""Filters of the request lists: one FilterSet per model serves its page and its API
(zonehub.filters). Choices of related objects come from what the user may see, so a filter never
lists another unit's stewards or enterprises; the API takes their plain ids."""


import django_filters
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise
from stewards.models import Escalation, LedgerItem, ServiceRequest, Steward, Visit
from zonehub.filters import BoundedModelSelect, FilterSet, IdFilter, MonthFilter, OneOrManyChoiceFilter, SearchFilter
from zonehub.models import Department, Role


class ServiceRequestFilterSet(FilterSet):
    """The request list (page and API). Status, category and channel take one value on the page
    and several in the API (?status=a&status=b); enterprise and steward are a select on the page
    and a plain id in the API; the dates and ``open`` are the API's."""

    q = SearchFilter(fields=["title", "enterprise__name"], id_field="pk")
    status = OneOrManyChoiceFilter(label=_("status"), choices=ServiceRequest.Status.choices)
    category = OneOrManyChoiceFilter(label=_("category"), choices=ServiceRequest.Category.choices)
    urgency = django_filters.ChoiceFilter(label=_("urgency"), choices=ServiceRequest.Urgency.choices)
    channel = OneOrManyChoiceFilter(label=_("channel"), choices=ServiceRequest.Channel.choices)
    enterprise = IdFilter(label=_("enterprise"), field_name="enterprise_id", widget=BoundedModelSelect)
    steward = IdFilter(label=_("steward"), field_name="steward_id", widget=BoundedModelSelect)
    attention = django_filters.ChoiceFilter(
        label=_("needs attention"), method="filter_attention", empty_label=_("all"),
        choices=[("unaccepted", _("not yet accepted")), ("late", _("acceptance overdue")),
                 ("open", _("not closed"))],
    )
    # "2026-11": submitted in that month, Beijing time (the dashboard's "this month").
    month = MonthFilter(label=_("submitted in month"), field_name="created_at")
    o = django_filters.OrderingFilter(
        label=_("sort by"),
        fields=[("created_at", "created_at"), ("accept_due_at", "accept_due_at"), ("status", "status"),
                ("urgency", "urgency")],
        field_labels={"created_at": _("submitted on"), "-created_at": _("submitted on (newest first)"),
                      "accept_due_at": _("to be accepted before"), "-accept_due_at": _("to be accepted before (latest first)"),
                      "status": _("status"), "-status": _("status (reversed)"),
                      "urgency": _("urgency"), "-urgency": _("urgency (urgent first)")},
    )

    # The API's.
    created_after = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte", label=_("submitted from"))
    created_before = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte", label=_("submitted until"))
    open = django_filters.BooleanFilter(method="filter_open", label=_("not closed"))
    accepted = django_filters.BooleanFilter(field_name="accepted_at", lookup_expr="isnull", exclude=True,
                                            label=_("accepted"))

    page_fields = ["q", "status", "category", "urgency", "channel", "enterprise", "steward", "attention", "month", "o"]

    class Meta:
        model = ServiceRequest
        fields = ["q", "status", "category", "urgency", "channel", "enterprise", "steward", "attention", "month"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        role = user.effective_role
        if role == Role.ENTERPRISE:
            # Its own requests only: the staff filters would be noise on a phone.
            hidden = {"enterprise", "steward", "channel", "urgency", "attention"}
        else:
            hidden = set()
            self.filters["enterprise"].queryset = Enterprise.objects.visible_to(user).order_by("name")
            if role in (Role.WORKSTATION_HEAD, Role.LEADER, Role.ADMIN):
                self.filters["steward"].queryset = Steward.objects.visible_to(user).select_related("user")
            else:
                hidden.add("steward")
        self.page_fields = [name for name in self.page_fields if name not in hidden]

    def filter_attention(self, queryset, name, value):
        # Waiting to be accepted: most urgent first (the oldest acceptance deadline on top); a
        # sort the user picks (``o``, applied after) still wins.
        rows = queryset.needing_attention(value)
        if value == "unaccepted":
            return rows.order_by(F("accept_due_at").asc(nulls_last=True), "created_at", "id")
        if value == "late":
            return rows.order_by("accept_due_at", "created_at", "id")
        return rows

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.exclude(status=ServiceRequest.Status.CLOSED) if value else queryset.filter(
            status=ServiceRequest.Status.CLOSED)


class EscalationFilterSet(FilterSet):
    """The department's inbox (its page only): opens on what is waiting for an answer. The API,
    and every other escalation list, use ``EscalationListFilterSet``."""

    state = django_filters.ChoiceFilter(
        label=_("show"), method="filter_state", empty_label=_("waiting for us"),
        choices=[("overdue", _("overdue")), ("done", _("answered")), ("all", _("all"))],
    )
    status = django_filters.ChoiceFilter(label=_("status"), choices=Escalation.Status.choices)
    q = SearchFilter(fields=["request__title", "request__enterprise__name"])
    o = django_filters.OrderingFilter(
        label=_("sort by"), fields=[("due_at", "due_at"), ("sent_at", "sent_at")],
        field_labels={"due_at": _("reply due before"), "-due_at": _("reply due before (latest first)"),
                      "sent_at": _("escalated at"), "-sent_at": _("escalated at (newest first)")},
    )

    class Meta:
        model = Escalation
        fields = ["state", "status", "q"]

    def filter_queryset(self, queryset):
        # "Waiting for us" is the default: the inbox opens on what needs an answer.
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("state") and not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status__in=Escalation.OPEN_STATUSES)
        return queryset

    def filter_state(self, queryset, name, value):
        if value == "overdue":
            return queryset.overdue()
        if value == "done":
            return queryset.filter(status__in=Escalation.DONE_STATUSES)
        return queryset


class LedgerItemFilterSet(FilterSet):
    """The complaint-meeting ledger (page and API); ``enterprise`` is the API's."""

    status = OneOrManyChoiceFilter(label=_("status"), choices=LedgerItem.Status.choices)
    department = IdFilter(label=_("responsible department"), field_name="department_id",
                          queryset=Department.objects.filter(is_active=True))
    enterprise = IdFilter(label=_("enterprise"), field_name="enterprise_id")
    q = SearchFilter(fields=["title", "enterprise__name"])
    o = django_filters.OrderingFilter(
        label=_("sort by"), fields=[("meeting_date", "meeting_date"), ("recorded_at", "recorded_at")],
        field_labels={"meeting_date": _("meeting date"), "-meeting_date": _("meeting date (newest first)"),
                      "recorded_at": _("recorded on"), "-recorded_at": _("recorded on (newest first)")},
    )

    page_fields = ["status", "department", "q", "o"]

    class Meta:
        model = LedgerItem
        fields = ["status", "department", "enterprise", "q"]


class EscalationListFilterSet(FilterSet):
    """The escalations a user may see, across departments: the page of leaders, heads and
    stewards (the list behind the dashboard's "overdue now / due today by department" counts, same
    rule as leader_deadlines) and the API of everyone, a department's included. ``request``,
    ``overdue``, ``open``, ``needs_consultation`` and the dates are the API's."""

    deadline = django_filters.ChoiceFilter(
        label=_("deadline"), method="filter_deadline", empty_label=_("all"),
        choices=[("overdue", _("overdue now")), ("due_today", _("due today")), ("open", _("waiting for a reply")),
                 ("done", _("answered"))],
    )
    department = IdFilter(label=_("department"), field_name="department_id", queryset=Department.objects.all())
    status = OneOrManyChoiceFilter(label=_("status"), choices=Escalation.Status.choices)
    q = SearchFilter(fields=["request__title", "request__enterprise__name"])
    o = django_filters.OrderingFilter(
        label=_("sort by"), fields=[("due_at", "due_at"), ("sent_at", "sent_at"), ("department__name", "department")],
        field_labels={"due_at": _("reply due before"), "-due_at": _("reply due before (latest first)"),
                      "sent_at": _("escalated at"), "-sent_at": _("escalated at (newest first)"),
                      # Ascending labels are looked up by the model field, descending ones by the parameter.
                      "department__name": _("department"), "-department": _("department (reversed)")},
    )

    # The API's.
    request = IdFilter(field_name="request_id", label=_("service request"))
    overdue = django_filters.BooleanFilter(field_name="overdue_at", lookup_expr="isnull", exclude=True,
                                           label=_("marked overdue"))
    open = django_filters.BooleanFilter(method="filter_open", label=_("still open"))
    # The steward appraisal's links (evaluations): a steward's escalations of a year, the replies
    # decided (clock stopped or deadline passed) or answered on time among them.
    steward = IdFilter(field_name="request__steward_id", label=_("steward"))
    year = django_filters.NumberFilter(method="filter_year", label=_("reply due in year"))
    reply = django_filters.ChoiceFilter(method="filter_reply", label=_("reply"),
                                        choices=[("decided", _("reply due or given")),
                                                 ("on_time", _("answered on time"))])
    sent_after = django_filters.DateFilter(field_name="sent_at", lookup_expr="date__gte", label=_("sent from"))
    sent_before = django_filters.DateFilter(field_name="sent_at", lookup_expr="date__lte", label=_("sent until"))

    page_fields = ["deadline", "department", "status", "q", "o"]

    class Meta:
        model = Escalation
        fields = ["deadline", "department", "status", "q", "request", "needs_consultation"]

    def filter_deadline(self, queryset, name, value):
        return queryset.by_deadline(value)

    def filter_year(self, queryset, name, value):
        if value is None:
            return queryset
        if not 2000 <= value <= 2999:
            return queryset.none()
        return queryset.due_in_year(int(value))

    def filter_reply(self, queryset, name, value):
        decided = queryset.reply_decided().filter(returned_at__isnull=True)  # returned: not its business
        return decided.filter(answered_on_time=True) if value == "on_time" else decided

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        condition = Q(status__in=Escalation.OPEN_STATUSES)
        return queryset.filter(condition) if value else queryset.exclude(condition)


class VisitFilterSet(FilterSet):
    """The visits (the API's; no page lists them)."""

    enterprise = IdFilter(field_name="enterprise_id", label=_("enterprise"))
    steward = IdFilter(field_name="steward_id", label=_("steward"))
    visited_after = django_filters.DateFilter(field_name="visited_on", lookup_expr="gte", label=_("visited from"))
    visited_before = django_filters.DateFilter(field_name="visited_on", lookup_expr="lte", label=_("visited until"))

    class Meta:
        model = Visit
        fields = ["enterprise", "steward"]
