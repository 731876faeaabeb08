"""Filters of the request pages. Choices of related objects come from what the user may see,
so a filter never lists another unit's stewards or enterprises."""

import datetime as _dt

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise
from stewards.models import Escalation, LedgerItem, ServiceRequest, Steward
from zonehub.forms import BootstrapFilterSet, BoundedModelSelect
from zonehub.models import Department, Role
from zonehub.workdays import local_date, start_of_day


class ServiceRequestFilterSet(BootstrapFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    status = django_filters.ChoiceFilter(label=_("status"), choices=ServiceRequest.Status.choices)
    category = django_filters.ChoiceFilter(label=_("category"), choices=ServiceRequest.Category.choices)
    urgency = django_filters.ChoiceFilter(label=_("urgency"), choices=ServiceRequest.Urgency.choices)
    channel = django_filters.ChoiceFilter(label=_("channel"), choices=ServiceRequest.Channel.choices)
    enterprise = django_filters.ModelChoiceFilter(label=_("enterprise"), queryset=Enterprise.objects.none(),
                                                  widget=BoundedModelSelect)
    steward = django_filters.ModelChoiceFilter(label=_("steward"), queryset=Steward.objects.none(),
                                               widget=BoundedModelSelect)
    attention = django_filters.ChoiceFilter(
        label=_("needs attention"), method="filter_attention", empty_label=_("all"),
        choices=[("unaccepted", _("not yet accepted")), ("late", _("acceptance overdue")),
                 ("open", _("not closed"))],
    )
    month = django_filters.CharFilter(label=_("submitted in month"), method="filter_month",
                                      widget=forms.TextInput(attrs={"type": "month"}))
    o = django_filters.OrderingFilter(
        label=_("sort by"),
        fields=[("created_at", "created_at"), ("accept_due_at", "accept_due_at"), ("status", "status"),
                ("urgency", "urgency")],
        field_labels={"created_at": _("submitted on"), "-created_at": _("submitted on (newest first)"),
                      "accept_due_at": _("to be accepted before"), "-accept_due_at": _("to be accepted before (latest first)"),
                      "status": _("status"), "-status": _("status (reversed)"),
                      "urgency": _("urgency"), "-urgency": _("urgency (urgent first)")},
    )

    class Meta:
        model = ServiceRequest
        fields = ["q", "status", "category", "urgency", "channel", "enterprise", "steward", "attention", "month"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        role = user.effective_role
        if role == Role.ENTERPRISE:
            # Its own requests only: the staff filters would be noise on a phone.
            for name in ("enterprise", "steward", "channel", "urgency", "attention"):
                self.filters.pop(name)
        else:
            self.filters["enterprise"].queryset = Enterprise.objects.visible_to(user).order_by("name")
            if role in (Role.WORKSTATION_HEAD, Role.LEADER, Role.ADMIN):
                self.filters["steward"].queryset = Steward.objects.visible_to(user).select_related("user")
            else:
                self.filters.pop("steward")

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        query = Q(title__icontains=value) | Q(enterprise__name__icontains=value)
        if value.lstrip("#").isdigit():
            query |= Q(pk=int(value.lstrip("#")))
        return queryset.filter(query)

    def filter_month(self, queryset, name, value):
        """"2026-11": submitted in that month, Beijing time (the dashboard's "this month")."""
        try:
            first = _dt.datetime.strptime(value.strip(), "%Y-%m").date()
        except ValueError:
            return queryset
        following = (first + _dt.timedelta(days=32)).replace(day=1)
        return queryset.filter(created_at__gte=start_of_day(first), created_at__lt=start_of_day(following))

    def filter_attention(self, queryset, name, value):
        if value == "unaccepted":
            return queryset.filter(status=ServiceRequest.Status.SUBMITTED)
        if value == "late":
            return queryset.filter(status=ServiceRequest.Status.SUBMITTED, accept_due_at__lte=timezone.now())
        if value == "open":
            return queryset.open()
        return queryset


class EscalationFilterSet(BootstrapFilterSet):
    state = django_filters.ChoiceFilter(
        label=_("show"), method="filter_state", empty_label=_("waiting for us"),
        choices=[("overdue", _("overdue")), ("done", _("answered")), ("all", _("all"))],
    )
    status = django_filters.ChoiceFilter(label=_("status"), choices=Escalation.Status.choices)
    q = django_filters.CharFilter(label=_("Search"), method="search")
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
            return queryset.filter(overdue_at__isnull=False, status__in=Escalation.OPEN_STATUSES)
        if value == "done":
            return queryset.filter(status__in=Escalation.DONE_STATUSES)
        return queryset

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(request__title__icontains=value) | Q(request__enterprise__name__icontains=value))


class LedgerItemFilterSet(BootstrapFilterSet):
    status = django_filters.ChoiceFilter(label=_("status"), choices=LedgerItem.Status.choices)
    department = django_filters.ModelChoiceFilter(
        label=_("responsible department"), queryset=Department.objects.filter(is_active=True)
    )
    q = django_filters.CharFilter(label=_("Search"), method="search")
    o = django_filters.OrderingFilter(
        label=_("sort by"), fields=[("meeting_date", "meeting_date"), ("recorded_at", "recorded_at")],
        field_labels={"meeting_date": _("meeting date"), "-meeting_date": _("meeting date (newest first)"),
                      "recorded_at": _("recorded on"), "-recorded_at": _("recorded on (newest first)")},
    )

    class Meta:
        model = LedgerItem
        fields = ["status", "department", "q"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(enterprise__name__icontains=value))


class EscalationListFilterSet(BootstrapFilterSet):
    """The escalations a leader, head or steward may see, across departments: the list behind the
    dashboard's "overdue now / due today by department" counts (same rule as leader_deadlines)."""

    deadline = django_filters.ChoiceFilter(
        label=_("deadline"), method="filter_deadline", empty_label=_("all"),
        choices=[("overdue", _("overdue now")), ("due_today", _("due today")), ("open", _("waiting for a reply")),
                 ("done", _("answered"))],
    )
    department = django_filters.ModelChoiceFilter(label=_("department"), queryset=Department.objects.all())
    status = django_filters.ChoiceFilter(label=_("status"), choices=Escalation.Status.choices)
    q = django_filters.CharFilter(label=_("Search"), method="search")
    o = django_filters.OrderingFilter(
        label=_("sort by"), fields=[("due_at", "due_at"), ("sent_at", "sent_at"), ("department__name", "department")],
        field_labels={"due_at": _("reply due before"), "-due_at": _("reply due before (latest first)"),
                      "sent_at": _("escalated at"), "-sent_at": _("escalated at (newest first)"),
                      "department": _("department"), "-department": _("department (reversed)")},
    )

    class Meta:
        model = Escalation
        fields = ["deadline", "department", "status", "q"]

    def filter_deadline(self, queryset, name, value):
        now = timezone.now()
        running = queryset.filter(status=Escalation.Status.OPEN, clock_stopped_at__isnull=True)
        if value == "overdue":
            return running.filter(due_at__lte=now)
        if value == "due_today":
            end_of_today = start_of_day(local_date(now) + _dt.timedelta(days=1))
            return running.filter(due_at__gt=now, due_at__lte=end_of_today)
        if value == "open":
            return queryset.filter(status__in=Escalation.OPEN_STATUSES)
        if value == "done":
            return queryset.filter(status__in=Escalation.DONE_STATUSES)
        return queryset

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(request__title__icontains=value) | Q(request__enterprise__name__icontains=value))
