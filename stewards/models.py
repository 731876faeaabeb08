"""Stewards, their assignments, and the service requests they handle.

Models (DESIGN.md "Core objects"):

- ``Steward`` / ``StewardAssignment``: who serves which enterprise, with history.
- ``AssignmentBar``: a steward may not serve an enterprise again this year (rule 4), until lifted.
- ``ServiceRequest`` 诉求: an enterprise's request; status submitted → accepted → escalated →
  reported → closed (reopened goes back to the steward). Deadlines stored as instants:
  ``accept_due_at`` (1 working day), ``auto_close_due_at`` (5 working days after the report).
- ``RequestAttachment``: files of a request, never served publicly.
- ``RequestComment``: steward ↔ enterprise messages.
- ``Escalation`` 吹哨: one request sent to one department with its own 3-working-day clock
  (``due_at``, exclusive), reminder, overdue mark, joint consultation (需会商) and progress clock,
  reply / return / conclusion.
- ``EscalationProgress``: progress reports of consultation cases.
- ``Visit`` 走访: a steward's visit to an enterprise; findings may become requests.
- ``LedgerItem`` 台账: an item raised at a complaint meeting (吐槽大会), dispatched to or claimed
  by a department.
- ``DirectLine`` 一键直达: a steward raises a request (or an escalation) straight to its
  workstation head, who acknowledges, takes it over or answers (issue 16).

A ``Steward`` is a capacity, not a role (issue 16): a leader, a department user or a head may hold
one beside its role; ``zonehub.scoping`` adds the steward's rows to its role's.

Every model has a ``ScopedQuerySet``: ``Model.objects.visible_to(user)``. All writes go through
``stewards.services``; nothing is ever deleted.
"""

import datetime as dt
import os
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zonehub.scoping import ScopedQuerySet


class StewardQuerySet(ScopedQuerySet):
    def _visible_to_enterprise(self, user):
        # An enterprise sees its stewards: name and phone are how it reaches them.
        return self.filter(
            Exists(StewardAssignment.objects.active().filter(
                steward=OuterRef("pk"), enterprise_id=user.enterprise_id))
        )

    def _visible_to_steward(self, user):
        # The colleagues of its workstation(s): a cadre serving in a workstation sees its stewards.
        return self.filter(workstation_id__in=Steward.objects.filter(user=user, is_active=True)
                           .exclude(workstation=None).values("workstation_id"))

    def _visible_to_workstation_head(self, user):
        return self.filter(workstation_id=user.workstation_id)

    def active(self):
        return self.filter(is_active=True, user__is_active=True)


