"""Major projects (重大项目) and the five-key task list (五重清单)."""

import os
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from projects.progress import STATUS_ORDER, Status
from zonehub.scoping import ScopedQuerySet

MONEY = {"max_digits": 14, "decimal_places": 2, "default": 0}


# --------------------------------------------------------------------------------------------
# Major projects
# --------------------------------------------------------------------------------------------


class Stage(models.TextChoices):
    NEGOTIATING = "negotiating", _("negotiating")
    SIGNED = "signed", _("signed")
    LAND = "land", _("land granted")
    CONSTRUCTION = "construction", _("under construction")
    COMPLETED = "completed", _("completed")
    PRODUCTION = "production", _("in production")


STAGE_ORDER = [s.value for s in Stage]
# The key date each stage sets when the project reaches it.
STAGE_DATE_FIELD = {
    Stage.SIGNED: "signed_on",
    Stage.LAND: "land_granted_on",
    Stage.CONSTRUCTION: "started_on",
    Stage.COMPLETED: "completed_on",
    Stage.PRODUCTION: "production_on",
}


class ProjectQuerySet(ScopedQuerySet):
    def _visible_to_department(self, user):
        return self.filter(
            Exists(Approval.objects.filter(project=OuterRef("pk"), department_id=user.department_id))
            | Exists(FiveKeyItem.objects.filter(project=OuterRef("pk")).filter(
                Q(responsible_unit_id=user.department_id) | Q(cooperating_units=user.department_id)))
        )

    # The projects a steward (or workstation) follows, as a list of ids read once: a correlated
    # EXISTS is tried on every project of the zone before the first 30 are found (SQLite).
    def _visible_to_steward(self, user):
        return self.filter(pk__in=ProjectStewardAssignment.objects.active().filter(
            steward__user=user).values("project_id"))

    def _visible_to_workstation_head(self, user):
        # Its stewards' projects, and those its enterprises invest in (a new one waits there for
        # its project steward, issue 16): the ids as a UNION of two indexed look-ups (steward →
        # assignment, enterprise → project), not an OR the planner can only answer by reading
        # every project and enterprise of the zone.
        stewarded = ProjectStewardAssignment.objects.active().filter(
            steward__workstation_id=user.workstation_id).order_by().values("project_id")
        invested = Project.objects.filter(investor__workstation_id=user.workstation_id).order_by().values("pk")
        return self.filter(pk__in=stewarded.union(invested, all=True))

    def without_steward(self):
        """No open project steward assignment (``has_steward``, kept by ``services``)."""
        return self.filter(has_steward=False)

    def _visible_to_enterprise(self, user):
        # An enterprise follows its own investment projects, nothing else.
        return self.filter(investor_id=user.enterprise_id) if user.enterprise_id else self.none()


