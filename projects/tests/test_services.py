import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from projects import services
from projects.models import Approval, FiveKeyItem, FiveKeyNode, Project, ProjectStageChange, Stage, UnitMonthlyScore
from projects.selectors import unit_node_results
from projects.tests.factories import (
    ApprovalFactory,
    FiveKeyItemFactory,
    FiveKeyNodeFactory,
    ProjectFactory,
    ProjectStewardFactory,
)
from tests.factories import UserFactory
from zonehub.events import event_list_for
from zonehub.models import Notification, Role
from zonehub.workdays import SHANGHAI

pytestmark = pytest.mark.django_db
D = dt.date


# --- five-key nodes ---------------------------------------------------------------------------


def test_the_responsible_unit_marks_its_node_done_and_the_item_stops_lagging(zone):
    item = FiveKeyItemFactory(responsible_unit=zone.dept_a)
    node = FiveKeyNodeFactory(item=item, planned_date=D(2026, 11, 2))
    services.fivekey_node_complete(node=node, actor=zone.dept_user_a, completed_on=D(2026, 11, 20),
                                   evidence="验收报告")
    node.refresh_from_db()
    assert node.completed_on == D(2026, 11, 20) and node.completed_by == zone.dept_user_a
    event = event_list_for(item).last()
    assert event.kind == "fivekey.node_completed" and event.actor == zone.dept_user_a


def test_another_unit_cannot_mark_the_node_done(zone):
    node = FiveKeyNodeFactory(item=FiveKeyItemFactory(responsible_unit=zone.dept_a))
    for user in (zone.dept_user_b, zone.steward_a.user, zone.head_a, zone.ent_user_a):
        with pytest.raises(PermissionDenied):
            services.fivekey_node_complete(node=node, actor=user, completed_on=D(2026, 11, 20), evidence="x")
    node.refresh_from_db()
    assert node.completed_on is None


def test_a_completion_date_in_the_future_is_refused(zone):
    node = FiveKeyNodeFactory(item=FiveKeyItemFactory(responsible_unit=zone.dept_a))
    with pytest.raises(ValidationError) as exc:
        services.fivekey_node_complete(node=node, actor=zone.dept_user_a, completed_on=D(2026, 11, 24), evidence="x")
    assert "completed_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.fivekey_node_complete(node=node, actor=zone.dept_user_a, completed_on=D(2026, 11, 20), evidence=" ")
    assert "evidence" in exc.value.message_dict
    node.refresh_from_db()
    assert node.completed_on is None and node.evidence == ""


def test_a_node_dated_outside_its_items_year_is_refused(zone):
    item = FiveKeyItemFactory(year=2026)
    with pytest.raises(ValidationError) as exc:
        services.fivekey_node_add(item=item, actor=zone.leader, name="验收", planned_date=D(2027, 1, 10))
    assert "2026" in exc.value.message_dict["planned_date"][0]
    assert not item.nodes.exists()
    node = services.fivekey_node_add(item=item, actor=zone.leader, name="验收", planned_date=D(2026, 12, 10))
    with pytest.raises(ValidationError):
        services.fivekey_node_update(node=node, actor=zone.leader, name="验收", planned_date=D(2025, 12, 10))
    node.refresh_from_db()
    assert node.planned_date == D(2026, 12, 10)


def test_only_leaders_add_and_edit_items_and_nodes(zone):
    item = FiveKeyItemFactory(responsible_unit=zone.dept_a)
    with pytest.raises(PermissionDenied):
        services.fivekey_node_add(item=item, actor=zone.dept_user_a, name="x", planned_date=D(2026, 12, 1))
    with pytest.raises(PermissionDenied):
        services.fivekey_item_create(actor=zone.dept_user_a, category="work", year=2026, title="x",
                                     lead_leader=zone.leader)
    created = services.fivekey_item_create(actor=zone.leader, category="work", year=2026, title="清理闲置土地",
                                           lead_leader=zone.leader, responsible_unit=zone.dept_a,
                                           cooperating_units=[zone.dept_b])
    assert list(created.cooperating_units.all()) == [zone.dept_b]
    with pytest.raises(ValidationError):  # a lead leader must be a leader
        services.fivekey_item_update(item=created, actor=zone.leader, lead_leader=zone.dept_user_a)
    services.fivekey_item_update(item=created, actor=zone.leader, title="盘活闲置土地")
    created.refresh_from_db()
    assert created.title == "盘活闲置土地"
    assert [e.kind for e in event_list_for(created)] == ["fivekey.created", "fivekey.updated"]


