"""Writes of the evaluations app: campaigns, ratings, replacement cases, effort findings and
department grades. Each state change is one function: permission, validation, write, event, and
its notification rows in the same transaction (``notify`` enqueues delivery after commit).

evaluations stands above stewards and projects: it reads their facts through their selectors and
changes their data through their services (the rule-4 bar is stewards' data, written here)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations.events import EvaluationsEvent
from evaluations.models import Campaign, DepartmentMonthlyGrade, GradePolicy, Rating, ReplacementCase
from evaluations.selectors import enterprises_not_done, expected_enterprises, stewards_to_rate
from projects.selectors import unit_node_results
from projects.services import project_stewards_replace
from stewards.models import Steward, StewardAssignment
from stewards.selectors import assignment_barred, escalation_facts
from stewards.services import assignment_bar_add, assignment_bar_lift, assignment_bar_restore, steward_assign
from zonehub import recipients
from zonehub.events import record_event
from zonehub.models import Department, Role, User
from zonehub.notifications import notify
from zonehub.permissions import require
from zonehub.workdays import (
    WorkCalendar,
    due_at,
    local_date,
    month_start,
    previous_month,
    start_of_day,
    workdays_left,
)

# --- the campaign calendar -------------------------------------------------------------------

def half_of(day: dt.date) -> str:
    return Campaign.Half.H1 if day.month <= 6 else Campaign.Half.H2


def scheduled_open_date(year: int, half: str, *, calendar: WorkCalendar | None = None) -> dt.date:
    """The first working day on or after the configured day of the half-year's opening month
    (by default 1 June and 1 December)."""
    calendar = calendar or WorkCalendar()
    month = settings.ZONEHUB_CAMPAIGN_OPEN_MONTHS[str(half)]
    return calendar.first_workday_on_or_after(dt.date(year, month, settings.ZONEHUB_CAMPAIGN_OPEN_DAY))


def campaign_closes_at(opened_on: dt.date, *, calendar: WorkCalendar | None = None) -> dt.datetime:
    """Open for ZONEHUB_CAMPAIGN_WORKING_DAYS working days after the opening day, counted like
    every other period (the opening day itself not counted, ending at 24:00 of the last day)."""
    return due_at(start_of_day(opened_on), settings.ZONEHUB_CAMPAIGN_WORKING_DAYS, calendar=calendar)


def can_run_campaigns(user) -> bool:
    return user.is_authenticated and (user.is_admin or user.role == Role.LEADER)


def _heads_of(workstation_id):
    """The workstation's heads; the administrators for an enterprise with no workstation."""
    return recipients.workstation_heads(workstation_id) or recipients.administrators()


# --- campaigns ---------------------------------------------------------------------------------

@transaction.atomic
def campaign_open(*, year: int, half: str, actor=None, now: dt.datetime | None = None,
                  opened_on: dt.date | None = None) -> Campaign:
    """Open the campaign of a half-year: by a leader or admin by hand (``actor``), or by the beat
    sweep on its scheduled day (``actor`` None, ``opened_on`` the scheduled day)."""
    if actor is not None:
        require(can_run_campaigns(actor), _("Only leaders and administrators may open a rating campaign."))
    now = now or timezone.now()
    if half not in Campaign.Half.values:
        raise ValidationError(_("A campaign is for the first (H1) or second (H2) half-year."))
    existing = Campaign.objects.filter(year=year, half=half).first()
    if existing is not None:
        if existing.is_open:
            raise ValidationError(_("The campaign %(campaign)s is already open.") % {"campaign": existing})
        raise ValidationError(_("The campaign %(campaign)s has already been held and closed.") % {"campaign": existing})
    opened_on = opened_on or local_date(now)
    try:
        with transaction.atomic():
            campaign = Campaign.objects.create(
                year=year, half=half, opened_at=now, opened_by=actor if actor is not None else None,
                closes_at=campaign_closes_at(opened_on),
            )
    except IntegrityError as exc:  # a concurrent sweep or leader opened it first
        raise ValidationError(_("There is already a campaign for this half-year.")) from exc
    record_event(campaign, actor=actor, kind=EvaluationsEvent.CAMPAIGN_OPENED, to_state=Campaign.Status.OPEN,
                 data={"closes_at": campaign.closes_at.isoformat()})
    users = User.objects.filter(role=Role.ENTERPRISE, is_active=True, enterprise__is_active=True)
    closes = local_date(campaign.closes_at) - dt.timedelta(days=1)
    notify(
        users, kind="campaign.opened", key=f"campaign:{campaign.pk}:opened",
        title=_("Rate your stewards: the %(campaign)s satisfaction survey is open until %(date)s") % {
            "campaign": campaign, "date": _date(closes)},
        url=reverse("evaluations:campaign_list"),
    )
    return campaign


