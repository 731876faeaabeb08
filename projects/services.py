"""Writes about projects and the five-key list: one function per state change, each checking
permission, validating, writing in one transaction and recording who did it."""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, Exists, F, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.events import ProjectsEvent
from projects.models import (
    STAGE_DATE_FIELD,
    STAGE_ORDER,
    Approval,
    CoordinationNote,
    FiveKeyItem,
    FiveKeyNode,
    FiveKeyProgressDay,
    NodeEvidenceFile,
    Project,
    ProjectStageChange,
    ProjectStewardAssignment,
    Stage,
    UnitMonthlyScore,
)
from projects.progress import Status, item_progress
from projects.selectors import fivekey_item_queryset, today, unit_month_compute, unit_users
from stewards.events import StewardsEvent
from stewards.services import (
    ALLOWED_ATTACHMENTS,
    attachment_name,
    attachment_validate,
    steward_assignment_check,
)
from zonehub.cache import bump_dashboard_generation_on_commit
from zonehub.dates import cn_date
from zonehub.events import record_event
from zonehub.models import Department, Role, User
from zonehub.notifications import notify
from zonehub.permissions import require
from zonehub.scoping import has_capacity
from zonehub.workdays import WorkCalendar, due_at, month_start, previous_month

# --------------------------------------------------------------------------------------------
# Who may do what
# --------------------------------------------------------------------------------------------


def is_leader(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active
                and (user.effective_role in (Role.LEADER, Role.ADMIN)))


def can_edit_items(user) -> bool:
    return is_leader(user)


def can_complete_node(user, item: FiveKeyItem) -> bool:
    if is_leader(user):
        return True
    return (user.is_authenticated and user.role == Role.DEPARTMENT and item.responsible_unit_id is not None
            and user.department_id == item.responsible_unit_id)


def can_claim(user) -> bool:
    return user.is_authenticated and user.role == Role.DEPARTMENT and user.department_id is not None


def project_steward_user_ids(project: Project) -> set[int]:
    return set(ProjectStewardAssignment.objects.active().filter(project=project)
               .values_list("steward__user_id", flat=True))


def can_update_project(user, project: Project) -> bool:
    """Leaders and the project's steward move the project along."""
    return is_leader(user) or (has_capacity(user, Role.STEWARD) and user.pk in project_steward_user_ids(project))


def can_assign_project_steward(user, project: Project) -> bool:
    return is_leader(user) or (user.role == Role.WORKSTATION_HEAD and ProjectStewardAssignment.objects.active()
                               .filter(project=project, steward__workstation_id=user.workstation_id).exists())


def can_update_approval(user, approval: Approval) -> bool:
    if can_update_project(user, approval.project):
        return True
    return user.role == Role.DEPARTMENT and user.department_id == approval.department_id


# --------------------------------------------------------------------------------------------
# Projects
# --------------------------------------------------------------------------------------------

PROJECT_FIELDS = (
    "name", "investor", "industry", "total_investment", "planned_investment_this_year", "funds_in_place",
    "agreed_annual_output", "land_mu", "floor_area", "planned_start", "planned_completion", "description",
)


