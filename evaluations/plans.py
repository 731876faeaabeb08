"""Writes of the assessment office (考核办) about plans (个性化定制考核指标、动态调整): the entered
indicators of the library, the versions of each department's plan, and the monthly actuals with
their evidence. Each is one function: permission, validation, one transaction, an event."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations.events import EvaluationsEvent
from evaluations.indicators import LIBRARY, WEIGHTED
from evaluations.models import AssessmentPlan, EnteredIndicator, MonthlyActual, PlanIndicator
from evaluations.services import default_plan_ensure, department_grades_compute
from stewards.services import attachment_name, attachment_validate
from zonehub import recipients
from zonehub.events import record_event
from zonehub.models import Department, Role
from zonehub.notifications import notify
from zonehub.permissions import require
from zonehub.workdays import local_date, month_start, next_month_start

M = PlanIndicator.Method


def can_keep_plans(user) -> bool:
    """The assessment office keeps the plans, the library and the actuals."""
    return bool(user.is_authenticated and user.role == Role.ASSESSMENT and not user.is_superuser)


def _require_office(actor) -> None:
    require(can_keep_plans(actor), _("Only the assessment office keeps the assessment plans."))


# --- the library -----------------------------------------------------------------------------

@transaction.atomic
def entered_indicator_create(*, name: str, unit: str = "", direction: str = EnteredIndicator.Direction.HIGHER,
                             description: str = "", actor) -> EnteredIndicator:
    _require_office(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the indicator a name.")})
    if direction not in EnteredIndicator.Direction.values:
        raise ValidationError({"direction": _("Say whether higher or lower is better.")})
    if EnteredIndicator.objects.filter(name=name).exists():
        raise ValidationError({"name": _("The library already has an indicator of this name.")})
    indicator = EnteredIndicator.objects.create(name=name[:60], unit=(unit or "").strip()[:20], direction=direction,
                                                description=(description or "").strip(), created_by=actor)
    record_event(indicator, actor=actor, kind=EvaluationsEvent.INDICATOR_ADDED, to_state=indicator.name)
    return indicator


# --- plans -----------------------------------------------------------------------------------

def plan_effective_from(*, year: int, today: dt.date) -> dt.date:
    """A plan for a year to come applies from its January; a change during the year from the next
    month (the months already begun keep the plan they are scored with)."""
    if year > today.year:
        return dt.date(year, 1, 1)
    return next_month_start(today)


def _decimal(value, field: str, message: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: message}) from None
    if not number.is_finite() or abs(number) >= Decimal("1e10"):
        raise ValidationError({field: message})
    return number


def plan_items_clean(items: list[dict]) -> list[dict]:
    """Each indicator of a plan checked: a known indicator, once; a method; a weight; a target or
    points per unit where the method needs them. A rate's target is a share (0.95 = 95%)."""
    cleaned, seen, errors = [], set(), []
    entered = {i.pk: i for i in EnteredIndicator.objects.filter(is_active=True)}
    for n, raw in enumerate(items, start=1):
        key = str(raw.get("key") or "").strip()
        if not key:
            continue
        where = _("Indicator %(n)d") % {"n": n}
        entered_id = None
        if key.startswith("entered:"):
            try:
                entered_id = int(key.split(":", 1)[1])
            except ValueError:
                entered_id = -1
            if entered_id not in entered:
                errors.append(_("%(where)s: choose an indicator of the library.") % {"where": where})
                continue
        elif key not in LIBRARY:
            errors.append(_("%(where)s: choose an indicator of the library.") % {"where": where})
            continue
        if key in seen:
            errors.append(_("%(where)s: this indicator is already in the plan.") % {"where": where})
            continue
        seen.add(key)
        method = raw.get("method")
        if method not in M.values:
            errors.append(_("%(where)s: choose how it is scored.") % {"where": where})
            continue
        bad = _("%(where)s: give a number.") % {"where": where}
        try:
            weight = _decimal(raw.get("weight"), "weight", bad) or Decimal(0)
            target = _decimal(raw.get("target"), "target", bad)
            per_unit = _decimal(raw.get("per_unit"), "per_unit", bad)
        except ValidationError:
            errors.append(bad)
            continue
        is_rate = key in LIBRARY and LIBRARY[key].kind == "rate"
        if weight < 0 or (per_unit is not None and per_unit < 0) or (target is not None and target < 0):
            errors.append(_("%(where)s: weights, targets and points per unit cannot be negative.") % {"where": where})
        elif method in (M.RATIO, M.PENALTY, M.BONUS) and weight <= 0:
            errors.append(_("%(where)s: give the weight (the points it is worth, or the most a bonus adds).")
                          % {"where": where})
        elif method == M.RATIO and not (target and target > 0):
            errors.append(_("%(where)s: scoring by completion needs a target above zero.") % {"where": where})
        elif method == M.RATIO and is_rate and target > 1:
            errors.append(_("%(where)s: a rate's target is at most 100%%.") % {"where": where})
        elif method in (M.PENALTY, M.BONUS, M.DEDUCTION) and not (per_unit and per_unit > 0):
            errors.append(_("%(where)s: give the points per unit.") % {"where": where})
        else:
            cleaned.append({"key": key, "entered_id": entered_id, "method": method, "weight": weight,
                            "target": target if method != M.BONUS else None,
                            "per_unit": per_unit if method != M.RATIO else None})
    if errors:
        raise ValidationError({"items": errors})
    if not any(item["method"] in WEIGHTED for item in cleaned):
        raise ValidationError({"items": [_("A plan needs at least one indicator scored by completion or by points "
                                           "lost above the target: bonuses and deductions alone make no score.")]})
    return cleaned


