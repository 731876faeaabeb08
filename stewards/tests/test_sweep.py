"""The deadline sweep (DESIGN.md rule 3): every effect exactly once, whatever happens to the sweep."""

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection, transaction

from stewards import services, tasks
from stewards.models import Escalation, ServiceRequest
from stewards.services import sweep as sweep_section
from stewards.tests.factories import shanghai
from tests.factories import UserFactory
from zonehub.models import Event, Notification, Role

FRIDAY = shanghai(2025, 2, 7, 10, 0)  # due 00:00 Wed 12 Feb; reminder 09:00 Tue 11 Feb
DUE = shanghai(2025, 2, 12)
REMIND = shanghai(2025, 2, 11, 9)

needs_postgres = pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="SELECT ... FOR UPDATE SKIP LOCKED and concurrent sessions need PostgreSQL (SQLite has no row locks)",
)


def make_escalations(zone, n=1, *, departments=None, at=FRIDAY):
    """n requests of enterprise A, each escalated (at ``at``) to the given departments."""
    out = []
    with time_machine.travel(at, tick=False):
        for i in range(n):
            request = services.request_submit(actor=zone.ent_user_a, category="factors", title=f"诉求{i}",
                                              description="说明")
            out += services.request_escalate(request=request, actor=zone.steward_a.user,
                                             departments=departments or [zone.dept_a], reason="请办理")
    return out


def sweep(now, **kw):
    with time_machine.travel(now, tick=False):
        return services.deadline_sweep(now=now, **kw)


def kinds(escalation):
    return list(Event.objects.filter(subject_id=escalation.pk, kind__startswith="escalation.")
                .exclude(kind="escalation.sent").values_list("kind", flat=True))


def notes(user, kind):
    return Notification.objects.filter(recipient=user, kind=kind).count()


@pytest.fixture
def leader2(db):
    return UserFactory(role=Role.LEADER)


# --- each effect -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_department_is_reminded_on_the_morning_of_its_last_working_day_once(zone):
    (escalation,) = make_escalations(zone)
    assert escalation.remind_at == REMIND
    assert sweep(REMIND - dt.timedelta(seconds=1))["reminded"] == 0
    assert sweep(REMIND)["reminded"] == 1
    assert sweep(REMIND + dt.timedelta(minutes=1))["reminded"] == 0
    assert kinds(escalation) == ["escalation.reminded"]
    assert notes(zone.dept_user_a, "escalation.reminded") == 1


@pytest.mark.django_db
def test_overdue_is_marked_once_when_due_at_passes_and_the_head_steward_and_leaders_are_told(zone, leader2):
    (escalation,) = make_escalations(zone)
    assert sweep(DUE - dt.timedelta(microseconds=1))["overdue"] == 0
    counts = sweep(DUE)
    assert counts["overdue"] == 1
    escalation.refresh_from_db()
    assert escalation.overdue_at == DUE
    for user in (zone.dept_user_a, zone.steward_a.user, zone.leader, leader2):
        assert notes(user, "escalation.overdue") == 1
    assert notes(zone.dept_user_b, "escalation.overdue") == 0
    assert sweep(DUE + dt.timedelta(minutes=1))["overdue"] == 0  # the sweep runs again
    assert kinds(escalation) == ["escalation.reminded", "escalation.overdue"]  # the 1 µs-early sweep reminded
    assert Event.objects.filter(kind="escalation.overdue").count() == 1


@pytest.mark.django_db
def test_a_reply_before_due_at_is_never_marked_overdue(zone):
    (escalation,) = make_escalations(zone)
    with time_machine.travel(DUE - dt.timedelta(microseconds=1), tick=False):
        services.escalation_reply(escalation=escalation, actor=zone.dept_user_a, reply="已办")
    assert sweep(DUE + dt.timedelta(days=3))["overdue"] == 0
    escalation.refresh_from_db()
    assert escalation.overdue_at is None and escalation.answered_on_time is True


@pytest.mark.django_db
def test_after_a_day_of_downtime_the_sweep_catches_up_and_skips_the_too_late_reminder(zone):
    (escalation,) = make_escalations(zone)
    counts = sweep(DUE + dt.timedelta(days=1))  # the sweep was down from Monday to Thursday
    assert counts["overdue"] == 1 and counts["reminded"] == 0
    escalation.refresh_from_db()
    assert escalation.reminded_at is None and escalation.overdue_at is not None
    assert kinds(escalation) == ["escalation.overdue"]
    assert notes(zone.dept_user_a, "escalation.reminded") == 0
    assert notes(zone.dept_user_a, "escalation.overdue") == 1