class Steward(models.Model):
    """A committee cadre serving enterprises (服务管家/服务专员): the steward capacity, separate
    from the role (issue 16, 全员: a leader, a department user or a workstation head may serve too,
    ``zonehub.scoping.register_capacity``). ``workstation`` is the workstation it serves in (its
    heads assign and replace it): a user who belongs to a workstation serves in its own
    (``services.steward_capacity_grant`` sets it, and it follows the user when the user moves); a
    leader or department user is given the workstation of the enterprises it serves."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="steward"
    )
    title = models.CharField(_("position"), max_length=50, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    workstation = models.ForeignKey(
        "zonehub.Workstation", verbose_name=_("workstation"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="stewards", help_text=_("The workstation it serves in: its head assigns and replaces it."),
    )

    objects = StewardQuerySet.as_manager()

    class Meta:
        verbose_name = _("steward")
        verbose_name_plural = _("stewards")
        ordering = ["user__name"]

    def __str__(self):
        return self.user.display_name

    def save(self, *args, **kwargs):
        # A user of a workstation serves in it (issue 16): a new row without one takes the user's.
        if self._state.adding and self.workstation_id is None and self.user_id is not None:
            self.workstation_id = self.user.workstation_id
        super().save(*args, **kwargs)

    @property
    def name(self) -> str:
        return self.user.display_name

    @property
    def phone(self) -> str:
        return self.user.phone

    @property
    def serves_beside_role(self) -> bool:
        """A cadre whose role is not steward (a leader, a department user, a head) serving too."""
        return self.user.role != "steward"


class AssignmentQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(ended_at__isnull=True)

    def _visible_to_enterprise(self, user):
        return self.filter(enterprise_id=user.enterprise_id)

    def _visible_to_steward(self, user):
        return self.filter(steward__user=user)

    def _visible_to_workstation_head(self, user):
        return self.filter(Q(enterprise__workstation_id=user.workstation_id)
                           | Q(steward__workstation_id=user.workstation_id))


class StewardAssignment(models.Model):
    """Who serves an enterprise, from when to when, and why it ended. Rows are never deleted:
    ending an assignment sets ``ended_at``; the database allows one open row per enterprise."""

    class EndReason(models.TextChoices):
        REASSIGNED = "reassigned", _("reassigned by the workstation head")
        UNSATISFIED = "unsatisfied", _("rated unsatisfied")
        STEWARD_LEFT = "steward_left", _("steward left the post")
        ENTERPRISE_LEFT = "enterprise_left", _("enterprise left the zone")
        INTERIM_ENDED = "interim_ended", _("interim service ended: a steward was named")

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT,
        related_name="steward_assignments",
    )
    steward = models.ForeignKey(
        Steward, verbose_name=_("steward"), on_delete=models.PROTECT, related_name="assignments"
    )
    started_at = models.DateTimeField(_("from"), default=timezone.now)
    ended_at = models.DateTimeField(_("to"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=20, choices=EndReason.choices, blank=True)
    end_note = models.CharField(_("note"), max_length=200, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    # The workstation head serving the enterprise in the meantime (a steward rated unsatisfied
    # came off at once, its replacement is not named yet: DESIGN.md rule 4, "unconditional").
    interim = models.BooleanField(_("interim (workstation head)"), default=False)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("steward assignment")
        verbose_name_plural = _("steward assignments")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise"], condition=Q(ended_at__isnull=True),
                name="one_active_steward_per_enterprise",
                violation_error_message=_(
                    "This enterprise already has an active steward: end that assignment first "
                    "(or use “assign steward”, which does both)."
                ),
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="assignment_ends_after_start",
                violation_error_message=_("An assignment cannot end before it starts."),
            ),
        ]
        indexes = [
            models.Index(fields=["steward"], condition=Q(ended_at__isnull=True), name="assignment_active_idx"),
        ]

    def __str__(self):
        return f"{self.steward} → {self.enterprise}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class AssignmentBarQuerySet(ScopedQuerySet):
    def in_force(self):
        return self.filter(lifted_at__isnull=True)

    def _visible_to_steward(self, user):
        return self.filter(steward__user=user)

    def _visible_to_workstation_head(self, user):
        return self.filter(Q(enterprise__workstation_id=user.workstation_id)
                           | Q(steward__workstation_id=user.workstation_id))


class AssignmentBar(models.Model):
    """DESIGN.md rule 4: a steward an enterprise rated unsatisfied may not serve that enterprise
    again in the same year, as its steward or as a project steward of its projects, unless a
    leader lifts the bar. The bar is stewards' data so that every assignment asks one question
    here (``services.steward_assignment_check``); the evaluations app writes it when a campaign
    closes (one bar per unsatisfied rating) and lifts it when a leader allows a steward back on
    a replacement case. Rows are never deleted: a lift keeps who lifted it and why."""

    steward = models.ForeignKey(
        Steward, verbose_name=_("steward"), on_delete=models.PROTECT, related_name="assignment_bars"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    # What raised the bar (e.g. "evaluations.rating:12"): adding the same bar twice adds one row.
    source = models.CharField(_("source"), max_length=100)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("lifted by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    lift_reason = models.TextField(_("why it was lifted"), blank=True)
    # What lifted it (e.g. "evaluations.replacementcase:3"), so that lift can be taken back.
    lift_source = models.CharField(_("lifted through"), max_length=100, blank=True)

    objects = AssignmentBarQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment bar")
        verbose_name_plural = _("assignment bars")
        ordering = ["-year", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source"], name="assignment_bar_one_per_source"),
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=True) | ~Q(lift_reason=""), name="assignment_bar_lift_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["enterprise", "steward", "year"], condition=Q(lifted_at__isnull=True),
                         name="assignment_bar_in_force_idx"),
        ]

    def __str__(self):
        return f"{self.steward} ✕ {self.enterprise} ({self.year})"

    @property
    def is_in_force(self) -> bool:
        return self.lifted_at is None


# ---------------------------------------------------------------------------------------------
# Service requests (诉求) and what hangs off them
# ---------------------------------------------------------------------------------------------


def _read_steward_scope(user) -> None:
    """A steward's two scope lists in one round trip, kept on the user object (so once per web
    request): the enterprises it serves now, and the requests it handed over as their steward
    (it did the work before, it keeps reading what it did)."""
    served = (StewardAssignment.objects.active().filter(steward__user=user).order_by()
              .values_list(models.Value(0), "enterprise_id"))
    handed = (RequestHandover.objects.filter(from_steward__user=user).order_by()
              .values_list(models.Value(1), "request_id"))
    lists: tuple[dict, dict] = ({}, {})  # ordered sets: a request handed over twice is listed once
    for part, pk in served.union(handed, all=True):
        lists[part][pk] = None
    # The enterprises app scopes a steward's enterprises by this list once it is read
    # (``EnterpriseQuerySet._visible_to_steward``).
    user._served_enterprise_ids, user._handed_over_request_ids = list(lists[0]), list(lists[1])


def served_enterprise_ids(user) -> list[int]:
    """The enterprises a steward serves now. Read once per user object, that is once per web
    request: a page scopes several lists by it."""
    if getattr(user, "_served_enterprise_ids", None) is None:
        _read_steward_scope(user)
    return user._served_enterprise_ids


def handed_over_request_ids(user) -> list[int]:
    """The requests ``user`` handed over as their steward (read once per user object)."""
    if getattr(user, "_handed_over_request_ids", None) is None:
        _read_steward_scope(user)
    return user._handed_over_request_ids


def workstation_enterprise_ids(user) -> list[int]:
    """The enterprises of a workstation head's workstation, read once per user object (once per
    web request). "enterprise IN (...)" lets the database read those enterprises' requests by
    index; a join on the workstation makes it walk the whole zone's requests in date order."""
    ids = getattr(user, "_workstation_enterprise_ids", None)
    if ids is None:
        from enterprises.models import Enterprise

        ids = user._workstation_enterprise_ids = list(
            Enterprise.objects.filter(workstation_id=user.workstation_id).order_by().values_list("pk", flat=True)
        )
    return ids