@transaction.atomic
def plan_version_create(*, department: Department | None, year: int, items: list[dict], note: str = "", actor,
                        today: dt.date | None = None) -> AssessmentPlan:
    """A new version of a department's plan for ``year`` (``department`` None: the default plan).
    It applies from the next month, or from January for a year to come; the months already begun
    keep the version they are scored with. Making a version is recorded with its reason (required
    for a change)."""
    _require_office(actor)
    today = today or local_date(timezone.now())
    note = (note or "").strip()
    if not today.year <= year <= today.year + 1:
        raise ValidationError({"year": _("A plan is made for this year or the next (%(this)d or %(next)d): a past "
                                         "year's months keep the plan they were scored with.") % {
            "this": today.year, "next": today.year + 1}})
    effective_from = plan_effective_from(year=year, today=today)
    if effective_from.year != year:
        raise ValidationError({"year": _("No month of %(year)d is left to apply a change to: make the plan of "
                                         "%(next)d.") % {"year": year, "next": year + 1}})
    cleaned = plan_items_clean(items)
    if department is not None and not department.is_active:
        raise ValidationError({"department": _("This department is no longer active.")})
    default_plan_ensure(year=year)
    versions = AssessmentPlan.objects.filter(year=year)
    versions = versions.filter(department=department) if department is not None else versions.filter(
        department__isnull=True)
    latest = versions.aggregate(v=Max("version"))["v"] or 0
    if latest and not note:
        raise ValidationError({"note": _("Say why the plan changes: the change is recorded.")})
    try:
        with transaction.atomic():
            plan = AssessmentPlan.objects.create(department=department, year=year, version=latest + 1,
                                                 effective_from=effective_from, note=note[:2000], created_by=actor)
    except IntegrityError as exc:  # someone made a version at the same moment
        raise ValidationError(_("Another version of this plan was just made: reload the page and try again.")) from exc
    PlanIndicator.objects.bulk_create([
        PlanIndicator(plan=plan, code="entered" if item["entered_id"] else item["key"], entered_id=item["entered_id"],
                      method=item["method"], weight=item["weight"], target=item["target"], per_unit=item["per_unit"],
                      position=i) for i, item in enumerate(cleaned)])
    record_event(plan, actor=actor, kind=EvaluationsEvent.PLAN_VERSION, to_state=f"v{plan.version}", note=note,
                 data={"department": department.name if department else "", "year": year,
                       "effective_from": effective_from.isoformat(),
                       "items": [[i["key"], i["method"], str(i["weight"]), str(i["target"]), str(i["per_unit"])]
                                 for i in cleaned]})
    if department is not None:
        notify(recipients.department_users(department.pk), kind="plan.version", key=f"plan:{plan.pk}",
               url=reverse("evaluations:plan_detail", args=[plan.pk]),
               title=_("Your %(year)d assessment plan has a new version, applying from %(month)s") % {
                   "year": year, "month": f"{effective_from.year}年{effective_from.month}月"})
    return plan


# --- monthly actuals -------------------------------------------------------------------------

@transaction.atomic
def actual_record(*, indicator: EnteredIndicator, department: Department, month: dt.date, value, evidence: str,
                  actor, evidence_file=None, now: dt.datetime | None = None) -> MonthlyActual:
    """Enter (or change) an entered indicator's actual for a department and month, with evidence.
    A month already graded is scored again at once, by the plan it was scored with."""
    _require_office(actor)
    now = now or timezone.now()
    month = month_start(month)
    if month > month_start(local_date(now)):
        raise ValidationError({"month": _("An actual is entered for a month that has begun.")})
    if not indicator.is_active:
        raise ValidationError({"indicator": _("This indicator is no longer in use.")})
    number = _decimal(value, "value", _("Give the actual as a number."))
    if number is None:
        raise ValidationError({"value": _("Give the actual as a number.")})
    evidence = (evidence or "").strip()
    if not evidence:
        raise ValidationError({"evidence": _("Give the evidence for the actual (a document, a contract, a report).")})
    if evidence_file:
        try:
            attachment_validate(file=evidence_file)
        except ValidationError as exc:
            raise ValidationError({"evidence_file": exc.messages}) from exc
    actual = (MonthlyActual.objects.select_for_update()
              .filter(indicator=indicator, department=department, month=month).first())
    before = None if actual is None else str(actual.value)
    if actual is None:
        actual = MonthlyActual(indicator=indicator, department=department, month=month)
    actual.value, actual.evidence, actual.entered_by, actual.entered_at = number, evidence[:4000], actor, now
    if evidence_file:
        name = attachment_name(evidence_file.name)
        evidence_file.seek(0)
        actual.evidence_file.save(name, evidence_file, save=False)
        actual.evidence_file_name = name
    actual.save()
    record_event(actual, actor=actor, kind=EvaluationsEvent.ACTUAL_ENTERED if before is None
                 else EvaluationsEvent.ACTUAL_CHANGED, from_state=before or "", to_state=str(number), note=evidence,
                 data={"indicator": indicator.name, "department": department.name, "month": month.isoformat()})
    if month < month_start(local_date(now)):
        department_grades_compute(month=month, now=now, departments=[department.pk])
    return actual
