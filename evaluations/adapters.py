"""What this app reads from its neighbours (stewards' requests and escalations, projects' stewards
and five-key nodes), each behind one small function. When the neighbour is not there yet the
function returns the empty answer, so ratings and grades still work with what exists."""

from __future__ import annotations

import datetime as dt
import importlib

from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from zonehub.workdays import start_of_day


def model_or_none(app_label: str, name: str):
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def _has_fields(model, *names) -> bool:
    fields = {f.name for f in model._meta.get_fields()}
    return all(n in fields for n in names)


# --- projects: project stewards and the five-key results --------------------------------------

def project_stewards_of(enterprise) -> list:
    """The active project stewards of the enterprise's projects, as Steward objects. Empty when
    the projects app provides no project-steward assignments."""
    model = model_or_none("projects", "ProjectStewardAssignment")
    project = model_or_none("projects", "Project")
    if model is None or project is None or not _has_fields(model, "project", "steward", "ended_at"):
        return []
    investor = next((n for n in ("enterprise", "investor", "investor_enterprise") if _has_fields(project, n)), None)
    if investor is None:
        return []
    from stewards.models import Steward

    ids = model.objects.filter(ended_at__isnull=True, **{f"project__{investor}": enterprise}).values("steward_id")
    return list(Steward.objects.filter(pk__in=ids).select_related("user"))


def project_steward_replace(*, case, steward, actor, note: str) -> None:
    """Replace the project steward(s) the enterprise rated unsatisfied, through the projects
    app's own service when it has one."""
    try:
        services = importlib.import_module("projects.services")
    except ModuleNotFoundError:
        services = None
    assign = getattr(services, "project_steward_assign", None)
    model = model_or_none("projects", "ProjectStewardAssignment")
    project = model_or_none("projects", "Project")
    if assign is None or model is None or project is None:
        raise ValidationError(_("Project stewards cannot be replaced here yet: replace them on the project page."))
    investor = next((n for n in ("enterprise", "investor", "investor_enterprise") if _has_fields(project, n)), None)
    rows = model.objects.filter(ended_at__isnull=True, steward=case.steward,
                                **{f"project__{investor}": case.enterprise}).select_related("project")
    for row in rows:
        assign(project=row.project, steward=steward, actor=actor, note=note)


def unit_node_results(*, department, year: int, month: int) -> dict:
    """projects.selectors.unit_node_results when the projects app has it, else no nodes."""
    try:
        selectors = importlib.import_module("projects.selectors")
    except ModuleNotFoundError:
        selectors = None
    func = getattr(selectors, "unit_node_results", None)
    if func is None:
        return {"on_time": 0, "late": 0, "open": 0, "claimed": 0, "score": None}
    return func(department=department, year=year, month=month) or {}


# --- stewards: escalations, requests and visits -------------------------------------------------

def escalation_model():
    model = model_or_none("stewards", "Escalation")
    if model is None or not _has_fields(model, "department", "due_at", "replied_at", "overdue_at", "returned_at"):
        return None
    return model


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a month in Asia/Shanghai."""
    nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return start_of_day(month), start_of_day(nxt)


def escalation_facts(*, month: dt.date) -> dict[int, dict[str, list[int]]]:
    """Per department id, the escalation ids that count in ``month``:

    - due: escalations whose reply period ended in the month (its last working day falls in the
      month), except those the department returned as not its business;
    - on_time: of those, the ones whose clock stopped (a reply, or marking joint consultation)
      strictly before ``due_at``; late: the others (answered late or not at all);
    - overdue: marked overdue by the sweep during the month; returned: returned during the month.
    One query, whatever the number of departments."""
    model = escalation_model()
    if model is None:
        return {}
    from django.db.models import Q

    start, end = month_bounds(month)
    stop = "clock_stopped_at" if _has_fields(model, "clock_stopped_at") else "replied_at"
    rows = model.objects.filter(
        Q(due_at__gt=start, due_at__lte=end)  # due_at is 00:00 after the last working day
        | Q(overdue_at__gte=start, overdue_at__lt=end) | Q(returned_at__gte=start, returned_at__lt=end)
    ).values_list("pk", "department_id", "due_at", stop, "overdue_at", "returned_at")
    facts: dict[int, dict[str, list[int]]] = {}
    for pk, dept, due, stopped, overdue, returned in sorted(rows):
        f = facts.setdefault(dept, {"due": [], "on_time": [], "late": [], "overdue": [], "returned": []})
        if start < due <= end and returned is None:
            f["due"].append(pk)
            (f["on_time"] if stopped is not None and stopped < due else f["late"]).append(pk)
        if overdue is not None and start <= overdue < end:
            f["overdue"].append(pk)
        if returned is not None and start <= returned < end:
            f["returned"].append(pk)
    return facts
