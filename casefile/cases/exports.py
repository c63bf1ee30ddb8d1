"""Cases as CSV: one format, defined once, for both downloads.

- /cases/export.csv: the search page's cases (CaseFilter over published cases), in
  the search's order;
- /api/v1/exports/cases.csv: every published case, by id (the API's bulk export).

COLUMNS is the documented list of columns, in order; the first row of every file
is their names. Each column is a piece of SQL, so PostgreSQL builds the rows and
writes them as CSV itself (COPY … TO STDOUT), a chunk of CHUNK_SIZE cases per
statement. The one part built in Python is the person's name, by
visibility.public_name() (the one rule for names), passed into the chunk's statement.
A cell a spreadsheet would run as a formula gets a leading apostrophe.

`case_chunks()` is the reading path, shared with the API's NDJSON export: the case
ids stream from a server-side cursor in the queryset's order, inside one REPEATABLE
READ transaction, and WORKERS threads, each on its own connection and reading the
snapshot that transaction exports, build the chunks ahead of the response. So an
export is a consistent snapshot, memory stays flat (at most WORKERS x IN_FLIGHT
chunks wait), and PostgreSQL works on the next chunks while this thread sends the
current one. Give it Case.objects.published() or a filter of it: nothing here checks
visibility.
"""

from __future__ import annotations

import itertools
import json
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse

from casefile.authorities.models import Province
from casefile.cases.models import PUBLIC_ID_ALPHABET, PUBLIC_ID_LENGTH
from casefile.cases.visibility import public_name
from casefile.cases.vocabularies import CaseStatus, ListName, OffenceCategory, RestrictionKind
from casefile.core.links import absolute_url
from casefile.core.sql import partial_date, timestamp
from casefile.core.timeouts import set_local_statement_timeout

CHUNK_SIZE = 2000
WORKERS = 2
IN_FLIGHT = 2  # chunks queued or being built per worker
CONTENT_TYPE = "text/csv; charset=utf-8; header=present"
# Spreadsheets run a cell that starts with one of these as a formula (OWASP "CSV
# injection"), also after leading spaces, tabs and line breaks, which some trim first;
# a cell starting with a tab or a line break is suspect in itself. Such a text cell is
# written with a leading apostrophe. The test, as a PostgreSQL regular expression:
FORMULA_STARTS = "=+@-"
FORMULA_PATTERN = rf"^([\t\r\n]|[ \t\r\n]*[{FORMULA_STARTS}])"


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    # SQL over the table's aliases (for the cases: c the case, a its authority, p its
    # person, n (n.name: the person's public name), amo (amo.text: its amounts) and src
    # (src.count: the number of sources it cites); %(case_page)s is the case pages' URL
    # prefix).
    sql: str
    # Free text (names, stated reasons, summaries): formula-defused. Keys, dates,
    # numbers and URLs built here cannot start like a formula.
    text: bool = False
    # How the data package (casefile/api/datapackage.py) describes the column: a Table
    # Schema type and format, and constraints (a vocabulary as `enum`, a `pattern`…).
    type: str = "string"
    format: str | None = None
    constraints: dict | None = None

    def field(self) -> dict:
        """The column as a Table Schema field descriptor."""
        described = {"name": self.name, "type": self.type, "description": self.description}
        if self.format:
            described["format"] = self.format
        if self.constraints:
            described["constraints"] = self.constraints
        return described


def vocabulary(choices, *, required: bool = True) -> dict:
    """Table Schema constraints of a column holding one key of a vocabulary."""
    return {"required": required, "enum": [key for key, _ in choices]}


PARTIAL_DATE_PATTERN = r"\d{4}(-\d{2}(-\d{2})?)?"
YES_NO_UNKNOWN = {"required": True, "enum": ["yes", "no", "unknown"]}


def _yes_no(column: str) -> str:
    return f"CASE {column} WHEN true THEN 'yes' WHEN false THEN 'no' ELSE 'unknown' END"