@transaction.atomic
def campaign_close(*, campaign: Campaign, actor=None, now: dt.datetime | None = None) -> list[ReplacementCase]:
    """Close a campaign: its ratings become final, every unsatisfied rating opens a replacement
    case (无条件撤换) for the head of the enterprise's workstation and bars the steward from
    serving the enterprise again this year (rule 4, stewards' ``AssignmentBar``)."""
    if actor is not None:
        require(can_run_campaigns(actor), _("Only leaders and administrators may close a rating campaign."))
    now = now or timezone.now()
    updated = Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.OPEN).update(
        status=Campaign.Status.CLOSED, closed_at=now, closed_by=actor,
    )
    if not updated:
        raise ValidationError(_("The campaign %(campaign)s is already closed.") % {"campaign": campaign})
    Campaign.objects.filter(pk=campaign.pk).update(expected_enterprises=expected_enterprises().count())
    campaign.refresh_from_db(fields=["status", "closed_at", "closed_by", "expected_enterprises"])
    record_event(campaign, actor=actor, kind=EvaluationsEvent.CAMPAIGN_CLOSED, from_state=Campaign.Status.OPEN,
                 to_state=Campaign.Status.CLOSED)
    cases = []
    due = due_at(now, settings.ZONEHUB_REPLACEMENT_WORKING_DAYS)
    unsatisfied = (
        Rating.objects.filter(campaign=campaign, value=Rating.Value.UNSATISFIED)
        .select_related("enterprise", "steward__user").order_by("pk")
    )
    active = dict(
        StewardAssignment.objects.active()
        .filter(enterprise__in=[r.enterprise_id for r in unsatisfied]).values_list("enterprise_id", "steward_id")
    )
    for rating in unsatisfied:
        assignment_bar_add(steward=rating.steward, enterprise=rating.enterprise, year=campaign.year,
                           reason=_("rated unsatisfied in campaign %(campaign)s") % {"campaign": campaign},
                           source=f"evaluations.rating:{rating.pk}")
        case = ReplacementCase(
            rating=rating, campaign=campaign, enterprise=rating.enterprise, steward=rating.steward,
            workstation_id=rating.enterprise.workstation_id, opened_at=now, due_at=due,
        )
        current = active.get(rating.enterprise_id)
        if (rating.steward_role == Rating.StewardRole.ENTERPRISE and current is not None
                and current != rating.steward_id):
            # Someone else already serves the enterprise: the replacement has happened.
            case.status = ReplacementCase.Status.REPLACED
            case.new_steward_id = current
            case.replaced_at = now
        case.save()
        record_event(case, actor=actor, kind=EvaluationsEvent.CASE_OPENED, to_state=case.status,
                     data={"rating": rating.pk, "campaign": campaign.pk})
        cases.append(case)
    for case in cases:
        if case.is_pending:
            notify(_heads_of(case.workstation_id), kind="case.opened", key=f"case:{case.pk}:opened",
                   url=reverse("evaluations:case_detail", args=[case.pk]),
                   title=_("%(enterprise)s rated its steward %(steward)s unsatisfied: name a new steward "
                           "within %(days)s working days") % {
                       "enterprise": case.enterprise.name, "steward": case.steward.name,
                       "days": settings.ZONEHUB_REPLACEMENT_WORKING_DAYS})
    rated = Steward.objects.filter(ratings__campaign=campaign).distinct().select_related("user")
    notify([s.user for s in rated], kind="campaign.closed", key=f"campaign:{campaign.pk}:closed",
           url=reverse("evaluations:appraisal"),
           title=_("The %(campaign)s satisfaction survey has closed: your results are on your appraisal")
           % {"campaign": campaign})
    return cases


# --- ratings -----------------------------------------------------------------------------------

