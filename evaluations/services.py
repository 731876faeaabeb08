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
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations.appraisals import steward_grade_findings_refresh
from evaluations.assessment_selectors import plans_in_force
from evaluations.events import EvaluationsEvent
from evaluations.indicators import MonthFacts, default_items, is_default_formula, plan_items, read_values, score_plan
from evaluations.models import (
    AssessmentPlan,
    Campaign,
    DepartmentMonthlyGrade,
    GradePolicy,
    PlanIndicator,
    Rating,
    ReplacementCase,
)
from evaluations.rotation import rotation_units_check
from evaluations.selectors import (
    enterprises_not_done,
    escalations_carried,
    expected_enterprises,
    stewards_to_rate,
)
from projects.selectors import unit_node_results
from projects.services import project_stewards_replace
from stewards.models import Steward, StewardAssignment
from stewards.selectors import assignment_barred, escalation_facts
from stewards.services import (
    assignment_bar_add,
    assignment_bar_lift,
    assignment_bar_restore,
    steward_interim_end,
    steward_interim_head,
    steward_replace,
)
from zonehub import recipients
from zonehub.cache import bump_dashboard_generation_on_commit
from zonehub.dates import cn_deadline
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

def _check_campaign_half(*, year: int, half: str, today: dt.date) -> None:
    """Enterprises rate a half-year that has begun, of this year or the last: a campaign for 2999
    (a slip of the keyboard) would ask every enterprise to rate stewards for a time to come."""
    if not today.year - 1 <= year <= today.year:
        raise ValidationError({"year": _("A campaign can be opened only for this year or last year "
                                         "(%(last)d or %(this)d).") % {"last": today.year - 1, "this": today.year}})
    if year == today.year and half == Campaign.Half.H2 and half_of(today) == Campaign.Half.H1:
        raise ValidationError({"half": _("The second half of %(year)d has not begun: its campaign cannot be opened "
                                         "yet.") % {"year": year}})


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
    _check_campaign_half(year=year, half=half, today=local_date(now))
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
    notify(
        users, kind="campaign.opened", key=f"campaign:{campaign.pk}:opened",
        title=_("Rate your stewards: the %(campaign)s satisfaction survey is open until %(date)s") % {
            "campaign": campaign, "date": cn_deadline(campaign.closes_at)},
        url=reverse("evaluations:campaign_list"),
    )
    return campaign


def campaign_close_needs_reason(campaign: Campaign, *, now: dt.datetime | None = None) -> bool:
    """Ending a campaign before its planned close is deliberate: it takes a reason."""
    return (now or timezone.now()) < campaign.closes_at


