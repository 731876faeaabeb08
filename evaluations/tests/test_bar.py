"""Rule 4's bar is stewards' data that evaluations writes; notifications go through the outbox."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from evaluations import services
from evaluations.models import Campaign, ReplacementCase
from evaluations.tests.factories import CampaignFactory, RatingFactory
from stewards.models import AssignmentBar, StewardAssignment
from stewards.selectors import assignment_barred
from stewards.services import steward_assign, steward_assignment_check
from tests.factories import StewardFactory
from zonehub.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_case(in_campaign, zone):
    campaign = services.campaign_open(year=2026, half="H1", actor=zone.leader)
    services.rating_create(campaign=campaign, enterprise=zone.ent_a, steward=zone.steward_a,
                           value="unsatisfied", reason="不作为", actor=zone.ent_user_a)
    services.campaign_close(campaign=campaign, actor=zone.leader, reason="全部企业已评价")
    return ReplacementCase.objects.get()


def test_closing_a_campaign_bars_each_steward_rated_unsatisfied(in_campaign, zone, closed_case):
    bar = AssignmentBar.objects.get()
    assert (bar.steward, bar.enterprise, bar.year, bar.is_in_force) == (zone.steward_a, zone.ent_a, 2026, True)
    assert bar.source == f"evaluations.rating:{closed_case.rating_id}"
    assert assignment_barred(enterprise_id=zone.ent_a.pk, steward_id=zone.steward_a.pk, year=2026)
    # Not another year, not another enterprise.
    assert not assignment_barred(enterprise_id=zone.ent_a.pk, steward_id=zone.steward_a.pk, year=2027)
    assert not assignment_barred(enterprise_id=zone.ent_b.pk, steward_id=zone.steward_a.pk, year=2026)


def test_a_satisfied_rating_or_an_open_campaign_bars_no_one(in_campaign, zone):
    campaign = services.campaign_open(year=2026, half="H1", actor=zone.leader)
    services.rating_create(campaign=campaign, enterprise=zone.ent_a, steward=zone.steward_a,
                           value="unsatisfied", reason="不作为", actor=zone.ent_user_a)
    assert not AssignmentBar.objects.exists()  # still open: the enterprise may change its mind
    other = StewardFactory(user__workstation=zone.ws_a)
    steward_assign(enterprise=zone.ent_a, steward=other, actor=zone.head_a)
    steward_assign(enterprise=zone.ent_a, steward=zone.steward_a, actor=zone.head_a)


def test_a_leaders_permission_lifts_the_bar_with_who_and_why(in_campaign, zone, closed_case):
    third = StewardFactory(user__workstation=zone.ws_a)
    services.replacement_allow_back(case=closed_case, steward=zone.steward_a, reason="企业书面撤回评价",
                                    actor=zone.leader)
    bar = AssignmentBar.objects.get()
    assert (bar.is_in_force, bar.lifted_by, bar.lift_reason) == (False, zone.leader, "企业书面撤回评价")
    steward_assignment_check(enterprise=zone.ent_a, steward=zone.steward_a, on=timezone.now())  # no error
    # The leader changes its mind and allows another steward: the first one is barred again.
    services.replacement_allow_back(case=closed_case, steward=third, reason="另派", actor=zone.leader)
    bar.refresh_from_db()
    assert bar.is_in_force and bar.lifted_by is None
    with pytest.raises(ValidationError):
        services.replacement_name(case=closed_case, steward=zone.steward_a, actor=zone.head_a)


def test_migration_bars_ratings_of_closed_campaigns_and_lifts_existing_overrides(zone):
    """An existing database (ratings and overrides written before the bar existed) keeps its rule."""
    closed = CampaignFactory(year=2025, half=Campaign.Half.H2, status=Campaign.Status.CLOSED,
                             closed_at=CampaignFactory.opened_at)
    open_campaign = CampaignFactory(year=2026, half=Campaign.Half.H1)
    barred = RatingFactory(campaign=closed, enterprise=zone.ent_a, steward=zone.steward_a, value="unsatisfied",
                           reason="不作为", rated_by=zone.ent_user_a)
    allowed = RatingFactory(campaign=closed, enterprise=zone.ent_b, steward=zone.steward_b, value="unsatisfied",
                            reason="拖延", rated_by=zone.ent_user_a)
    RatingFactory(campaign=closed, enterprise=zone.ent_b, steward=zone.steward_a, value="satisfied",
                  rated_by=zone.ent_user_a)
    RatingFactory(campaign=open_campaign, enterprise=zone.ent_b, steward=zone.steward_a, value="unsatisfied",
                  reason="还在评", rated_by=zone.ent_user_a)
    ReplacementCase.objects.create(rating=allowed, campaign=closed, enterprise=zone.ent_b, steward=zone.steward_b,
                                   due_at=closed.closes_at, override_steward=zone.steward_b,
                                   override_reason="领导同意", override_by=zone.leader)
    migration = importlib.import_module("evaluations.migrations.0003_assignment_bars")
    migration.bars_from_ratings(apps, None)
    migration.bars_from_ratings(apps, None)  # twice: the same rows
    bars = {bar.source: bar for bar in AssignmentBar.objects.all()}
    assert set(bars) == {f"evaluations.rating:{barred.pk}", f"evaluations.rating:{allowed.pk}"}
    assert bars[f"evaluations.rating:{barred.pk}"].is_in_force
    assert bars[f"evaluations.rating:{barred.pk}"].year == 2025
    lifted = bars[f"evaluations.rating:{allowed.pk}"]
    assert (lifted.is_in_force, lifted.lifted_by, lifted.lift_reason) == (False, zone.leader, "领导同意")
    assert assignment_barred(enterprise_id=zone.ent_a.pk, steward_id=zone.steward_a.pk, year=2025)
    assert not assignment_barred(enterprise_id=zone.ent_b.pk, steward_id=zone.steward_b.pk, year=2025)


# --- the outbox: notification rows commit (or roll back) with the change ---------------------


def test_a_rolled_back_close_leaves_no_notification(in_campaign, zone):
    campaign = services.campaign_open(year=2026, half="H1", actor=zone.leader)
    services.rating_create(campaign=campaign, enterprise=zone.ent_a, steward=zone.steward_a,
                           value="unsatisfied", reason="不作为", actor=zone.ent_user_a)
    before = Notification.objects.count()

    class Crash(Exception):
        pass

    with pytest.raises(Crash), transaction.atomic():
        services.campaign_close(campaign=campaign, actor=zone.leader, reason="全部企业已评价")
        assert Notification.objects.filter(kind__in=["case.opened", "campaign.closed"]).exists()
        raise Crash
    assert Notification.objects.count() == before
    assert not ReplacementCase.objects.exists() and not AssignmentBar.objects.exists()


def test_a_committed_close_leaves_its_notifications_without_any_on_commit_callback(
        in_campaign, zone, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        campaign = services.campaign_open(year=2026, half="H1", actor=zone.leader)
        services.rating_create(campaign=campaign, enterprise=zone.ent_a, steward=zone.steward_a,
                               value="unsatisfied", reason="不作为", actor=zone.ent_user_a)
        services.campaign_close(campaign=campaign, actor=zone.leader, reason="全部企业已评价")
        case = ReplacementCase.objects.get()
        services.case_review(case=case, lack_of_effort=True, reason="长期不走访", actor=zone.leader)
    # Written in the transaction, not by a callback after it (a crash after commit loses nothing).
    rows = Notification.objects.all()
    assert rows.filter(kind="campaign.opened", recipient=zone.ent_user_a).exists()
    assert rows.filter(kind="case.opened", recipient=zone.head_a).exists()
    assert rows.filter(kind="campaign.closed", recipient=zone.steward_a.user).exists()
    assert rows.filter(kind="case.reviewed", recipient=zone.steward_a.user).exists()
    # Unconditional: the steward came off at once, the workstation head serves in the meantime.
    interim = StewardAssignment.objects.active().get(enterprise=zone.ent_a)
    assert interim.interim and interim.steward.user == zone.head_a


def test_a_project_steward_rated_unsatisfied_cannot_be_put_back_on_the_project(in_campaign, zone):
    """The bug of issue 11: project stewards escaped rule 4."""
    from projects.models import Project, ProjectStewardAssignment
    from projects.services import project_steward_assign

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
    with pytest.raises(ValidationError):
        project_steward_assign(project=project, steward=project_steward, actor=zone.leader)
    assert ProjectStewardAssignment.objects.active().get(project=project).steward == new


def test_a_leader_may_allow_the_project_steward_back_on_the_case(in_campaign, zone):
    from projects.models import Project, ProjectStewardAssignment

    project_steward = StewardFactory(user__workstation=zone.ws_a)
    project = Project.objects.create(name="智能装备产业园", investor=zone.ent_a, industry=zone.ent_a.industry)
    ProjectStewardAssignment.objects.create(project=project, steward=project_steward)
    campaign = services.campaign_open(year=2026, half="H1", actor=zone.leader)
    services.rating_create(campaign=campaign, enterprise=zone.ent_a, steward=project_steward,
                           value="unsatisfied", reason="手续代办拖延", actor=zone.ent_user_a)
    services.campaign_close(campaign=campaign, actor=zone.leader, reason="全部企业已评价")
    case = ReplacementCase.objects.get()
    other = StewardFactory(user__workstation=zone.ws_a)
    ProjectStewardAssignment.objects.filter(project=project).update(ended_at=timezone.now())
    ProjectStewardAssignment.objects.create(project=project, steward=other)
    with pytest.raises(ValidationError):  # the rated steward itself, without a leader
        services.replacement_name(case=case, steward=project_steward, actor=zone.head_a)
    services.replacement_allow_back(case=case, steward=project_steward, reason="企业书面撤回评价", actor=zone.leader)
    services.replacement_name(case=case, steward=project_steward, actor=zone.head_a)
    case.refresh_from_db()
    assert case.new_steward == project_steward