def test_changing_the_year_of_an_item_with_nodes_in_it_is_refused(zone):
    node = FiveKeyNodeFactory(planned_date=D(2026, 5, 1))
    with pytest.raises(ValidationError):
        services.fivekey_item_update(item=node.item, actor=zone.leader, year=2027)
    node.item.refresh_from_db()
    assert node.item.year == 2026


# --- claiming ---------------------------------------------------------------------------------


def test_a_unit_claims_an_unassigned_item_and_a_leader_confirms_it(zone):
    item = FiveKeyItemFactory(responsible_unit=None, lead_leader=zone.leader)
    services.fivekey_item_claim(item=item, actor=zone.dept_user_a)
    item.refresh_from_db()
    assert item.claim == FiveKeyItem.Claim.PENDING and item.claim_unit == zone.dept_a
    assert item.responsible_unit is None
    assert Notification.objects.filter(recipient=zone.leader, kind="fivekey.claimed").exists()
    with pytest.raises(ValidationError):  # a second unit cannot claim it meanwhile
        services.fivekey_item_claim(item=item, actor=zone.dept_user_b)
    with pytest.raises(PermissionDenied):
        services.fivekey_claim_decide(item=item, actor=zone.dept_user_a, confirm=True)
    services.fivekey_claim_decide(item=item, actor=zone.leader, confirm=True)
    item.refresh_from_db()
    assert item.responsible_unit == zone.dept_a and item.claim == FiveKeyItem.Claim.CONFIRMED
    assert item.claim_confirmed_on == D(2026, 11, 23)
    assert Notification.objects.filter(recipient=zone.dept_user_a, kind="fivekey.claim").exists()


def test_an_assigned_item_cannot_be_claimed(zone):
    item = FiveKeyItemFactory(responsible_unit=zone.dept_b)
    with pytest.raises(ValidationError) as exc:
        services.fivekey_item_claim(item=item, actor=zone.dept_user_a)
    assert "认领" in exc.value.messages[0] or "claimed" in exc.value.messages[0]
    item.refresh_from_db()
    assert item.claim == "" and item.claim_unit is None
    with pytest.raises(PermissionDenied):
        services.fivekey_item_claim(item=FiveKeyItemFactory(responsible_unit=None), actor=zone.steward_a.user)


def test_a_declined_claim_leaves_the_item_open(zone):
    item = FiveKeyItemFactory(responsible_unit=None)
    services.fivekey_item_claim(item=item, actor=zone.dept_user_a)
    services.fivekey_claim_decide(item=item, actor=zone.leader, confirm=False)
    item.refresh_from_db()
    assert item.claim == "" and item.responsible_unit is None
    services.fivekey_item_claim(item=item, actor=zone.dept_user_b)


# --- supervision ------------------------------------------------------------------------------


def _lagging_item(zone):
    item = FiveKeyItemFactory(responsible_unit=zone.dept_a, lead_leader=zone.leader)
    FiveKeyNodeFactory(item=item, planned_date=D(2026, 11, 13), name="土地挂牌")
    return item


