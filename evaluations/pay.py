"""以等级定薪酬 (seed 001): posts and coefficients (set by administrators, dated), and the pay sheets
(drafted by the assessment office, approved by a leader, then locked; a change after that is a
correction row). The arithmetic of a line (README "Assessment and pay", and the sheet's page):

    unit coefficient  = the coefficient of the unit's grade for the period (a quarter: the grade of
                        the mean of its months' scores); no grade (无考核事项, not computed): "no grade"
    own coefficient   = the coefficient of the person's own grade, where they have one (a steward's
                        yearly grade of the period's year)
    coefficient       = performance post: unit coefficient × own coefficient (1 without one)
                        auxiliary post:   1 + auxiliary share × (unit coefficient − 1)
    weighted base     = monthly base × months in the period × coefficient
    pay               = pool × weighted base ÷ Σ weighted bases of the sheet, to the fen (half up)
    pool              = Σ monthly base × months, unless the assessment office sets another
    paid              = pay + Σ corrections
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations.events import EvaluationsEvent
from evaluations.models import (
    DepartmentMonthlyGrade,
    GradePolicy,
    PayCoefficients,
    PayCorrection,
    PayLine,
    PayPost,
    PaySheet,
    StewardYearGrade,
)
from evaluations.periods import period_end, period_kind, period_label, period_months, period_start, unit_period_grades
from evaluations.rotation import assessment_office
from zonehub import recipients
from zonehub.events import record_event
from zonehub.models import Department, Role, User
from zonehub.notifications import notify
from zonehub.permissions import require
from zonehub.workdays import local_date

S = PaySheet.Status
FEN = Decimal("0.01")

# One table says who may do what to a sheet in which state; the services enforce it and the pages
# read it to decide which buttons to show.
SHEET_ACTIONS: dict[str, tuple[str | None, tuple[str, ...]]] = {
    "draft": (None, (Role.ASSESSMENT,)),
    "recompute": (S.DRAFT, (Role.ASSESSMENT,)),
    "approve": (S.DRAFT, (Role.LEADER,)),
    "correct": (S.APPROVED, (Role.ASSESSMENT, Role.LEADER)),
}


def sheet_can(user, sheet: PaySheet | None, action: str) -> bool:
    state, roles = SHEET_ACTIONS[action]
    if not (user is not None and user.is_authenticated and not user.is_superuser and user.role in roles):
        return False
    return (sheet is None) if state is None else (sheet is not None and sheet.status == state)


# --- posts and coefficients (the administrator's) ----------------------------------------------

def coefficients_in_force(day: dt.date) -> PayCoefficients:
    """The coefficients in force on ``day``; the issue's defaults (A 1.2, B 1.0, C 0.8, D 0.6)
    until an administrator sets others."""
    row = PayCoefficients.objects.filter(effective_from__lte=day).order_by("-effective_from").first()
    if row is None:
        row = (PayCoefficients.objects.order_by("effective_from").first()
               or PayCoefficients.objects.create(effective_from=dt.date(2000, 1, 1), note=_("defaults")))
    return row


@transaction.atomic
def pay_post_set(*, user: User, kind: str, base, effective_from: dt.date, actor, department: Department | None = None,
                 active: bool = True, note: str = "") -> PayPost:
    """A person's post from ``effective_from``: kind, monthly base, the unit whose grade it
    follows (by default the person's department). By an administrator."""
    require(actor is not None and actor.is_authenticated and actor.is_admin,
            _("Only administrators set posts and their bases."))
    if kind not in PayPost.Kind.values:
        raise ValidationError({"kind": _("Choose a performance post or an auxiliary post.")})
    try:
        base = Decimal(str(base)).quantize(FEN)
    except (InvalidOperation, ValueError):
        raise ValidationError({"base": _("Give the base in yuan.")}) from None
    if base < 0:
        raise ValidationError({"base": _("The base cannot be negative.")})
    if PayPost.objects.filter(user=user, effective_from=effective_from).exists():
        raise ValidationError({"effective_from": _("This person already has a post from this date.")})
    post = PayPost.objects.create(user=user, kind=kind, base=base, effective_from=effective_from,
                                  department=department if department is not None else user.department,
                                  active=active, note=(note or "")[:200], set_by=actor)
    return post


def posts_in_force(day: dt.date) -> list[PayPost]:
    """Each person's post in force on ``day`` (their latest from on or before it), those taken off
    the sheets and inactive logins left out. One query."""
    latest: dict[int, PayPost] = {}
    for post in (PayPost.objects.filter(effective_from__lte=day).select_related("user", "department")
                 .order_by("user_id", "effective_from", "pk")):
        latest[post.user_id] = post
    return [p for p in latest.values() if p.active and p.user.is_active]


# --- the arithmetic ---------------------------------------------------------------------------

def line_coefficient(*, kind: str, unit: Decimal, own: Decimal | None, auxiliary_share: Decimal) -> Decimal:
    if kind == PayPost.Kind.AUXILIARY:
        return Decimal(1) + auxiliary_share * (unit - Decimal(1))
    return unit * (own if own is not None else Decimal(1))


def shares(pool: Decimal, weighted: list[Decimal]) -> list[Decimal]:
    """The pool shared in proportion to the weighted bases, each to the fen (half up)."""
    total = sum(weighted, Decimal(0))
    if not total:
        return [Decimal(0).quantize(FEN) for _w in weighted]
    return [(pool * w / total).quantize(FEN, rounding=ROUND_HALF_UP) for w in weighted]


def _lines(*, start: dt.date, kind: str, coefficients: PayCoefficients, policy: GradePolicy,
           pool: Decimal | None) -> tuple[list[PayLine], Decimal]:
    posts = posts_in_force(start)
    months = len(period_months(start, kind))
    units = unit_period_grades(start, kind, department_ids={p.department_id for p in posts if p.department_id},
                               policy=policy)
    own = {user_id: (grade, pk) for user_id, grade, pk in StewardYearGrade.objects.filter(
        year=start.year, steward__user_id__in=[p.user_id for p in posts]).exclude(grade="").values_list(
        "steward__user_id", "grade", "pk")}
    lines = []
    for post in sorted(posts, key=lambda p: (p.department.name if p.department else "", p.user.name, p.user_id)):
        unit = units.get(post.department_id)
        unit_grade = unit.grade if unit else ""
        own_grade, own_row = own.get(post.user_id, ("", None))
        unit_coef = coefficients.for_grade(unit_grade)
        own_coef = coefficients.for_grade(own_grade) if own_grade and post.kind == PayPost.Kind.PERFORMANCE else None
        coefficient = line_coefficient(kind=post.kind, unit=unit_coef, own=own_coef,
                                       auxiliary_share=coefficients.auxiliary_share)
        lines.append(PayLine(
            user=post.user, post=post, kind=post.kind, base=post.base, months=months, department=post.department,
            unit_grade=unit_grade, unit_score=unit.score if unit else None, own_grade=own_grade,
            unit_coefficient=unit_coef, own_coefficient=own_coef, coefficient=coefficient,
            weighted=post.base * months * coefficient, amount=Decimal(0),
            sources={"unit_rows": unit.rows if unit else [], "unit_computed": bool(unit and unit.computed),
                     "own_row": own_row}))
    if pool is None:
        pool = sum((line.base * line.months for line in lines), Decimal(0)).quantize(FEN)
    for line, amount in zip(lines, shares(pool, [line.weighted for line in lines]), strict=True):
        line.amount = amount
    return lines, pool


def _pool(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        pool = Decimal(str(value).strip()).quantize(FEN)
    except (InvalidOperation, ValueError):
        raise ValidationError({"pool": _("Give the pool in yuan, or leave it empty.")}) from None
    if pool < 0 or pool >= Decimal("1e12"):
        raise ValidationError({"pool": _("Give the pool in yuan, or leave it empty.")})
    return pool


def _rules(coefficients: PayCoefficients, policy: GradePolicy) -> dict:
    return {"coefficients": coefficients.as_dict(), "coefficients_from": coefficients.effective_from.isoformat(),
            "thresholds": [str(policy.a_min), str(policy.b_min), str(policy.c_min)]}


# --- sheets -----------------------------------------------------------------------------------

@transaction.atomic
def pay_sheet_draft(*, period_start_on: dt.date, actor, pool=None, note: str = "",
                    now: dt.datetime | None = None) -> PaySheet:
    """The assessment office drafts the sheet of a period that has ended and whose grades are
    computed: a line for each person with a post in force on its first day."""
    require(sheet_can(actor, None, "draft"), _("Only the assessment office drafts pay sheets."))
    now = now or timezone.now()
    kind = period_kind()
    start = period_start(period_start_on, kind)
    if period_end(start, kind) > local_date(now):
        raise ValidationError({"period": _("%(period)s has not ended: its sheet is drafted once it has.") % {
            "period": period_label(start, kind)}})
    last = period_months(start, kind)[-1]
    if not DepartmentMonthlyGrade.objects.filter(month=last).exists():
        raise ValidationError({"period": _("The grades of %(month)s are not computed yet.") % {
            "month": f"{last.year}年{last.month}月"}})
    if PaySheet.objects.filter(period=kind, period_start=start).exists():
        raise ValidationError({"period": _("There is already a pay sheet for %(period)s.") % {
            "period": period_label(start, kind)}})
    pool = _pool(pool)
    coefficients, policy = coefficients_in_force(start), GradePolicy.current()
    lines, pool = _lines(start=start, kind=kind, coefficients=coefficients, policy=policy, pool=pool)
    if not lines:
        raise ValidationError({"period": _("No one has a post in force on the period's first day: an administrator "
                                           "sets the posts and their bases first.")})
    try:
        with transaction.atomic():
            sheet = PaySheet.objects.create(period=kind, period_start=start, pool=pool, coefficients=coefficients,
                                            rules=_rules(coefficients, policy), note=(note or "").strip()[:2000],
                                            drafted_by=actor, drafted_at=now)
    except IntegrityError as exc:
        raise ValidationError({"period": _("There is already a pay sheet for this period.")}) from exc
    for line in lines:
        line.sheet = sheet
    PayLine.objects.bulk_create(lines)
    record_event(sheet, actor=actor, kind=EvaluationsEvent.PAY_DRAFTED, to_state=S.DRAFT,
                 data={"pool": str(pool), "lines": len(lines)})
    notify(recipients.leaders(), kind="paysheet.drafted", key=f"paysheet:{sheet.pk}:drafted",
           url=reverse("evaluations:pay_sheet_detail", args=[sheet.pk]),
           title=_("The pay sheet of %(period)s is drafted: it waits for your approval") % {"period": sheet.label})
    return sheet


@transaction.atomic
def pay_sheet_recompute(*, sheet: PaySheet, actor, pool=None, note: str | None = None) -> PaySheet:
    """Draft the sheet again (grades, posts or coefficients changed since): its lines are made
    anew. A draft only: an approved sheet is locked."""
    sheet = PaySheet.objects.select_for_update().get(pk=sheet.pk)
    require(actor is not None and actor.is_authenticated and actor.role == Role.ASSESSMENT and not actor.is_superuser,
            _("Only the assessment office drafts pay sheets."))
    if not sheet_can(actor, sheet, "recompute"):
        raise ValidationError(_("The sheet is approved and locked: a change is a correction."))
    pool = _pool(pool)
    coefficients, policy = coefficients_in_force(sheet.period_start), GradePolicy.current()
    lines, pool = _lines(start=sheet.period_start, kind=sheet.period, coefficients=coefficients, policy=policy,
                         pool=pool)
    before = str(sheet.pool)
    sheet.lines.all().delete()  # a draft's lines are a calculation, not a record: the event keeps the totals
    for line in lines:
        line.sheet = sheet
    PayLine.objects.bulk_create(lines)
    sheet.pool, sheet.coefficients, sheet.rules = pool, coefficients, _rules(coefficients, policy)
    fields = ["pool", "coefficients", "rules"]
    if note is not None:
        sheet.note = note.strip()[:2000]
        fields.append("note")
    sheet.save(update_fields=fields)
    record_event(sheet, actor=actor, kind=EvaluationsEvent.PAY_RECOMPUTED, from_state=before, to_state=str(pool),
                 data={"lines": len(lines)})
    return sheet


@transaction.atomic
def pay_sheet_approve(*, sheet: PaySheet, actor, now: dt.datetime | None = None) -> PaySheet:
    """A leader approves the sheet: it locks. Each person is told their line is there to read."""
    require(actor is not None and actor.is_authenticated and actor.role == Role.LEADER and not actor.is_superuser,
            _("Only leaders approve pay sheets."))
    sheet = PaySheet.objects.select_for_update().get(pk=sheet.pk)
    if not sheet_can(actor, sheet, "approve"):
        raise ValidationError(_("The sheet is already approved and locked."))
    now = now or timezone.now()
    sheet.status, sheet.approved_by, sheet.approved_at = S.APPROVED, actor, now
    sheet.save(update_fields=["status", "approved_by", "approved_at"])
    record_event(sheet, actor=actor, kind=EvaluationsEvent.PAY_APPROVED, from_state=S.DRAFT, to_state=S.APPROVED)
    people = list(User.objects.filter(pay_lines__sheet=sheet))
    notify(people, kind="paysheet.approved", key=f"paysheet:{sheet.pk}:approved",
           url=reverse("evaluations:my_assessment"),
           title=_("Your performance pay of %(period)s is approved: see My assessment") % {"period": sheet.label})
    notify(assessment_office(), kind="paysheet.approved", key=f"paysheet:{sheet.pk}:approved:office",
           url=reverse("evaluations:pay_sheet_detail", args=[sheet.pk]),
           title=_("The pay sheet of %(period)s is approved and locked: export it for the payroll office") % {
               "period": sheet.label})
    return sheet


@transaction.atomic
def pay_correction_record(*, line: PayLine, amount, reason: str, actor, now: dt.datetime | None = None) -> PayCorrection:
    """A change to a line of an approved (locked) sheet: a row with the amount and the reason; the
    line is not edited. The person is told."""
    sheet = PaySheet.objects.select_for_update().get(pk=line.sheet_id)
    require(actor is not None and actor.is_authenticated and not actor.is_superuser
            and actor.role in SHEET_ACTIONS["correct"][1], _("Only the assessment office and leaders correct pay."))
    if not sheet_can(actor, sheet, "correct"):
        raise ValidationError(_("The sheet is still a draft: draft it again instead of correcting it."))
    reason = (reason or "").strip()
    errors = {}
    try:
        change = Decimal(str(amount).strip()).quantize(FEN)
    except (InvalidOperation, ValueError):
        change = None
    if change is None or not change or abs(change) >= Decimal("1e9"):
        errors["amount"] = _("Give the change in yuan: positive to add, negative to take off.")
    if not reason:
        errors["reason"] = _("Give the reason for the correction.")
    if errors:
        raise ValidationError(errors)
    paid = line.amount + (line.corrections.aggregate(s=Sum("amount"))["s"] or Decimal(0))
    if paid + change < 0:
        raise ValidationError({"amount": _("The correction would make the pay negative.")})
    correction = PayCorrection.objects.create(line=line, amount=change, reason=reason[:2000], recorded_by=actor,
                                              recorded_at=now or timezone.now())
    record_event(correction, root=sheet, actor=actor, kind=EvaluationsEvent.PAY_CORRECTED, to_state=str(change),
                 note=reason, data={"person": line.user.display_name, "line": line.pk})
    notify([line.user], kind="paysheet.corrected", key=f"paycorrection:{correction.pk}",
           url=reverse("evaluations:my_assessment"),
           title=_("Your performance pay of %(period)s was corrected by %(amount)s yuan") % {
               "period": sheet.label, "amount": f"{change:+}"})
    return correction
