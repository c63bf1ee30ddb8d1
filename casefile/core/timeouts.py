"""How long one SQL statement may run: PostgreSQL's statement_timeout, set per kind of work.

- web requests: WEB_STATEMENT_TIMEOUT, set by StatementTimeoutMiddleware when the
  request first touches the database and reset when the view returns;
- exports (the bodies the CSV and NDJSON downloads stream after the view returned):
  EXPORT_STATEMENT_TIMEOUT, on every connection they read or write with;
- imports (the admin's import page and the import_cases command): IMPORT_STATEMENT_TIMEOUT;
- management commands and everything else: none of ours (the server's, role's or
  database's own statement_timeout still applies).

All are seconds; 0 means no limit. A statement that runs longer is canceled by
PostgreSQL (QueryCanceled): pages answer 503, the API 503 in its error shape.
"""

from contextlib import suppress

from django.db import OperationalError
from psycopg import errors as pg_errors
from psycopg.pq import TransactionStatus

SET_SQL = "SELECT set_config('statement_timeout', %s, %s)"


def milliseconds(seconds: float) -> str:
    return str(max(0, round(seconds * 1000)))


def set_local_statement_timeout(cursor, seconds: float) -> None:
    """Limit the statements of the cursor's current transaction (SET LOCAL: it ends
    with the transaction)."""
    cursor.execute(SET_SQL, [milliseconds(seconds), True])


def set_session_statement_timeout(cursor, seconds: float) -> None:
    """Limit every later statement of the cursor's connection."""
    cursor.execute(SET_SQL, [milliseconds(seconds), False])


def is_statement_timeout(error: BaseException) -> bool:
    """Did PostgreSQL cancel the statement (statement_timeout, or pg_cancel_backend)?"""
    return isinstance(error, OperationalError) and isinstance(
        error.__cause__, pg_errors.QueryCanceled
    )


class FirstQueryTimeout:
    """An execute wrapper (connection.execute_wrapper) that sets a session-level
    statement_timeout just before the connection's first statement, and undoes it on
    restore(). Lazily, so a request that never queries never connects, and on the raw
    connection, so the setting is not counted as one of the page's queries."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.raw = None

    def __call__(self, execute, sql, params, many, context):
        if self.raw is None:
            self.raw = context["connection"].connection
            self.raw.execute(SET_SQL, [milliseconds(self.seconds), False]).close()
        return execute(sql, params, many, context)

    def restore(self) -> None:
        raw, self.raw = self.raw, None
        if raw is None or raw.closed or raw.broken:
            return
        # In a failed transaction the statement would fail too; its rollback undoes
        # the setting anyway, since it was made inside that transaction.
        if raw.info.transaction_status == TransactionStatus.INERROR:
            return
        # A connection lost meanwhile: the request's own error says so, not this.
        with suppress(pg_errors.Error):
            raw.execute("RESET statement_timeout").close()