@transaction.atomic
def campaign_close(*, campaign: Campaign, actor=None, now: dt.datetime | None = None,
                   reason: str = "") -> list[ReplacementCase]:
    """Close a campaign: its ratings become final, every unsatisfied rating opens a replacement
    case (无条件撤换) for the head of the enterprise's workstation and bars the steward from
    serving the enterprise again this year (rule 4, stewards' ``AssignmentBar``). Unconditional:
    a steward rated unsatisfied as the enterprise's steward comes off it at once, and the head of
    its workstation serves it until the new steward is named (``steward_interim_head``).

    A leader ending it before its planned close (``closes_at``) gives a ``reason`` (kept on the
    campaign and its timeline); the sweep closes it on time and needs none."""
    if actor is not None:
        require(can_run_campaigns(actor), _("Only leaders and administrators may close a rating campaign."))
    now = now or timezone.now()
    reason = (reason or "").strip()
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not campaign.is_open:
        raise ValidationError(_("The campaign %(campaign)s is already closed.") % {"campaign": campaign})
    if actor is not None and campaign_close_needs_reason(campaign, now=now) and not reason:
        raise ValidationError({"reason": _("The campaign is planned to run until %(date)s: give the reason for "
                                           "ending it early.") % {
            "date": cn_deadline(campaign.closes_at)}})
    updated = Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.OPEN).update(
        status=Campaign.Status.CLOSED, closed_at=now, closed_by=actor, close_reason=reason[:2000],
    )
    if not updated:
        raise ValidationError(_("The campaign %(campaign)s is already closed.") % {"campaign": campaign})
    Campaign.objects.filter(pk=campaign.pk).update(expected_enterprises=expected_enterprises().count())
    campaign.refresh_from_db(fields=["status", "closed_at", "closed_by", "expected_enterprises", "close_reason"])
    record_event(campaign, actor=actor, kind=EvaluationsEvent.CAMPAIGN_CLOSED, from_state=Campaign.Status.OPEN,
                 to_state=Campaign.Status.CLOSED, note=reason)
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
    # A campaign closed again after a reopening finds the cases it withdrew: they open again.
    withdrawn = {c.rating_id: c for c in ReplacementCase.objects.filter(campaign=campaign,
                                                                        status=ReplacementCase.Status.WITHDRAWN)}
    note = _("rated unsatisfied in campaign %(campaign)s") % {"campaign": campaign}
    for rating in unsatisfied:
        assignment_bar_add(steward=rating.steward, enterprise=rating.enterprise, year=campaign.year,
                           reason=note, source=f"evaluations.rating:{rating.pk}")
        assignment_bar_restore(steward=rating.steward, enterprise=rating.enterprise, year=campaign.year,
                               source=_reopen_source(campaign))
        case = withdrawn.get(rating.pk) or ReplacementCase(rating=rating)
        case.campaign, case.enterprise, case.steward = campaign, rating.enterprise, rating.steward
        case.workstation_id = rating.enterprise.workstation_id
        case.status, case.opened_at, case.due_at = ReplacementCase.Status.PENDING, now, due
        case.reminded_at = case.overdue_at = case.new_steward = case.replaced_at = None
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
        if rating.steward_role == Rating.StewardRole.ENTERPRISE and current == rating.steward_id:
            interim = steward_interim_head(enterprise=rating.enterprise, steward_out=rating.steward, actor=actor,
                                           note=note, now=now)
            record_event(case, actor=actor, kind=EvaluationsEvent.CASE_INTERIM, from_state=rating.steward.name,
                         to_state=interim.steward.name if interim else "")
        cases.append(case)
    for case in cases:
        if case.is_pending:
            notify(_heads_of(case.workstation_id), kind="case.opened", key=f"case:{case.pk}:opened:{now.isoformat()}",
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


def _reopen_source(campaign: Campaign) -> str:
    return f"evaluations.campaign:{campaign.pk}:reopen"


def campaign_cases_acted_on(campaign: Campaign):
    """The cases of a closed campaign someone has acted on (a steward named by hand, a leader's
    permission or review): while there is one, the campaign cannot be reopened."""
    return ReplacementCase.objects.filter(campaign=campaign).exclude(status=ReplacementCase.Status.WITHDRAWN).filter(
        Q(replaced_by__isnull=False) | Q(override_steward__isnull=False) | Q(lack_of_effort__isnull=False))


def campaign_can_reopen(campaign: Campaign, *, now: dt.datetime | None = None) -> bool:
    """A campaign closed by mistake may be reopened within its planned window, while no case of
    that close has been acted on."""
    return (not campaign.is_open and (now or timezone.now()) < campaign.closes_at
            and not campaign_cases_acted_on(campaign).exists())


@transaction.atomic
def campaign_reopen(*, campaign: Campaign, actor, reason: str, now: dt.datetime | None = None) -> Campaign:
    """A leader reopens a campaign closed by mistake, within its planned window: the ratings are
    kept, the replacement cases that close opened are withdrawn, the stewards taken off by it go
    back (the interim heads come off, the open requests follow back) and the bars it raised are
    lifted. Refused once any case of that close has been acted on."""
    require(actor.is_authenticated and (actor.role == Role.LEADER or actor.is_admin),
            _("Only leaders may reopen a rating campaign."))
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for reopening the campaign.")})
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.is_open:
        raise ValidationError(_("The campaign %(campaign)s is open.") % {"campaign": campaign})
    if now >= campaign.closes_at:
        raise ValidationError(_("The planned window of %(campaign)s has passed: it can no longer be reopened.") % {
            "campaign": campaign})
    if campaign_cases_acted_on(campaign).exists():
        raise ValidationError(_("A replacement case of this close has already been acted on (a steward named, a "
                                "permission or a review): the campaign can no longer be reopened."))
    cases = list(ReplacementCase.objects.filter(campaign=campaign).exclude(status=ReplacementCase.Status.WITHDRAWN)
                 .select_related("enterprise", "steward__user", "rating").order_by("pk"))
    note = _("campaign %(campaign)s reopened: %(reason)s") % {"campaign": campaign, "reason": reason}
    for case in cases:
        if case.is_pending and case.rating.steward_role == Rating.StewardRole.ENTERPRISE:
            steward_interim_end(enterprise=case.enterprise, steward_back=case.steward, actor=actor, note=note)
        assignment_bar_lift(steward=case.steward, enterprise=case.enterprise, year=campaign.year, actor=actor,
                            reason=note, source=_reopen_source(campaign), only_source=f"evaluations.rating:{case.rating_id}",
                            now=now)
        record_event(case, actor=actor, kind=EvaluationsEvent.CASE_WITHDRAWN, from_state=case.status,
                     to_state=ReplacementCase.Status.WITHDRAWN, note=reason)
    ReplacementCase.objects.filter(pk__in=[c.pk for c in cases]).update(
        status=ReplacementCase.Status.WITHDRAWN, new_steward=None, replaced_at=None)
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.OPEN, closed_at=None, closed_by=None,
                                                   expected_enterprises=None, reopened_at=now,
                                                   reopen_reason=reason[:2000])
    campaign.refresh_from_db()
    record_event(campaign, actor=actor, kind=EvaluationsEvent.CAMPAIGN_REOPENED, from_state=Campaign.Status.CLOSED,
                 to_state=Campaign.Status.OPEN, note=reason)
    return campaign


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
        # Never the steward's name: any id would otherwise tell an enterprise who that steward is.
        raise ValidationError({"steward": _("This is not one of your enterprise's stewards: you can rate only "
                                            "your own stewards.")})
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
    """The head of the enterprise's workstation, an administrator, or a leader (who names one
    directly when the head lets the case run overdue)."""
    return user.is_authenticated and (
        user.is_admin or user.role == Role.LEADER
        or (user.role == Role.WORKSTATION_HEAD and user.workstation_id == case.workstation_id)
    )