def test_supervision_notifies_once_per_lagging_spell(zone, django_capture_on_commit_callbacks):
    item = _lagging_item(zone)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.supervision_sweep(on=D(2026, 11, 23))["flagged"] == 1
    item.refresh_from_db()
    # Lagging since the day after its due date (Friday 13 November), not the day the sweep ran.
    assert item.lagging_since == D(2026, 11, 14)
    recipients = set(Notification.objects.filter(kind="fivekey.lagging").values_list("recipient", flat=True))
    assert recipients == {zone.dept_user_a.pk, zone.leader.pk}
    # The next days: still lagging, nobody is told again.
    for day in (D(2026, 11, 23), D(2026, 11, 24), D(2026, 11, 25)):
        assert services.supervision_sweep(on=day)["flagged"] == 0
    assert Notification.objects.filter(kind="fivekey.lagging").count() == 2
    assert [e.kind for e in event_list_for(item)].count("fivekey.lagging") == 1
    # The unit catches up: the spell ends...
    services.fivekey_node_complete(node=item.nodes.get(), actor=zone.dept_user_a, completed_on=D(2026, 11, 23),
                                   evidence="挂牌公告")
    assert services.supervision_sweep(on=D(2026, 11, 26))["recovered"] == 1
    item.refresh_from_db()
    assert item.lagging_since is None
    # ...and a new spell is a new notification.
    FiveKeyNodeFactory(item=item, planned_date=D(2026, 11, 26), name="开工")
    services.supervision_sweep(on=D(2026, 11, 30))
    item.refresh_from_db()
    assert item.lagging_since == D(2026, 11, 27)
    assert Notification.objects.filter(kind="fivekey.lagging").count() == 4


def test_the_supervision_task_is_safe_to_run_twice(zone):
    from projects.tasks import supervision_sweep_task

    _lagging_item(zone)
    supervision_sweep_task.delay()
    supervision_sweep_task.delay()
    assert Notification.objects.filter(kind="fivekey.lagging").count() == 2


def test_coordination_is_recorded_only_by_leaders_on_lagging_items(zone):
    item = _lagging_item(zone)
    with pytest.raises(PermissionDenied):
        services.fivekey_coordination_add(item=item, actor=zone.dept_user_a, note="x")
    with pytest.raises(ValidationError):
        services.fivekey_coordination_add(item=FiveKeyItemFactory(), actor=zone.leader, note="协调")
    entry = services.fivekey_coordination_add(item=item, actor=zone.leader, note="召开专题协调会，明确自然资源分局11月底前挂牌")
    assert entry.item == item
    assert event_list_for(item).last().kind == "fivekey.coordination"


# --- the monthly assessment -------------------------------------------------------------------


def _september(zone):
    item = FiveKeyItemFactory(responsible_unit=zone.dept_a)
    for planned, done in [(D(2026, 9, 10), D(2026, 9, 10)), (D(2026, 9, 15), D(2026, 9, 20)), (D(2026, 9, 25), None)]:
        FiveKeyNodeFactory(item=item, planned_date=planned, completed_on=done)
    claimed = FiveKeyItemFactory(responsible_unit=zone.dept_a, claim=FiveKeyItem.Claim.CONFIRMED,
                                 claim_unit=zone.dept_a, claim_confirmed_on=D(2026, 9, 3))
    FiveKeyNodeFactory(item=claimed, planned_date=D(2026, 12, 1))
    other = FiveKeyItemFactory(responsible_unit=zone.dept_b)
    FiveKeyNodeFactory(item=other, planned_date=D(2026, 9, 30), completed_on=D(2026, 9, 29))