COLUMNS = [
    Column(
        "id",
        "The case's permanent identifier (as in the API).",
        "c.public_id",
        constraints={
            "required": True,
            "unique": True,
            "pattern": f"[{PUBLIC_ID_ALPHABET}]{{{PUBLIC_ID_LENGTH}}}",
        },
    ),
    Column(
        "page_url",
        "The case's page.",
        "%(case_page)s || c.public_id || '/'",
        format="uri",
        constraints={"required": True},
    ),
    Column(
        "person",
        "The person's name as their privacy level allows (a pseudonym for private people).",
        "n.name",
        text=True,
    ),
    Column(
        "person_id",
        "The person's id in the API (/api/v1/persons/<id>/) and in persons.csv.",
        "c.person_id",
        type="integer",
        constraints={"required": True, "minimum": 1},
    ),
    Column(
        "person_privacy",
        "public (`person` is the real name) or pseudonymised (it is not).",
        "p.privacy",
        constraints={"required": True, "enum": ["public", "pseudonymised"]},
    ),
    Column(
        "list",
        "Key of the list (see the API's vocabularies).",
        "c.list_name",
        constraints=vocabulary(ListName.choices),
    ),
    Column("authority", "The court or agency that listed the person.", "a.name", text=True),
    Column("authority_original", "Its name in Chinese.", "a.name_original", text=True),
    Column(
        "province",
        "Province key; empty when unknown.",
        "a.province",
        constraints=vocabulary(Province.choices, required=False),
    ),
    Column("city", "City.", "a.city", text=True),
    Column("docket_number", "Case (docket) number.", "c.docket_number", text=True),
    Column(
        "offence",
        "Key of the offence category.",
        "c.offence_category",
        constraints=vocabulary(OffenceCategory.choices),
    ),
    Column(
        "status",
        "listed, removed or unknown.",
        "c.status",
        constraints=vocabulary(CaseStatus.choices),
    ),
    Column(
        "listed",
        "Date listed, as precise as known: YYYY, YYYY-MM or YYYY-MM-DD.",
        partial_date("c.listed_on"),
        constraints={"pattern": PARTIAL_DATE_PATTERN},
    ),
    Column(
        "discovered",
        "When the person learned of it (same form).",
        partial_date("c.discovered_on"),
        constraints={"pattern": PARTIAL_DATE_PATTERN},
    ),
    Column(
        "removed",
        "Date removed from the list (same form).",
        partial_date("c.removed_on"),
        constraints={"pattern": PARTIAL_DATE_PATTERN},
    ),
    Column(
        "notified",
        "Was the person notified: yes, no or unknown.",
        _yes_no("c.notified"),
        constraints=YES_NO_UNKNOWN,
    ),
    Column(
        "appeal_available",
        "Was there a route to appeal: yes, no or unknown.",
        _yes_no("c.appeal_available"),
        constraints=YES_NO_UNKNOWN,
    ),
    Column(
        "appeal_attempted",
        "Did the person appeal: yes, no or unknown.",
        _yes_no("c.appeal_attempted"),
        constraints=YES_NO_UNKNOWN,
    ),
    Column(
        "restrictions",
        "Keys of the restriction kinds, separated by semicolons: "
        + ", ".join(RestrictionKind.values)
        + ".",
        "array_to_string(c.restriction_kinds, ';')",
        constraints={"pattern": rf"(({'|'.join(RestrictionKind.values)})(;|$))*"},
    ),
    Column(
        "amounts",
        'Amounts as reported, separated by semicolons: "kind value currency", e.g. '
        '"fee 1330.00 CAD"; never converted.',
        "amo.text",
    ),
    Column(
        "sources",
        "Number of sources the case cites.",
        "coalesce(src.count, 0)",
        type="integer",
        constraints={"required": True, "minimum": 0},
    ),
    Column(
        "reason_original",
        "The stated reason, verbatim (usually Chinese).",
        "c.reason_original",
        text=True,
    ),
    Column("reason_en", "The stated reason in English.", "c.reason_en", text=True),
    Column("summary", "One-paragraph summary in English.", "c.summary", text=True),
    Column(
        "published_at",
        "When Casefile published the case (ISO 8601, UTC).",
        timestamp("c.published_at"),
        type="datetime",
    ),
    Column(
        "updated_at",
        "When the case last changed (ISO 8601, UTC).",
        timestamp("c.updated_at"),
        type="datetime",
        constraints={"required": True},
    ),
]
HEADER = [column.name for column in COLUMNS]