@pytest.mark.django_db
def test_a_reply_arriving_while_the_sweep_runs_wins_over_the_overdue_mark(zone, monkeypatch):
    """The sweep picked the row as due; before it applies the mark, the department's on-time reply
    commits. The conditional UPDATE (clock_stopped_at IS NULL AND replied_at IS NULL) loses."""
    (escalation,) = make_escalations(zone)
    original = sweep_section._escalations_overdue

    def reply_first(rows, now, batch):
        with time_machine.travel(DUE - dt.timedelta(microseconds=1), tick=False):
            services.escalation_reply(escalation=rows[0], actor=zone.dept_user_a, reply="刚好赶上")
        return original(rows, now, batch)

    monkeypatch.setattr(sweep_section, "_escalations_overdue", reply_first)
    assert services.deadline_sweep(now=DUE + dt.timedelta(seconds=30))["overdue"] == 0
    escalation.refresh_from_db()
    assert escalation.overdue_at is None and escalation.answered_on_time is True
    assert notes(zone.leader, "escalation.overdue") == 0


class WorkerKilled(BaseException):
    """What the process sees when it is killed mid-batch: nothing catches it."""


@pytest.mark.django_db
def test_a_sweep_that_dies_half_way_leaves_nothing_half_done_and_the_next_one_finishes(zone, monkeypatch):
    escalations = make_escalations(zone, 5)
    original, calls = sweep_section._escalations_overdue, []

    def dies_on_the_fourth(rows, now, batch):
        calls.extend(row.pk for row in rows)
        done = original(rows, now, batch)  # the second batch's marks are written, then it dies
        if len(calls) >= 4:
            raise WorkerKilled
        return done

    monkeypatch.setattr(sweep_section, "_escalations_overdue", dies_on_the_fourth)
    with pytest.raises(WorkerKilled):
        sweep(DUE, batch=2)
    # Batch 1 (two rows) committed; batch 2 rolled back as a whole, its third row's mark included.
    assert Escalation.objects.filter(overdue_at__isnull=False).count() == 2
    assert Event.objects.filter(kind="escalation.overdue").count() == 2
    monkeypatch.setattr(sweep_section, "_escalations_overdue", original)
    assert sweep(DUE + dt.timedelta(minutes=1), batch=2)["overdue"] == 3
    for escalation in escalations:
        assert kinds(escalation) == ["escalation.overdue"]
    assert notes(zone.leader, "escalation.overdue") == 5


@pytest.mark.django_db
def test_one_failing_row_does_not_stop_the_others(zone, monkeypatch, caplog):
    first, poisoned, last = make_escalations(zone, 3)
    original = sweep_section._escalations_overdue

    def fails_on_one(rows, now, batch):
        result = original(rows, now, batch)  # its writes are rolled back with the savepoint below
        if poisoned in rows:
            raise ValueError("bad data")
        return result

    monkeypatch.setattr(sweep_section, "_escalations_overdue", fails_on_one)
    assert sweep(DUE)["overdue"] == 2
    assert "left for the next run" in caplog.text
    assert set(Escalation.objects.filter(overdue_at__isnull=False)) == {first, last}
    assert kinds(poisoned) == []
    monkeypatch.setattr(sweep_section, "_escalations_overdue", original)
    assert sweep(DUE + dt.timedelta(minutes=1))["overdue"] == 1
    assert kinds(poisoned) == ["escalation.overdue"]


@pytest.mark.django_db
def test_a_missing_progress_report_is_flagged_once_per_period(zone):
    (escalation,) = make_escalations(zone)
    with time_machine.travel(FRIDAY, tick=False):
        services.escalation_mark_consultation(escalation=escalation, actor=zone.dept_user_a, reason="需会商")
    escalation.refresh_from_db()
    assert escalation.next_progress_due_at == DUE
    assert sweep(DUE)["progress_missed"] == 1
    assert sweep(DUE + dt.timedelta(minutes=1))["progress_missed"] == 0
    escalation.refresh_from_db()
    assert escalation.progress_overdue_count == 1
    assert escalation.next_progress_due_at == shanghai(2025, 2, 15)  # the next period: Wed, Thu, Fri
    assert notes(zone.dept_user_a, "escalation.progress_missed") == 1
    assert notes(zone.steward_a.user, "escalation.progress_missed") == 1
    assert escalation.overdue_at is None  # the reply clock stopped when it was marked


@pytest.mark.django_db
def test_missed_progress_periods_during_downtime_are_all_counted_in_one_step(zone):
    (escalation,) = make_escalations(zone)
    with time_machine.travel(FRIDAY, tick=False):
        services.escalation_mark_consultation(escalation=escalation, actor=zone.dept_user_a, reason="需会商")
    # Periods end 00:00 Wed 12, Sat 15 and Thu 20 Feb: a sweep on Thu 20 Feb finds three missed,
    # and the next period runs Thu 20, Fri 21, Mon 24.
    assert sweep(shanghai(2025, 2, 20, 8))["progress_missed"] == 1
    escalation.refresh_from_db()
    assert escalation.progress_overdue_count == 3
    assert escalation.next_progress_due_at == shanghai(2025, 2, 25)
    assert notes(zone.dept_user_a, "escalation.progress_missed") == 1