def test_monthly_scores_are_stored_and_recomputing_gives_the_same_rows(zone, settings):
    settings.ZONEHUB_FIVEKEY_WEIGHTS = {"on_time": 1.0, "late": 0.5, "open": 0.0, "claimed": 5.0,
                                        "nothing_due": 100.0}
    _september(zone)
    services.monthly_assessment(year=2026, month=9)
    rows = {r.department_id: r for r in UnitMonthlyScore.objects.filter(year=2026, month=9)}
    a = rows[zone.dept_a.pk]
    assert (a.on_time, a.late, a.open, a.claimed, a.score) == (1, 1, 1, 1, Decimal("55.00"))
    assert rows[zone.dept_b.pk].score == Decimal("100.00")
    before = list(UnitMonthlyScore.objects.values_list("department", "on_time", "late", "open", "claimed", "score"))
    services.monthly_assessment(year=2026, month=9)
    after = list(UnitMonthlyScore.objects.values_list("department", "on_time", "late", "open", "claimed", "score"))
    assert before == after and UnitMonthlyScore.objects.count() == 2
    result = unit_node_results(department=zone.dept_a, year=2026, month=9)
    assert {key: result[key] for key in ("on_time", "late", "open", "claimed", "score")} == {
        "on_time": 1, "late": 1, "open": 1, "claimed": 1, "score": Decimal("55.00")}
    assert [(entry["due"], entry["outcome"], entry["workdays_late"], entry["carried"]) for entry in result["nodes"]] == [
        ("2026-09-28", "open", 2, False),  # 25 September is Mid-Autumn Festival: due on Monday the 28th
        ("2026-09-15", "late", 4, False),  # done on Sunday the 20th, worked in lieu of National Day
        ("2026-09-10", "on_time", 0, False)]


def test_a_node_late_since_june_counts_against_its_unit_every_month_until_done(zone):
    """A node due in June and still open costs its unit in July, August… with its lag in
    working days; done in September, it counts as late in September and no more after."""
    item = FiveKeyItemFactory(responsible_unit=zone.dept_a, year=2026)
    node = FiveKeyNodeFactory(item=item, name="土地挂牌", planned_date=D(2026, 6, 15))
    FiveKeyNodeFactory(item=item, name="按时节点", planned_date=D(2026, 7, 10), completed_on=D(2026, 7, 9))

    def month(m):
        services.monthly_assessment(year=2026, month=m)
        row = UnitMonthlyScore.objects.get(department=zone.dept_a, year=2026, month=m)
        nodes = unit_node_results(department=zone.dept_a, year=2026, month=m)["nodes"]
        lag = {entry["id"]: (entry["outcome"], entry["workdays_late"], entry["carried"]) for entry in nodes}
        return (row.on_time, row.late, row.open, row.score), lag.get(node.pk)

    # 16–30 June: 10 working days (19 June is Dragon Boat Festival)
    assert month(6) == ((0, 0, 1, Decimal("0.00")), ("open", 10, False))
    assert month(7) == ((1, 0, 1, Decimal("50.00")), ("open", 33, True))     # and 23 in July
    assert month(8) == ((0, 0, 1, Decimal("0.00")), ("open", 54, True))      # and 21 in August
    FiveKeyNode.objects.filter(pk=node.pk).update(completed_on=D(2026, 9, 4))
    assert month(9) == ((0, 1, 0, Decimal("50.00")), ("late", 58, True))     # done late on 4 September
    assert month(10)[1] is None and month(10)[0][:3] == (0, 0, 0)             # counted no more
    # The earlier months, computed again, are unchanged but for the one completed later: still open then.
    assert month(7)[1] == ("open", 33, True)


def test_a_node_of_last_years_item_still_open_is_assessed_this_year(zone):
    old = FiveKeyItemFactory(responsible_unit=zone.dept_b, year=2025)
    FiveKeyNodeFactory(item=old, planned_date=D(2025, 12, 15))
    rows = services.monthly_assessment(year=2026, month=2)
    assert [(r.department, r.open) for r in rows] == [(zone.dept_b, 1)]


def test_unit_node_results_computes_a_month_not_yet_assessed(zone):
    _september(zone)
    result = unit_node_results(department=zone.dept_a, year=2026, month=9)
    assert (result["on_time"], result["late"], result["open"], result["claimed"]) == (1, 1, 1, 1)
    assert not UnitMonthlyScore.objects.exists()