def _check_rating_input(*, campaign: Campaign, enterprise, steward: Steward, value: str, reason: str, actor,
                        now: dt.datetime) -> tuple[str, str]:
    require(actor.is_authenticated and actor.role == Role.ENTERPRISE and actor.enterprise_id == enterprise.pk,
            _("Only the enterprise's own users may rate its stewards."))
    if not campaign.is_open or now >= campaign.closes_at:
        raise ValidationError(_("The campaign %(campaign)s is not open: ratings can only be given or changed "
                                "while a campaign is open.") % {"campaign": campaign})
    if value not in Rating.Value.values:
        raise ValidationError({"value": _("Choose satisfied or unsatisfied: there is nothing in between.")})
    reason = (reason or "").strip()
    if value == Rating.Value.UNSATISFIED and not reason:
        raise ValidationError({"reason": _("Say why you are not satisfied: the reason is required.")})
    roles = {s.pk: role for s, role in stewards_to_rate(enterprise, campaign)}
    if steward.pk not in roles:
        raise ValidationError({"steward": _("%(name)s is not one of your enterprise's stewards: you can rate only "
                                            "your own stewards.") % {"name": steward.name}})
    return reason, roles[steward.pk]


@transaction.atomic
def rating_create(*, campaign: Campaign, enterprise, steward: Steward, value: str, reason: str = "", actor,
                  now: dt.datetime | None = None) -> Rating:
    """An enterprise rates one of its stewards. A second rating of the same steward in the same
    campaign is refused (change the first one instead: rating_change)."""
    now = now or timezone.now()
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    reason, role = _check_rating_input(campaign=campaign, enterprise=enterprise, steward=steward, value=value,
                                 reason=reason, actor=actor, now=now)
    if Rating.objects.filter(campaign=campaign, enterprise=enterprise, steward=steward).exists():
        raise ValidationError(_("You have already rated %(name)s in this campaign: change that rating instead "
                                "of adding a second one.") % {"name": steward.name})
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                campaign=campaign, enterprise=enterprise, steward=steward, steward_role=role, value=value,
                reason=reason if value == Rating.Value.UNSATISFIED else "", rated_by=actor, created_at=now,
                updated_at=now,
            )
    except IntegrityError as exc:
        raise ValidationError(_("You have already rated %(name)s in this campaign: change that rating instead "
                                "of adding a second one.") % {"name": steward.name}) from exc
    record_event(rating, actor=actor, kind=EvaluationsEvent.RATING_GIVEN, to_state=value)
    return rating


@transaction.atomic
def rating_change(*, rating: Rating, value: str, reason: str = "", actor, now: dt.datetime | None = None) -> Rating:
    """The enterprise changes its mind while the campaign is open; the change is an event."""
    now = now or timezone.now()
    rating = Rating.objects.select_for_update().select_related("campaign", "enterprise", "steward__user").get(
        pk=rating.pk)
    reason, _role = _check_rating_input(campaign=rating.campaign, enterprise=rating.enterprise, steward=rating.steward,
                                 value=value, reason=reason, actor=actor, now=now)
    reason = reason if value == Rating.Value.UNSATISFIED else ""
    if (rating.value, rating.reason) == (value, reason):
        return rating
    before = rating.value
    rating.value, rating.reason, rating.rated_by, rating.updated_at = value, reason, actor, now
    rating.save(update_fields=["value", "reason", "rated_by", "updated_at"])
    record_event(rating, actor=actor, kind=EvaluationsEvent.RATING_CHANGED, from_state=before, to_state=value)
    return rating


# --- replacement cases -------------------------------------------------------------------------

def can_name_replacement(user, case: ReplacementCase) -> bool:
    return user.is_authenticated and (
        user.is_admin or (user.role == Role.WORKSTATION_HEAD and user.workstation_id == case.workstation_id)
    )