@pytest.mark.django_db
def test_a_request_not_accepted_in_time_is_flagged_to_the_workstation_head_once(zone):
    with time_machine.travel(FRIDAY, tick=False):
        late = services.request_submit(actor=zone.ent_user_a, category="other", title="迟", description="d")
        prompt = services.request_submit(actor=zone.ent_user_a, category="other", title="快", description="d")
        services.request_accept(request=prompt, actor=zone.steward_a.user)
    assert late.accept_due_at == shanghai(2025, 2, 9)
    assert sweep(late.accept_due_at)["accept_late"] == 1
    assert sweep(late.accept_due_at + dt.timedelta(hours=5))["accept_late"] == 0
    assert notes(zone.head_a, "request.accept_late") == 1
    assert notes(zone.head_b, "request.accept_late") == 0
    assert ServiceRequest.objects.filter(accept_flagged_at__isnull=False).get() == late


@pytest.mark.django_db
def test_a_reported_request_closes_automatically_after_five_working_days(zone):
    with time_machine.travel(FRIDAY, tick=False):
        request = services.request_log_on_behalf(actor=zone.steward_a.user, enterprise=zone.ent_a, channel="phone",
                                                 category="other", title="t", description="d")
        request = services.request_resolve_directly(request=request, actor=zone.steward_a.user, report="已解决")
    assert sweep(request.auto_close_due_at - dt.timedelta(seconds=1))["auto_closed"] == 0
    assert sweep(request.auto_close_due_at)["auto_closed"] == 1
    assert sweep(request.auto_close_due_at + dt.timedelta(days=1))["auto_closed"] == 0
    request.refresh_from_db()
    assert request.status == "closed" and request.close_reason == "auto"
    assert notes(zone.ent_user_a, "request.auto_closed") == 1


@pytest.mark.django_db
def test_the_sweep_sends_pending_notifications(zone, mailoutbox):
    make_escalations(zone)  # notifications written, their delivery task never ran (no on-commit here)
    assert Notification.objects.filter(delivery="pending").exists()
    counts = sweep(FRIDAY + dt.timedelta(minutes=1))
    assert counts["notifications_sent"] >= 1
    assert not Notification.objects.filter(delivery="pending").exists()
    assert zone.dept_user_a.email in {to for m in mailoutbox for to in m.to}


@pytest.mark.django_db
def test_the_task_runs_the_sweep(zone):
    make_escalations(zone)
    with time_machine.travel(DUE + dt.timedelta(minutes=1), tick=False):
        result = tasks.deadline_sweep_task.delay().get()
    assert result["overdue"] == 1


