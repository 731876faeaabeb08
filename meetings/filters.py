"""One FilterSet per list, for its page and its API: meetings, decisions (``state`` is the figure a
panel counts), chase-ups."""

import datetime as dt

import django_filters
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meetings.models import Decision, Invitation, Meeting, SupervisionNotice
from zonehub.filters import FilterSet, IdFilter, SearchFilter
from zonehub.models import Department
from zonehub.workdays import FIRST_YEAR, LAST_YEAR, start_of_day


class MeetingFilterSet(FilterSet):
    q = SearchFilter(fields=["title", "purpose", "place"])
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=Meeting.Kind.choices)
    status = django_filters.ChoiceFilter(label=_("status"), choices=Meeting.Status.choices)
    when = django_filters.ChoiceFilter(label=_("when"), method="filter_when",
                                       choices=[("upcoming", _("coming")), ("past", _("past"))])
    # A department's invitations waiting for its answer (its home panel links here).
    invitation = django_filters.ChoiceFilter(label=_("our invitation"), method="filter_invitation",
                                             choices=Invitation.Status.choices)

    page_fields = ["q", "kind", "status", "when", "invitation"]

    class Meta:
        model = Meeting
        fields = ["q", "kind", "status", "when", "invitation"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.user = user
        if user is None or user.role != "department":
            self.page_fields = [f for f in self.page_fields if f != "invitation"]

    def filter_when(self, queryset, name, value):
        now = timezone.now()
        if value == "upcoming":
            return queryset.filter(status=Meeting.Status.SCHEDULED, starts_at__gt=now)
        if value == "past":
            return queryset.filter(starts_at__lte=now)
        return queryset

    def filter_invitation(self, queryset, name, value):
        if self.user is None or not getattr(self.user, "department_id", None):
            return queryset.none()
        invitations = Invitation.objects.filter(meeting=OuterRef("pk"), department_id=self.user.department_id,
                                                status=value)
        queryset = queryset.filter(Exists(invitations))
        if value == Invitation.Status.PENDING:
            queryset = queryset.filter(status=Meeting.Status.SCHEDULED, starts_at__gt=timezone.now())
        return queryset


class DecisionFilterSet(FilterSet):
    STATES = [("open", _("open")), ("overdue", _("overdue now")), ("closed", _("closed")),
              ("on_time", _("closed on time")), ("late", _("marked overdue"))]

    q = SearchFilter(fields=["text", "meeting__title"])
    state = django_filters.ChoiceFilter(label=_("state"), method="filter_state", choices=STATES)
    department = IdFilter(label=_("responsible department"), field_name="department_id",
                          queryset=Department.objects.none())
    owner = django_filters.ChoiceFilter(label=_("owner"), method="filter_owner",
                                        choices=[("department", _("a department")), ("steward", _("a steward"))])
    meeting = IdFilter(label=_("meeting"), field_name="meeting_id")
    request = IdFilter(label=_("service request"), field_name="request_id")

    page_fields = ["q", "state", "department", "owner"]

    class Meta:
        model = Decision
        fields = ["q", "state", "department", "owner", "meeting", "request"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.filters["department"].queryset = Department.objects.filter(is_active=True).order_by("name")
        if user is not None and user.role == "department":
            self.page_fields = ["q", "state"]

    def filter_state(self, queryset, name, value):
        D = Decision.Status
        if value == "open":
            return queryset.filter(status=D.OPEN)
        if value == "overdue":
            return queryset.overdue(timezone.now())
        if value == "closed":
            return queryset.filter(status=D.CLOSED)
        if value == "on_time":
            return queryset.filter(closed_on_time=True)
        if value == "late":
            return queryset.filter(overdue_at__isnull=False)
        return queryset

    def filter_owner(self, queryset, name, value):
        if value == "department":
            return queryset.filter(department__isnull=False)
        if value == "steward":
            return queryset.filter(steward__isnull=False)
        return queryset


class SupervisionNoticeFilterSet(FilterSet):
    q = SearchFilter(fields=["reason"])
    department = IdFilter(label=_("department"), field_name="department_id", queryset=Department.objects.none())
    year = django_filters.NumberFilter(label=_("year"), method="filter_year")
    on = django_filters.ChoiceFilter(label=_("about"), method="filter_on",
                                     choices=[("escalation", _("an escalation")), ("decision", _("a meeting decision"))])
    escalation = IdFilter(label=_("escalation"), field_name="escalation_id")
    decision = IdFilter(label=_("meeting decision"), field_name="decision_id")

    page_fields = ["q", "department", "year", "on"]

    class Meta:
        model = SupervisionNotice
        fields = ["q", "department", "year", "on", "escalation", "decision"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.filters["department"].queryset = Department.objects.filter(is_active=True).order_by("name")

    def filter_year(self, queryset, name, value):
        year = int(value) if value is not None and value == int(value) else None
        if year is None or not (FIRST_YEAR <= year <= LAST_YEAR):
            return queryset.none()
        return queryset.filter(issued_at__gte=start_of_day(dt.date(year, 1, 1)),
                               issued_at__lt=start_of_day(dt.date(year + 1, 1, 1)))

    def filter_on(self, queryset, name, value):
        if value == "escalation":
            return queryset.filter(escalation__isnull=False)
        if value == "decision":
            return queryset.filter(decision__isnull=False)
        return queryset
