"""Set-based writes for many rows at once."""

from collections.abc import Iterable

from django.db import connection, models
from django.db.models import F
from django.db.models.expressions import RawSQL

UPDATE_BATCH = 2000


def bulk_update_from_values(
    model: type[models.Model], objs: list[models.Model], fields: list[str]
) -> None:
    """UPDATE many rows, one statement per batch: `UPDATE t SET … FROM (VALUES …) WHERE id`.

    Django's bulk_update builds a CASE WHEN per field and row, which slows down
    quadratically with the batch; a VALUES list joined on the key stays linear.
    Statement-level triggers (history, derived columns) see each batch as one statement.
    """
    if not objs:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    model_fields = [model._meta.get_field(name) for name in fields]
    pk = model._meta.pk
    columns = [pk, *model_fields]
    casts = [column.db_type(connection) for column in columns]
    assignments = ", ".join(
        f"{connection.ops.quote_name(f.column)} = v.{connection.ops.quote_name(f.column)}"
        for f in model_fields
    )
    column_list = ", ".join(connection.ops.quote_name(c.column) for c in columns)
    with connection.cursor() as cursor:
        for start in range(0, len(objs), UPDATE_BATCH):
            batch = objs[start : start + UPDATE_BATCH]
            # The first row carries the casts; VALUES takes the other rows' types from it.
            first = "(" + ", ".join(f"%s::{cast}" for cast in casts) + ")"
            rest = "(" + ", ".join(["%s"] * len(columns)) + ")"
            rows_sql = ", ".join([first] + [rest] * (len(batch) - 1))
            params = []
            for obj in batch:
                for column in columns:
                    value = getattr(obj, column.attname)
                    params.append(column.get_db_prep_save(value, connection))
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM (VALUES {rows_sql}) "
                f"AS v({column_list}) WHERE {table}.{connection.ops.quote_name(pk.column)} "
                f"= v.{connection.ops.quote_name(pk.column)}",
                params,
            )


def copy_insert(
    model: type[models.Model], rows: Iterable[dict], count: int | None = None
) -> list[int]:
    """INSERT rows with COPY, the fastest way into PostgreSQL; return their new ids.

    `rows` may be a generator when `count` says how many it yields: the rows are then
    built while the server inserts the ones before them (on another core), rather
    than all before the first is sent.

    Each row is a dict of column values by attname (`person_id`, not `person`); columns
    left out get the field's default (callable defaults are called per row, as Django
    does), so a field added later with a default needs no change here. The ids are taken
    from the table's sequence first, so callers can link parts to the rows just written.
    COPY fires the table's statement-level triggers (history, derived columns) once.
    """
    if count is None:
        rows = list(rows)
        count = len(rows)
    if not count:
        return []
    table = model._meta.db_table
    pk = model._meta.pk
    fields = [
        f for f in model._meta.concrete_fields if f is not pk and not getattr(f, "generated", False)
    ]
    # Per field: a constant default, or the callable that makes one per row.
    defaults = [
        (
            f.attname,
            f.get_default if f.has_default() and callable(f.default) else None,
            None if f.has_default() and callable(f.default) else f.get_default(),
        )
        for f in fields
    ]
    columns = [pk.column, *(f.column for f in fields)]
    with connection.cursor() as cursor:
        # The sequence is looked up once: pg_get_serial_sequence() in the select list would
        # search the catalogues again for every row (8 µs each, seconds for 900,000 ids).
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)::regclass::oid", [table, pk.column])
        (sequence,) = cursor.fetchone()
        cursor.execute(
            "SELECT nextval(%s::oid::regclass) FROM generate_series(1, %s)",
            [sequence, count],
        )
        ids = [row[0] for row in cursor.fetchall()]
        # Session settings (the history context: who and why; triggers to skip) reach the
        # server as a prefix of the next statement Django runs; COPY does not go through
        # Django, so a no-op statement carries them first.
        cursor.execute("DO $$ BEGIN END $$")
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        with cursor.cursor.copy(
            f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN"
        ) as copy:
            write_row = copy.write_row
            for new_id, row in zip(ids, rows, strict=True):
                write_row(
                    [
                        new_id,
                        *[
                            row[attname]
                            if attname in row
                            else (make_default() if make_default else default)
                            for attname, make_default, default in defaults
                        ],
                    ]
                )
    return ids


class AnyOf(models.Func):
    """`value = ANY(array)`, as a condition."""

    arg_joiner = " = ANY("
    template = "(%(expressions)s))"
    output_field = models.BooleanField()


def any_of(column, values: Iterable, array_type: str = "bigint") -> AnyOf:
    """`column = ANY(values)` (a field name or an expression), the values sent as one array
    parameter: a list of 100,000 ids or keys is one parameter, not 100,000, and a short
    one is still looked up by index."""
    expression = F(column) if isinstance(column, str) else column
    return AnyOf(expression, RawSQL(f"%s::{array_type}[]", (list(values),)))