@transaction.atomic
def replacement_name(*, case: ReplacementCase, steward: Steward, actor, now: dt.datetime | None = None
                     ) -> ReplacementCase:
    """The workstation head names the new steward: the assignment changes with its history
    (reason: rated unsatisfied in campaign X) and the enterprise is told who it is."""
    require(can_name_replacement(actor, case),
            _("Only the head of the enterprise's workstation or an administrator may name the new steward."))
    now = now or timezone.now()
    case = ReplacementCase.objects.select_for_update().select_related("campaign", "enterprise", "steward__user",
                                                                       "rating").get(pk=case.pk)
    if not case.is_pending:
        raise ValidationError(_("A new steward has already been named for this case."))
    if steward.pk == case.steward_id and case.override_steward_id != steward.pk:
        raise ValidationError(_("%(name)s is the steward rated unsatisfied: name someone else.") % {"name": steward.name})
    allowed_back = case.override_steward_id == steward.pk
    barred = assignment_barred(enterprise_id=case.enterprise_id, steward_id=steward.pk, year=case.campaign.year)
    if barred and not allowed_back:
        raise ValidationError(_("%(enterprise)s rated %(name)s unsatisfied in %(year)s: that steward cannot go back "
                                "unless a leader allows it with a reason.") % {
            "enterprise": case.enterprise.name, "name": steward.name, "year": case.campaign.year})
    note = _("rated unsatisfied in campaign %(campaign)s") % {"campaign": case.campaign}
    if case.rating.steward_role == Rating.StewardRole.PROJECT:
        project_stewards_replace(enterprise=case.enterprise, steward_out=case.steward, steward_in=steward,
                                 actor=actor, note=note, allow_return=allowed_back)
    else:
        current = StewardAssignment.objects.active().filter(enterprise=case.enterprise).first()
        if current is None or current.steward_id != steward.pk:
            steward_assign(enterprise=case.enterprise, steward=steward, actor=actor,
                           reason=StewardAssignment.EndReason.UNSATISFIED, note=note, allow_return=allowed_back)
    case.status = ReplacementCase.Status.REPLACED
    case.new_steward, case.replaced_at, case.replaced_by = steward, now, actor
    case.save(update_fields=["status", "new_steward", "replaced_at", "replaced_by"])
    record_event(case, actor=actor, kind=EvaluationsEvent.CASE_REPLACED, from_state=case.steward.name, to_state=steward.name,
                 note=note)
    return case