def test_the_assessment_task_acts_only_on_the_first_working_day_of_a_month(zone):
    _september(zone)
    # 1 October 2026 is National Day; the first working day of October is the 8th.
    for day in (D(2026, 10, 1), D(2026, 10, 7)):
        assert services.monthly_assessment_run(on=day) is None
    assert not UnitMonthlyScore.objects.exists()
    rows = services.monthly_assessment_run(on=D(2026, 10, 8))
    assert {(r.year, r.month) for r in rows} == {(2026, 9)}
    # Once scored, the following days leave the month alone.
    assert services.monthly_assessment_run(on=D(2026, 10, 9)) is None
    # January 2026 begins with New Year; its first working day is Sunday the 4th (调休).
    assert services.monthly_assessment_run(on=D(2026, 1, 2)) is None
    assert services.monthly_assessment_run(on=D(2026, 1, 4)) is not None


def test_an_assessment_missed_on_its_day_is_caught_up_the_next_day(zone):
    _september(zone)
    # Beat was down on 8 October, the first working day: the 9th scores September.
    rows = services.monthly_assessment_run(on=D(2026, 10, 9))
    assert {(r.year, r.month) for r in rows} == {(2026, 9)}


def test_the_assessment_task_runs_on_the_day(zone):
    from projects.tasks import monthly_assessment_task

    _september(zone)
    with time_machine.travel(dt.datetime(2026, 10, 7, 6, 0, tzinfo=SHANGHAI), tick=False):
        assert monthly_assessment_task.delay().get() is None  # before the first working day
    with time_machine.travel(dt.datetime(2026, 10, 8, 6, 0, tzinfo=SHANGHAI), tick=False):
        assert monthly_assessment_task.delay().get() > 0
        assert UnitMonthlyScore.objects.filter(year=2026, month=9).exists()


# --- projects ---------------------------------------------------------------------------------


def test_stages_advance_one_at_a_time_with_a_dated_history(zone):
    project = ProjectFactory()
    with pytest.raises(ValidationError):
        services.project_stage_change(project=project, to_stage=Stage.LAND, on=D(2026, 3, 1), actor=zone.leader)
    with pytest.raises(ValidationError):
        services.project_stage_change(project=project, to_stage=Stage.SIGNED, on=D(2026, 12, 1), actor=zone.leader)
    services.project_stage_change(project=project, to_stage=Stage.SIGNED, on=D(2026, 3, 1), actor=zone.leader)
    with pytest.raises(ValidationError):  # before the previous change
        services.project_stage_change(project=project, to_stage=Stage.LAND, on=D(2026, 2, 1), actor=zone.leader)
    services.project_stage_change(project=project, to_stage=Stage.LAND, on=D(2026, 5, 1), actor=zone.leader)
    project.refresh_from_db()
    assert project.stage == Stage.LAND and project.signed_on == D(2026, 3, 1)
    assert project.land_granted_on == D(2026, 5, 1)
    assert list(ProjectStageChange.objects.filter(project=project).values_list("to_stage", flat=True)) == [
        "signed", "land"]
    assert [e.kind for e in event_list_for(project)] == ["project.stage", "project.stage"]


def test_only_leaders_and_the_project_steward_change_the_stage(zone):
    project = ProjectFactory()
    ProjectStewardFactory(project=project, steward=zone.steward_a)
    with pytest.raises(PermissionDenied):
        services.project_stage_change(project=project, to_stage="signed", on=D(2026, 3, 1), actor=zone.steward_b.user)
    services.project_stage_change(project=project, to_stage="signed", on=D(2026, 3, 1), actor=zone.steward_a.user)


def test_one_active_project_steward_with_history(zone):
    project = ProjectFactory()
    services.project_steward_assign(project=project, steward=zone.steward_a, actor=zone.leader)
    services.project_steward_assign(project=project, steward=zone.steward_b, actor=zone.leader, note="调整")
    rows = list(project.steward_assignments.order_by("started_at", "pk"))
    assert [r.steward for r in rows] == [zone.steward_a, zone.steward_b]
    assert rows[0].ended_at is not None and rows[1].ended_at is None
    with pytest.raises(ValidationError):
        services.project_steward_assign(project=project, steward=zone.steward_b, actor=zone.leader)