@transaction.atomic
def replacement_name(*, case: ReplacementCase, steward: Steward, actor, now: dt.datetime | None = None
                     ) -> ReplacementCase:
    """The workstation head names the new steward: the assignment changes with its history
    (reason: rated unsatisfied in campaign X) and the enterprise is told who it is."""
    require(can_name_replacement(actor, case),
            _("Only the head of the enterprise's workstation, a leader or an administrator may name the new "
              "steward."))
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
        if current is None or current.steward_id != steward.pk or current.interim:
            steward_replace(enterprise=case.enterprise, steward=steward, actor=actor, note=note,
                            allow_return=allowed_back)
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
    steward_grade_findings_refresh(steward=case.steward, year=case.campaign.year)
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
    for enterprise in enterprises_not_done(campaign):
        sent += notify(
            enterprise.users.all(), kind="campaign.reminder", key=f"campaign:{campaign.pk}:remind:{enterprise.pk}",
            url=reverse("evaluations:campaign_list"),
            title=_("Please rate your stewards before %(date)s: the %(campaign)s survey closes soon") % {
                "date": cn_deadline(campaign.closes_at), "campaign": campaign},
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
                       "enterprise": case.enterprise.name, "date": cn_deadline(case.due_at)})
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


# The figures department_score reads (the row keeps these and a few more).
SCORE_INPUTS = ("escalations_due", "replied_on_time", "overdue", "returned", "nodes_on_time", "nodes_late",
                "nodes_open", "nodes_claimed")


