"""zonehub.db: many rows' own values in one statement, a statement planned once per session."""

import datetime as dt

import pytest
from django.db import connection, transaction

from tests.factories import UserFactory
from zonehub.db import _PREPARED, execute_prepared, rows_update
from zonehub.models import Notification, NotificationDelivery


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
