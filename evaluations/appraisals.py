"""The stewards' yearly grades (seed 002): the appraisal (``selectors.appraisal_list``) becomes a
grade A–D by the thresholds an administrator sets (``StewardGradePolicy``); a finding of
subjective lack of effort (主观不努力) caps it (ZONEHUB_EFFORT_FINDING_CAP, D by default) and makes
the steward ineligible for that year's awards and promotion.

The measures, each numerator ÷ denominator in per cent, and left out when its denominator is 0:

    satisfaction  satisfied ratings ÷ ratings (closed campaigns of the year)
    visits        enterprise-months visited ÷ enterprise-months served (the monthly-visit rule)
    accepted      requests accepted in time ÷ requests accepted
    answered      escalations answered in time ÷ escalations due (of the steward's requests)
    decisions     meeting decisions it owns closed by their deadline ÷ those due in the year

grade = the best of A, B, C whose every threshold the measures meet, else D; no measure at all:
no grade (nothing to assess)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluations.events import EvaluationsEvent
from evaluations.models import EffortFinding, ReplacementCase, StewardGradePolicy, StewardYearGrade
from evaluations.rotation import rotation_persons_check
from evaluations.selectors import appraisal_list
from stewards.models import Steward
from zonehub.events import record_event
from zonehub.models import Role
from zonehub.notifications import notify
from zonehub.permissions import require
from zonehub.workdays import local_date

GRADES = ("A", "B", "C", "D")

# measure → (label, numerator, denominator) read off an AppraisalRow.
MEASURES = {
    "satisfaction": (gettext_lazy("satisfied ratings"), "satisfied", lambda r: r.satisfied + r.unsatisfied),
    "visits": (gettext_lazy("months visited"), "visit_months_met", lambda r: r.visit_months_required),
    "accepted": (gettext_lazy("requests accepted in time"), "accepted_on_time", lambda r: r.accepted),
    "answered": (gettext_lazy("escalations answered in time"), "escalations_on_time", lambda r: r.escalations_due),
    "decisions": (gettext_lazy("meeting decisions closed in time"), "decisions_on_time", lambda r: r.decisions_due),
}


def measures_of(row) -> dict[str, dict]:
    out = {}
    for key, (_label, num_attr, den) in MEASURES.items():
        num, d = getattr(row, num_attr), den(row)
        out[key] = {"num": num, "den": d,
                    "pct": None if not d else str((Decimal(100) * num / d).quantize(Decimal("0.1")))}
    return out


def grade_by_thresholds(measures: dict[str, dict], thresholds: dict[str, dict[str, Decimal]]) -> str:
    counted = {k: Decimal(v["pct"]) for k, v in measures.items() if v["pct"] is not None}
    if not counted:
        return ""
    for grade in ("A", "B", "C"):
        if all(pct >= thresholds[grade][k] for k, pct in counted.items()):
            return grade
    return "D"


def capped(grade: str, findings: int) -> str:
    cap = settings.ZONEHUB_EFFORT_FINDING_CAP if settings.ZONEHUB_EFFORT_FINDING_CAP in GRADES else "D"
    if not grade or not findings:
        return grade
    return max(grade, cap, key=GRADES.index)


def can_grade_stewards(user) -> bool:
    return bool(user.is_authenticated and not user.is_superuser and user.role in (Role.ASSESSMENT, Role.LEADER))


@transaction.atomic
def steward_grades_compute(*, year: int, actor=None, today: dt.date | None = None) -> list[StewardYearGrade]:
    """Grade every steward for ``year`` from its appraisal (the year so far while it runs) and keep
    the rows; computing again replaces them. By the assessment office or a leader (``actor``), or
    by the yearly task (None). Stewards graded D as many years running as ZONEHUB_ROTATION_D_PERIODS
    are listed in the post rotation pool."""
    if actor is not None:
        require(can_grade_stewards(actor), _("Only the assessment office and leaders compute the stewards' grades."))
    today = today or local_date(timezone.now())
    if not 2000 <= year <= today.year:
        raise ValidationError({"year": _("Grades are computed for this year or a past one.")})
    thresholds = StewardGradePolicy.current().thresholds()
    rows = appraisal_list(user=actor, year=year, today=today, stewards=Steward.objects.all())
    now = timezone.now()
    kept = []
    for row in rows:
        measures = measures_of(row)
        by_thresholds = grade_by_thresholds(measures, thresholds)
        grade, _created = StewardYearGrade.objects.update_or_create(
            steward=row.steward, year=year,
            defaults={"grade": capped(by_thresholds, row.findings), "grade_by_thresholds": by_thresholds,
                      "figures": measures, "findings": row.findings, "eligible": row.findings == 0,
                      "thresholds": {g: {k: str(v) for k, v in t.items()} for g, t in thresholds.items()},
                      "computed_at": now, "computed_by": actor})
        kept.append(grade)
    if kept:
        record_event(kept[0], actor=actor, kind=EvaluationsEvent.STEWARD_GRADED, to_state=str(year),
                     data={"year": year, "stewards": len(kept)})
    rotation_persons_check(year=year, now=now)
    return kept


def steward_grade_findings_refresh(*, steward: Steward, year: int, now: dt.datetime | None = None) -> None:
    """A finding was recorded (here, or the leaders' on a replacement case): the year's grade, if
    computed, counts it at once (capped, ineligible); a D may list the steward for rotation."""
    grade = StewardYearGrade.objects.select_for_update().filter(steward=steward, year=year).first()
    if grade is None:
        return
    findings = (EffortFinding.objects.filter(steward=steward, year=year).count()
                + ReplacementCase.objects.filter(steward=steward, campaign__year=year, lack_of_effort=True).count())
    grade.findings, grade.eligible = findings, findings == 0
    grade.grade = capped(grade.grade_by_thresholds, findings)
    grade.save(update_fields=["findings", "eligible", "grade"])
    if grade.grade == "D":
        rotation_persons_check(year=year, now=now)


def can_record_finding(user, steward: Steward) -> bool:
    """The head of the steward's workstation, or a leader."""
    if not user.is_authenticated or user.is_superuser:
        return False
    if user.role == Role.LEADER:
        return True
    return user.role == Role.WORKSTATION_HEAD and user.workstation_id == steward.workstation_id


@transaction.atomic
def effort_finding_record(*, steward: Steward, year: int, reason: str, actor,
                          now: dt.datetime | None = None) -> EffortFinding:
    """A finding of subjective lack of effort (主观不努力), with the reason: it caps the steward's
    grade for the year and bars it from the year's awards and promotion. The year's grade, if
    computed, is computed again for it at once."""
    require(can_record_finding(actor, steward),
            _("Only the head of the steward's workstation or a leader records a finding."))
    now = now or timezone.now()
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = _("Give the reason for the finding.")
    if not 2000 <= year <= local_date(now).year:
        errors["year"] = _("A finding is for this year or a past one.")
    if errors:
        raise ValidationError(errors)
    finding = EffortFinding.objects.create(steward=steward, year=year, reason=reason[:4000], recorded_by=actor,
                                           recorded_at=now)
    record_event(finding, actor=actor, kind=EvaluationsEvent.FINDING_RECORDED, to_state=str(year), note=reason,
                 data={"steward": steward.name})
    steward_grade_findings_refresh(steward=steward, year=year, now=now)
    notify([steward.user], kind="finding.recorded", key=f"finding:{finding.pk}", url=reverse("evaluations:my_assessment"),
           title=_("A finding of subjective lack of effort was recorded for %(year)d: you are not eligible for this "
                   "year's awards and promotion") % {"year": year})
    return finding
