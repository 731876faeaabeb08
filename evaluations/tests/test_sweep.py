"""Campaign dates on the working-day calendar, the hourly sweep, replacement deadlines."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from evaluations import services
from evaluations.models import Campaign, ReplacementCase
from evaluations.tasks import campaign_sweep_task
from stewards.models import StewardAssignment
from stewards.services import steward_assign
from tests.factories import StewardFactory
from zonehub.models import Notification
from zonehub.workdays import SHANGHAI

pytestmark = pytest.mark.django_db


def at(*args):
    return dt.datetime(*args, tzinfo=SHANGHAI)


def test_opening_day_is_the_first_working_day_of_june_and_december():
    # 2026-06-01 is a Monday.
    assert services.scheduled_open_date(2026, "H1") == dt.date(2026, 6, 1)
    assert services.scheduled_open_date(2026, "H2") == dt.date(2026, 12, 1)
    # 2025-06-01 was a Sunday and 31 May–2 June the Dragon Boat holiday: Tuesday 3 June.
    assert services.scheduled_open_date(2025, "H1") == dt.date(2025, 6, 3)
    # 2029-12-01 is a Saturday (a provisional year, weekends only): Monday 3 December.
    assert services.scheduled_open_date(2029, "H2") == dt.date(2029, 12, 3)


def test_campaign_stays_open_fifteen_working_days_after_its_opening_day():
    # From Monday 1 June 2026: 2–5, 8–12, 15–18 June, Dragon Boat on Friday 19 June, 22–23 June:
    # the 15th working day is 23 June, so it closes at 24:00 that day.
    assert services.campaign_closes_at(dt.date(2026, 6, 1)) == at(2026, 6, 24)
    # From Tuesday 3 June 2025: 4–6, 9–13, 16–20, 23–24 → 24 June.
    assert services.campaign_closes_at(dt.date(2025, 6, 3)) == at(2025, 6, 25)


def test_settings_move_the_dates(settings):
    settings.ZONEHUB_CAMPAIGN_OPEN_DAY = 10
    settings.ZONEHUB_CAMPAIGN_WORKING_DAYS = 5
    # 10 June 2026 is a Wednesday; 11, 12, 15, 16, 17 → closes at 24:00 on the 17th.
    assert services.scheduled_open_date(2026, "H1") == dt.date(2026, 6, 10)
    assert services.campaign_closes_at(dt.date(2026, 6, 10)) == at(2026, 6, 18)


def test_sweep_opens_on_the_day_closes_after_and_is_idempotent(zone):
    with time_machine.travel(at(2025, 6, 2, 12), tick=False):  # a holiday: not yet
        campaign_sweep_task()
        assert not Campaign.objects.exists()
    with time_machine.travel(at(2025, 6, 3, 0, 15), tick=False):
        campaign_sweep_task()
        campaign_sweep_task()
    campaign = Campaign.objects.get()
    assert (campaign.year, campaign.half, campaign.status, campaign.opened_by) == (2025, "H1", "open", None)
    assert campaign.closes_at == at(2025, 6, 25)
    with time_machine.travel(at(2025, 6, 24, 23, 59), tick=False):
        campaign_sweep_task()
        campaign.refresh_from_db()
        assert campaign.is_open
    with time_machine.travel(at(2025, 6, 25, 0, 15), tick=False):
        campaign_sweep_task()
        campaign_sweep_task()
    campaign.refresh_from_db()
    assert campaign.status == "closed" and Campaign.objects.count() == 1
    # After the close, within the half-year, nothing opens again.
    with time_machine.travel(at(2025, 6, 26, 9), tick=False):
        campaign_sweep_task()
    assert Campaign.objects.count() == 1


def test_sweep_after_the_period_does_not_open_a_late_campaign(zone):
    with time_machine.travel(at(2026, 6, 30, 9), tick=False):
        campaign_sweep_task()
    assert not Campaign.objects.exists()


def test_sweep_reminds_enterprises_that_have_not_rated_once(zone, django_capture_on_commit_callbacks):
    with time_machine.travel(at(2026, 6, 1, 9), tick=False):
        campaign = services.campaign_open(year=2026, half="H1", actor=zone.leader)
        services.rating_create(campaign=campaign, enterprise=zone.ent_b, steward=zone.steward_b, value="satisfied",
                               actor=zone.ent_user_b)
    with time_machine.travel(at(2026, 6, 17, 9), tick=False):  # 4 working days left after today: too early
        campaign_sweep_task()
    assert not Notification.objects.filter(kind="campaign.reminder").exists()
    with time_machine.travel(at(2026, 6, 19, 9), tick=False):  # 22 and 23 June left: within the last 3
        campaign_sweep_task()
        campaign_sweep_task()
    reminded = list(Notification.objects.filter(kind="campaign.reminder").values_list("recipient", flat=True))
    assert reminded == [zone.ent_user_a.pk]


def test_replacement_deadline_reminds_the_head_then_tells_the_leaders_once(zone):
    with time_machine.travel(at(2026, 6, 1, 9), tick=False):
        campaign = services.campaign_open(year=2026, half="H1", actor=zone.leader)
        services.rating_create(campaign=campaign, enterprise=zone.ent_a, steward=zone.steward_a,
                               value="unsatisfied", reason="不作为", actor=zone.ent_user_a)
    with time_machine.travel(at(2026, 6, 24, 0, 15), tick=False):
        campaign_sweep_task()
    case = ReplacementCase.objects.get()
    # Closed on Wednesday 24 June: 25, 26, 29, 30 June, 1 July → due at 00:00 on 2 July.
    assert case.due_at == at(2026, 7, 2)
    with time_machine.travel(at(2026, 6, 29, 9), tick=False):
        campaign_sweep_task()
    assert not Notification.objects.filter(kind="case.reminder").exists()
    with time_machine.travel(at(2026, 6, 30, 9), tick=False):
        campaign_sweep_task()
        campaign_sweep_task()
    assert list(Notification.objects.filter(kind="case.reminder").values_list("recipient", flat=True)) == [zone.head_a.pk]
    with time_machine.travel(at(2026, 7, 2, 0, 15), tick=False):
        campaign_sweep_task()
        campaign_sweep_task()
    case.refresh_from_db()
    assert case.overdue_at == at(2026, 7, 2, 0, 15)
    assert list(Notification.objects.filter(kind="case.overdue").values_list("recipient", flat=True)) == [zone.leader.pk]


@pytest.fixture
def closed_case(in_campaign, zone):
    campaign = services.campaign_open(year=2026, half="H1", actor=zone.leader)
    services.rating_create(campaign=campaign, enterprise=zone.ent_a, steward=zone.steward_a,
                           value="unsatisfied", reason="不作为", actor=zone.ent_user_a)
    services.campaign_close(campaign=campaign, actor=zone.leader, reason="全部企业已评价")
    return ReplacementCase.objects.get()


def test_steward_does_not_go_back_in_the_same_year_without_a_leader(in_campaign, zone, closed_case):
    other = StewardFactory(user__workstation=zone.ws_a)
    services.replacement_name(case=closed_case, steward=other, actor=zone.head_a)
    # Later the head tries to give the enterprise back its old steward, by the ordinary assign page.
    with pytest.raises(ValidationError) as exc:
        steward_assign(enterprise=zone.ent_a, steward=zone.steward_a, actor=zone.head_a)
    assert zone.steward_a.name in exc.value.messages[0]
    assert StewardAssignment.objects.active().get(enterprise=zone.ent_a).steward == other


def test_head_cannot_name_the_barred_steward_until_a_leader_allows_it(in_campaign, zone, closed_case):
    third = StewardFactory(user__workstation=zone.ws_a)
    steward_assign(enterprise=zone.ent_a, steward=third, actor=zone.head_a)  # meanwhile, someone else
    with pytest.raises(ValidationError):
        services.replacement_name(case=closed_case, steward=zone.steward_a, actor=zone.head_a)
    with pytest.raises(ValidationError):
        services.replacement_allow_back(case=closed_case, steward=zone.steward_a, reason="", actor=zone.leader)
    services.replacement_allow_back(case=closed_case, steward=zone.steward_a, reason="企业书面撤回评价",
                                    actor=zone.leader)
    services.replacement_name(case=closed_case, steward=zone.steward_a, actor=zone.head_a)
    assert StewardAssignment.objects.active().get(enterprise=zone.ent_a).steward == zone.steward_a


def test_only_the_enterprises_head_names_and_only_leaders_review(in_campaign, zone, closed_case):
    from django.core.exceptions import PermissionDenied

    other = StewardFactory(user__workstation=zone.ws_a)
    with pytest.raises(PermissionDenied):
        services.replacement_name(case=closed_case, steward=other, actor=zone.head_b)
    with pytest.raises(PermissionDenied):
        services.case_review(case=closed_case, lack_of_effort=True, reason="x", actor=zone.head_a)
    with pytest.raises(ValidationError):
        services.case_review(case=closed_case, lack_of_effort=True, reason=" ", actor=zone.leader)
    closed_case.refresh_from_db()
    assert closed_case.is_pending and closed_case.lack_of_effort is None


def test_closing_when_already_replaced_marks_the_case_replaced(in_campaign, zone):
    campaign = services.campaign_open(year=2026, half="H1", actor=zone.leader)
    services.rating_create(campaign=campaign, enterprise=zone.ent_a, steward=zone.steward_a,
                           value="unsatisfied", reason="不作为", actor=zone.ent_user_a)
    other = StewardFactory(user__workstation=zone.ws_a)
    steward_assign(enterprise=zone.ent_a, steward=other, actor=zone.head_a)
    services.campaign_close(campaign=campaign, actor=zone.leader, reason="全部企业已评价")
    case = ReplacementCase.objects.get()
    assert (case.status, case.new_steward) == ("replaced", other)


def test_calendar_change_moves_the_close_and_the_replacement_deadline(zone):
    from zonehub.models import CalendarDay, CalendarYear

    with time_machine.travel(at(2026, 6, 1, 9), tick=False):
        campaign = services.campaign_open(year=2026, half="H1", actor=zone.leader)
        services.rating_create(campaign=campaign, enterprise=zone.ent_a, steward=zone.steward_a,
                               value="unsatisfied", reason="不作为", actor=zone.ent_user_a)
    assert campaign.closes_at == at(2026, 6, 24)
    # An extra day off on Monday 22 June: the 15th working day becomes Wednesday 24 June.
    CalendarDay.objects.create(year=CalendarYear.objects.get(year=2026), date=dt.date(2026, 6, 22),
                               is_workday=False, name="临时调整")
    services.deadlines_recompute(years=[2026])
    campaign.refresh_from_db()
    assert campaign.closes_at == at(2026, 6, 25)
    with time_machine.travel(at(2026, 6, 25, 0, 15), tick=False):
        campaign_sweep_task()
    case = ReplacementCase.objects.get()
    assert case.due_at == at(2026, 7, 3)  # 26, 29, 30 June, 1, 2 July
    CalendarDay.objects.create(year=CalendarYear.objects.get(year=2026), date=dt.date(2026, 6, 29),
                               is_workday=False, name="临时调整")
    services.deadlines_recompute(years=[2026])
    case.refresh_from_db()
    assert case.due_at == at(2026, 7, 4)


def test_project_steward_rated_unsatisfied_is_replaced_on_the_project(in_campaign, zone):
    from projects.models import Project, ProjectStewardAssignment

    project_steward = StewardFactory(user__workstation=zone.ws_a)
    project = Project.objects.create(name="年产150万吨型钢生产线", investor=zone.ent_a, industry=zone.ent_a.industry)
    ProjectStewardAssignment.objects.create(project=project, steward=project_steward)
    campaign = services.campaign_open(year=2026, half="H1", actor=zone.leader)
    services.rating_create(campaign=campaign, enterprise=zone.ent_a, steward=project_steward,
                           value="unsatisfied", reason="手续代办拖延", actor=zone.ent_user_a)
    services.campaign_close(campaign=campaign, actor=zone.leader, reason="全部企业已评价")
    case = ReplacementCase.objects.get()
    new = StewardFactory(user__workstation=zone.ws_a)
    services.replacement_name(case=case, steward=new, actor=zone.head_a)
    assert ProjectStewardAssignment.objects.active().get(project=project).steward == new
    # The enterprise steward is untouched.
    assert StewardAssignment.objects.active().get(enterprise=zone.ent_a).steward == zone.steward_a


def test_admin_refuses_the_barred_steward_with_a_message(in_campaign, zone, closed_case, client):
    from django.urls import reverse

    other = StewardFactory(user__workstation=zone.ws_a)
    services.replacement_name(case=closed_case, steward=other, actor=zone.head_a)
    StewardAssignment.objects.filter(enterprise=zone.ent_a, ended_at__isnull=True).update(ended_at=timezone.now())
    client.force_login(zone.admin)
    response = client.post(reverse("admin:stewards_stewardassignment_add"), {
        "enterprise": zone.ent_a.pk, "steward": zone.steward_a.pk,
        "started_at_0": timezone.localdate().isoformat(), "started_at_1": "09:00",
    })
    assert response.status_code == 200
    assert zone.steward_a.name in response.content.decode()
    assert not StewardAssignment.objects.filter(enterprise=zone.ent_a, ended_at__isnull=True).exists()