def department_score_parts(*, escalations_due: int, replied_on_time: int, overdue: int, returned: int,
                           nodes_on_time: int, nodes_late: int, nodes_open: int, nodes_claimed: int) -> dict:
    """以业绩定成绩 — the monthly score of a department, part by part:

        reply part    = REPLY_POINTS (50) × replies on time / replies due, when a reply was due
                        (due in the month, or still unanswered past its deadline when it began)
        node part     = NODE_POINTS (50) × five-key nodes on time / nodes counted, when a node was
                        counted (due in the month, or late and still open when it began)
        base          = (reply part + node part) / (the points of the parts that had something due)
                        × 100: a part with nothing due is left out, it earns nothing
        claim bonus   = CLAIM_BONUS (2) per item claimed, at most CLAIM_BONUS_MAX (10)
        penalties     = OVERDUE_PENALTY (5) per escalation that went overdue in the month
                        + RETURNED_PENALTY (2) per escalation returned in the month
        score         = base + claim bonus − penalties, kept within 0..100, one decimal

    No part with anything due: no score (无考核事项), whatever was claimed or returned.
    The weights are settings (ZONEHUB_GRADE_*); the grade thresholds live in GradePolicy. Every
    figure is returned, so the page can show how the score was made (as strings: JSON-ready).
    """
    s = settings
    nodes_due = nodes_on_time + nodes_late + nodes_open
    parts = []
    for name, due, done, points in (("replies", escalations_due, replied_on_time, s.ZONEHUB_GRADE_REPLY_POINTS),
                                    ("nodes", nodes_due, nodes_on_time, s.ZONEHUB_GRADE_NODE_POINTS)):
        counted = bool(due) and Decimal(points) > 0
        earned = Decimal(points) * Decimal(done) / due if counted else Decimal(0)
        parts.append({"part": name, "due": due, "done": done, "counted": counted,
                      "points": str(_quantize(earned)) if counted else None, "max": str(points) if counted else None,
                      "_earned": earned, "_max": Decimal(points) if counted else Decimal(0)})
    bonus = Decimal(min(nodes_claimed * s.ZONEHUB_GRADE_CLAIM_BONUS, s.ZONEHUB_GRADE_CLAIM_BONUS_MAX))
    overdue_penalty = Decimal(overdue * s.ZONEHUB_GRADE_OVERDUE_PENALTY)
    returned_penalty = Decimal(returned * s.ZONEHUB_GRADE_RETURNED_PENALTY)
    possible = sum(part["_max"] for part in parts)
    if possible:
        base = Decimal(100) * sum(part["_earned"] for part in parts) / possible
        score = _quantize(max(Decimal(0), min(Decimal(100), base + bonus - overdue_penalty - returned_penalty)))
    else:
        base = score = None
    for part in parts:
        del part["_earned"], part["_max"]
    return {"parts": parts, "base": None if base is None else str(_quantize(base)), "bonus": str(bonus),
            "overdue_penalty": str(overdue_penalty), "returned_penalty": str(returned_penalty),
            "score": score}


def department_score(**numbers) -> Decimal | None:
    """The score of ``department_score_parts``: None when nothing was due (无考核事项)."""
    return department_score_parts(**numbers)["score"]


def department_month_values(*, facts: dict, carried: list[int], nodes: dict, policy: GradePolicy,
                            plan: AssessmentPlan | None = None, month_facts: MonthFacts | None = None,
                            department_id: int | None = None) -> dict:
    """What a department's row of a month keeps, from its escalation facts (``escalation_facts``),
    the escalations carried into the month still overdue (``escalations_carried``) and its
    five-key nodes (``unit_node_results``), scored by ``plan`` (the zone-wide formula when None;
    ``month_facts`` reads what the plan's other indicators need). Shared with the synthetic zone
    (bench.scale)."""
    node_list = list(nodes.get("nodes", []))
    numbers = {
        "escalations_due": len(facts["due"]) + len(carried), "escalations_carried": len(carried),
        "replied_on_time": len(facts["on_time"]), "overdue": len(facts["overdue"]),
        "returned": len(facts["returned"]), "nodes_on_time": int(nodes.get("on_time", 0)),
        "nodes_late": int(nodes.get("late", 0)), "nodes_open": int(nodes.get("open", 0)),
        "nodes_claimed": int(nodes.get("claimed", 0)),
        "nodes_carried": sum(1 for entry in node_list if entry.get("carried")),
    }
    items = plan_items(plan)
    month_facts = month_facts or MonthFacts(month=None)
    month_facts.numbers[department_id] = numbers
    values = read_values(items, month_facts, department_id)
    scored = score_plan(items, values)
    score = scored.pop("score")
    detail = {"due": list(facts["due"]), "on_time": list(facts["on_time"]), "late": list(facts["late"]),
              "carried": list(carried), "overdue": list(facts["overdue"]), "returned": list(facts["returned"]),
              "nodes": node_list, "indicators": scored.pop("indicators"), "scoring": scored,
              "thresholds": [str(policy.a_min), str(policy.b_min), str(policy.c_min)]}
    if is_default_formula(items, values):
        # The zone-wide formula, part by part, as the pages have always shown it (its score is the plan's).
        parts = department_score_parts(**{key: numbers[key] for key in SCORE_INPUTS})
        parts.pop("score")
        detail.update(parts)
    for key, value in values_of_other_indicators(scored_rows=detail["indicators"], month_facts=month_facts,
                                                 department_id=department_id).items():
        detail[key] = value
    return {**numbers, "score": score, "grade": "" if score is None else policy.grade_for(score), "detail": detail}