@pytest.mark.django_db
def test_the_sweep_reads_only_due_rows_through_its_partial_indexes(zone):
    """Each query's WHERE implies its index's condition, so the database can answer it from the
    partial index of due rows instead of reading every escalation ever made."""
    now = DUE
    # The reminder and overdue queries also satisfy the conditions of the wider indexes of
    # running clocks (the lists' "overdue now"); any of them is a scan of running clocks only.
    running = {"escalation_overdue_due_idx", "escalation_running_due_idx"}
    queries = [
        (sweep_section._remind_due(now), {"escalation_remind_due_idx", *running}),
        (sweep_section._overdue_due(now), running),
        (sweep_section._progress_due(now), {"escalation_progress_due_idx"}),
        (sweep_section._accept_due(now), {"request_accept_due_idx"}),
        (sweep_section._auto_close_due(now), {"request_auto_close_due_idx"}),
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET enable_seqscan = off")
    for queryset, indexes in queries:
        plan = queryset.order_by().explain()
        assert any(index in plan for index in indexes), f"none of {indexes} used:\n{plan}"


# --- concurrency (PostgreSQL) ----------------------------------------------------------------


def run_in_threads(*targets):
    errors, barrier = [], threading.Barrier(len(targets))

    def wrap(target):
        try:
            barrier.wait()
            target()
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=wrap, args=(t,)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_share_the_work_and_do_each_effect_once(zone):
    escalations = make_escalations(zone, 12, departments=[zone.dept_a, zone.dept_b])
    results = []
    run_in_threads(*[lambda: results.append(services.deadline_sweep(now=DUE, batch=3))] * 2)
    assert sum(r["overdue"] for r in results) == 24
    assert Event.objects.filter(kind="escalation.overdue").count() == 24
    for escalation in escalations:
        assert kinds(escalation) == ["escalation.overdue"]
    assert notes(zone.leader, "escalation.overdue") == 24
    assert notes(zone.dept_user_a, "escalation.overdue") == 12


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_reply_holding_its_row_is_skipped_by_a_concurrent_sweep_and_never_marked(zone):
    (escalation,) = make_escalations(zone)
    locked, release = threading.Event(), threading.Event()

    def department_replies():
        with time_machine.travel(DUE - dt.timedelta(seconds=1), tick=False), transaction.atomic():
            row = Escalation.objects.select_for_update().get(pk=escalation.pk)
            locked.set()
            release.wait(10)
            services.escalation_reply(escalation=row, actor=zone.dept_user_a, reply="按时答复")

    def sweep_runs():
        locked.wait(10)
        try:
            assert services.deadline_sweep(now=DUE + dt.timedelta(seconds=5))["overdue"] == 0
        finally:
            release.set()

    run_in_threads(department_replies, sweep_runs)
    assert services.deadline_sweep(now=DUE + dt.timedelta(minutes=1))["overdue"] == 0
    escalation.refresh_from_db()
    assert escalation.overdue_at is None and escalation.answered_on_time is True


# --- the broker is down ----------------------------------------------------------------------


DEAD_BROKER = "redis://127.0.0.1:6399/0"


@pytest.fixture
def broker_down(monkeypatch):
    """Point the Celery app at a Redis nobody listens on, and stop running tasks in-process.
    Celery reads CELERY_BROKER_URL from the environment before its configuration, so both move."""
    from zonehub.celery import app

    monkeypatch.setenv("CELERY_BROKER_URL", DEAD_BROKER)
    saved = (app.conf.broker_url, app.conf.task_always_eager, app.conf.broker_transport_options)
    app.conf.broker_url = DEAD_BROKER
    app.conf.task_always_eager = False
    app.conf.broker_transport_options = {"socket_connect_timeout": 1, "socket_timeout": 1, "max_retries": 0}
    forget_connections(app)
    try:
        yield app
    finally:
        monkeypatch.undo()
        app.conf.broker_url, app.conf.task_always_eager, app.conf.broker_transport_options = saved
        forget_connections(app)


def forget_connections(app):
    # The app keeps its connection pool and (through app.amqp) its producer pool for the URL it
    # first used; drop them so the next publish connects to the URL now configured. The pools
    # themselves belong to kombu's global registry and stay usable by whoever else holds them.
    app._pool = None
    app.__dict__.pop("amqp", None)


@pytest.mark.django_db
def test_with_the_broker_down_a_submission_is_saved_and_a_later_sweep_delivers_its_notifications(
        zone, broker_down, django_capture_on_commit_callbacks, mailoutbox, caplog):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        request = services.request_submit(actor=zone.ent_user_a, category="policy", title="申报补贴",
                                          description="请指导申报流程。")
    assert callbacks, "delivery was to be enqueued after commit"
    assert "broker unavailable" in caplog.text  # tried, failed, logged — not raised
    assert ServiceRequest.objects.filter(pk=request.pk, status="submitted").exists()
    pending = Notification.objects.get(recipient=zone.steward_a.user, kind="request.submitted")
    assert pending.delivery == "pending" and mailoutbox == []
    services.deadline_sweep()  # the broker is back: beat runs the sweep
    pending.refresh_from_db()
    assert pending.delivery == "sent"
    assert [m.to for m in mailoutbox] == [[zone.steward_a.user.email]]


@pytest.mark.django_db
def test_the_sweep_costs_the_same_statements_for_five_due_escalations_as_for_forty(zone):
    """Set-based: a batch's marks, events and notifications are a few statements, not some per row;
    the recipients are read once per sweep."""
    from django.test.utils import CaptureQueriesContext

    def statements(n, at):
        escalations = make_escalations(zone, n, departments=[zone.dept_a, zone.dept_b])
        with CaptureQueriesContext(connection) as queries:
            counts = sweep(at, send_notifications=False)
        assert counts["overdue"] == len(escalations) == 2 * n
        assert Event.objects.filter(kind="escalation.overdue", subject_id__in=[e.pk for e in escalations]).count() \
            == 2 * n
        sql = [q["sql"] for q in queries.captured_queries]
        inserts = [q for q in sql if q.startswith("INSERT")]
        # Rows are inserted in bulk (SQLite's statements hold fewer rows than PostgreSQL's).
        assert len(inserts) <= 2 + len(escalations) * 3 // 50, inserts
        return len(sql) - len(inserts)

    few = statements(5, DUE)
    many = statements(40, DUE + dt.timedelta(days=30))
    assert many == few, (few, many)
    # Every overdue escalation told its department head, its steward and the leader, once each.
    assert notes(zone.leader, "escalation.overdue") == 90
    assert Notification.objects.filter(kind="escalation.overdue").count() == 90 * 3