class Project(models.Model):
    name = models.CharField(_("name"), max_length=150)
    investor = models.ForeignKey(
        "enterprises.Enterprise", verbose_name=_("investor enterprise"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="projects",
    )
    industry = models.ForeignKey(
        "enterprises.IndustryChain", verbose_name=_("industry chain"), on_delete=models.PROTECT,
        related_name="projects",
    )
    total_investment = models.DecimalField(_("total investment (10k yuan)"), **MONEY)
    planned_investment_this_year = models.DecimalField(_("planned investment this year (10k yuan)"), **MONEY)
    funds_in_place = models.DecimalField(_("funds in place (10k yuan)"), **MONEY)
    agreed_annual_output = models.DecimalField(_("agreed annual output (10k yuan)"), **MONEY)
    land_mu = models.DecimalField(_("land (mu)"), max_digits=10, decimal_places=2, default=0)
    floor_area = models.DecimalField(_("floor area (m²)"), max_digits=12, decimal_places=2, default=0)
    stage = models.CharField(_("stage"), max_length=15, choices=Stage.choices, default=Stage.NEGOTIATING)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    land_granted_on = models.DateField(_("land granted on"), null=True, blank=True)
    started_on = models.DateField(_("construction started on"), null=True, blank=True)
    completed_on = models.DateField(_("construction completed on"), null=True, blank=True)
    production_on = models.DateField(_("in production since"), null=True, blank=True)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_completion = models.DateField(_("planned completion"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Issue 16: every major project is served. Whether an open project steward assignment serves it
    # (kept by ``services``, like ``Enterprise.has_steward``); a new project must get one within
    # ZONEHUB_PROJECT_STEWARD_WORKING_DAYS working days (``steward_due_at``, exclusive, set when
    # it is added): reminded on its last working day, then marked overdue and told to the head.
    has_steward = models.BooleanField(_("has a project steward"), default=False, editable=False)
    steward_due_at = models.DateTimeField(_("project steward due before"), null=True, blank=True, editable=False)
    steward_reminded_at = models.DateTimeField(_("reminded of its project steward"), null=True, blank=True,
                                               editable=False)
    steward_overdue_at = models.DateTimeField(_("project steward overdue"), null=True, blank=True, editable=False)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("major project")
        verbose_name_plural = _("major projects")
        ordering = ["-created_at", "-id"]
        # Projects by stage (the leader's panel, the list's header) read this index, not the table.
        indexes = [
            models.Index(fields=["stage", "total_investment"], name="project_stage_investment_idx"),
            # The sweep's question, and nothing else: projects still waiting for their steward.
            models.Index(fields=["steward_due_at"], name="project_steward_due_idx",
                         condition=Q(has_steward=False, steward_overdue_at__isnull=True)),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("projects:project_detail", args=[self.pk])

    @property
    def stage_index(self) -> int:
        return STAGE_ORDER.index(self.stage)


class ProjectStageChange(models.Model):
    """One step of a project through its stages: the date it happened and who recorded it."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE,
                                related_name="stage_changes")
    from_stage = models.CharField(_("from"), max_length=15, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=15, choices=Stage.choices)
    changed_on = models.DateField(_("date"))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["changed_on", "id"]

    def __str__(self):
        return f"{self.project} {self.from_stage}→{self.to_stage}"


class ProjectStewardAssignmentQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(ended_at__isnull=True)


class ProjectStewardAssignment(models.Model):
    """The project steward (项目管家), with history: one open row per project."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="steward_assignments")
    steward = models.ForeignKey("stewards.Steward", verbose_name=_("steward"), on_delete=models.PROTECT,
                                related_name="project_assignments")
    started_at = models.DateTimeField(_("from"), default=timezone.now)
    ended_at = models.DateTimeField(_("to"), null=True, blank=True)
    end_note = models.CharField(_("note"), max_length=200, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assigned by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    objects = ProjectStewardAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("project steward assignment")
        verbose_name_plural = _("project steward assignments")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["project"], condition=Q(ended_at__isnull=True), name="one_active_steward_per_project",
                violation_error_message=_("This project already has an active project steward."),
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="project_assignment_ends_after_start",
                violation_error_message=_("An assignment cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.steward} → {self.project}"


class ProjectBlockerQuerySet(ScopedQuerySet):
    """A blocker is visible exactly when its request is (it is one)."""

    def visible_to(self, user):
        from stewards.models import ServiceRequest

        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_everything:
            return self.all()
        return self.filter(request__in=ServiceRequest.objects.visible_to(user).values("pk"))


class ProjectBlocker(models.Model):
    """A project's blocker (issue 16: 审批卡壳, 用电, 道路开口) raised by its project steward: a
    service request of the investor enterprise (channel "project blocker") escalated to the
    departments with the same services and on the same clock as any request. This row says which
    project it holds up."""

    class Kind(models.TextChoices):
        APPROVAL = "approval", _("approval stuck")
        POWER = "power", _("power supply")
        ROAD = "road", _("road opening")
        UTILITIES = "utilities", _("water, gas or steam")
        LAND = "land", _("land")
        OTHER = "other", _("other")

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="blockers")
    request = models.OneToOneField("stewards.ServiceRequest", verbose_name=_("service request"),
                                   on_delete=models.PROTECT, related_name="project_blocker")
    kind = models.CharField(_("kind of blocker"), max_length=12, choices=Kind.choices)
    approval = models.ForeignKey("projects.Approval", verbose_name=_("approval"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="blockers")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("raised by"), on_delete=models.PROTECT,
                                  related_name="+")
    raised_at = models.DateTimeField(_("raised"), default=timezone.now)

    objects = ProjectBlockerQuerySet.as_manager()

    class Meta:
        verbose_name = _("project blocker")
        verbose_name_plural = _("project blockers")
        ordering = ["-raised_at", "-id"]

    def __str__(self):
        return f"{self.project}: {self.get_kind_display()}"


class ConstructionNode(models.Model):
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE,
                                related_name="construction_nodes")
    name = models.CharField(_("name"), max_length=100)
    planned_date = models.DateField(_("planned date"))
    actual_date = models.DateField(_("actual date"), null=True, blank=True)

    class Meta:
        verbose_name = _("construction node")
        verbose_name_plural = _("construction nodes")
        ordering = ["planned_date", "id"]

    def __str__(self):
        return self.name


class ApprovalQuerySet(ScopedQuerySet):
    def _visible_to_department(self, user):
        return self.filter(project__in=Project.objects.visible_to(user))

    _visible_to_steward = _visible_to_department
    _visible_to_workstation_head = _visible_to_department
    _visible_to_enterprise = _visible_to_department


class Approval(models.Model):
    """One approval a project needs. They run in parallel (并联), each with its department."""

    class Kind(models.TextChoices):
        FILING = "filing", _("project filing")
        LAND_PLANNING = "land_planning", _("land-use planning permit")
        WORKS_PLANNING = "works_planning", _("works planning permit")
        CONSTRUCTION = "construction", _("construction permit")
        EIA = "eia", _("environmental impact assessment")
        ENERGY = "energy", _("energy assessment")
        FIRE = "fire", _("fire safety acceptance")
        OTHER = "other", _("other approval")

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("not started")
        IN_PROGRESS = "in_progress", _("in progress")
        APPROVED = "approved", _("approved")
        BLOCKED = "blocked", _("blocked")

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="approvals")
    kind = models.CharField(_("approval"), max_length=20, choices=Kind.choices)
    department = models.ForeignKey("zonehub.Department", verbose_name=_("department"), on_delete=models.PROTECT,
                                   related_name="project_approvals")
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.NOT_STARTED)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ApprovalQuerySet.as_manager()

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        ordering = ["project", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["project", "kind"], condition=~Q(kind="other"),
                                    name="one_approval_of_a_kind_per_project",
                                    violation_error_message=_("The project already has this approval.")),
        ]

    def __str__(self):
        return f"{self.project} {self.get_kind_display()}"

    def is_holding_up(self, today) -> bool:
        """Blocked, or past its due date without approval: what stops the project now."""
        if self.status == self.Status.APPROVED:
            return False
        return self.status == self.Status.BLOCKED or (self.due_on is not None and self.due_on < today)


# --------------------------------------------------------------------------------------------
# The five-key list
# --------------------------------------------------------------------------------------------


class Category(models.TextChoices):
    KEY_ENTERPRISES = "enterprises", _("key enterprises")
    INVESTMENT = "investment", _("major investment attraction")
    PROJECTS = "projects", _("major projects")
    REFORMS = "reforms", _("major reforms")
    KEY_WORK = "work", _("key work")


class FiveKeyItemQuerySet(ScopedQuerySet):
    # The whole board is read by all staff; enterprises see nothing of it (no method for them).
    def _visible_to_department(self, user):
        return self.all()

    _visible_to_steward = _visible_to_department
    _visible_to_workstation_head = _visible_to_department

    def with_status(self, status: str):
        """The items whose stored progress is ``status``, with its rank too: the board's indexes
        lead with the rank, so the items of one status are a range of them."""
        return self.filter(progress_status=status, progress_rank=STATUS_ORDER.get(status, len(STATUS_ORDER)))

    def progress_unset(self, *, year: int):
        """The items of ``year`` whose progress was never stored, or was cleared (written by the
        scale seed, a calendar change on the day it was stored): found in the (year, progress_on) index."""
        return self.filter(year=year, progress_on__isnull=True)

    def progress_stale(self, today, *, years=()):
        """The items whose stored progress is not that of ``today`` (or was never computed), of
        ``years`` if given. ``!=`` as three ranges, each with its year, so that the (year,
        progress_on) index finds them without reading the year's rows (SQLite does not carry a
        condition outside an OR into its arms)."""
        stale = Q()
        for scope in [{"year": year} for year in years] or [{}]:
            stale |= (Q(progress_on__isnull=True, **scope) | Q(progress_on__lt=today, **scope)
                      | Q(progress_on__gt=today, **scope))
        return self.filter(stale)


class FiveKeyItem(models.Model):
    class Claim(models.TextChoices):
        NONE = "", _("not claimed")
        PENDING = "pending", _("claim awaiting confirmation")
        CONFIRMED = "confirmed", _("claimed")

    category = models.CharField(_("category"), max_length=15, choices=Category.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    goal = models.TextField(_("goal"), blank=True)
    lead_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("lead leader"), on_delete=models.PROTECT,
        related_name="led_fivekey_items", limit_choices_to={"role": "leader"},
    )
    responsible_unit = models.ForeignKey(
        "zonehub.Department", verbose_name=_("responsible unit"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="fivekey_items",
        help_text=_("Leave empty to let a unit claim the item."),
    )
    cooperating_units = models.ManyToManyField(
        "zonehub.Department", verbose_name=_("cooperating units"), blank=True, related_name="cooperating_fivekey_items"
    )
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("enterprise"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="fivekey_items")
    project = models.ForeignKey(Project, verbose_name=_("project"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="fivekey_items")
    claim = models.CharField(_("claim"), max_length=10, choices=Claim.choices, default=Claim.NONE, blank=True)
    claim_unit = models.ForeignKey("zonehub.Department", verbose_name=_("claimed by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="claimed_fivekey_items")
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    claim_confirmed_on = models.DateField(_("claim confirmed on"), null=True, blank=True)
    # The first day of the current lagging spell; empty while the item is not lagging. The
    # supervision sweep notifies once per spell, keyed by this date.
    lagging_since = models.DateField(_("lagging since"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # The item's progress (projects.progress.item_progress) as of ``progress_on``, kept so that the
    # board counts and sorts tens of thousands of items from an index instead of reading every
    # node. Every service that changes a node stores it at once; the daily sweep and the board
    # itself recompute the rows of an earlier day, since working days late grow by the calendar
    # (services.items_progress_refresh). An empty status has never been computed. The database
    # defaults are for rows written outside the ORM (the scale seed).
    progress_status = models.CharField(_("progress"), max_length=15, choices=Status.choices, blank=True,
                                       default="", db_default="")
    progress_late_days = models.PositiveSmallIntegerField(_("working days late"), default=0, db_default=0)
    progress_late_node = models.ForeignKey("FiveKeyNode", verbose_name=_("late node"), null=True, blank=True,
                                           on_delete=models.SET_NULL, related_name="+")
    progress_done = models.PositiveSmallIntegerField(_("nodes done"), default=0, db_default=0)
    progress_total = models.PositiveSmallIntegerField(_("nodes"), default=0, db_default=0)
    progress_on = models.DateField(_("progress computed on"), null=True, blank=True)
    # The status's place on the board (progress.STATUS_ORDER: lagging, done late, on schedule,
    # ahead; never computed last), computed by the database so that the board's order is an index
    # (fivekey_board_rank_idx) whoever writes the row.
    progress_rank = models.GeneratedField(
        expression=Case(*(When(progress_status=status.value, then=Value(rank)) for status, rank in STATUS_ORDER.items()),
                        default=Value(len(STATUS_ORDER))),
        output_field=models.PositiveSmallIntegerField(), db_persist=True,
    )

    objects = FiveKeyItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("five-key item")
        verbose_name_plural = _("five-key items")
        ordering = ["year", "category", "id"]
        indexes = [
            # The board's summary: a count by category and status, read from the index alone.
            models.Index(fields=["year", "category", "progress_status"], name="fivekey_year_cat_status_idx"),
            # The board's order (selectors.BOARD_ORDER): a page of it is the first rows of this index.
            models.Index(fields=["year", "progress_rank", "-progress_late_days", "id"], name="fivekey_board_rank_idx"),
            # The same order within a category: each category's first rows, and its pages.
            models.Index(fields=["year", "category", "progress_rank", "-progress_late_days", "id"],
                         name="fivekey_board_cat_rank_idx"),
            # The stale rows of a year: none on most views, found without reading the year.
            models.Index(fields=["year", "progress_on"], name="fivekey_progress_on_idx"),
            # The rows of a year never stored (the guard asks on every view): an index of those
            # only, empty on most days, so that the planner reads it even when the table's
            # statistics still count the rows of a day when many were unset.
            models.Index(fields=["year"], condition=Q(progress_on__isnull=True), name="fivekey_progress_unset_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(claim="confirmed") | Q(responsible_unit__isnull=False),
                name="fivekey_confirmed_claim_has_unit",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("projects:item_detail", args=[self.pk])


class FiveKeyProgressDay(models.Model):
    """The day the stored progress of a year's items was last computed whole (the board, the home
    page and the daily supervision run ask this row, not the items), and the year's items counted
    by category and status as stored (``counts``: {category: {status: n}}), so that the board's
    summary and the leader's panel read one row whatever the zone holds. Kept by
    ``services``: recounted when the year is computed, moved by one for each item a service
    changes, removed (so recomputed on the next view) when the calendar or the admin changes
    what the counts rest on."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    computed_on = models.DateField(_("progress computed on"))
    counts = models.JSONField(_("counts"), default=dict)

    class Meta:
        verbose_name = _("five-key progress of a year")
        verbose_name_plural = _("five-key progress by year")

    def __str__(self):
        return f"{self.year}: {self.computed_on}"


class FiveKeyNodeQuerySet(ScopedQuerySet):
    def _visible_to_department(self, user):
        return self.all()

    _visible_to_steward = _visible_to_department
    _visible_to_workstation_head = _visible_to_department


class FiveKeyNode(models.Model):
    item = models.ForeignKey(FiveKeyItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="nodes")
    name = models.CharField(_("node"), max_length=150)
    planned_date = models.DateField(_("planned date"))
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("marked done by"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")

    objects = FiveKeyNodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("five-key node")
        verbose_name_plural = _("five-key nodes")
        ordering = ["planned_date", "id"]
        indexes = [models.Index(fields=["planned_date"], name="fivekey_node_planned_idx")]

    def __str__(self):
        return self.name


def node_evidence_upload_to(instance, filename):
    # Never the user's file name on disk: it is kept in ``original_name`` instead.
    ext = os.path.splitext(filename)[1].lower()[:10]
    return f"fivekey/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{ext}"


class NodeEvidenceQuerySet(ScopedQuerySet):
    """A node's files are visible exactly when its node is."""

    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_everything:
            return self.all()
        return self.filter(node__in=FiveKeyNode.objects.visible_to(user).values("pk"))


class NodeEvidenceFile(models.Model):
    """A file that shows a five-key node is done (a photo, a PDF): checked like a request's
    attachments (``stewards.services.attachments.attachment_validate``), stored under MEDIA_ROOT
    and served only by ``projects:node_evidence``, which checks the user's scope."""

    node = models.ForeignKey(FiveKeyNode, verbose_name=_("five-key node"), on_delete=models.CASCADE,
                             related_name="evidence_files")
    file = models.FileField(_("file"), upload_to=node_evidence_upload_to, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    objects = NodeEvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("projects:node_evidence", args=[self.node_id, self.pk])


class CoordinationNote(models.Model):
    """Supervision (督查) records how it pushed a lagging item along (协调)."""

    item = models.ForeignKey(FiveKeyItem, verbose_name=_("item"), on_delete=models.CASCADE,
                             related_name="coordination_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT,
                               related_name="+")
    note = models.TextField(_("coordination"))
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("coordination note")
        verbose_name_plural = _("coordination notes")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.note[:50]


class UnitMonthlyScoreQuerySet(ScopedQuerySet):
    def _visible_to_department(self, user):
        return self.all()

    _visible_to_steward = _visible_to_department
    _visible_to_workstation_head = _visible_to_department


class UnitMonthlyScore(models.Model):
    """The monthly five-key assessment (五重考核) of one responsible unit."""

    department = models.ForeignKey("zonehub.Department", verbose_name=_("unit"), on_delete=models.CASCADE,
                                   related_name="fivekey_scores")
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    on_time = models.PositiveIntegerField(_("on time"), default=0)
    late = models.PositiveIntegerField(_("late"), default=0)
    open = models.PositiveIntegerField(_("still open"), default=0)
    claimed = models.PositiveIntegerField(_("claimed items"), default=0)
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=2)
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)

    objects = UnitMonthlyScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly five-key score")
        verbose_name_plural = _("monthly five-key scores")
        ordering = ["-year", "-month", "-score"]
        constraints = [
            models.UniqueConstraint(fields=["department", "year", "month"], name="fivekey_score_once_per_month"),
        ]

    def __str__(self):
        return f"{self.department} {self.year}-{self.month:02d} {self.score}"