class ServiceRequestQuerySet(ScopedQuerySet):
    def _visible_to_enterprise(self, user):
        return self.filter(enterprise_id=user.enterprise_id)

    def _visible_to_steward(self, user):
        # The steward at the time keeps seeing its requests; the enterprise's current steward
        # sees the enterprise's whole history; a steward that handed a request over keeps reading
        # it (never acting: ``transitions.request_party``). The enterprises are read first (a
        # steward serves a handful): "steward = X OR enterprise IN (a, b, c)" is two index scans,
        # where the same condition with a subquery makes PostgreSQL read every request of the zone.
        own = Subquery(Steward.objects.filter(user=user).values("pk")[:1])
        condition = Q(steward_id=own) | Q(enterprise_id__in=served_enterprise_ids(user))
        handed = handed_over_request_ids(user)
        if handed:
            condition |= Q(pk__in=handed)
        return self.filter(condition)

    def _visible_to_workstation_head(self, user):
        return self.filter(enterprise_id__in=workstation_enterprise_ids(user))

    def _visible_to_department(self, user):
        # Only the requests behind escalations sent to it, read-only.
        return self.filter(
            Exists(Escalation.objects.filter(request=OuterRef("pk"), department_id=user.department_id))
        )

    def open(self):
        return self.exclude(status=ServiceRequest.Status.CLOSED)

    def needing_attention(self, value: str, now=None):
        """The "needs attention" filter of the request list (``attention=``), also what the
        dashboards count under its link: not yet accepted, acceptance overdue, not closed."""
        if value == "unaccepted":
            return self.filter(status=ServiceRequest.Status.SUBMITTED)
        if value == "late":
            return self.filter(status=ServiceRequest.Status.SUBMITTED, accept_due_at__lte=now or timezone.now())
        if value == "open":
            return self.open()
        return self


