"""What the busiest paths ask of the database, in as few round trips and as little planning as
they allow (issue 15): many rows' own values saved at once, a statement planned once per
database session, and new rows of several tables written together."""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Sequence
from contextlib import ExitStack

from django.db import connections, models, router, transaction
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery

# The statements each PostgreSQL session (a DB-API connection) has prepared, by name.
_PREPARED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def execute_prepared(connection, cursor, name: str, sql: str, params: Sequence) -> None:
    """Run ``sql`` (with ``%s`` placeholders, as the ORM compiles it) on ``cursor``. On PostgreSQL
    it is prepared once per session as ``name`` and executed from then on: a query of a few
    joins costs more to plan than to run, and the submission form runs one on every request.
    Prepared statements outlive transactions and rollbacks and die with their session (a new
    connection prepares again). Not for a transaction-pooling pgbouncer, which hands each
    transaction any session: connect to PostgreSQL or to a session-pooling bouncer."""
    if connection.vendor != "postgresql":
        cursor.execute(sql, params)
        return
    prepared = _PREPARED.setdefault(connection.connection, set())
    if name not in prepared:
        numbers = iter(range(1, len(params) + 1))
        body = re.sub(r"%([s%])", lambda m: f"${next(numbers)}" if m.group(1) == "s" else "%", sql)
        cursor.execute(f"PREPARE {name} AS {body}")
        prepared.add(name)
    cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(params))})" if params else f"EXECUTE {name}", params)


def rows_update(rows: Sequence, fields: Sequence[str], *, batch_size: int = 500) -> int:
    """Save ``fields`` of ``rows`` (instances of one model), each row its own values, in one
    statement per ``batch_size`` rows; returns how many rows were updated.

    Django's ``bulk_update`` writes a CASE WHEN per field and row, which Django builds as
    expressions: for a hundred rows of six fields that costs more than the statement itself. On
    PostgreSQL this is an ``UPDATE … FROM (VALUES …)`` instead, each value cast to its column's
    type; elsewhere (SQLite, in development) it is ``bulk_update``."""
    if not rows:
        return 0
    model = type(rows[0])
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        return model.objects.bulk_update(rows, fields, batch_size=batch_size)
    opts = model._meta
    columns = [opts.pk, *(opts.get_field(name) for name in fields)]
    quote = connection.ops.quote_name
    table, key = quote(opts.db_table), quote(opts.pk.column)
    names = ", ".join(quote(field.column) for field in columns)
    assignments = ", ".join(f"{quote(field.column)} = v.{quote(field.column)}" for field in columns[1:])
    row_sql = "(" + ", ".join(f"%s::{field.db_type(connection)}" for field in columns) + ")"
    updated = 0
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            batch = rows[start:start + batch_size]
            params = [field.get_db_prep_save(getattr(row, field.attname), connection)
                      for row in batch for field in columns]
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM (VALUES {', '.join([row_sql] * len(batch))}) "
                f"AS v({names}) WHERE {table}.{key} = v.{key}", params)
            updated += cursor.rowcount
    return updated


class NextId(models.Expression):
    """The next primary key of ``model``, taken from its sequence ahead of the INSERT
    (PostgreSQL; NULL elsewhere, where the row gets its key when it is written). Selected in a
    query the path runs anyway, it costs no round trip, and the rows that point at the new row
    can be built at once and sent with it (``InsertBatch``). An id taken and not used is a gap,
    as after a rollback."""

    def __init__(self, model):
        super().__init__(output_field=models.BigIntegerField())
        table, column = model._meta.db_table, model._meta.pk.column
        if not re.fullmatch(r"\w+", table) or not re.fullmatch(r"\w+", column):
            raise ValueError(f"{model.__name__}'s table or key is not a plain name")
        self.sequence_of = (table, column)

    def as_sql(self, compiler, connection):
        if connection.vendor != "postgresql":
            return "NULL", []
        table, column = self.sequence_of
        return f"nextval(pg_get_serial_sequence('{table}', '{column}'))", []


class InsertBatch:
    """New rows of several models written together, all or none, in the order they are added::

        with InsertBatch() as batch:
            batch.add(request)                     # its id from NextId: the event can point at it
            record_event(request, ..., batch=batch)
            notify([...], ..., batch=batch)

    On PostgreSQL the rows go when the block ends, as one message of INSERT statements: one
    round trip, which PostgreSQL runs as one transaction when none is open (inside one, they are
    part of it). Elsewhere (SQLite, in development) each row is written as it is added, in one
    transaction, so a row whose key the database gives has it at once. A row others point at
    must have its key before they are built: ``NextId`` on PostgreSQL, the write elsewhere. A row
    is written as it was when added (a later change to it is not). On PostgreSQL a row added
    without a key keeps ``pk`` None. As ``bulk_create``, no model signal is sent. ``then(f)``
    calls ``f`` once the rows are written (not if they are not): where the writers schedule what
    follows a commit (``transaction.on_commit``)."""

    def __init__(self, using: str | None = None):
        self.using = using
        self.rows: list[models.Model] = []
        self.statements: list[tuple[str, Sequence]] = []
        self.callbacks: list[Callable[[], None]] = []
        self.transaction: ExitStack | None = None  # elsewhere than PostgreSQL: open from the first row

    def __enter__(self) -> InsertBatch:
        return self

    def _connection(self, model):
        if self.using is None:
            self.using = router.db_for_write(model)
        return connections[self.using]

    def add(self, *rows: models.Model, ignore_conflicts: bool = False) -> None:
        """Insert ``rows``; with ``ignore_conflicts`` a row a unique constraint already holds is
        left out, as ``bulk_create(ignore_conflicts=True)``."""
        for row in rows:
            if row._meta.parents:
                raise ValueError(f"{type(row).__name__} inherits another model's table: save it instead")
            connection = self._connection(type(row))
            if connection.vendor == "postgresql":
                self.rows.append(row)
                self.statements.append(_insert_sql(row, connection, ignore_conflicts))
                continue
            if self.transaction is None:
                self.transaction = ExitStack()
                self.transaction.enter_context(transaction.atomic(using=self.using, savepoint=False))
            type(row)._base_manager.using(self.using).bulk_create([row], ignore_conflicts=ignore_conflicts)

    def then(self, callback: Callable[[], None]) -> None:
        self.callbacks.append(callback)

    def __exit__(self, kind, error, traceback) -> None:
        stack = self.transaction or ExitStack()
        if error is not None:  # the rows written so far are rolled back with the transaction
            stack.__exit__(kind, error, traceback)
            return
        with stack:  # and so they are if sending them or a callback fails
            self._send()
            for callback in self.callbacks:
                callback()

    def _send(self) -> None:
        if not self.statements:
            return
        with connections[self.using].cursor() as cursor:
            cursor.execute(";\n".join(sql for sql, _ in self.statements),
                           [value for _, values in self.statements for value in values])
        for row in self.rows:
            row._state.adding, row._state.db = False, self.using


def _insert_sql(row: models.Model, connection, ignore_conflicts: bool) -> tuple[str, Sequence]:
    """The INSERT of ``row`` as it is now, as Django's ``save`` writes it (its key when it has one)."""
    meta = row._meta
    fields = [f for f in meta.local_concrete_fields if not f.generated and (row.pk is not None or f is not meta.auto_field)]
    query = InsertQuery(type(row), on_conflict=OnConflict.IGNORE if ignore_conflicts else None)
    query.insert_values(fields, [row])
    ((sql, params),) = query.get_compiler(connection=connection).as_sql()
    return sql, params