def _cell(column: Column) -> str:
    """The column as CSV text: formula-defused if free text; empty (NULL) when unknown,
    so an empty cell is written bare rather than as ""."""
    value = f"({column.sql})::text"
    if column.text:
        value = f"CASE WHEN {value} ~ '{FORMULA_PATTERN}' THEN '''' || {value} ELSE {value} END"
    return f"nullif({value}, '')"


# The chunk's case ids travel as one text parameter ("1,2,3"), its people's public
# names as one JSON object {person id: name}: quicker to send than arrays.
CHUNK_IDS = "string_to_array(%(ids)s, ',')::bigint[]"
PEOPLE_SQL = f"""
SELECT p.id, p.privacy, p.name_original, p.name_romanized, p.pseudonym
FROM cases_case c JOIN people_person p ON p.id = c.person_id
WHERE c.id = ANY({CHUNK_IDS})
"""
# One chunk of cases, in the order of its ids, as CSV rows. The parameters are merged
# into the statement by psycopg (COPY takes none of its own).
CSV_CHUNK = f"""
COPY (
    WITH wanted AS (
        SELECT * FROM unnest({CHUNK_IDS}) WITH ORDINALITY AS w(id, position)
    ), n AS (
        SELECT key::bigint AS id, value AS name FROM json_each_text(%(names)s::json)
    ), amo AS (
        SELECT case_id,
               string_agg(kind || ' ' || value::text || ' ' || currency, ';' ORDER BY kind, id)
               AS text
        FROM cases_amount WHERE case_id IN (SELECT id FROM wanted) GROUP BY case_id
    ), src AS (
        SELECT ci.case_id, count(DISTINCT cap.source_id) AS count
        FROM cases_citation ci JOIN sources_sourcecapture cap ON cap.id = ci.capture_id
        WHERE ci.case_id IN (SELECT id FROM wanted) GROUP BY ci.case_id
    )
    SELECT {", ".join(_cell(column) for column in COLUMNS)}
    FROM wanted
    JOIN cases_case c ON c.id = wanted.id
    JOIN people_person p ON p.id = c.person_id
    LEFT JOIN n ON n.id = c.person_id
    LEFT JOIN authorities_authority a ON a.id = c.authority_id
    LEFT JOIN amo ON amo.case_id = c.id
    LEFT JOIN src ON src.case_id = c.id
    ORDER BY wanted.position
) TO STDOUT WITH (FORMAT csv)
"""


def column_documentation() -> str:
    """The columns and their meaning, one per line (for the API's schema)."""
    return "\n".join(f"- `{column.name}`: {column.description}" for column in COLUMNS)


def case_page_prefix(request) -> str:
    """The absolute URL of the case pages up to the public id."""
    placeholder = "0000000000"  # a valid id (reverse() checks), split off again
    path = reverse("case-detail", kwargs={"public_id": placeholder})
    return absolute_url(request, path).rsplit(placeholder, 1)[0]


def _csv_chunk(case_page: str) -> Callable[[Any, list[int]], bytes]:
    def build(cursor, ids: list[int]) -> bytes:
        ids_text = ",".join(map(str, ids))
        cursor.execute(PEOPLE_SQL, {"ids": ids_text})
        names = {}
        for person_id, privacy, original, romanized, pseudonym in cursor.fetchall():
            # public_name() on the row's values: a model instance costs far more
            person = SimpleNamespace(
                privacy=privacy, name_original=original, name_romanized=romanized,
                pseudonym=pseudonym,
            )  # fmt: skip
            names[person_id] = public_name(person)
        params = {
            "ids": ids_text,
            "names": json.dumps(names, ensure_ascii=False),
            "case_page": case_page,
        }
        with cursor.cursor.copy(CSV_CHUNK, params) as copy:
            return b"".join(copy)

    return build