class ServiceRequest(models.Model):
    """A request from an enterprise (诉求): "有困难，找管家".

    Life: submitted → accepted (by the steward, due within ``ZONEHUB_ACCEPT_WORKING_DAYS``) →
    escalated (to one or more departments, each an :class:`Escalation` with its own clock) →
    reported (the steward reported back; or directly after accepting when the steward solved it
    itself) → closed (confirmed by the enterprise, or automatically
    ``ZONEHUB_AUTO_CLOSE_WORKING_DAYS`` after the report). A reopened request goes back to the
    steward (status ``reopened``) and follows the same path again. Rows are never deleted.
    """

    class Category(models.TextChoices):
        APPROVAL = "approval", _("government approvals and permits")
        FACTORS = "factors", _("production factors")
        POLICY = "policy", _("policy and subsidies")
        TALENT = "talent", _("hiring and talent")
        QUALIFICATION = "qualification", _("qualifications and honours")
        INFRASTRUCTURE = "infrastructure", _("infrastructure")
        LIVING = "living", _("living services")
        OTHER = "other", _("other")

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("normal")
        URGENT = "urgent", _("urgent")

    class Channel(models.TextChoices):
        WEB = "web", _("web form")
        PHONE = "phone", _("phone")
        VISIT = "visit", _("visit")
        COMPLAINT_MEETING = "complaint_meeting", _("complaint meeting")
        # A project steward's blocker (issue 16: approval stuck, power, road opening), raised for
        # the project's investor enterprise and escalated on the same clock; the projects app
        # keeps which project (``projects.ProjectBlocker``).
        PROJECT = "project", _("project blocker")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        ACCEPTED = "accepted", _("accepted")
        ESCALATED = "escalated", _("escalated to departments")
        REPORTED = "reported", _("reported back")
        REOPENED = "reopened", _("reopened")
        CLOSED = "closed", _("closed")

    class CloseReason(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed by the enterprise")
        AUTO = "auto", _("closed automatically")

    # Neither foreign key has an index of its own: request_enterprise_idx and
    # request_steward_status_idx start with them (two indexes fewer to write on each submission).
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT,
        related_name="service_requests", db_index=False,
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.WEB)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    steward = models.ForeignKey(
        Steward, verbose_name=_("steward"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="service_requests", help_text=_("The enterprise's steward when the request came in."),
        db_index=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("submitted"), default=timezone.now)
    accept_due_at = models.DateTimeField(_("to be accepted before"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("accepted by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    accept_flagged_at = models.DateTimeField(
        _("late acceptance flagged"), null=True, blank=True,
        help_text=_("When the workstation head was told the request was not accepted in time."),
    )
    resolved_directly = models.BooleanField(
        _("solved by the steward"), default=False, help_text=_("Solved by the steward without a department."),
    )
    reported_at = models.DateTimeField(_("reported back"), null=True, blank=True)
    report = models.TextField(_("report to the enterprise"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reported by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    auto_close_due_at = models.DateTimeField(_("closes automatically at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    close_reason = models.CharField(_("how it was closed"), max_length=10, choices=CloseReason.choices, blank=True)
    visit = models.ForeignKey(
        "stewards.Visit", verbose_name=_("visit"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="service_requests", help_text=_("The visit whose finding became this request."),
    )

    objects = ServiceRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["enterprise", "-created_at"], name="request_enterprise_idx"),
            # The lists' order: a page is read off the index (filters are checked on the way).
            models.Index(fields=["-created_at", "-id"], name="request_created_idx"),
            models.Index(fields=["steward", "status"], name="request_steward_status_idx"),
            # What the sweep looks for, and nothing else: cost grows with what is due.
            models.Index(
                fields=["accept_due_at"], name="request_accept_due_idx",
                condition=Q(status="submitted", accept_flagged_at__isnull=True),
            ),
            models.Index(
                fields=["auto_close_due_at"], name="request_auto_close_due_idx", condition=Q(status="reported"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False), name="request_closed_has_time",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.title}"

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


def attachment_upload_to(instance, filename):
    # Never the user's file name on disk: it is kept in ``original_name`` instead.
    ext = os.path.splitext(filename)[1].lower()[:10]
    now = timezone.now()
    return f"requests/{now:%Y/%m}/{uuid.uuid4().hex}{ext}"


class _ThroughRequestQuerySet(ScopedQuerySet):
    """Rows that belong to a request are visible exactly when their request is."""

    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_everything:
            return self.all()
        return self.filter(request__in=ServiceRequest.objects.visible_to(user).values("pk"))


class RequestAttachment(models.Model):
    """A file attached to a request. Stored under MEDIA_ROOT and served only by a view that
    checks the user's scope (MEDIA_URL is None). Type and size are checked by
    ``stewards.services.attachment_validate`` (extension and content)."""

    request = models.ForeignKey(
        ServiceRequest, verbose_name=_("service request"), on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    objects = _ThroughRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name


class RequestComment(models.Model):
    """A message between the steward and the enterprise about a request (also shown on the
    timeline as an event)."""

    request = models.ForeignKey(
        ServiceRequest, verbose_name=_("service request"), on_delete=models.PROTECT, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    objects = _ThroughRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.body[:50]


class RequestHandover(models.Model):
    """An unfinished request handed from one steward to the next when the enterprise's steward
    changed (``services.steward_assign`` / ``steward_unassign``), one row per request and change.
    The old steward keeps reading the request through these rows; it no longer acts on it.
    ``to_steward`` is empty when the enterprise was left without a steward (its head holds it)."""

    request = models.ForeignKey(
        "stewards.ServiceRequest", verbose_name=_("service request"), on_delete=models.PROTECT,
        related_name="handovers",
    )
    from_steward = models.ForeignKey(
        Steward, verbose_name=_("handed over by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    to_steward = models.ForeignKey(
        Steward, verbose_name=_("handed over to"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    handed_at = models.DateTimeField(_("handed over"), default=timezone.now)
    handed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )

    objects = _ThroughRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("hand-over")
        verbose_name_plural = _("hand-overs")
        ordering = ["handed_at", "id"]
        indexes = [models.Index(fields=["from_steward"], name="handover_from_idx")]

    def __str__(self):
        return f"{self.request_id}: {self.from_steward} → {self.to_steward}"


class EscalationQuerySet(ScopedQuerySet):
    def _visible_to_enterprise(self, user):
        # The enterprise sees which bureau holds its request.
        return self.filter(request__enterprise_id=user.enterprise_id)

    def _visible_to_steward(self, user):
        # The requests it sees as a steward only: a department user serving too (issue 16) must not
        # read its peers' escalations of a request its department holds.
        return self.filter(request__in=ServiceRequest.objects.visible_as(user, "steward").values("pk"))

    def _visible_to_workstation_head(self, user):
        return self.filter(request__enterprise_id__in=workstation_enterprise_ids(user))

    def _visible_to_department(self, user):
        return self.filter(department_id=user.department_id)

    def open(self):
        return self.filter(status__in=Escalation.OPEN_STATUSES)

    def by_deadline(self, value: str, now=None):
        """The escalation list's "deadline" filter (``deadline=``), also what the dashboards count
        under its link: overdue now, due by the end of today, waiting for a reply, answered."""
        now = now or timezone.now()
        if value == "overdue":
            return self.overdue(now)
        if value == "due_today":
            from zonehub.workdays import local_date, start_of_day

            end_of_today = start_of_day(local_date(now) + dt.timedelta(days=1))
            return self.filter(status=Escalation.Status.OPEN, clock_stopped_at__isnull=True,
                               due_at__gt=now, due_at__lte=end_of_today)
        if value == "open":
            return self.open()
        if value == "done":
            return self.filter(status__in=Escalation.DONE_STATUSES)
        return self

    def clock_running(self):
        return self.filter(clock_stopped_at__isnull=True)

    def overdue(self, now=None):
        """Overdue at ``now`` (default: now), by the one definition: ``Escalation.overdue_q``."""
        return self.filter(Escalation.overdue_q(now or timezone.now()))

    def reply_decided(self, now=None):
        """Whether the reply came on time is known at ``now``: the clock stopped, or the deadline
        passed. The steward appraisal's denominator; its numerator is ``answered_on_time`` of
        these very rows (so never above 100%)."""
        return self.filter(Q(clock_stopped_at__isnull=False) | Q(due_at__lte=now or timezone.now()))

    def due_in_year(self, year: int):
        """Reply period ending in ``year`` (``due_at`` is 00:00 Beijing time after the last day)."""
        from zonehub.workdays import start_of_day

        return self.filter(due_at__gt=start_of_day(dt.date(year, 1, 1)), due_at__lte=start_of_day(dt.date(year + 1, 1, 1)))


class Escalation(models.Model):
    """One request sent to one department (吹哨), with its own clock (DESIGN.md rule 1).

    ``due_at`` is the exclusive deadline (00:00 Asia/Shanghai after the last working day): the
    department answers on time iff it answers strictly before it. The reply clock stops at the
    first of: a reply, marking it "needs joint consultation" (需会商, after which a progress report
    is due every ``ZONEHUB_REPLY_WORKING_DAYS`` working days until it is concluded), or returning
    it as not the department's business. ``clock_stopped_at`` and ``answered_on_time`` record
    that moment and whether it beat ``due_at``; ``overdue_at`` is set exactly once by the sweep
    when ``due_at`` passed with the clock still running.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("awaiting reply")
        CONSULTATION = "consultation", _("under joint consultation")
        REPLIED = "replied", _("replied")
        CONCLUDED = "concluded", _("concluded")
        RETURNED = "returned", _("returned to the steward")

    OPEN_STATUSES = (Status.OPEN, Status.CONSULTATION)
    DONE_STATUSES = (Status.REPLIED, Status.CONCLUDED, Status.RETURNED)

    request = models.ForeignKey(
        ServiceRequest, verbose_name=_("service request"), on_delete=models.PROTECT, related_name="escalations"
    )
    department = models.ForeignKey(
        "zonehub.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="escalations"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("escalated at"), default=timezone.now)
    reason = models.TextField(_("reason"))
    due_at = models.DateTimeField(_("reply due before"))
    remind_at = models.DateTimeField(_("reminder at"))
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("marked overdue"), null=True, blank=True)
    clock_stopped_at = models.DateTimeField(_("clock stopped"), null=True, blank=True)
    answered_on_time = models.BooleanField(
        _("answered on time"), null=True, blank=True,
        help_text=_("Set when the clock stops (reply, consultation or return): before the deadline or not."),
    )
    # Joint consultation (需会商)
    needs_consultation = models.BooleanField(_("needs joint consultation"), default=False)
    consultation_reason = models.TextField(_("why joint consultation is needed"), blank=True)
    consultation_marked_at = models.DateTimeField(_("marked for joint consultation"), null=True, blank=True)
    next_progress_due_at = models.DateTimeField(_("next progress report due before"), null=True, blank=True)
    progress_overdue_count = models.PositiveSmallIntegerField(_("progress reports missed"), default=0)
    last_progress_overdue_at = models.DateTimeField(_("last progress report missed"), null=True, blank=True)
    concluded_at = models.DateTimeField(_("concluded"), null=True, blank=True)
    conclusion = models.TextField(_("conclusion"), blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("concluded by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    # Reply (答复)
    replied_at = models.DateTimeField(_("replied"), null=True, blank=True)
    reply = models.TextField(_("reply"), blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("replied by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    # Returned as not the department's business
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    return_reason = models.TextField(_("why it was returned"), blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("returned by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )

    objects = EscalationQuerySet.as_manager()

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "department"], condition=Q(status__in=["open", "consultation"]),
                name="escalation_one_open_per_department",
                violation_error_message=_("This department already holds an open escalation of this request."),
            ),
        ]
        indexes = [
            models.Index(fields=["department", "status"], name="escalation_dept_status_idx"),
            models.Index(fields=["-sent_at", "-id"], name="escalation_sent_idx"),
            # The sweep's three queries, each on a partial index of the rows it may act on.
            models.Index(
                fields=["remind_at"], name="escalation_remind_due_idx",
                condition=Q(clock_stopped_at__isnull=True, reminded_at__isnull=True, overdue_at__isnull=True),
            ),
            models.Index(
                fields=["due_at"], name="escalation_overdue_due_idx",
                condition=Q(clock_stopped_at__isnull=True, overdue_at__isnull=True),
            ),
            models.Index(
                fields=["next_progress_due_at"], name="escalation_progress_due_idx",
                condition=Q(status="consultation"),
            ),
            # "Overdue now" (``overdue_q``) for the lists and dashboards: its two arms are this
            # index and the one above, so nothing is read but the running escalations.
            models.Index(fields=["due_at"], name="escalation_running_due_idx", condition=Q(clock_stopped_at__isnull=True)),
        ]

    def __str__(self):
        return f"{self.request} → {self.department}"

    @staticmethod
    def overdue_q(now) -> Q:
        """The one definition of "overdue" (DESIGN.md rule 1): at ``now`` the reply deadline has
        passed (``due_at`` is exclusive) and the clock still runs — no reply, no joint
        consultation, no return — or the department asked for joint consultation only after the
        deadline (issue 13: a late 需会商 does not lift the overdue mark; it stays overdue until
        concluded). The sweep stamps ``overdue_at`` once on such a row (the grades count that
        stamp; a late consultation stamps it at once); the inbox, the escalation list and the
        dashboards filter with this."""
        return (Q(clock_stopped_at__isnull=True, due_at__lte=now)
                | Q(status=Escalation.Status.CONSULTATION, answered_on_time=False, clock_stopped_at__lte=now))

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        """``overdue_q`` for this row, now."""
        if self.status == self.Status.CONSULTATION and self.answered_on_time is False:
            return True
        return self.clock_stopped_at is None and self.due_at <= timezone.now()


class EscalationProgressQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_everything:
            return self.all()
        return self.filter(escalation__in=Escalation.objects.visible_to(user).values("pk"))


class EscalationProgress(models.Model):
    """A progress report on an escalation under joint consultation."""

    escalation = models.ForeignKey(
        Escalation, verbose_name=_("escalation"), on_delete=models.PROTECT, related_name="progress_reports"
    )
    text = models.TextField(_("progress"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reported by"), on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(_("reported"), default=timezone.now)
    was_due_at = models.DateTimeField(_("was due before"), null=True, blank=True)
    on_time = models.BooleanField(_("reported on time"), default=True)

    objects = EscalationProgressQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["reported_at", "id"]

    def __str__(self):
        return self.text[:50]


class VisitQuerySet(ScopedQuerySet):
    def _visible_to_enterprise(self, user):
        return self.filter(enterprise_id=user.enterprise_id)

    def _visible_to_steward(self, user):
        return self.filter(steward__user=user)

    def _visible_to_workstation_head(self, user):
        return self.filter(Q(enterprise__workstation_id=user.workstation_id)
                           | Q(steward__workstation_id=user.workstation_id))


class Visit(models.Model):
    """A steward's visit to an enterprise (走访). Findings may become requests
    (``ServiceRequest.visit``)."""

    steward = models.ForeignKey(Steward, verbose_name=_("steward"), on_delete=models.PROTECT, related_name="visits")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="visits"
    )
    visited_on = models.DateField(_("visit date"))
    findings = models.TextField(_("findings"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("logged by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("logged"), default=timezone.now)

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["enterprise", "-visited_on"], name="visit_enterprise_idx")]

    def __str__(self):
        return f"{self.enterprise} {self.visited_on}"


class DirectLineQuerySet(ScopedQuerySet):
    def _visible_to_steward(self, user):
        return self.filter(raised_by=user)

    def _visible_to_workstation_head(self, user):
        return self.filter(workstation_id=user.workstation_id)

    def waiting(self):
        return self.filter(status=DirectLine.Status.OPEN)


class DirectLine(models.Model):
    """一键直达 (issue 16): a steward raises a request, or one of its escalations, straight to the
    head of the workstation with a note. The head sees it on top of the home page until acting on
    it: acknowledged, taken over (the head handles it from now on), or answered. Each step is on
    the request's timeline. One open item per request."""

    class Status(models.TextChoices):
        OPEN = "open", _("waiting for the head")
        ACKNOWLEDGED = "acknowledged", _("acknowledged by the head")
        TAKEN_OVER = "taken_over", _("taken over by the head")
        ANSWERED = "answered", _("answered by the head")

    request = models.ForeignKey(
        ServiceRequest, verbose_name=_("service request"), on_delete=models.PROTECT, related_name="direct_lines"
    )
    escalation = models.ForeignKey(
        "stewards.Escalation", verbose_name=_("escalation"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="direct_lines",
    )
    workstation = models.ForeignKey(
        "zonehub.Workstation", verbose_name=_("workstation"), on_delete=models.PROTECT, related_name="+",
    )
    note = models.TextField(_("note to the head"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("raised by"), on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(_("raised"), default=timezone.now)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("acted on by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    acted_at = models.DateTimeField(_("acted on"), null=True, blank=True)
    answer = models.TextField(_("the head's answer"), blank=True)

    objects = DirectLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("direct line to the head")
        verbose_name_plural = _("direct lines to the head")
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["request"], condition=Q(status="open"), name="direct_line_one_open",
                                    violation_error_message=_("This request is already waiting for the head.")),
            models.CheckConstraint(condition=Q(status="open") | Q(acted_at__isnull=False),
                                   name="direct_line_acted_has_time"),
        ]
        indexes = [models.Index(fields=["workstation", "-raised_at"], condition=Q(status="open"),
                                name="direct_line_waiting_idx")]

    def __str__(self):
        return f"{self.request} ⇒ {self.workstation}"


class LedgerItemQuerySet(ScopedQuerySet):
    def _visible_to_department(self, user):
        return self.filter(Q(status=LedgerItem.Status.UNASSIGNED) | Q(department_id=user.department_id))

    def _visible_to_steward(self, user):
        return self.filter(
            Exists(StewardAssignment.objects.active().filter(enterprise=OuterRef("enterprise"), steward__user=user))
        )

    def _visible_to_workstation_head(self, user):
        return self.filter(enterprise__workstation_id=user.workstation_id)


class LedgerItem(models.Model):
    """An item raised at a complaint meeting (吐槽大会), recorded by a leader on the ledger (台账).

    Dispatching it to a department, or a department claiming it (认领), creates a request
    (channel "complaint meeting") and an escalation to that department with the usual clock;
    ``request`` links the two.
    """

    class Status(models.TextChoices):
        UNASSIGNED = "unassigned", _("awaiting a department")
        DISPATCHED = "dispatched", _("dispatched")
        CLAIMED = "claimed", _("claimed")

    enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="ledger_items"
    )
    category = models.CharField(
        _("category"), max_length=20, choices=ServiceRequest.Category.choices, default=ServiceRequest.Category.OTHER
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    meeting_date = models.DateField(_("meeting date"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.UNASSIGNED)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    department = models.ForeignKey(
        "zonehub.Department", verbose_name=_("responsible department"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="ledger_items",
    )
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("dispatched by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("claimant"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    request = models.OneToOneField(
        ServiceRequest, verbose_name=_("service request"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="ledger_item",
    )

    objects = LedgerItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger item")
        verbose_name_plural = _("ledger items")
        ordering = ["-meeting_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="unassigned") | Q(department__isnull=False),
                name="ledger_item_assigned_has_department",
            ),
        ]

    def __str__(self):
        return self.title


class DepartmentReplyMonth(models.Model):
    """The leader's on-time chart, rolled up: per department and whole month (Beijing time), the
    escalations whose reply was due in the month and are decided (answered, or marked overdue),
    and how many of those were answered on time; the row without a department is the zone's total,
    and says the month was counted (a month may have no replies at all). A month that has ended
    hardly changes, so the rows are refreshed nightly for the chart's months
    (``services.reply_months_refresh``) instead of counting half a year of escalations on every
    view; a month not counted yet is counted live."""

    department = models.ForeignKey("zonehub.Department", verbose_name=_("department"), on_delete=models.CASCADE,
                                   related_name="+", null=True, blank=True)
    month = models.DateField(_("month"))
    decided = models.PositiveIntegerField(_("replies due or given"))
    on_time = models.PositiveIntegerField(_("answered on time"))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("department reply month")
        verbose_name_plural = _("department reply months")
        constraints = [
            models.UniqueConstraint(fields=["month", "department"], name="reply_month_unique",
                                    condition=models.Q(department__isnull=False)),
            models.UniqueConstraint(fields=["month"], name="reply_month_total_unique",
                                    condition=models.Q(department__isnull=True)),
        ]

    def __str__(self):
        return f"{self.department_id} {self.month:%Y-%m}: {self.on_time}/{self.decided}"

