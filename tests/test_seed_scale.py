"""seed_scale: a small synthetic zone (F=0.01) that is consistent, logs in, and leaves the deadline
sweep nothing to do."""

import datetime as dt
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

import evaluations.services  # noqa: F401 - registers its event labels
import projects.services  # noqa: F401 - registers its event labels
from bench import scale
from enterprises.models import Enterprise
from enterprises.validators import validate_credit_code
from evaluations.models import Campaign, DepartmentMonthlyGrade, Rating
from projects.models import FiveKeyItem, FiveKeyNode, Project, UnitMonthlyScore
from stewards.models import Escalation, ServiceRequest, Steward, StewardAssignment, Visit
from stewards.services import deadline_sweep
from zonehub.events import EVENT_LABELS
from zonehub.models import CalendarYear, Department, Event, Notification, Role, User, Workstation
from zonehub.workdays import SHANGHAI, WorkCalendar, due_at

F = 0.01
BENCH = [username for username, _ in scale.BENCH_LOGINS]


@pytest.fixture(autouse=True)
def _forget_content_types():
    """A flush inside a test recreates the content types with new ids, then the rollback brings the
    old ones back: the cached ids must not outlive the test."""
    yield
    ContentType.objects.clear_cache()


def seed(**options):
    out = io.StringIO()
    call_command("seed_scale", factor=F, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def seeded(db):
    return seed()


def test_counts_follow_the_factor(seeded):
    plan = scale.plan(F)
    assert plan == {"workstations": 1, "stewards": 2, "enterprises": 20, "requests": 200, "projects": 5, "items": 6,
                    "departments": 31}
    assert Workstation.objects.count() == plan["workstations"]
    assert Steward.objects.count() == plan["stewards"]
    assert Enterprise.objects.count() == plan["enterprises"]
    assert ServiceRequest.objects.count() == plan["requests"]
    assert Project.objects.count() == plan["projects"]
    assert FiveKeyItem.objects.count() == plan["items"]
    assert Department.objects.count() == len(scale.DEPARTMENTS)
    # One user per enterprise and steward, a head per workstation, two per department, leaders, admin.
    assert User.objects.filter(role=Role.ENTERPRISE).count() == 20
    assert User.objects.filter(role=Role.STEWARD).count() == 2
    assert User.objects.filter(role=Role.DEPARTMENT).count() == 2 * len(scale.DEPARTMENTS)
    escalated = ServiceRequest.objects.filter(escalations__isnull=False).distinct().count()
    assert 0.15 * 200 <= escalated <= 0.45 * 200
    assert FiveKeyNode.objects.count() >= 3 * plan["items"]
    assert Campaign.objects.filter(status=Campaign.Status.CLOSED).count() == 4
    assert Rating.objects.count() >= 3 * 20
    assert Visit.objects.count() > 20 * 15
    assert Event.objects.count() > 4 * 200
    months = DepartmentMonthlyGrade.objects.values("month").distinct().count()
    assert months == 24
    assert DepartmentMonthlyGrade.objects.count() == 24 * len(scale.DEPARTMENTS)
    assert "Bench logins" in seeded and "scale-enterprise" in seeded and "stewards.ServiceRequest" in seeded


def test_every_enterprise_has_one_active_steward_of_its_workstation(seeded):
    active = StewardAssignment.objects.active()
    assert active.count() == Enterprise.objects.count()
    assert not active.values("enterprise").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert not active.exclude(steward__user__workstation=models_f("enterprise__workstation")).exists()
    # History: replaced stewards ended for a reason, after they started.
    for ended in StewardAssignment.objects.filter(ended_at__isnull=False):
        assert ended.end_reason == StewardAssignment.EndReason.UNSATISFIED and ended.ended_at >= ended.started_at


def models_f(name):
    from django.db.models import F as FieldRef

    return FieldRef(name)


def test_generated_data_is_valid(seeded):
    for code in Enterprise.objects.values_list("credit_code", flat=True):
        validate_credit_code(code)
    assert len(set(Enterprise.objects.values_list("name", flat=True))) == Enterprise.objects.count()
    assert not ServiceRequest.objects.filter(status=ServiceRequest.Status.CLOSED, closed_at__isnull=True).exists()
    assert not ServiceRequest.objects.filter(closed_at__lt=models_f("created_at")).exists()
    assert not Escalation.objects.filter(sent_at__lt=models_f("request__created_at")).exists()
    # Answered escalations say whether they were on time, by the same rule as the services.
    for e in Escalation.objects.filter(clock_stopped_at__isnull=False):
        assert e.answered_on_time == (e.clock_stopped_at < e.due_at)
    assert not Escalation.objects.filter(clock_stopped_at__isnull=True).exclude(
        status__in=Escalation.OPEN_STATUSES).exists()
    # The timelines use the services' own event kinds, so every one has its label.
    kinds = set(Event.objects.values_list("kind", flat=True).distinct())
    assert kinds <= set(EVENT_LABELS), kinds - set(EVENT_LABELS)
    assert {"request.submitted", "request.accepted", "request.escalated", "escalation.sent", "escalation.replied",
            "request.reported", "request.resolved", "request.confirmed", "request.auto_closed"} <= kinds
    assert CalendarYear.objects.filter(year=timezone.localdate().year).exists()


def test_the_sweep_finds_nothing_due(seeded):
    now = timezone.now()
    # Everything still running has its deadline ahead; every deadline passed has had its effect.
    running = Escalation.objects.filter(clock_stopped_at__isnull=True)
    assert not running.filter(due_at__lte=now, overdue_at__isnull=True).exists()
    assert not running.filter(remind_at__lte=now, due_at__gt=now, reminded_at__isnull=True).exists()
    assert not Escalation.objects.filter(status=Escalation.Status.CONSULTATION, next_progress_due_at__lte=now).exists()
    S = ServiceRequest.Status
    assert not ServiceRequest.objects.filter(status=S.SUBMITTED, accept_flagged_at__isnull=True,
                                             accept_due_at__lte=now).exists()
    assert not ServiceRequest.objects.filter(status=S.REPORTED, auto_close_due_at__lte=now).exists()
    assert not Notification.objects.filter(delivery=Notification.Delivery.PENDING).exists()
    assert deadline_sweep() == {"reminded": 0, "overdue": 0, "progress_missed": 0, "accept_late": 0,
                                "auto_closed": 0, "notifications_sent": 0}
    # Nor do the other beat jobs: no campaign to open or close, no lagging item not yet flagged and told.
    from evaluations.services import campaign_sweep
    from projects.services import supervision_sweep

    notifications = Notification.objects.count()
    assert not any(campaign_sweep().values())
    swept = supervision_sweep()
    assert (swept["flagged"], swept["recovered"]) == (0, 0)
    assert Notification.objects.count() == notifications


def test_a_recent_tail_is_still_open(db):
    # At F=0.1 (2,000 requests) there is work in progress in most states, and a history behind it.
    call_command("seed_scale", factor=0.1, stdout=io.StringIO())
    statuses = set(ServiceRequest.objects.values_list("status", flat=True).distinct())
    assert {"closed", "reported", "accepted"} <= statuses
    assert ServiceRequest.objects.filter(status=ServiceRequest.Status.CLOSED).count() > 0.9 * 2000
    assert Escalation.objects.filter(overdue_at__isnull=False).exists()
    assert Escalation.objects.filter(status=Escalation.Status.CONCLUDED).exists()
    assert Escalation.objects.filter(status=Escalation.Status.RETURNED).exists()
    # The last weeks' notifications, delivered, the recent ones unread.
    assert Notification.objects.filter(read_at__isnull=True).exists()
    assert Notification.objects.filter(read_at__isnull=False).exists()
    assert not Notification.objects.exclude(delivery=Notification.Delivery.SENT).exists()
    assert deadline_sweep(send_notifications=False)["overdue"] == 0


def test_bench_logins_and_their_own_data(seeded, client):
    users = {u.username: u for u in User.objects.filter(username__in=BENCH)}
    assert set(users) == set(BENCH)
    assert all(u.check_password(scale.PASSWORD) for u in users.values())
    assert users["scale-admin"].is_superuser and users["scale-leader"].role == Role.LEADER
    first_ws = Workstation.objects.order_by("pk").first()
    first_dept = Department.objects.get(name=scale.DEPARTMENTS[0][0])
    assert users["scale-head"].role == Role.WORKSTATION_HEAD and users["scale-head"].workstation == first_ws
    assert users["scale-steward"].workstation == first_ws
    assert users["scale-dept"].department == first_dept and not users["scale-dept"].is_department_head
    assert users["scale-dept-head"].department == first_dept and users["scale-dept-head"].is_department_head
    steward = users["scale-steward"].steward
    assert StewardAssignment.objects.active().filter(steward=steward).count() == 10
    enterprise = users["scale-enterprise"].enterprise
    assert StewardAssignment.objects.active().get(enterprise=enterprise).steward == steward
    assert ServiceRequest.objects.filter(enterprise=enterprise).count() == scale.BENCH_REQUESTS
    for username in BENCH:
        client.force_login(users[username])
        assert client.get("/").status_code == 200, username
    # A request's page shows its replayed timeline; the department's inbox and an escalation open.
    client.force_login(users["scale-enterprise"])
    request = ServiceRequest.objects.filter(enterprise=enterprise).order_by("pk").first()
    assert client.get(reverse("stewards:request_detail", args=[request.pk])).status_code == 200
    assert client.get(reverse("notifications")).status_code == 200
    client.force_login(users["scale-dept"])
    assert client.get(reverse("stewards:inbox")).status_code == 200
    escalation = Escalation.objects.filter(department=first_dept).order_by("-pk").first()
    assert client.get(reverse("stewards:escalation_detail", args=[escalation.pk])).status_code == 200


def test_scores_and_grades_agree_with_the_services(seeded):
    from evaluations.services import department_grades_compute
    from projects.services import monthly_assessment

    fields = ["escalations_due", "replied_on_time", "overdue", "returned", "nodes_on_time", "nodes_late",
              "nodes_open", "nodes_claimed", "score", "grade", "detail"]
    month = (DepartmentMonthlyGrade.objects.values("month").annotate(n=Count("id", filter=Q(escalations_due__gt=0)))
             .order_by("-n", "-month").first()["month"])
    seeded_grades = list(DepartmentMonthlyGrade.objects.filter(month=month).order_by("department").values(*fields))
    seeded_scores = list(UnitMonthlyScore.objects.order_by("department", "year", "month").values(
        "department", "year", "month", "on_time", "late", "open", "claimed", "score"))
    for year, m in {(s["year"], s["month"]) for s in seeded_scores}:
        monthly_assessment(year=year, month=m)
    department_grades_compute(month=month)
    assert list(DepartmentMonthlyGrade.objects.filter(month=month).order_by("department").values(*fields)) == seeded_grades
    assert list(UnitMonthlyScore.objects.order_by("department", "year", "month").values(
        "department", "year", "month", "on_time", "late", "open", "claimed", "score")) == seeded_scores


def test_refuses_a_zone_that_exists_unless_flushed(seeded):
    with pytest.raises(CommandError, match="--flush"):
        seed()
    seed(flush=True)
    assert Enterprise.objects.count() == scale.plan(F)["enterprises"]
    assert CalendarYear.objects.exists()  # the flush empties the calendar; it is back
    assert deadline_sweep(send_notifications=False)["overdue"] == 0


def test_the_same_seed_builds_the_same_zone(db):
    now = timezone.now()
    first = scale.build(factor=F, seed=7, now=now)
    names = sorted(Enterprise.objects.values_list("name", flat=True))
    call_command("flush", interactive=False, verbosity=0)
    ContentType.objects.clear_cache()
    second = scale.build(factor=F, seed=7, now=now)
    assert second == first
    assert sorted(Enterprise.objects.values_list("name", flat=True)) == names


def test_cached_working_days_give_the_same_deadlines_as_due_at(db):
    today = timezone.localdate()
    days = scale._Days(today - dt.timedelta(days=800), today + dt.timedelta(days=400))
    calendar = WorkCalendar()
    day = today - dt.timedelta(days=760)
    while day < today + dt.timedelta(days=30):
        start = dt.datetime.combine(day, dt.time(15, 30), tzinfo=SHANGHAI)
        for n in (1, 3, 5, 15):
            assert days.due(start, n) == due_at(start, n, calendar=calendar), (day, n)
        day += dt.timedelta(days=3)


def test_credit_codes_are_unique_and_valid_at_any_size():
    codes = [scale.credit_code(i) for i in range(0, 200_000, 7)]
    assert len(set(codes)) == len(codes)
    for code in codes[:2000]:
        validate_credit_code(code)
    names = [scale.enterprise_name(i) for i in range(120_000)]
    assert len(set(names)) == len(names)


def test_rows_are_written_as_django_writes_them(db):
    from django.db import connection

    for v in [dt.datetime(2026, 1, 1, 3, 4, 5, tzinfo=SHANGHAI), dt.datetime(2026, 7, 1, 23, 59, 59, tzinfo=SHANGHAI),
              dt.datetime(2026, 1, 1, 13, 4, 5, 7, tzinfo=SHANGHAI), dt.datetime(2026, 1, 1, 13, 4, 5, tzinfo=dt.UTC)]:
        if connection.vendor == "sqlite":
            assert scale._datetime_sqlite(v) == connection.ops.adapt_datetimefield_value(v)
        assert dt.datetime.fromisoformat(scale._datetime_pg(v)) == v
    assert scale._copy_text("a\\b\tc\nd") == "a\\\\b\\tc\\nd"
    assert scale._copy_text("“五重”清单") == "“五重”清单"


@pytest.mark.django_db(transaction=True)
def test_foreign_keys_are_verified_when_loaded_without_triggers():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the triggers are switched off on PostgreSQL only")
    writer = scale._Writer()
    try:
        if not writer.triggers_off:
            pytest.skip("needs a superuser to switch the triggers off")
        ct = ContentType.objects.get_for_model(Event).pk
        writer.table(Event, ["subject_type_id", "subject_id", "root_type_id", "root_id", "actor_id", "kind",
                             "created_at"]).add(ct, 1, ct, 1, 987_654_321, "test", timezone.now())
        writer.flush()
    finally:
        writer.close()
    with pytest.raises(ValueError, match="actor = 987654321 points at no row"):
        writer.verify_foreign_keys()