def csv_lines(queryset, request) -> Iterator[bytes]:
    """The cases of `queryset` as CSV, in its order: the header row, then one row per
    case (a chunk of rows at a time)."""
    yield (",".join(HEADER) + "\n").encode()
    yield from case_chunks(queryset, _csv_chunk(case_page_prefix(request)))


# --- reading cases in chunks ------------------------------------------------------------


def _batches(ids: Iterable[int]) -> Iterator[list[int]]:
    iterator = iter(ids)
    while batch := list(itertools.islice(iterator, CHUNK_SIZE)):
        yield batch


def _snapshot_transaction(cursor, snapshot: str | None = None) -> None:
    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    if snapshot:
        cursor.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])
    # Streamed after the view returned: the web request's timeout no longer applies.
    set_local_statement_timeout(cursor, settings.EXPORT_STATEMENT_TIMEOUT)


def case_chunks(queryset, build: Callable[[Any, list[int]], Any]) -> Iterator[Any]:
    """build(cursor, ids) for each consecutive chunk of the queryset's case ids, in the
    queryset's order (by id if it has none), all in one consistent snapshot; built
    ahead by WORKERS threads. Inside an enclosing transaction (tests), whose rows other
    connections could not see, it reads in line."""
    if not queryset.ordered:
        queryset = queryset.order_by("id")
    ids = queryset.values_list("id", flat=True)
    if connection.in_atomic_block:
        with connection.cursor() as cursor:
            for batch in _batches(ids.iterator(chunk_size=CHUNK_SIZE)):
                yield build(cursor, batch)
        return
    with transaction.atomic():  # open until the end: the snapshot the readers import
        with connection.cursor() as cursor:
            _snapshot_transaction(cursor)
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot,) = cursor.fetchone()
        readers = _Readers(build, snapshot)
        pending: deque[Future] = deque()
        try:
            batches = _batches(ids.iterator(chunk_size=CHUNK_SIZE))
            for batch in itertools.islice(batches, WORKERS * IN_FLIGHT):
                pending.append(readers.submit(batch))
            while pending:
                chunk = pending.popleft().result()
                batch = next(batches, None)
                if batch is not None:
                    pending.append(readers.submit(batch))
                yield chunk
        finally:  # also when the client goes away: chunks not yet started are dropped
            for future in pending:
                future.cancel()
            readers.close()


class _Readers:
    """WORKERS threads building chunks, each on its own connection, in a transaction
    that reads the exported snapshot. Chunks are answered through futures, so the
    caller takes them in the order it asked for them."""

    def __init__(self, build, snapshot: str):
        self.tasks: queue.SimpleQueue = queue.SimpleQueue()
        self.threads = [
            threading.Thread(
                target=self._read, args=(build, snapshot), name=f"casefile-export-{n}", daemon=True
            )
            for n in range(WORKERS)
        ]
        for thread in self.threads:
            thread.start()

    def submit(self, ids: list[int]) -> Future:
        future: Future = Future()
        self.tasks.put((ids, future))
        return future

    def _read(self, build, snapshot: str) -> None:
        future = None
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                _snapshot_transaction(cursor, snapshot)
                while (task := self.tasks.get()) is not None:
                    ids, future = task
                    if future.set_running_or_notify_cancel():
                        future.set_result(build(cursor, ids))
                    future = None
        except BaseException as error:  # raised in the caller, by the chunk's future
            if future is not None:
                future.set_exception(error)
            while (task := self.tasks.get()) is not None:  # answer the rest until closed
                if task[1].set_running_or_notify_cancel():
                    task[1].set_exception(error)
        finally:
            connection.close()  # this thread's own connection

    def close(self) -> None:
        for _ in self.threads:
            self.tasks.put(None)
        for thread in self.threads:
            thread.join(timeout=10)