@transaction.atomic
def replacement_allow_back(*, case: ReplacementCase, steward: Steward, reason: str, actor) -> ReplacementCase:
    """A leader overrides the bar: this steward may go back to the enterprise that rated it
    unsatisfied this year (its bars of the year are lifted, with the reason). The head still names
    it. Allowing another steward instead puts the first one's bars back."""
    require(actor.is_authenticated and (actor.role == Role.LEADER or actor.is_admin),
            _("Only a leader may let a steward go back to an enterprise that rated it unsatisfied."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for letting the steward go back.")})
    case = ReplacementCase.objects.select_for_update().select_related("campaign", "enterprise").get(pk=case.pk)
    if not case.is_pending:
        raise ValidationError(_("A new steward has already been named for this case."))
    source = f"evaluations.replacementcase:{case.pk}"
    if case.override_steward_id is not None and case.override_steward_id != steward.pk:
        assignment_bar_restore(steward=case.override_steward, enterprise=case.enterprise, year=case.campaign.year,
                               source=source)
    assignment_bar_lift(steward=steward, enterprise=case.enterprise, year=case.campaign.year, actor=actor,
                        reason=reason, source=source)
    case.override_steward, case.override_reason, case.override_by = steward, reason, actor
    case.save(update_fields=["override_steward", "override_reason", "override_by"])
    record_event(case, actor=actor, kind=EvaluationsEvent.CASE_OVERRIDE, to_state=steward.name, note=reason)
    return case


@transaction.atomic
def case_review(*, case: ReplacementCase, lack_of_effort: bool, reason: str, actor,
                now: dt.datetime | None = None) -> ReplacementCase:
    """The leaders' review of an unsatisfied case: was it subjective lack of effort (主观不努力)?
    A finding makes the steward ineligible for that year's awards and promotion."""
    require(actor.is_authenticated and (actor.role == Role.LEADER or actor.is_admin),
            _("Only leaders review unsatisfied cases."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"review_reason": _("Give the reason for the finding.")})
    if lack_of_effort not in (True, False):
        raise ValidationError({"lack_of_effort": _("Say whether it was subjective lack of effort.")})
    case = ReplacementCase.objects.select_for_update().get(pk=case.pk)
    before = "" if case.lack_of_effort is None else str(case.lack_of_effort)
    case.lack_of_effort, case.review_reason = lack_of_effort, reason
    case.reviewed_at, case.reviewed_by = now or timezone.now(), actor
    case.save(update_fields=["lack_of_effort", "review_reason", "reviewed_at", "reviewed_by"])
    record_event(case, actor=actor, kind=EvaluationsEvent.CASE_REVIEWED, from_state=before, to_state=str(lack_of_effort),
                 note=reason)
    if lack_of_effort:
        notify([case.steward.user], kind="case.reviewed", key=f"case:{case.pk}:finding",
               url=reverse("evaluations:appraisal"),
               title=_("The leaders found subjective lack of effort in %(campaign)s: you are not eligible for this "
                       "year's awards and promotion") % {"campaign": case.campaign})
    return case


# --- the hourly sweep -------------------------------------------------------------------------

def campaign_sweep(*, now: dt.datetime | None = None) -> dict:
    """Open the scheduled campaign, close campaigns whose time is up, remind enterprises that
    have not rated, remind heads of replacements due, tell leaders of overdue ones. Every effect
    happens once however often it runs (state guards, conditional updates, notification keys)."""
    now = now or timezone.now()
    result = {"opened": 0, "closed": 0, "reminded": 0, "case_reminders": 0, "case_overdue": 0}
    calendar = WorkCalendar()
    today = local_date(now)
    half = half_of(today)
    opens_on = scheduled_open_date(today.year, half, calendar=calendar)
    if opens_on <= today and now < campaign_closes_at(opens_on, calendar=calendar) \
            and not Campaign.objects.filter(year=today.year, half=half).exists():
        try:
            campaign_open(year=today.year, half=half, now=now, opened_on=opens_on)
            result["opened"] += 1
        except ValidationError:
            pass  # opened by hand or by a concurrent sweep meanwhile
    for campaign in Campaign.objects.open().filter(closes_at__lte=now).order_by("pk"):
        try:
            campaign_close(campaign=campaign, now=now)
            result["closed"] += 1
        except ValidationError:
            pass
    for campaign in Campaign.objects.open().order_by("pk"):
        if workdays_left(now, campaign.closes_at, calendar=calendar) < settings.ZONEHUB_CAMPAIGN_REMIND_WORKING_DAYS:
            result["reminded"] += campaign_remind_unrated(campaign=campaign)
    result.update(replacement_sweep(now=now, calendar=calendar))
    return result


def campaign_remind_unrated(*, campaign: Campaign) -> int:
    """Remind each enterprise that has not rated all its stewards yet, once per campaign."""
    sent = 0
    closes = local_date(campaign.closes_at) - dt.timedelta(days=1)
    for enterprise in enterprises_not_done(campaign):
        sent += notify(
            enterprise.users.all(), kind="campaign.reminder", key=f"campaign:{campaign.pk}:remind:{enterprise.pk}",
            url=reverse("evaluations:campaign_list"),
            title=_("Please rate your stewards before %(date)s: the %(campaign)s survey closes soon") % {
                "date": _date(closes), "campaign": campaign},
        )
    return sent


def replacement_sweep(*, now: dt.datetime, calendar: WorkCalendar | None = None) -> dict:
    calendar = calendar or WorkCalendar()
    result = {"case_reminders": 0, "case_overdue": 0}
    pending = ReplacementCase.objects.pending().select_related("enterprise", "steward__user").order_by("due_at", "pk")
    for case in pending.filter(reminded_at__isnull=True, due_at__gt=now):
        if workdays_left(now, case.due_at, calendar=calendar) > 1:
            continue
        # The mark and the notification commit together: a sweep that dies between them redoes both.
        with transaction.atomic():
            if not ReplacementCase.objects.filter(pk=case.pk, reminded_at__isnull=True).update(reminded_at=now):
                continue
            notify(_heads_of(case.workstation_id), kind="case.reminder", key=f"case:{case.pk}:reminder",
                   url=reverse("evaluations:case_detail", args=[case.pk]),
                   title=_("Reminder: name a new steward for %(enterprise)s by %(date)s") % {
                       "enterprise": case.enterprise.name, "date": _date(local_date(case.due_at) - dt.timedelta(1))})
            result["case_reminders"] += 1
    for case in pending.filter(overdue_at__isnull=True, due_at__lte=now):
        with transaction.atomic():
            if not ReplacementCase.objects.filter(pk=case.pk, overdue_at__isnull=True,
                                                  status=ReplacementCase.Status.PENDING).update(overdue_at=now):
                continue
            record_event(case, actor=None, kind=EvaluationsEvent.CASE_OVERDUE)
            notify(recipients.leaders(), kind="case.overdue", key=f"case:{case.pk}:overdue",
                   url=reverse("evaluations:case_detail", args=[case.pk]),
                   title=_("No new steward named in time for %(enterprise)s (was %(steward)s, rated unsatisfied)") % {
                       "enterprise": case.enterprise.name, "steward": case.steward.name})
        result["case_overdue"] += 1
    return result


def _date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def deadlines_recompute(*, years: list[int]) -> int:
    """The calendar of these years changed: recompute the close of open campaigns and the due
    time of pending replacement cases that were computed on them."""
    changed = 0
    for campaign in Campaign.objects.open():
        opened_on = local_date(campaign.opened_at)
        if opened_on.year in years or local_date(campaign.closes_at).year in years:
            if campaign.opened_by_id is None:
                opened_on = scheduled_open_date(campaign.year, campaign.half)
            new = campaign_closes_at(opened_on)
            if new != campaign.closes_at:
                Campaign.objects.filter(pk=campaign.pk).update(closes_at=new)
                changed += 1
    for case in ReplacementCase.objects.pending():
        if local_date(case.opened_at).year in years or local_date(case.due_at).year in years:
            new = due_at(case.opened_at, settings.ZONEHUB_REPLACEMENT_WORKING_DAYS)
            if new != case.due_at:
                ReplacementCase.objects.filter(pk=case.pk).update(due_at=new)
                changed += 1
    return changed


# --- department grades -----------------------------------------------------------------------

def _quantize(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def department_score(*, escalations_due: int, replied_on_time: int, overdue: int, returned: int,
                     nodes_on_time: int, nodes_late: int, nodes_open: int, nodes_claimed: int) -> Decimal:
    """以业绩定成绩 — the monthly score of a department, 0 to 100, one decimal:

        reply part    = REPLY_POINTS (50) × replies on time / replies due in the month
                        (full points when nothing was due)
        node part     = NODE_POINTS (50) × five-key nodes done on time / nodes due in the month
                        (on time + late + still open; full points when none was due)
        claim bonus   = CLAIM_BONUS (2) per item claimed, at most CLAIM_BONUS_MAX (10)
        penalties     = OVERDUE_PENALTY (5) per escalation that went overdue in the month
                        + RETURNED_PENALTY (2) per escalation returned in the month
        score         = reply part + node part + claim bonus − penalties, kept within 0..100

    The weights are settings (ZONEHUB_GRADE_*); the grade thresholds live in GradePolicy.
    """
    s = settings
    reply = Decimal(s.ZONEHUB_GRADE_REPLY_POINTS) * (
        Decimal(replied_on_time) / escalations_due if escalations_due else 1)
    nodes_due = nodes_on_time + nodes_late + nodes_open
    node = Decimal(s.ZONEHUB_GRADE_NODE_POINTS) * (Decimal(nodes_on_time) / nodes_due if nodes_due else 1)
    bonus = min(nodes_claimed * s.ZONEHUB_GRADE_CLAIM_BONUS, s.ZONEHUB_GRADE_CLAIM_BONUS_MAX)
    penalty = overdue * s.ZONEHUB_GRADE_OVERDUE_PENALTY + returned * s.ZONEHUB_GRADE_RETURNED_PENALTY
    return _quantize(max(Decimal(0), min(Decimal(100), reply + node + bonus - penalty)))


def department_grades_compute(*, month: dt.date, now: dt.datetime | None = None) -> list[DepartmentMonthlyGrade]:
    """Score and grade every active department for ``month`` and keep the rows. Computing the
    same month again gives the same rows (update_or_create on department+month)."""
    month = month_start(month)
    now = now or timezone.now()
    policy = GradePolicy.current()
    facts = escalation_facts(month=month)
    rows = []
    for department in Department.objects.filter(is_active=True).order_by("pk"):
        f = facts.get(department.pk, {"due": [], "on_time": [], "late": [], "overdue": [], "returned": []})
        nodes = unit_node_results(department=department, year=month.year, month=month.month)
        numbers = {
            "escalations_due": len(f["due"]), "replied_on_time": len(f["on_time"]), "overdue": len(f["overdue"]),
            "returned": len(f["returned"]), "nodes_on_time": int(nodes.get("on_time", 0)),
            "nodes_late": int(nodes.get("late", 0)), "nodes_open": int(nodes.get("open", 0)),
            "nodes_claimed": int(nodes.get("claimed", 0)),
        }
        score = department_score(**numbers)
        with transaction.atomic():
            row, _created = DepartmentMonthlyGrade.objects.update_or_create(
                department=department, month=month,
                defaults={**numbers, "score": score, "grade": policy.grade_for(score), "computed_at": now,
                          "detail": {"late": f["late"], "overdue": f["overdue"], "returned": f["returned"],
                                     "thresholds": [str(policy.a_min), str(policy.b_min), str(policy.c_min)]}},
            )
        rows.append(row)
    return rows


def department_grades_sweep(*, now: dt.datetime | None = None) -> dt.date | None:
    """Daily: from the first working day of a month on, (re)compute the month before."""
    now = now or timezone.now()
    today = local_date(now)
    first_workday = WorkCalendar().first_workday_on_or_after(month_start(today))
    if today < first_workday:
        return None
    month = previous_month(today)
    department_grades_compute(month=month, now=now)
    return month
