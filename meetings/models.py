"""Meetings (会议召集), the workstation heads' joint meeting (联席会), their minutes and decisions on
the working-day clock, and formal chase-ups (督办) — seed 004's steward powers (issue 16).

- ``Meeting``: convened by a steward, a workstation head or a leader about one or more requests,
  escalations or projects (its ``AgendaItem`` rows); a time and a place, or an on-site office
  (现场办公) at an enterprise; the departments (``Invitation``), enterprises and workstation heads
  invited. Life: draft (a joint meeting's agenda, drafted monthly by beat) → scheduled → held
  (minutes recorded) or cancelled. The notice and the minutes each get a document number per
  year (``DocumentCounter``).
- ``Invitation``: one department invited, confirming who attends or declining with a reason;
  reminded once if it has not answered by the morning of the working day before.
- ``JointFlag``: a steward flags a request (or one of its escalations) as crossing workstations or
  departments: it goes on the next joint meeting's agenda. Stewards' own data is left alone.
- ``Decision``: what the minutes decided, owned by a department (or a steward), due in working
  days on the shared calendar (``due_at`` exclusive, as escalations), linked to its request or
  project; reminded on its last working day and marked overdue once by the deadline sweep; closed
  with evidence.
- ``SupervisionNotice``: a formal chase-up (督办通知书) on a late or at-risk escalation or
  decision, numbered per year (督办〔2026〕12号); the second on the same item also goes to the
  leaders.

Every model has a ``ScopedQuerySet``; all writes go through ``meetings.services``; nothing is
deleted.
"""

from __future__ import annotations

import os
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stewards.models import ServiceRequest, workstation_enterprise_ids
from zonehub.scoping import ScopedQuerySet

# The document series and how their numbers read (GB/T 9704: 发文字号 = 机关代字〔年份〕序号号).
SERIES_PREFIX = {"notice": "会通", "minutes": "纪要", "supervision": "督办"}


def document_code(series: str, year: int | None, number: int | None) -> str:
    """督办〔2026〕12号; "" before a number is given."""
    if not year or not number:
        return ""
    return f"{SERIES_PREFIX[series]}〔{year}〕{number}号"


class DocumentCounter(models.Model):
    """The last number given in a series (notice, minutes, supervision) in a year: the next one is
    taken by an UPDATE ... SET last = last + 1 on this row, which concurrent issuers queue on."""

    series = models.CharField(_("series"), max_length=20)
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("document counter")
        verbose_name_plural = _("document counters")
        constraints = [models.UniqueConstraint(fields=["series", "year"], name="document_counter_unique")]

    def __str__(self):
        return f"{self.series} {self.year}: {self.last}"


def _requests_visible(user):
    return ServiceRequest.objects.visible_to(user).values("pk")


class MeetingQuerySet(ScopedQuerySet):
    # Enterprises: the meetings about their requests, and those they are invited to (not drafts).
    def _visible_to_enterprise(self, user):
        about = AgendaItem.objects.filter(meeting=OuterRef("pk"), request__enterprise_id=user.enterprise_id)
        invited = Meeting.enterprises.through.objects.filter(meeting=OuterRef("pk"), enterprise_id=user.enterprise_id)
        return self.exclude(status=Meeting.Status.DRAFT).filter(Exists(about) | Exists(invited))

    # Stewards: what they convened, the meetings about requests they see, and those that gave them
    # a decision to carry out.
    def _visible_to_steward(self, user):
        about = AgendaItem.objects.filter(meeting=OuterRef("pk"), request__in=_requests_visible(user))
        owns = Decision.objects.filter(meeting=OuterRef("pk"), steward__user=user)
        return self.exclude(status=Meeting.Status.DRAFT).filter(Q(convened_by=user) | Exists(about) | Exists(owns))

    # Heads: their workstation's meetings, every joint meeting (they sit on it), those they are
    # invited to, and those about their workstation's requests.
    def _visible_to_workstation_head(self, user):
        about = AgendaItem.objects.filter(meeting=OuterRef("pk"),
                                          request__enterprise_id__in=workstation_enterprise_ids(user))
        invited = Meeting.heads.through.objects.filter(meeting=OuterRef("pk"), user_id=user.pk)
        return self.filter(Q(workstation_id=user.workstation_id) | Q(kind=Meeting.Kind.JOINT) | Q(convened_by=user)
                           | Exists(invited) | Exists(about))

    # Departments: the meetings they were invited to (and those that gave them a decision).
    def _visible_to_department(self, user):
        invited = Invitation.objects.filter(meeting=OuterRef("pk"), department_id=user.department_id)
        owns = Decision.objects.filter(meeting=OuterRef("pk"), department_id=user.department_id)
        return self.exclude(status=Meeting.Status.DRAFT).filter(Exists(invited) | Exists(owns))


