"""What the busiest paths ask of the database, in as few round trips and as little planning as
they allow (issue 15): many rows' own values saved at once, and a statement planned once per
database session."""

from __future__ import annotations

import re
import weakref
from collections.abc import Sequence

from django.db import connections, router

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