def values_of_other_indicators(*, scored_rows: list[dict], month_facts: MonthFacts, department_id) -> dict:
    """The rows behind the indicators that do not read escalations or nodes, kept with the month
    so its page lists exactly what was counted: the policy pushes redeemed, the brokers' supply
    figures, the actuals entered (with their evidence, as they were)."""
    keys = {row["key"] for row in scored_rows}
    kept: dict = {}
    if "policies_redeemed" in keys:
        entry = month_facts.redeemed.get(department_id)
        kept["policies"] = list(entry["ids"]) if entry else []
    if "supply_volume" in keys:
        figures = month_facts.broker
        kept["supply"] = [{"user": pk, **{k: str(v) for k, v in figures[pk].items()}}
                          for pk in month_facts.members.get(department_id, []) if pk in figures]
    if keys & {"decisions_on_time", "chase_ups"}:
        entry = month_facts.meetings.get(department_id) or {}
        kept["decisions"] = list(entry.get("decision_ids", []))
        kept["chase_ups"] = list(entry.get("chase_up_ids", []))
    entered = [row["key"] for row in scored_rows if row["key"].startswith("entered:")]
    if entered:
        kept["actuals"] = [month_facts.actuals[(int(key.split(":", 1)[1]), department_id)].pk for key in entered
                           if (int(key.split(":", 1)[1]), department_id) in month_facts.actuals]
    return kept


NO_FACTS = {"due": [], "on_time": [], "late": [], "overdue": [], "returned": []}


def default_plan_ensure(*, year: int) -> AssessmentPlan:
    """The default plan of ``year``: the zone-wide formula (its settings, ZONEHUB_GRADE_*) as
    version 1 from January, made the first time a month of the year is scored or a plan of it
    is made. Departments without a plan of their own are scored by it."""
    plan = AssessmentPlan.objects.filter(department__isnull=True, year=year).order_by("version").first()
    if plan is not None:
        return plan
    with transaction.atomic():
        plan = AssessmentPlan.objects.create(
            department=None, year=year, version=1, effective_from=dt.date(year, 1, 1),
            note=_("The zone-wide formula of the department grades, as the default plan."))
        PlanIndicator.objects.bulk_create([
            PlanIndicator(plan=plan, code=item.key, method=item.method, weight=item.weight, target=item.target,
                          per_unit=item.per_unit, position=i) for i, item in enumerate(default_items())])
    return plan


def department_grades_compute(*, month: dt.date, now: dt.datetime | None = None,
                              departments: list[int] | None = None) -> list[DepartmentMonthlyGrade]:
    """Score and grade every active department (or those of ``departments``) for ``month`` by its
    plan and keep the rows. A month already scored keeps the plan version it was scored with, so
    computing it again gives the same rows (update_or_create on department+month) whatever plan
    was made since; a month scored for the first time takes the version in force then."""
    month = month_start(month)
    now = now or timezone.now()
    policy = GradePolicy.current()
    facts = escalation_facts(month=month)
    carried = escalations_carried(month=month)
    default_plan_ensure(year=month.year)
    in_force = plans_in_force(month=month)
    kept = {row.department_id: row.plan for row in DepartmentMonthlyGrade.objects.filter(
        month=month, plan__isnull=False).select_related("plan").prefetch_related("plan__indicators")}
    month_facts = MonthFacts(month=month)
    rows = []
    queryset = Department.objects.filter(is_active=True)
    if departments is not None:
        queryset = queryset.filter(pk__in=departments)
    for department in queryset.order_by("pk"):
        plan = kept.get(department.pk) or in_force.get(department.pk) or in_force.get(None)
        values = department_month_values(
            facts=facts.get(department.pk, NO_FACTS), carried=carried.get(department.pk, []),
            nodes=unit_node_results(department=department, year=month.year, month=month.month), policy=policy,
            plan=plan, month_facts=month_facts, department_id=department.pk)
        with transaction.atomic():
            row, _created = DepartmentMonthlyGrade.objects.update_or_create(
                department=department, month=month, defaults={**values, "plan": plan, "computed_at": now})
        rows.append(row)
    rotation_units_check(month=month, now=now)
    bump_dashboard_generation_on_commit()  # the home pages show the grades: they recompute
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
