"""能上能下 (seed 001): the post rotation pool (岗位周转池). A unit graded D in
ZONEHUB_ROTATION_D_PERIODS consecutive pay periods (months or quarters, ZONEHUB_PAY_PERIOD), or a
steward graded D in as many consecutive years, is listed once for review; a leader records the
outcome: stays, moves to another post, moves down or up."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations.events import EvaluationsEvent
from evaluations.models import RotationCase, StewardYearGrade
from evaluations.periods import period_kind, period_label, period_months, period_start, previous_period, unit_period_grades
from zonehub import recipients
from zonehub.events import record_event
from zonehub.models import Role, User
from zonehub.notifications import notify
from zonehub.permissions import require
from zonehub.workdays import month_start


def assessment_office() -> list[User]:
    return list(User.objects.filter(role=Role.ASSESSMENT, is_active=True))


def _list(*, key: str, now: dt.datetime, **fields) -> RotationCase | None:
    """List a subject once (the key names it and the last period of its run)."""
    with transaction.atomic():
        case, created = RotationCase.objects.get_or_create(key=key, defaults={**fields, "listed_at": now})
        if not created:
            return None
        record_event(case, actor=None, kind=EvaluationsEvent.ROTATION_LISTED, to_state=case.periods_label)
    return case


def _tell(cases: list[RotationCase]) -> None:
    if not cases:
        return
    names = "、".join(case.name for case in cases[:5])
    notify([*recipients.leaders(), *assessment_office()], kind="rotation.listed",
           key="rotation:" + ",".join(str(case.pk) for case in cases), url=reverse("evaluations:rotation_list"),
           title=_("Graded D %(n)d periods running, listed in the post rotation pool for review: %(names)s") % {
               "n": settings.ZONEHUB_ROTATION_D_PERIODS, "names": names})


def rotation_units_check(*, month: dt.date, now: dt.datetime | None = None) -> list[RotationCase]:
    """After the grades of ``month``: the units graded D in each of the last N periods, the one
    ending with this month included (a quarter is judged once its last month is graded)."""
    periods_needed = settings.ZONEHUB_ROTATION_D_PERIODS
    kind = period_kind()
    start = period_start(month, kind)
    if periods_needed < 1 or period_months(start, kind)[-1] != month_start(month):
        return []
    starts = [start]
    for _i in range(periods_needed - 1):
        starts.insert(0, previous_period(starts[0], kind))
    grades = [unit_period_grades(s, kind) for s in starts]
    now = now or timezone.now()
    listed = []
    for department_id, last in sorted(grades[-1].items()):
        runs = [g.get(department_id) for g in grades]
        if last.grade != "D" or not all(r is not None and r.grade == "D" for r in runs):
            continue
        # A run of D listed already (its last period in this window) is not listed again until it
        # has run as long once more.
        if RotationCase.objects.filter(key__in=[f"unit:{department_id}:{kind}:{s:%Y-%m}" for s in starts[:-1]]).exists():
            continue
        periods = [{"period": period_label(s, kind), "grade": r.grade, "score": str(r.score), "rows": r.rows}
                   for s, r in zip(starts, runs, strict=True)]
        case = _list(key=f"unit:{department_id}:{kind}:{start:%Y-%m}", now=now, subject=RotationCase.Subject.UNIT,
                     department_id=department_id, periods=periods)
        if case is not None:
            listed.append(case)
    _tell(listed)
    return listed


def rotation_persons_check(*, year: int, now: dt.datetime | None = None) -> list[RotationCase]:
    """After the stewards' grades of ``year``: the stewards graded D in it and the years before it
    (N in all). A steward's own period is the year of its appraisal."""
    years = list(range(year - settings.ZONEHUB_ROTATION_D_PERIODS + 1, year + 1))
    runs: dict[int, dict[int, StewardYearGrade]] = {}
    for grade in StewardYearGrade.objects.filter(year__in=years, grade="D").select_related("steward"):
        runs.setdefault(grade.steward.user_id, {})[grade.year] = grade
    now = now or timezone.now()
    listed = []
    for user_id, by_year in sorted(runs.items()):
        if set(by_year) != set(years) or RotationCase.objects.filter(
                key__in=[f"person:{user_id}:year:{y}" for y in years[:-1]]).exists():
            continue
        periods = [{"period": f"{y}年", "grade": "D", "score": "", "rows": [by_year[y].pk]} for y in years]
        case = _list(key=f"person:{user_id}:year:{year}", now=now, subject=RotationCase.Subject.PERSON,
                     user_id=user_id, periods=periods)
        if case is not None:
            listed.append(case)
    _tell(listed)
    return listed


def can_decide_rotation(user) -> bool:
    return user.is_authenticated and user.role == Role.LEADER and not user.is_superuser


@transaction.atomic
def rotation_decide(*, case: RotationCase, outcome: str, reason: str, actor,
                    now: dt.datetime | None = None) -> RotationCase:
    """A leader records the outcome of a listing (能上能下): stays, moves, down or up, with why."""
    require(can_decide_rotation(actor), _("Only leaders record the outcome of a rotation review."))
    reason = (reason or "").strip()
    errors = {}
    if outcome not in RotationCase.Outcome.values:
        errors["outcome"] = _("Choose the outcome: stays, moves to another post, moves down or moves up.")
    if not reason:
        errors["reason"] = _("Give the reason for the outcome.")
    if errors:
        raise ValidationError(errors)
    case = RotationCase.objects.select_for_update().get(pk=case.pk)
    if case.outcome:
        raise ValidationError(_("The outcome of this review is already recorded."))
    case.outcome, case.outcome_reason, case.decided_by, case.decided_at = outcome, reason[:2000], actor, now or timezone.now()
    case.save(update_fields=["outcome", "outcome_reason", "decided_by", "decided_at"])
    record_event(case, actor=actor, kind=EvaluationsEvent.ROTATION_DECIDED, to_state=outcome, note=reason)
    return case
