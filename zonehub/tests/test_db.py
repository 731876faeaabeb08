"""zonehub.db: many rows' own values in one statement, a statement planned once per session, new
rows of several tables written together."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.factories import UserFactory
from zonehub.db import _PREPARED, InsertBatch, NextId, execute_prepared, rows_update
from zonehub.events import CoreEvent, event_list_for, record_event
from zonehub.models import Notification, NotificationDelivery, Role, User
from zonehub.notifications import notify


@pytest.mark.django_db
def test_rows_update_saves_each_rows_own_values_and_touches_no_other_row():
    user = UserFactory()
    notes = Notification.objects.bulk_create(
        [Notification(recipient=user, kind="k", title=f"t{i}", dedupe_key=f"db:{i}") for i in range(3)])
    rows = NotificationDelivery.objects.bulk_create([
        NotificationDelivery(notification=n, channel="email", address="a@example.cn") for n in notes])
    when = dt.datetime(2026, 12, 5, 8, 30, tzinfo=dt.UTC)
    rows[0].status, rows[0].answer, rows[0].sent_at, rows[0].attempts = "sent", "250 'ok' = done; --", when, 1
    rows[1].status, rows[1].last_error, rows[1].next_attempt_at, rows[1].attempts = "pending", "超时", when, 2
    assert rows_update(rows[:2], ["status", "attempts", "answer", "last_error", "sent_at", "next_attempt_at"]) == 2
    saved = {d.pk: d for d in NotificationDelivery.objects.all()}
    first, second, third = (saved[r.pk] for r in rows)
    assert (first.status, first.answer, first.sent_at, first.attempts) == ("sent", "250 'ok' = done; --", when, 1)
    assert first.last_error == "" and first.next_attempt_at == rows[0].next_attempt_at
    assert (second.status, second.last_error, second.next_attempt_at, second.attempts) == ("pending", "超时", when, 2)
    assert second.sent_at is None
    assert (third.status, third.attempts) == (rows[2].status, 0)  # not among the rows: untouched


def test_rows_update_of_nothing_writes_nothing():
    assert rows_update([], ["status"]) == 0


@pytest.mark.django_db(transaction=True)
def test_a_prepared_statement_answers_with_its_parameters_after_rollbacks_and_on_a_new_session():
    user_a, user_b = UserFactory(username="prep-a"), UserFactory(username="prep-b")
    sql = "SELECT username FROM zonehub_user WHERE id = %s AND username LIKE 'prep-%%'"

    def name_of(pk):
        with connection.cursor() as cursor:
            execute_prepared(connection, cursor, "zonehub_test_name", sql, [pk])
            return cursor.fetchone()[0]

    assert name_of(user_a.pk) == "prep-a"
    with transaction.atomic():
        assert name_of(user_b.pk) == "prep-b"
        transaction.set_rollback(True)  # a prepared statement outlives the transaction
    assert name_of(user_a.pk) == "prep-a"
    connection.close()  # a new session prepares it again
    assert name_of(user_b.pk) == "prep-b"
    if connection.vendor == "postgresql":
        assert "zonehub_test_name" in _PREPARED[connection.connection]


def _new_user(username: str) -> User:
    """An unsaved user with its id taken ahead where the database gives one (NextId)."""
    next_id = User.objects.annotate(next_id=NextId(User)).values_list("next_id", flat=True)[0]
    return User(pk=next_id, username=username, name="新用户", role=Role.LEADER)


@pytest.mark.django_db(transaction=True)
def test_a_batch_writes_a_row_and_the_rows_pointing_at_it_together():
    UserFactory(username="admin-of-batch")
    written = []
    together = connection.vendor == "postgresql"
    with CaptureQueriesContext(connection) as ctx, InsertBatch() as batch:
        user = _new_user("batch-new")
        batch.add(user)
        record_event(user, actor=None, kind=CoreEvent.ADMIN_ADDED, batch=batch)
        notify([user], kind="welcome", title="欢迎", key=f"welcome:{user.pk}", url="/", batch=batch)
        batch.then(lambda: written.append(Notification.objects.filter(recipient=user).count()))
        assert written == []  # nothing runs before the rows are written
    inserts = [q["sql"] for q in ctx.captured_queries if "INSERT" in q["sql"]]
    assert len(inserts) == (1 if together else 3)  # PostgreSQL: one round trip
    assert written == [1]
    saved = User.objects.get(username="batch-new")
    assert saved.pk == user.pk and not user._state.adding
    assert [e.kind for e in event_list_for(saved)] == [CoreEvent.ADMIN_ADDED]
    assert Notification.objects.get(recipient=saved).dedupe_key == f"welcome:{saved.pk}"


@pytest.mark.django_db(transaction=True)
def test_a_batch_that_fails_writes_none_of_its_rows_and_calls_nothing():
    """All or none, with no transaction open around it: PostgreSQL runs the one message as one
    transaction; elsewhere the batch opens one."""
    owner = UserFactory(username="batch-owner")
    Notification.objects.create(recipient=owner, kind="k", title="早先", dedupe_key="taken")
    called = []
    with pytest.raises(IntegrityError), InsertBatch() as batch:
        user = _new_user("batch-lost")
        batch.add(user)
        batch.add(Notification(recipient=owner, kind="k", title="重复", dedupe_key="taken"))  # the key is taken
        batch.then(lambda: called.append(True))
    assert not User.objects.filter(username="batch-lost").exists()
    assert list(Notification.objects.values_list("title", flat=True)) == ["早先"]
    assert called == []
    with InsertBatch() as batch:  # the connection is usable again
        batch.add(_new_user("batch-after"))
    assert User.objects.filter(username="batch-after").exists()


@pytest.mark.django_db
def test_a_batch_leaves_out_a_repeated_notice_and_writes_a_row_as_it_was_added():
    owner = UserFactory(username="batch-repeat")
    notify([owner], kind="k", title="第一次", key="once")
    with InsertBatch() as batch:
        notify([owner], kind="k", title="第二次", key="once", batch=batch)  # a repeat: left out
        note = Notification(recipient=owner, kind="k", title="加入时", dedupe_key="other")
        batch.add(note)
        note.title = "加入后改的"  # too late: the row was taken as it was
    assert sorted(Notification.objects.filter(recipient=owner).values_list("title", flat=True)) == ["加入时", "第一次"]