def test_the_database_allows_one_active_project_steward(zone):
    from django.db import IntegrityError, transaction

    project = ProjectFactory()
    ProjectStewardFactory(project=project, steward=zone.steward_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectStewardFactory(project=project, steward=zone.steward_b)


def test_the_approving_department_updates_its_approval(zone):
    approval = ApprovalFactory(department=zone.dept_a)
    with pytest.raises(PermissionDenied):
        services.approval_update(approval=approval, actor=zone.dept_user_b, status="approved",
                                 approved_on=D(2026, 11, 20))
    with pytest.raises(ValidationError):
        services.approval_update(approval=approval, actor=zone.dept_user_a, status="blocked")  # needs a reason
    services.approval_update(approval=approval, actor=zone.dept_user_a, status="approved",
                             started_on=D(2026, 11, 1), approved_on=D(2026, 11, 20))
    approval.refresh_from_db()
    assert approval.status == Approval.Status.APPROVED
    assert not approval.is_holding_up(D(2026, 11, 23))


def test_investment_figures_by_chain_with_year_on_year_change(zone):
    from enterprises.models import IndustryChain
    from projects.selectors import investment_figures

    chem = IndustryChain.objects.create(name="精细化工")
    ProjectFactory(industry=chem, signed_on=D(2026, 4, 1), stage="signed", total_investment=60000,
                   funds_in_place=15000, agreed_annual_output=90000)
    ProjectFactory(industry=chem, signed_on=D(2025, 4, 1), stage="signed", total_investment=40000,
                   funds_in_place=10000, agreed_annual_output=50000)
    ProjectFactory(industry=chem, signed_on=None, total_investment=999999)  # still negotiating
    figures = investment_figures(user=zone.leader, year=2026)
    row = next(r for r in figures["chains"] if r["industry"] == "精细化工")
    assert (row["count"], row["investment"], row["funds"], row["output"]) == (1, 60000, 15000, 90000)
    assert row["investment_change"] == Decimal("50.0") and row["output_change"] == Decimal("80.0")
    assert figures["total"]["count_before"] == 1


def test_project_create_refuses_funds_above_the_investment(zone):
    from enterprises.models import IndustryChain

    chain = IndustryChain.objects.create(name="新能源")
    with pytest.raises(ValidationError):
        services.project_create(actor=zone.leader, name="储能", industry=chain, total_investment=100,
                                funds_in_place=200)
    with pytest.raises(PermissionDenied):
        services.project_create(actor=zone.dept_user_a, name="储能", industry=chain)
    assert not Project.objects.exists()
    assert FiveKeyNode.objects.count() == 0 and UserFactory(role=Role.LEADER)


def test_a_changed_holiday_schedule_recomputes_the_stored_scores(zone):
    from zonehub.models import CalendarDay, CalendarYear
    from zonehub.services import calendar_changed

    item = FiveKeyItemFactory(responsible_unit=zone.dept_a)
    FiveKeyNodeFactory(item=item, planned_date=D(2026, 9, 10), completed_on=D(2026, 9, 11))
    services.monthly_assessment(year=2026, month=9)
    assert UnitMonthlyScore.objects.get(department=zone.dept_a, month=9).late == 1
    # The 10th becomes a day off: the node was due on the 11th, and done on time after all.
    CalendarDay.objects.create(year=CalendarYear.objects.get(year=2026), date=D(2026, 9, 10), is_workday=False,
                               name="临时调休")
    calendar_changed.send(sender=CalendarYear, years=[2026])
    row = UnitMonthlyScore.objects.get(department=zone.dept_a, month=9)
    assert (row.on_time, row.late) == (1, 0)
