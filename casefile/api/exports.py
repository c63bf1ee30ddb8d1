"""Bulk export of the whole published dataset: NDJSON (one case per line, exactly as
the API shows it) and CSV (one row per case, columns defined once, below).

Both read the ids of Case.objects.published() from a server-side cursor inside one
REPEATABLE READ transaction and build 2,000 cases per query, so the export is a
consistent snapshot, memory stays flat whatever the size, and the first bytes leave
before the last row is read. The NDJSON records are records.py's, the same the case
endpoints serve (a test compares each line with the case's detail); persons' names
come from Person.public_name(). The database work runs one chunk ahead on its own
thread and connection.

The researchers' search page has its own CSV download of search results
(casefile/cases/exports.py on the pages branch); the column list here is the
candidate to share with it.
"""

import csv
import io
import itertools
import json
import queue
import threading

from django.db import connection, transaction

from casefile.api.records import (
    CASES_JSON_CHUNK,
    partial_date,
    people_by_id,
    person_rows,
    timestamp,
    url_prefixes,
)
from casefile.cases.models import Case

CHUNK_SIZE = 2000
READ_AHEAD = 1
WORKERS = 2
DONE = object()
NDJSON_CONTENT_TYPE = "application/x-ndjson; charset=utf-8"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def yes_no(column: str) -> str:
    return f"CASE {column} WHEN true THEN 'yes' WHEN false THEN 'no' ELSE '' END"


# The CSV columns: (header, SQL over c = case, a = authority, amo = the case's amounts
# as text, src = its number of sources). The person's public name and privacy come
# from Python (Person.public_name()) right after `id`.
CSV_COLUMNS = [
    ("id", "c.public_id"),
    ("page_url", "%(case_page)s || c.public_id || %(slash)s"),
    ("list", "c.list_name"),
    ("authority", "coalesce(a.name, '')"),
    ("province", "coalesce(a.province, '')"),
    ("docket_number", "c.docket_number"),
    ("offence", "c.offence_category"),
    ("status", "c.status"),
    ("listed", f"coalesce({partial_date('c.listed_on')}, '')"),
    ("discovered", f"coalesce({partial_date('c.discovered_on')}, '')"),
    ("removed", f"coalesce({partial_date('c.removed_on')}, '')"),
    ("notified", yes_no("c.notified")),
    ("appeal_available", yes_no("c.appeal_available")),
    ("appeal_attempted", yes_no("c.appeal_attempted")),
    ("restrictions", "array_to_string(c.restriction_kinds, ';')"),
    ("amounts", "coalesce(amo.text, '')"),
    ("reason_en", "c.reason_en"),
    ("reason_original", "c.reason_original"),
    ("summary", "c.summary"),
    ("sources", "coalesce(src.count, 0)"),
    ("updated_at", timestamp("c.updated_at")),
]
CSV_CHUNK = f"""
WITH amo AS (
    SELECT case_id, string_agg(kind || ' ' || value::text || ' ' || currency, '; '
                               ORDER BY kind, id) AS text
    FROM cases_amount WHERE case_id = ANY(%(ids)s) GROUP BY case_id
), src AS (
    SELECT ci.case_id, count(DISTINCT cap.source_id) AS count
    FROM cases_citation ci JOIN sources_sourcecapture cap ON cap.id = ci.capture_id
    WHERE ci.case_id = ANY(%(ids)s) GROUP BY ci.case_id
)
SELECT c.person_id, {", ".join(expression for _, expression in CSV_COLUMNS)}
FROM cases_case c
LEFT JOIN authorities_authority a ON a.id = c.authority_id
LEFT JOIN amo ON amo.case_id = c.id
LEFT JOIN src ON src.case_id = c.id
WHERE c.id = ANY(%(ids)s)
ORDER BY c.id
"""
CSV_PERSON_COLUMNS = ("person_id", "person", "person_privacy")
CSV_HEADER = [CSV_COLUMNS[0][0], *CSV_PERSON_COLUMNS, *(name for name, _ in CSV_COLUMNS[1:])]
# Spreadsheets run a cell that starts like a formula; a leading apostrophe stops that.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _published_ids_sql():
    """Every published case's id, in order: Case.objects.published(), the one rule."""
    return Case.objects.published().order_by("id").values_list("id").query.sql_with_params()