class Meeting(models.Model):
    class Kind(models.TextChoices):
        ORDINARY = "ordinary", _("coordination meeting")
        JOINT = "joint", _("joint meeting of workstation heads")

    class Status(models.TextChoices):
        DRAFT = "draft", _("agenda drafted")
        SCHEDULED = "scheduled", _("scheduled")
        HELD = "held", _("held")
        CANCELLED = "cancelled", _("cancelled")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ORDINARY)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    title = models.CharField(_("title"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True)
    starts_at = models.DateTimeField(_("time"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    on_site = models.BooleanField(_("on-site office at the enterprise"), default=False)
    site_enterprise = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("enterprise visited"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    # The month of a monthly joint meeting (its first day); empty for one held on demand.
    month = models.DateField(_("month"), null=True, blank=True)
    workstation = models.ForeignKey(
        "zonehub.Workstation", verbose_name=_("workstation"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="meetings",
    )
    convened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("convened by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    convened_at = models.DateTimeField(_("convened"), null=True, blank=True)
    enterprises = models.ManyToManyField("enterprises.Enterprise", verbose_name=_("enterprises invited"), blank=True,
                                         related_name="meetings_invited")
    heads = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("workstation heads invited"), blank=True,
                                   related_name="meetings_invited")
    notice_year = models.PositiveSmallIntegerField(_("notice year"), null=True, blank=True)
    notice_number = models.PositiveIntegerField(_("notice number"), null=True, blank=True)
    minutes_year = models.PositiveSmallIntegerField(_("minutes year"), null=True, blank=True)
    minutes_number = models.PositiveIntegerField(_("minutes number"), null=True, blank=True)
    attendees = models.TextField(_("attendees"), blank=True)
    summary = models.TextField(_("minutes"), blank=True)
    minutes_at = models.DateTimeField(_("minutes recorded"), null=True, blank=True)
    minutes_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("minutes recorded by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.TextField(_("why it was cancelled"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-id"]
        constraints = [
            # One monthly joint meeting per month: the beat task that drafts it may run twice.
            models.UniqueConstraint(fields=["month"], condition=Q(kind="joint", month__isnull=False),
                                    name="meeting_one_joint_per_month"),
            models.UniqueConstraint(fields=["notice_year", "notice_number"], condition=Q(notice_number__isnull=False),
                                    name="meeting_notice_number_unique"),
            models.UniqueConstraint(fields=["minutes_year", "minutes_number"],
                                    condition=Q(minutes_number__isnull=False), name="meeting_minutes_number_unique"),
            models.CheckConstraint(condition=Q(status="draft") | Q(starts_at__isnull=False),
                                   name="meeting_scheduled_has_time"),
        ]
        indexes = [models.Index(fields=["status", "starts_at"], name="meeting_status_time_idx")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("meetings:detail", args=[self.pk])

    @property
    def notice_code(self) -> str:
        return document_code("notice", self.notice_year, self.notice_number)

    @property
    def minutes_code(self) -> str:
        return document_code("minutes", self.minutes_year, self.minutes_number)

    @property
    def is_joint(self) -> bool:
        return self.kind == self.Kind.JOINT

    @property
    def where(self) -> str:
        if self.on_site and self.site_enterprise_id:
            return _("on-site office at %(enterprise)s") % {"enterprise": self.site_enterprise.name} + (
                f"（{self.place}）" if self.place else "")
        return self.place


class _ThroughMeetingQuerySet(ScopedQuerySet):
    """Rows of a meeting are visible exactly when their meeting is."""

    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_everything:
            return self.all()
        return self.filter(meeting__in=Meeting.objects.visible_to(user).values("pk"))


class JointFlagQuerySet(ScopedQuerySet):
    def _visible_to_steward(self, user):
        return self.filter(Q(flagged_by=user) | Q(request__in=_requests_visible(user)))

    def _visible_to_workstation_head(self, user):
        # Every head sits on the joint meeting: it reads every flag.
        return self.all()

    def open(self):
        return self.filter(meeting__isnull=True)


class JointFlag(models.Model):
    """A request (or one escalation of it) a steward flags as crossing workstations or departments:
    it goes on the agenda of the next joint meeting (``meeting``, set when an agenda takes it)."""

    request = models.ForeignKey("stewards.ServiceRequest", verbose_name=_("service request"), on_delete=models.PROTECT,
                                related_name="+")
    escalation = models.ForeignKey("stewards.Escalation", verbose_name=_("escalation"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("why it needs the joint meeting"))
    flagged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("flagged by"), on_delete=models.PROTECT,
                                   related_name="+")
    flagged_at = models.DateTimeField(_("flagged"), default=timezone.now)
    meeting = models.ForeignKey(Meeting, verbose_name=_("joint meeting"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="flags")

    objects = JointFlagQuerySet.as_manager()

    class Meta:
        verbose_name = _("flag for the joint meeting")
        verbose_name_plural = _("flags for the joint meeting")
        ordering = ["-flagged_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["request"], condition=Q(meeting__isnull=True), name="joint_flag_one_open",
                                    violation_error_message=_("This request is already flagged for the joint meeting.")),
        ]

    def __str__(self):
        return f"{self.request_id}: {self.reason[:40]}"


class AgendaItem(models.Model):
    """One thing a meeting is about: a request, an escalation (its request set too), or a project;
    where it came from (the convener, or what the joint meeting's agenda collects); what was said."""

    class Source(models.TextChoices):
        CONVENER = "convener", _("raised by the convener")
        FLAGGED = "flagged", _("flagged as crossing workstations or departments")
        CONSULTATION = "consultation", _("marked as needing joint consultation")
        OVERDUE = "overdue", _("overdue")
        REOPENED = "reopened", _("reopened twice or more")

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="items")
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    source = models.CharField(_("source"), max_length=15, choices=Source.choices, default=Source.CONVENER)
    title = models.CharField(_("item"), max_length=300)
    request = models.ForeignKey("stewards.ServiceRequest", verbose_name=_("service request"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="meeting_items")
    escalation = models.ForeignKey("stewards.Escalation", verbose_name=_("escalation"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="meeting_items")
    project = models.ForeignKey("projects.Project", verbose_name=_("major project"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="meeting_items")
    flag = models.ForeignKey(JointFlag, verbose_name=_("flag"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="items")
    discussion = models.TextField(_("discussion"), blank=True)

    objects = _ThroughMeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(request__isnull=False) | Q(project__isnull=False),
                                   name="agenda_item_has_subject"),
        ]

    def __str__(self):
        return self.title

    @property
    def subject_key(self) -> str:
        """"escalation:5", "request:12", "project:3": how the convene form names it."""
        if self.escalation_id:
            return f"escalation:{self.escalation_id}"
        if self.request_id:
            return f"request:{self.request_id}"
        return f"project:{self.project_id}"


class InvitationQuerySet(_ThroughMeetingQuerySet):
    def visible_to(self, user):
        if user is not None and user.is_authenticated and user.is_active and not user.sees_everything \
                and user.role == "department":
            return self.filter(department_id=user.department_id)
        return super().visible_to(user)

    def pending(self):
        return self.filter(status=Invitation.Status.PENDING)


class Invitation(models.Model):
    """One department invited to a meeting: it confirms who attends, or declines with a reason,
    before the meeting; reminded once (``reminded_at``) if it has not answered by ``remind_at``."""

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting an answer")
        CONFIRMED = "confirmed", _("attending")
        DECLINED = "declined", _("declined")

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="invitations")
    department = models.ForeignKey("zonehub.Department", verbose_name=_("department"), on_delete=models.PROTECT,
                                   related_name="meeting_invitations")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attendees = models.CharField(_("who attends"), max_length=300, blank=True)
    decline_reason = models.TextField(_("why it declines"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("answered by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    remind_at = models.DateTimeField(_("reminder at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    created_at = models.DateTimeField(_("invited"), default=timezone.now)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["meeting", "department__name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "department"], name="invitation_once_per_department"),
            models.CheckConstraint(condition=~Q(status="confirmed") | ~Q(attendees=""),
                                   name="invitation_confirmed_names_attendees"),
            models.CheckConstraint(condition=~Q(status="declined") | ~Q(decline_reason=""),
                                   name="invitation_declined_has_reason"),
        ]
        indexes = [
            # What the sweep's reminder looks for, and nothing else.
            models.Index(fields=["remind_at"], condition=Q(status="pending", reminded_at__isnull=True),
                         name="invitation_remind_due_idx"),
        ]

    def __str__(self):
        return f"{self.meeting} → {self.department}"


class DecisionQuerySet(ScopedQuerySet):
    def _visible_to_department(self, user):
        return self.filter(department_id=user.department_id)

    def _visible_to_steward(self, user):
        return self.filter(Q(steward__user=user) | Q(meeting__convened_by=user) | Q(request__in=_requests_visible(user)))

    def _visible_to_workstation_head(self, user):
        return self.filter(meeting__in=Meeting.objects.visible_to(user).values("pk"))

    def _visible_to_enterprise(self, user):
        return self.filter(request__enterprise_id=user.enterprise_id)

    def open(self):
        return self.filter(status=Decision.Status.OPEN)

    def overdue(self, now=None):
        """Open and past its deadline (``due_at`` is exclusive), whether or not the sweep came by."""
        return self.filter(status=Decision.Status.OPEN, due_at__lte=now or timezone.now())

    def due_in(self, start, end):
        """Due in [start, end): the period's exclusive end falls in (start, end] (as escalations)."""
        return self.filter(due_at__gt=start, due_at__lte=end)


def evidence_upload_to(instance, filename):
    # Never the user's file name on disk (kept in ``evidence_name``); served only through a view.
    ext = os.path.splitext(filename)[1].lower()[:10]
    return f"meetings/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{ext}"


class Decision(models.Model):
    """A decision of the minutes (会议议定事项): owned by a department (or a steward), due in
    ``working_days`` working days (``due_at``, exclusive), reminded on its last working day
    (``remind_at``/``reminded_at``), marked overdue once by the sweep (``overdue_at``), closed with
    evidence; ``closed_on_time`` says whether it beat ``due_at``."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="decisions")
    item = models.ForeignKey(AgendaItem, verbose_name=_("agenda item"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="decisions")
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    text = models.TextField(_("decision"))
    department = models.ForeignKey("zonehub.Department", verbose_name=_("responsible department"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="meeting_decisions")
    steward = models.ForeignKey("stewards.Steward", verbose_name=_("responsible steward"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="meeting_decisions")
    request = models.ForeignKey("stewards.ServiceRequest", verbose_name=_("service request"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="meeting_decisions")
    project = models.ForeignKey("projects.Project", verbose_name=_("major project"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="meeting_decisions")
    working_days = models.PositiveSmallIntegerField(_("working days"))
    created_at = models.DateTimeField(_("decided"), default=timezone.now)
    due_at = models.DateTimeField(_("due before"))
    remind_at = models.DateTimeField(_("reminder at"))
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("marked overdue"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("closed by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    closed_on_time = models.BooleanField(_("closed on time"), null=True, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    evidence_file = models.FileField(_("evidence file"), upload_to=evidence_upload_to, max_length=200, blank=True)
    evidence_name = models.CharField(_("file name"), max_length=200, blank=True)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting decision")
        verbose_name_plural = _("meeting decisions")
        ordering = ["due_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(department__isnull=False, steward__isnull=True)
                           | Q(department__isnull=True, steward__isnull=False)),
                name="decision_one_owner",
                violation_error_message=_("A decision is owned by one department or one steward."),
            ),
            models.CheckConstraint(condition=~Q(status="closed") | (Q(closed_at__isnull=False) & ~Q(evidence="")),
                                   name="decision_closed_has_evidence"),
        ]
        indexes = [
            models.Index(fields=["department", "status"], name="decision_dept_status_idx"),
            # The sweep's two queries, each on a partial index of the rows it may act on.
            models.Index(fields=["remind_at"], condition=Q(status="open", reminded_at__isnull=True,
                                                           overdue_at__isnull=True),
                         name="decision_remind_due_idx"),
            models.Index(fields=["due_at"], condition=Q(status="open", overdue_at__isnull=True),
                         name="decision_overdue_due_idx"),
        ]

    def __str__(self):
        return self.text[:60]

    def get_absolute_url(self):
        return reverse("meetings:decision_detail", args=[self.pk])

    @property
    def owner_name(self) -> str:
        if self.department_id:
            return self.department.name
        return self.steward.name if self.steward_id else ""

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_overdue(self) -> bool:
        return self.is_open and (self.overdue_at is not None or self.due_at <= timezone.now())


class SupervisionNoticeQuerySet(ScopedQuerySet):
    def _visible_to_department(self, user):
        return self.filter(department_id=user.department_id)

    def _visible_to_steward(self, user):
        return self.filter(Q(issued_by=user) | Q(request__in=_requests_visible(user)) | Q(decision__steward__user=user))

    def _visible_to_workstation_head(self, user):
        return self.filter(Q(issued_by=user) | Q(request__enterprise_id__in=workstation_enterprise_ids(user))
                           | Q(decision__meeting__in=Meeting.objects.visible_to(user).values("pk")))


class SupervisionNotice(models.Model):
    """A formal chase-up (督办通知书) on one escalation or one decision that is late or at risk,
    numbered per year; ``sequence`` counts the chase-ups of that item (the second and later also
    go to the leaders: ``leaders_told``). ``respond_by`` is the exclusive deadline it sets."""

    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    escalation = models.ForeignKey("stewards.Escalation", verbose_name=_("escalation"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="supervision_notices")
    decision = models.ForeignKey(Decision, verbose_name=_("meeting decision"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="supervision_notices")
    # The request the item belongs to (an escalation's, a decision's if any): its timeline shows it.
    request = models.ForeignKey("stewards.ServiceRequest", verbose_name=_("service request"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("zonehub.Department", verbose_name=_("department"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="supervision_notices")
    sequence = models.PositiveSmallIntegerField(_("chase-up no."), default=1)
    reason = models.TextField(_("what is required"))
    respond_by = models.DateTimeField(_("to be done before"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.PROTECT,
                                  related_name="+")
    issued_at = models.DateTimeField(_("issued"), default=timezone.now)
    leaders_told = models.BooleanField(_("leaders told"), default=False)

    objects = SupervisionNoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("chase-up notice")
        verbose_name_plural = _("chase-up notices")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="supervision_number_unique"),
            models.UniqueConstraint(fields=["escalation", "sequence"], condition=Q(escalation__isnull=False),
                                    name="supervision_escalation_sequence_unique"),
            models.UniqueConstraint(fields=["decision", "sequence"], condition=Q(decision__isnull=False),
                                    name="supervision_decision_sequence_unique"),
            models.CheckConstraint(
                condition=(Q(escalation__isnull=False, decision__isnull=True)
                           | Q(escalation__isnull=True, decision__isnull=False)),
                name="supervision_one_item"),
        ]
        indexes = [models.Index(fields=["department", "issued_at"], name="supervision_dept_issued_idx")]

    def __str__(self):
        return self.code

    def get_absolute_url(self):
        return reverse("meetings:notice_detail", args=[self.pk])

    @property
    def code(self) -> str:
        return document_code("supervision", self.year, self.number)

    @property
    def item_title(self) -> str:
        if self.escalation_id:
            return self.escalation.request.title
        return self.decision.text