def _check_money(fields: dict) -> None:
    errors = {}
    for name in ("total_investment", "planned_investment_this_year", "funds_in_place", "agreed_annual_output",
                 "land_mu", "floor_area"):
        value = fields.get(name)
        if value is not None and value < 0:
            errors[name] = _("This figure cannot be negative.")
    if (fields.get("funds_in_place") or 0) > (fields.get("total_investment") or 0) > 0:
        errors["funds_in_place"] = _("Funds in place cannot exceed the total investment.")
    start, end = fields.get("planned_start"), fields.get("planned_completion")
    if start and end and end < start:
        errors["planned_completion"] = _("The planned completion cannot be before the planned start.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def project_create(*, actor, **fields) -> Project:
    require(is_leader(actor), _("Only leaders may add major projects."))
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {unknown}")
    _check_money(fields)
    # Issue 16: a new major project gets its project steward within a few working days, chased by
    # ``projects.serving.project_steward_sweep``.
    now = timezone.now()
    project = Project.objects.create(**fields, created_at=now, steward_due_at=due_at(
        now, settings.ZONEHUB_PROJECT_STEWARD_WORKING_DAYS))
    record_event(project, actor=actor, kind=ProjectsEvent.PROJECT_CREATED, to_state=project.get_stage_display())
    return project


@transaction.atomic
def project_update(*, project: Project, actor, **fields) -> Project:
    require(can_update_project(actor, project), _("Only leaders and the project steward may edit this project."))
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {unknown}")
    merged = {name: getattr(project, name) for name in PROJECT_FIELDS} | fields
    _check_money(merged)
    changed = [name for name, value in fields.items() if getattr(project, name) != value]
    for name in changed:
        setattr(project, name, fields[name])
    if changed:
        project.save(update_fields=changed)
        record_event(project, actor=actor, kind=ProjectsEvent.PROJECT_UPDATED, data={"fields": sorted(changed)})
    return project


@transaction.atomic
def project_stage_change(*, project: Project, to_stage: str, on: dt.date, actor, note: str = "") -> ProjectStageChange:
    """Move a project to the next stage (or back one step to correct a mistake), on a date no later
    than today and no earlier than the last change. The date of reaching the stage is kept as the
    project's key date: the signing date decides which year's investment figures it counts in."""
    require(can_update_project(actor, project), _("Only leaders and the project steward may change the stage."))
    project = Project.objects.select_for_update().get(pk=project.pk)
    if to_stage not in STAGE_ORDER:
        raise ValidationError({"to_stage": _("Choose one of the stages.")})
    current, target = STAGE_ORDER.index(project.stage), STAGE_ORDER.index(to_stage)
    if target == current:
        raise ValidationError({"to_stage": _("The project is already at this stage.")})
    if target > current + 1:
        raise ValidationError({"to_stage": _("Stages are reached one after another: the next stage is %(stage)s.")
                               % {"stage": Stage(STAGE_ORDER[current + 1]).label}})
    if target < current - 1:
        raise ValidationError({"to_stage": _("A stage can only be corrected one step back.")})
    if on > today():
        raise ValidationError({"on": _("The date cannot be in the future.")})
    last = project.stage_changes.order_by("-changed_on", "-id").first()
    if last and on < last.changed_on:
        raise ValidationError({"on": _("The date cannot be before the previous stage change (%(date)s).")
                               % {"date": cn_date(last.changed_on)}})
    change = ProjectStageChange.objects.create(project=project, from_stage=project.stage, to_stage=to_stage,
                                               changed_on=on, changed_by=actor, note=note[:200])
    fields = ["stage"]
    if target > current and to_stage in STAGE_DATE_FIELD:
        setattr(project, STAGE_DATE_FIELD[Stage(to_stage)], on)
        fields.append(STAGE_DATE_FIELD[Stage(to_stage)])
    elif target < current and project.stage in STAGE_DATE_FIELD:
        setattr(project, STAGE_DATE_FIELD[Stage(project.stage)], None)
        fields.append(STAGE_DATE_FIELD[Stage(project.stage)])
    from_stage = project.stage
    project.stage = to_stage
    project.save(update_fields=fields)
    record_event(change, root=project, actor=actor, kind=ProjectsEvent.PROJECT_STAGE, from_state=Stage(from_stage).label,
                 to_state=Stage(to_stage).label, note=note, data={"on": on.isoformat()})
    return change


@transaction.atomic
def project_steward_assign(*, project: Project, steward, actor, note: str = "",
                           allow_return: bool = False) -> ProjectStewardAssignment:
    """Make ``steward`` the project's steward (the project page, the API and the Excel import all
    come here). DESIGN.md rule 4 holds for project stewards too: a steward the investor enterprise
    rated unsatisfied this year may not come back to its project unless a leader lifted the bar
    (``allow_return`` only for a replacement a leader allowed)."""
    require(can_assign_project_steward(actor, project) or (
        actor.role == Role.WORKSTATION_HEAD and steward.workstation_id == actor.workstation_id
        and not ProjectStewardAssignment.objects.active().filter(project=project).exists()),
        _("Only leaders or the head of the steward's workstation may assign the project steward."))
    if project.investor_id is not None:
        steward_assignment_check(enterprise=project.investor, steward=steward, on=timezone.now(),
                                 allow_return=allow_return)
    elif not steward.is_active or not steward.user.is_active:
        raise ValidationError(_("%(name)s is no longer an active steward.") % {"name": steward.name})
    Project.objects.select_for_update().filter(pk=project.pk).first()
    current = ProjectStewardAssignment.objects.active().filter(project=project).select_related("steward__user").first()
    if current and current.steward_id == steward.pk:
        raise ValidationError(_("%(name)s is already this project's steward.") % {"name": steward.name})
    now = timezone.now()
    if current:
        current.ended_at = now
        current.end_note = note[:200]
        current.save(update_fields=["ended_at", "end_note"])
        record_event(current, root=project, actor=actor, kind=ProjectsEvent.PROJECT_STEWARD_UNASSIGNED,
                     from_state=current.steward.name, note=note)
    assignment = ProjectStewardAssignment.objects.create(project=project, steward=steward, started_at=now,
                                                         assigned_by=actor)
    record_event(assignment, root=project, actor=actor, kind=ProjectsEvent.PROJECT_STEWARD_ASSIGNED,
                 from_state=current.steward.name if current else "", to_state=steward.name, note=note)
    # The project's open items (approvals not yet granted, construction nodes not yet reached) are
    # followed by whoever is its steward: they go to the new one with the assignment. Handed over
    # on the project's timeline, with how many, and both stewards are told.
    open_items = {"approvals": project.approvals.exclude(status=Approval.Status.APPROVED).count(),
                  "nodes": project.construction_nodes.filter(actual_date__isnull=True).count()}
    if current:
        record_event(project, actor=actor, kind=StewardsEvent.STEWARD_HANDED_OVER, from_state=current.steward.name,
                     to_state=steward.name, data=open_items,
                     note=_("%(approvals)d open approvals, %(nodes)d construction nodes") % open_items)
    items = _("%(approvals)d open approvals and %(nodes)d construction nodes to follow") % open_items
    notify([steward.user], kind="project.steward_assigned", key=f"project-assignment:{assignment.pk}",
           title=_("You are now the project steward of %(project)s") % {"project": project.name}
           + (f" ({items})" if current and any(open_items.values()) else ""),
           url=project.get_absolute_url())
    if current:
        notify([current.steward.user], kind="project.steward_unassigned", key=f"project-assignment:{assignment.pk}:previous",
               title=_("You are no longer the project steward of %(project)s: %(name)s follows it now") % {
                   "project": project.name, "name": steward.name} + (f" ({items})" if any(open_items.values()) else ""),
               url=project.get_absolute_url())
    return assignment


@transaction.atomic
def project_stewards_replace(*, enterprise, steward_out, steward_in, actor, note: str = "",
                             allow_return: bool = False) -> list[ProjectStewardAssignment]:
    """``steward_in`` takes over every project of ``enterprise`` that ``steward_out`` serves now as
    project steward (a replacement case of an unsatisfied rating). Returns the new assignments."""
    rows = (ProjectStewardAssignment.objects.active().filter(steward=steward_out, project__investor=enterprise)
            .select_related("project__investor").order_by("pk"))
    return [project_steward_assign(project=row.project, steward=steward_in, actor=actor, note=note,
                                   allow_return=allow_return) for row in rows]


@transaction.atomic
def approval_update(*, approval: Approval, actor, status: str, started_on=None, due_on=None, approved_on=None,
                    note: str = "") -> Approval:
    require(can_update_approval(actor, approval),
            _("Only the approving department, the project steward or a leader may update this approval."))
    approval = Approval.objects.select_for_update().get(pk=approval.pk)
    errors = {}
    if status not in Approval.Status.values:
        errors["status"] = _("Choose one of the statuses.")
    if status == Approval.Status.APPROVED and approved_on is None:
        errors["approved_on"] = _("Give the date of approval.")
    if status != Approval.Status.APPROVED and approved_on is not None:
        errors["approved_on"] = _("Only an approved approval has an approval date.")
    for name, value in (("started_on", started_on), ("approved_on", approved_on)):
        if value and value > today():
            errors[name] = _("The date cannot be in the future.")
    if started_on and approved_on and approved_on < started_on:
        errors["approved_on"] = _("The approval cannot come before the application.")
    if status == Approval.Status.BLOCKED and not note.strip():
        errors["note"] = _("Say what is blocking the approval.")
    if errors:
        raise ValidationError(errors)
    from_status = approval.status
    approval.status, approval.started_on, approval.due_on = status, started_on, due_on
    approval.approved_on, approval.note = approved_on, note[:200]
    approval.save(update_fields=["status", "started_on", "due_on", "approved_on", "note"])
    record_event(approval, root=approval.project, actor=actor, kind=ProjectsEvent.APPROVAL_UPDATED,
                 from_state=Approval.Status(from_status).label, to_state=Approval.Status(status).label,
                 note=f"{approval.get_kind_display()} {note}".strip())
    return approval


@transaction.atomic
def approval_add(*, project: Project, actor, kind: str, department, due_on=None, note: str = "") -> Approval:
    """Add an approval the project needs; it runs alongside the others (并联)."""
    require(can_update_project(actor, project), _("Only leaders and the project steward may add approvals."))
    if kind not in Approval.Kind.values:
        raise ValidationError({"kind": _("Choose one of the approvals.")})
    if kind != Approval.Kind.OTHER and project.approvals.filter(kind=kind).exists():
        raise ValidationError({"kind": _("The project already has this approval.")})
    approval = Approval.objects.create(project=project, kind=kind, department=department, due_on=due_on,
                                       note=note[:200])
    record_event(approval, root=project, actor=actor, kind=ProjectsEvent.APPROVAL_ADDED,
                 to_state=str(approval.get_kind_display()), note=str(department))
    return approval


@transaction.atomic
def construction_node_add(*, project: Project, actor, name: str, planned_date: dt.date):
    from projects.models import ConstructionNode

    require(can_update_project(actor, project), _("Only leaders and the project steward may update its nodes."))
    if not (name or "").strip():
        raise ValidationError({"name": _("Give the node a name.")})
    node = ConstructionNode.objects.create(project=project, name=name.strip(), planned_date=planned_date)
    record_event(node, root=project, actor=actor, kind=ProjectsEvent.CONSTRUCTION_NODE_ADDED, note=node.name,
                 to_state=planned_date.isoformat())
    return node


@transaction.atomic
def construction_node_update(*, node, actor, actual_date) -> object:
    require(can_update_project(actor, node.project), _("Only leaders and the project steward may update its nodes."))
    if actual_date and actual_date > today():
        raise ValidationError({"actual_date": _("The date cannot be in the future.")})
    node.actual_date = actual_date
    node.save(update_fields=["actual_date"])
    record_event(node, root=node.project, actor=actor, kind=ProjectsEvent.CONSTRUCTION_NODE_UPDATED, note=node.name,
                 data={"actual_date": actual_date.isoformat() if actual_date else None})
    return node


# --------------------------------------------------------------------------------------------
# The five-key list
# --------------------------------------------------------------------------------------------

# Items recomputed per round trip: their nodes are one query, their new values one or two UPDATEs.
PROGRESS_BATCH = 500
PROGRESS_FIELDS = ("progress_status", "progress_late_days", "progress_late_node", "progress_done", "progress_total")


class _NodeDates(NamedTuple):
    pk: int
    planned_date: dt.date
    completed_on: dt.date | None


class _Moved(NamedTuple):
    """An item whose stored status a write moved: what the year's counts move by."""

    year: int
    category: str
    before: str
    after: str


def _progress_write(items, *, today: dt.date, guarded: bool, calendar: WorkCalendar | None) -> tuple[int, list[_Moved]]:
    """Compute the progress on ``today`` of ``items`` in batches of ``PROGRESS_BATCH`` (reading
    only the node dates) and write the rows whose stored progress differs, and those never stored
    (``progress_on`` empty): an unchanged item costs a read, not a write. Returns the rows written
    and the items whose status moved.

    ``guarded`` (the board, the home page and the sweep, which did not lock the items): a row is
    written only if no service stored it today meanwhile (``progress_on`` is not today), so a
    newer progress is never overwritten by one computed from the nodes read before it."""
    items = items.order_by()
    target = FiveKeyItem.objects.progress_stale(today) if guarded else FiveKeyItem.objects.all()
    written, moved, last = 0, [], 0
    while True:
        batch = list(items.filter(pk__gt=last).order_by("pk").values_list(
            "pk", "year", "category", "progress_on",
            *(f"{name}_id" if name == "progress_late_node" else name for name in PROGRESS_FIELDS))[:PROGRESS_BATCH])
        if not batch:
            return written, moved
        last = batch[-1][0]
        if calendar is None:
            calendar = WorkCalendar.for_years({today.year - 1, today.year, today.year + 1})
        nodes = defaultdict(list)
        for item_id, *dates in (FiveKeyNode.objects.filter(item_id__in=[row[0] for row in batch])
                                .order_by("item_id", "planned_date", "id")
                                .values_list("item_id", "pk", "planned_date", "completed_on")):
            nodes[item_id].append(_NodeDates(*dates))
        changed = {}
        for pk, year, category, progress_on, *stored in batch:
            progress = item_progress(nodes[pk], today=today, calendar=calendar)
            values = (progress.status, progress.workdays_late, progress.worst.node.pk if progress.worst else None,
                      progress.completed, progress.total)
            if progress_on is None or tuple(stored) != values:
                changed[pk] = values
                if stored[0] != progress.status:
                    moved.append(_Moved(year, category, stored[0], progress.status))
        if changed:
            columns = {}
            for index, name in enumerate(PROGRESS_FIELDS):
                by_value = defaultdict(list)
                for pk, values in changed.items():
                    by_value[values[index]].append(pk)
                field = FiveKeyItem._meta.get_field(name)
                # As QuerySet.bulk_update writes it, with one WHEN per value rather than per row.
                columns[name] = Case(*(When(pk__in=pks, then=Value(value, output_field=field))
                                       for value, pks in by_value.items()), default=F(name), output_field=field)
            written += target.filter(pk__in=list(changed)).update(**columns, progress_on=today)
        if len(batch) < PROGRESS_BATCH:
            return written, moved


def items_progress_refresh(items, *, today: dt.date, only_if_stale: bool = False,
                           calendar: WorkCalendar | None = None) -> int:
    """Store on each of ``items`` whose progress changed its progress on ``today`` as
    ``item_progress`` computes it (the board sorts and counts from these columns). Returns how
    many rows were written. ``only_if_stale``: see ``_progress_write`` (``guarded``). The year's
    counts (``FiveKeyProgressDay.counts``) are not moved: the caller recounts them, or locked the
    items and moves them (``fivekey_items_progress_store``)."""
    return _progress_write(items, today=today, guarded=only_if_stale, calendar=calendar)[0]


def _progress_days_locked(years) -> dict[int, FiveKeyProgressDay]:
    """The progress rows of ``years`` that exist, locked: the year's counts move under this lock,
    so that a recount (``fivekey_year_progress_compute``) and a service's move never cross."""
    return {day.year: day for day in FiveKeyProgressDay.objects.select_for_update()
            .filter(year__in=sorted(set(years))).order_by("year")}


def _counts_move(moved) -> None:
    """Move the stored counts of the years by the items whose status a service moved (the items
    are locked and written in this transaction). A year with no counts yet has nothing to move:
    its first view counts it."""
    moved = [m for m in moved if m.before != m.after]
    if not moved:
        return
    days = _progress_days_locked(m.year for m in moved)
    for m in moved:
        day = days.get(m.year)
        if day is None:
            continue
        by_status = day.counts.setdefault(m.category, {})
        for status, step in ((m.before, -1), (m.after, 1)):
            if status:
                by_status[status] = by_status.get(status, 0) + step
    for day in days.values():
        day.save(update_fields=["counts"])


def fivekey_progress_counts_count(year: int) -> dict:
    """The items of ``year`` by category and status as stored, counted (a grouped COUNT that the
    (year, category, progress_status) index answers): once a day per year, when it is computed."""
    counts: dict = {}
    for category, status, n in (FiveKeyItem.objects.filter(year=year).order_by()
                                .values_list("category", "progress_status").annotate(n=Count("*"))):
        if status:
            counts.setdefault(category, {})[status] = n
    return counts


def fivekey_year_progress_compute(*, year: int, on: dt.date, calendar: WorkCalendar | None = None,
                                  only_unset: bool = False) -> int:
    """Compute the year's progress for ``on``: every item (``only_unset``: those never stored),
    writing only the rows that changed; then recount the year and note the day, under the year's
    lock. Returns the rows written."""
    items = FiveKeyItem.objects.progress_unset(year=year) if only_unset else FiveKeyItem.objects.filter(year=year)
    written, _moved = _progress_write(items, today=on, guarded=True, calendar=calendar)
    with transaction.atomic():
        FiveKeyProgressDay.objects.bulk_create([FiveKeyProgressDay(year=year, computed_on=on)], ignore_conflicts=True)
        day = _progress_days_locked([year])[year]
        day.counts = fivekey_progress_counts_count(year)
        if not only_unset:
            day.computed_on = on
        day.save(update_fields=["counts", "computed_on"])
    return written


def fivekey_progress_refresh_stale(*, year: int, on: dt.date | None = None,
                                   calendar: WorkCalendar | None = None) -> int:
    """The guard of the board, the home page and the daily run: one small query asks whether the
    year was computed for ``on`` and whether any of its items was never stored; when not, the year
    is computed (``fivekey_year_progress_compute``). Returns the rows written."""
    on = on or today()
    day = (FiveKeyProgressDay.objects.filter(year=year).order_by()
           .annotate(unset=Exists(FiveKeyItem.objects.progress_unset(year=year)))
           .values_list("computed_on", "unset")[:1])
    day = day[0] if day else None
    if day is not None and day[0] == on:
        if not day[1]:
            return 0
        return fivekey_year_progress_compute(year=year, on=on, calendar=calendar, only_unset=True)
    return fivekey_year_progress_compute(year=year, on=on, calendar=calendar)


def fivekey_progress_days_clear(years) -> None:
    """What the stored progress or counts of ``years`` rest on changed outside a service that
    moves them (the calendar, the admin): their next view computes and counts them again."""
    FiveKeyProgressDay.objects.filter(year__in=sorted(set(years))).delete()


@transaction.atomic
def fivekey_items_progress_store(item_ids) -> None:
    """Store today's progress of items whose nodes just changed (the node services, the admin),
    and move their year's counts. The items are locked first, so that two units marking nodes of
    one item at the same moment each count the other's node."""
    items = FiveKeyItem.objects.select_for_update().filter(pk__in=list(item_ids)).order_by("pk")
    list(items.values_list("pk", flat=True))
    _written, moved = _progress_write(items, today=today(), guarded=False, calendar=None)
    _counts_move(moved)


ITEM_FIELDS = ("category", "year", "title", "goal", "lead_leader", "responsible_unit", "enterprise", "project")


def _validate_item(fields: dict, *, item: FiveKeyItem | None = None) -> None:
    errors = {}
    leader = fields.get("lead_leader")
    if leader is None or leader.role != Role.LEADER or not leader.is_active:
        errors["lead_leader"] = _("The lead leader must be an active leader.")
    year = fields.get("year")
    if not year or not 2000 <= int(year) <= 2100:
        errors["year"] = _("Give a year between 2000 and 2100.")
    elif item is not None and int(year) != item.year:
        outside = [n.name for n in item.nodes.all() if n.planned_date.year != int(year)]
        if outside:
            errors["year"] = _("These nodes are planned outside %(year)s: %(nodes)s. Move them first.") % {
                "year": year, "nodes": "、".join(outside)}
    if not (fields.get("title") or "").strip():
        errors["title"] = _("Give the item a title.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def fivekey_item_create(*, actor, cooperating_units=(), **fields) -> FiveKeyItem:
    require(can_edit_items(actor), _("Only leaders may add five-key items."))
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {unknown}")
    _validate_item(fields)
    item = FiveKeyItem.objects.create(**fields)
    item.cooperating_units.set([u for u in cooperating_units if u.pk != item.responsible_unit_id])
    fivekey_items_progress_store([item.pk])
    record_event(item, actor=actor, kind=ProjectsEvent.FIVEKEY_CREATED, to_state=item.get_category_display())
    return item


@transaction.atomic
def fivekey_item_update(*, item: FiveKeyItem, actor, cooperating_units=None, **fields) -> FiveKeyItem:
    require(can_edit_items(actor), _("Only leaders may edit five-key items."))
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {unknown}")
    item = FiveKeyItem.objects.select_for_update().get(pk=item.pk)
    merged = {name: getattr(item, name) for name in ITEM_FIELDS} | fields
    _validate_item(merged, item=item)
    changed = [name for name, value in fields.items() if getattr(item, name) != value]
    counted_as = (item.year, item.category, item.progress_status)
    for name in changed:
        setattr(item, name, fields[name])
    if counted_as[:2] != (item.year, item.category) and item.progress_status:
        # Counted under another year or category from now on.
        _counts_move([_Moved(*counted_as, ""), _Moved(item.year, item.category, "", item.progress_status)])
    if "responsible_unit" in changed and item.claim == FiveKeyItem.Claim.PENDING:
        # A leader naming the unit settles any pending claim.
        item.claim, item.claim_unit, item.claimed_at = FiveKeyItem.Claim.NONE, None, None
        changed += ["claim", "claim_unit", "claimed_at"]
    if changed:
        item.save(update_fields=changed)
    if cooperating_units is not None:
        before = set(item.cooperating_units.values_list("pk", flat=True))
        after = {u.pk for u in cooperating_units if u.pk != item.responsible_unit_id}
        if before != after:
            item.cooperating_units.set(after)
            changed.append("cooperating_units")
    if changed:
        fivekey_items_progress_store([item.pk])
        record_event(item, actor=actor, kind=ProjectsEvent.FIVEKEY_UPDATED, data={"fields": sorted(set(changed))})
    return item


def _validate_node(item: FiveKeyItem, name: str, planned_date: dt.date) -> None:
    errors = {}
    if not (name or "").strip():
        errors["name"] = _("Give the node a name.")
    if planned_date is None:
        errors["planned_date"] = _("Give the planned date.")
    elif planned_date.year != item.year:
        errors["planned_date"] = _("The planned date must fall in the item's year %(year)s.") % {"year": item.year}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def fivekey_node_add(*, item: FiveKeyItem, actor, name: str, planned_date: dt.date) -> FiveKeyNode:
    require(can_edit_items(actor), _("Only leaders may add nodes."))
    _validate_node(item, name, planned_date)
    node = FiveKeyNode.objects.create(item=item, name=name.strip(), planned_date=planned_date)
    fivekey_items_progress_store([item.pk])
    record_event(node, root=item, actor=actor, kind=ProjectsEvent.FIVEKEY_NODE_ADDED, to_state=planned_date.isoformat(),
                 note=node.name)
    return node


@transaction.atomic
def fivekey_node_update(*, node: FiveKeyNode, actor, name: str, planned_date: dt.date) -> FiveKeyNode:
    require(can_edit_items(actor), _("Only leaders may edit nodes."))
    node = FiveKeyNode.objects.select_for_update(of=("self",)).select_related("item").get(pk=node.pk)
    _validate_node(node.item, name, planned_date)
    before = node.planned_date
    node.name, node.planned_date = name.strip(), planned_date
    node.save(update_fields=["name", "planned_date"])
    fivekey_items_progress_store([node.item_id])
    record_event(node, root=node.item, actor=actor, kind=ProjectsEvent.FIVEKEY_NODE_UPDATED, from_state=before.isoformat(),
                 to_state=planned_date.isoformat(), note=node.name)
    return node


@transaction.atomic
def fivekey_node_complete(*, node: FiveKeyNode, actor, completed_on: dt.date, evidence: str,
                          files=()) -> FiveKeyNode:
    """The responsible unit (or a leader) marks a node done, with what proves it: a text, and
    files (photos, PDF, Office documents) checked as a request's attachments are."""
    node = FiveKeyNode.objects.select_for_update(of=("self",)).select_related("item").get(pk=node.pk)
    require(can_complete_node(actor, node.item),
            _("Only the item's responsible unit may mark its nodes done."))
    errors = {}
    if node.completed_on is not None:
        raise ValidationError(_("This node was already marked done on %(date)s.")
                              % {"date": cn_date(node.completed_on)})
    if completed_on is None:
        errors["completed_on"] = _("Give the date it was done.")
    elif completed_on > today():
        errors["completed_on"] = _("The completion date cannot be in the future.")
    elif completed_on.year < node.item.year:
        errors["completed_on"] = _("The completion date cannot be before the item's year.")
    if not (evidence or "").strip():
        errors["evidence"] = _("Say what shows it is done (a document, a photo, a meeting).")
    files = [f for f in (files or []) if f]
    file_errors = []
    for f in files:
        try:
            attachment_validate(file=f)
        except ValidationError as exc:
            file_errors.extend(exc.messages)
    if file_errors:
        errors["files"] = file_errors
    if errors:
        raise ValidationError(errors)
    node.completed_on, node.evidence, node.completed_by = completed_on, evidence.strip(), actor
    node.save(update_fields=["completed_on", "evidence", "completed_by"])
    saved = _save_node_evidence(node, files, actor)
    fivekey_items_progress_store([node.item_id])
    record_event(node, root=node.item, actor=actor, kind=ProjectsEvent.FIVEKEY_NODE_COMPLETED,
                 to_state=completed_on.isoformat(), note=f"{node.name}：{node.evidence}",
                 data={"files": [f.original_name for f in saved]} if saved else None)
    return node


def _save_node_evidence(node: FiveKeyNode, files, actor) -> list[NodeEvidenceFile]:
    """Every file was checked before the first is written (see stewards' ``_save_attachments``)."""
    saved = []
    now = timezone.now()
    for f in files:
        name = attachment_name(f.name)
        ext = os.path.splitext(name)[1].lower()
        row = NodeEvidenceFile(node=node, original_name=name, size=f.size, content_type=ALLOWED_ATTACHMENTS[ext][0],
                               uploaded_by=actor, uploaded_at=now)
        f.seek(0)
        row.file.save(name, f, save=False)
        row.save()
        saved.append(row)
    return saved


@transaction.atomic
def fivekey_item_claim(*, item: FiveKeyItem, actor) -> FiveKeyItem:
    """A unit offers to take an unassigned item (认领); a leader then confirms it."""
    require(can_claim(actor), _("Only a department may claim an item."))
    item = FiveKeyItem.objects.select_for_update().get(pk=item.pk)
    if item.responsible_unit_id is not None:
        raise ValidationError(_("This item already has a responsible unit: only unassigned items can be claimed."))
    if item.claim == FiveKeyItem.Claim.PENDING:
        raise ValidationError(_("%(unit)s has already claimed this item; a leader has yet to confirm it.")
                              % {"unit": item.claim_unit})
    item.claim, item.claim_unit, item.claimed_at = FiveKeyItem.Claim.PENDING, actor.department, timezone.now()
    item.save(update_fields=["claim", "claim_unit", "claimed_at"])
    record_event(item, actor=actor, kind=ProjectsEvent.FIVEKEY_CLAIMED, to_state=str(actor.department))
    notify([item.lead_leader], kind="fivekey.claimed", key=f"fivekey:{item.pk}:claim:{item.claimed_at.isoformat()}",
           title=_("%(unit)s claims “%(item)s”: please confirm") % {"unit": actor.department, "item": item.title},
           url=item.get_absolute_url())
    return item


@transaction.atomic
def fivekey_claim_decide(*, item: FiveKeyItem, actor, confirm: bool, note: str = "") -> FiveKeyItem:
    require(is_leader(actor), _("Only a leader may confirm a claim."))
    item = FiveKeyItem.objects.select_for_update(of=("self",)).select_related("claim_unit").get(pk=item.pk)
    if item.claim != FiveKeyItem.Claim.PENDING:
        raise ValidationError(_("There is no claim waiting for confirmation on this item."))
    unit, claimed_at = item.claim_unit, item.claimed_at
    if confirm:
        item.responsible_unit, item.claim = unit, FiveKeyItem.Claim.CONFIRMED
        item.claim_confirmed_on = today()
        item.save(update_fields=["responsible_unit", "claim", "claim_confirmed_on"])
        item.cooperating_units.remove(unit)
    else:
        item.claim, item.claim_unit, item.claimed_at = FiveKeyItem.Claim.NONE, None, None
        item.save(update_fields=["claim", "claim_unit", "claimed_at"])
    record_event(item, actor=actor, kind=ProjectsEvent.FIVEKEY_CLAIM_CONFIRMED if confirm else "fivekey.claim_rejected",
                 to_state=str(unit), note=note)
    notify(unit_users([unit.pk]), kind="fivekey.claim", key=f"fivekey:{item.pk}:claim-decided:{claimed_at.isoformat()}",
           title=(_("Your claim of “%(item)s” was confirmed") if confirm else _("Your claim of “%(item)s” was declined"))
           % {"item": item.title}, url=item.get_absolute_url())
    return item


@transaction.atomic
def fivekey_coordination_add(*, item: FiveKeyItem, actor, note: str) -> CoordinationNote:
    """Supervision (督查) records what it did to move a lagging item (协调)."""
    require(is_leader(actor), _("Only supervision staff (leaders) may record coordination."))
    if not (note or "").strip():
        raise ValidationError({"note": _("Write what was coordinated.")})
    fresh = fivekey_item_queryset(actor).get(pk=item.pk)
    progress = item_progress(fresh.nodes.all(), today=today(), calendar=WorkCalendar())
    if progress.status != Status.LAGGING:
        raise ValidationError(_("Coordination is recorded against lagging items; this one is not lagging."))
    entry = CoordinationNote.objects.create(item=item, author=actor, note=note.strip())
    record_event(entry, root=item, actor=actor, kind=ProjectsEvent.FIVEKEY_COORDINATION, note=entry.note)
    if item.responsible_unit_id:
        notify(unit_users([item.responsible_unit_id]), kind="fivekey.coordination",
               key=f"fivekey:{item.pk}:coordination:{entry.pk}",
               title=_("Supervision note on “%(item)s”") % {"item": item.title}, body=entry.note,
               url=item.get_absolute_url())
    return entry


# --------------------------------------------------------------------------------------------
# Supervision and the monthly assessment (run by Celery beat)
# --------------------------------------------------------------------------------------------


def supervision_sweep(*, on: dt.date | None = None) -> dict:
    """Flag the items that became lagging and tell their unit and lead leader, once per lagging
    spell: the spell starts the day the sweep first sees the item lagging (kept on the item) and
    ends when it is no longer lagging. The notification key holds the spell's start, so a sweep
    that runs twice, or dies after writing and before notifying, never notifies twice and never
    misses one.

    It first stores the day's progress of every item of the two years (the board reads it), then
    looks only at the items that are lagging or were: its notifying part grows with those."""
    on = on or today()
    calendar = WorkCalendar.for_years({on.year - 1, on.year, on.year + 1})
    years = [on.year - 1, on.year]
    for year in years:
        fivekey_progress_refresh_stale(year=year, on=on, calendar=calendar)
    items = (
        FiveKeyItem.objects.filter(year__in=years).filter(Q(progress_status=Status.LAGGING) | Q(lagging_since__isnull=False))
        .select_related("lead_leader", "responsible_unit")
        .prefetch_related("nodes")
        .order_by("pk")
    )
    flagged = recovered = 0
    unit_members: dict[int, list[User]] = {}
    for item in items:
        progress = item_progress(item.nodes.all(), today=on, calendar=calendar)
        lagging = progress.status == Status.LAGGING
        if lagging and item.lagging_since is None:
            # The spell began the day its first late node became late, not the day the sweep saw it.
            since = progress.lagging_since
            with transaction.atomic():
                updated = FiveKeyItem.objects.filter(pk=item.pk, lagging_since__isnull=True).update(lagging_since=since)
                if updated:
                    item.lagging_since = since
                    worst = progress.worst
                    record_event(item, actor=None, kind=ProjectsEvent.FIVEKEY_LAGGING, to_state=str(Status.LAGGING.label),
                                 note=_("%(node)s, %(days)s working days late")
                                 % {"node": worst.node.name, "days": worst.workdays_late})
                    flagged += 1
                else:
                    item.refresh_from_db(fields=["lagging_since"])
        elif not lagging and item.lagging_since is not None:
            with transaction.atomic():
                if FiveKeyItem.objects.filter(pk=item.pk, lagging_since=item.lagging_since).update(lagging_since=None):
                    record_event(item, actor=None, kind=ProjectsEvent.FIVEKEY_RECOVERED,
                                 from_state=str(Status.LAGGING.label), to_state=str(Status(progress.status).label))
                    recovered += 1
            continue
        if lagging and item.lagging_since is not None:
            if item.responsible_unit_id not in unit_members:
                unit_members[item.responsible_unit_id] = (
                    unit_users([item.responsible_unit_id]) if item.responsible_unit_id else [])
            worst = progress.worst
            notify(
                [*unit_members[item.responsible_unit_id], item.lead_leader], kind="fivekey.lagging",
                key=f"fivekey:{item.pk}:lagging:{item.lagging_since.isoformat()}",
                title=_("Five-key item lagging: %(item)s") % {"item": item.title},
                body=_("%(node)s was planned for %(date)s and has been late since %(since)s: %(days)s working days.")
                % {"node": worst.node.name, "date": worst.dates_text, "since": cn_date(worst.late_since),
                   "days": worst.workdays_late},
                url=reverse("projects:item_detail", args=[item.pk]),
            )
    return {"flagged": flagged, "recovered": recovered}


def assessment_units(year: int, month: int) -> list[Department]:
    """The units assessed for a month: every unit responsible for an item of that year, and every
    unit with a node of an earlier year's item still open when the month began (it counts against
    its unit until it is done)."""
    first = dt.date(year, month, 1)
    carried = FiveKeyNode.objects.filter(planned_date__lt=first).filter(
        Q(completed_on__isnull=True) | Q(completed_on__gte=first)).values("item__responsible_unit")
    return list(Department.objects.filter(Q(fivekey_items__year=year) | Q(pk__in=carried)).distinct().order_by("pk"))


@transaction.atomic
def monthly_assessment(*, year: int, month: int) -> list[UnitMonthlyScore]:
    """Score every responsible unit for a month and keep the rows. Recomputing replaces them with
    the same values (every figure is judged as of the month's last day)."""
    calendar = WorkCalendar.for_years({year - 1, year, year + 1})
    units = assessment_units(year, month)
    rows = []
    for unit in units:
        result = unit_month_compute(department=unit, year=year, month=month, calendar=calendar)
        row, _created = UnitMonthlyScore.objects.update_or_create(
            department=unit, year=year, month=month,
            defaults={"on_time": result.on_time, "late": result.late, "open": result.open,
                      "claimed": result.claimed, "score": result.score, "computed_at": timezone.now()},
        )
        rows.append(row)
    UnitMonthlyScore.objects.filter(year=year, month=month).exclude(department__in=units).delete()
    bump_dashboard_generation_on_commit()  # the home pages show the scores: they recompute
    return rows


def monthly_assessment_run(*, on: dt.date | None = None) -> list[UnitMonthlyScore] | None:
    """Run by beat every day: from the first working day of a month on, scores the month before
    once. A beat that was down on that day catches up on the next day it runs."""
    on = on or today()
    calendar = WorkCalendar.for_years({on.year})
    if on < calendar.first_workday_on_or_after(month_start(on)):
        return None
    before = previous_month(on)
    year, month = before.year, before.month
    if UnitMonthlyScore.objects.filter(year=year, month=month).exists():
        return None
    return monthly_assessment(year=year, month=month)


def on_calendar_changed(sender, years=(), **kwargs) -> None:
    """Receiver of zonehub.services.calendar_changed: due dates move with the holidays, so the
    stored monthly scores of those years are recomputed, and the stored progress of every item
    whose working days those years count is recomputed on the next view: the days of those years
    and the later ones are forgotten (the view writes only the items whose progress moves), and the
    rows a service stored today are marked unset, since the guard keeps the ones stored today."""
    if years:
        on = today()
        FiveKeyItem.objects.filter(year__lte=max(years), progress_on__gte=on).update(progress_on=None)
        FiveKeyProgressDay.objects.filter(year__lte=max(years)).delete()
    months = set(UnitMonthlyScore.objects.filter(year__in=list(years)).values_list("year", "month").distinct())
    for year, month in sorted(months):
        monthly_assessment(year=year, month=month)