def _read_chunks(chunk_sql: str, params: dict, person_column: int, *, share=(0, 1), snapshot=None):
    """(rows, person rows) for every chunk of published cases (or every `share[1]`-th
    chunk from the `share[0]`-th), in one consistent snapshot (or in the exported
    `snapshot` of another transaction): the ids stream from a server-side cursor, each
    chunk is one query."""
    worker, workers = share
    ids_sql, ids_params = _published_ids_sql()
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                if snapshot:
                    cursor.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])
        with connection.chunked_cursor() as ids_cursor, connection.cursor() as cursor:
            ids_cursor.execute(ids_sql, ids_params)
            for index in itertools.count():
                ids = [row[0] for row in ids_cursor.fetchmany(CHUNK_SIZE)]
                if not ids:
                    return
                if index % workers != worker:
                    continue
                cursor.execute(chunk_sql, {**params, "ids": ids})
                rows = cursor.fetchall()
                yield rows, person_rows(row[person_column] for row in rows)


def _chunks(chunk_sql: str, request, person_column: int):
    """As _read_chunks, with the database work done ahead by WORKERS threads, each on
    its own connection and taking every WORKERS-th chunk, all reading the snapshot this
    transaction exports: PostgreSQL builds the next chunks on other cores while this
    thread writes the current one. At most WORKERS x READ_AHEAD chunks wait in memory.
    Inside an enclosing transaction (tests), which other connections could not see,
    it reads in line."""
    params = url_prefixes(request)
    if connection.in_atomic_block:
        yield from _read_chunks(chunk_sql, params, person_column)
        return
    with transaction.atomic():  # open until the end: the snapshot the workers import
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot,) = cursor.fetchone()
        stop = threading.Event()
        queues = [queue.Queue(maxsize=READ_AHEAD) for _ in range(WORKERS)]

        def produce(worker: int):
            ready = queues[worker]
            try:
                chunks = _read_chunks(
                    chunk_sql, params, person_column, share=(worker, WORKERS), snapshot=snapshot
                )
                for chunk in chunks:
                    while not stop.is_set():
                        try:
                            ready.put(chunk, timeout=0.5)
                            break
                        except queue.Full:
                            continue
                    if stop.is_set():
                        return
                ready.put(DONE)
            except BaseException as error:  # handed to the consumer, raised there
                ready.put(error)
            finally:
                connection.close()  # this thread's own connection

        threads = [
            threading.Thread(target=produce, args=(n,), name=f"casefile-export-{n}", daemon=True)
            for n in range(WORKERS)
        ]
        for thread in threads:
            thread.start()
        try:
            for index in itertools.count():  # chunks in order: worker 0, 1, 0, 1, …
                chunk = queues[index % WORKERS].get()
                if chunk is DONE:
                    return
                if isinstance(chunk, BaseException):
                    raise chunk
                yield chunk
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=10)


def ndjson_lines(request):
    """The published dataset, one JSON case per line."""
    for rows, people in _chunks(CASES_JSON_CHUNK, request, person_column=1):
        people = people_by_id(None, request, rows=people)
        yield "".join(
            '{"person": '
            + json.dumps(people[person_id], ensure_ascii=False)
            + ", "
            + case_json[1:]
            + "\n"
            for _, person_id, case_json in rows
        )


def _safe(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_chunks(request):
    """The published dataset as CSV, one row per case, header first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    yield buffer.getvalue()
    for rows, people in _chunks(CSV_CHUNK, request, person_column=0):
        people = people_by_id(None, request, rows=people)
        buffer.seek(0)
        buffer.truncate()
        for person_id, case_id, *rest in rows:
            person = people[person_id]
            writer.writerow(
                [
                    case_id,
                    person_id,
                    _safe(person["name"]),
                    person["privacy"],
                    *(_safe(value) for value in rest),
                ]
            )
        yield buffer.getvalue()
