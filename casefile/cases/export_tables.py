"""The downloads beside cases.csv: people, sources with their captures, and citations,
each a CSV table of documented columns, built and streamed as the cases' CSV is
(casefile/cases/exports.py: COPY in chunks of ids read from one snapshot by reader
threads, so memory stays flat; free text formula-defused).

What each holds is what casefile.cases.visibility makes public, and no more:

- persons.csv: visibility.public_people(), one row each, named by public_name() (a
  pseudonym for anyone but a public figure), with the number of their public cases;
- sources.csv: visibility.public_captures(), one row per capture a public case cites,
  with its source (a capture cited by drafts only is not there);
- citations.csv: visibility.public_citations(), the citations of public cases, read by
  chunks of public cases: each cited claim, the capture it relies on, locator and quote.

TABLES lists every CSV download (cases.csv first) for the data package, which describes
each column from these definitions.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db.models import Count

from casefile.cases import exports, visibility
from casefile.cases.exports import PARTIAL_DATE_PATTERN, Column, _cell, case_chunks, vocabulary
from casefile.cases.vocabularies import AmountKind, CitedField, EventKind, RestrictionKind
from casefile.core.sql import partial_date, timestamp
from casefile.people.models import Person
from casefile.sources.models import Reliability, SourceKind, SourceRelation

CHUNK_IDS = exports.CHUNK_IDS


@dataclass(frozen=True)
class Table:
    """One CSV download: its columns, keys, rows and how a chunk of them is written."""

    name: str  # the file is <name>.csv, the data package's resource <name>
    title: str
    description: str
    columns: list[Column]
    primary_key: list[str] | None
    foreign_keys: list[dict] = field(default_factory=list)
    # The export's rows, as a queryset of the ids case_chunks() reads in order…
    rows: Callable | None = None
    # …and build(cursor, ids, prefixes) -> bytes, a chunk of CSV rows.
    chunk: Callable | None = None

    @property
    def header(self) -> bytes:
        return (",".join(column.name for column in self.columns) + "\n").encode()

    def schema(self) -> dict:
        described = {"fields": [column.field() for column in self.columns]}
        if self.primary_key:
            described["primaryKey"] = self.primary_key
        if self.foreign_keys:
            described["foreignKeys"] = self.foreign_keys
        return described

    def csv_lines(self, prefixes: dict[str, str]) -> Iterator[bytes]:
        """The header row, then the rows a chunk at a time (one consistent snapshot)."""
        yield self.header
        yield from case_chunks(self.rows(), lambda cursor, ids: self.chunk(cursor, ids, prefixes))


def _copy(cursor, sql: str, params: dict) -> bytes:
    with cursor.cursor.copy(sql, params) as copy:
        return b"".join(copy)


def _select(columns: list[Column]) -> str:
    return ", ".join(_cell(column) for column in columns)


# --- persons.csv ------------------------------------------------------------------------

PERSON_COLUMNS = [
    Column(
        "id",
        "The person's id, as in the API (/api/v1/persons/<id>/) and cases.csv's person_id.",
        "p.id",
        type="integer",
        constraints={"required": True, "unique": True, "minimum": 1},
    ),
    Column(
        "page_url",
        "The person's page.",
        "%(person_page)s || p.id || '/'",
        format="uri",
        constraints={"required": True},
    ),
    Column(
        "name",
        "The name as the person's privacy level allows: the real name of a public figure "
        "(romanised, then in characters), else initials or a description.",
        "n.name",
        text=True,
        constraints={"required": True},
    ),
    Column(
        "privacy",
        "public (`name` is the real name) or pseudonymised (it is not).",
        "p.privacy",
        constraints={"required": True, "enum": ["public", "pseudonymised"]},
    ),
    Column(
        "occupation", "As published, kept general for private people.", "p.occupation", text=True
    ),
    Column(
        "cases",
        "Number of the person's published cases.",
        "n.cases",
        type="integer",
        constraints={"required": True, "minimum": 1},
    ),
    Column(
        "updated_at",
        "When the person's record last changed (ISO 8601, UTC).",
        timestamp("p.updated_at"),
        type="datetime",
        constraints={"required": True},
    ),
]
PERSONS_CHUNK = f"""
COPY (
    WITH wanted AS (
        SELECT * FROM unnest({CHUNK_IDS}) WITH ORDINALITY AS w(id, position)
    ), n AS (
        SELECT key::bigint AS id, value->>0 AS name, (value->>1)::int AS cases
        FROM json_each(%(people)s::json)
    )
    SELECT {_select(PERSON_COLUMNS)}
    FROM wanted
    JOIN people_person p ON p.id = wanted.id
    JOIN n ON n.id = p.id
    ORDER BY wanted.position
) TO STDOUT WITH (FORMAT csv)
"""


def _persons_chunk(cursor, ids: list[int], prefixes: dict[str, str]) -> bytes:
    """`ids` are public people's (the rows of visibility.public_people(), read from the
    export's snapshot): read by primary key, named by public_name()."""
    people = {}
    rows = Person.objects.filter(id__in=ids)
    for person in rows.values("id", "privacy", "name_original", "name_romanized", "pseudonym"):
        people[person["id"]] = [visibility.public_name(SimpleNamespace(**person)), 0]
    counts = (
        visibility.public_cases()
        .filter(person_id__in=ids)
        .order_by()
        .values("person_id")
        .annotate(n=Count("id"))
    )
    for row in counts:
        if row["person_id"] in people:
            people[row["person_id"]][1] = row["n"]
    params = {
        "ids": ",".join(map(str, ids)),
        "people": json.dumps(people, ensure_ascii=False),
        "person_page": prefixes["person_page"],
    }
    return _copy(cursor, PERSONS_CHUNK, params)


# --- sources.csv: one row per capture ---------------------------------------------------

SOURCE_COLUMNS = [
    Column(
        "capture_id",
        "The capture's id: one captured version of a source, what citations point at.",
        "cap.id",
        type="integer",
        constraints={"required": True, "unique": True, "minimum": 1},
    ),
    Column(
        "source_id",
        "The source's id, as in the API (/api/v1/sources/<id>/); a source has one row per "
        "cited capture.",
        "s.id",
        type="integer",
        constraints={"required": True, "minimum": 1},
    ),
    Column(
        "source_page_url",
        "The source's page.",
        "%(source_page)s || s.id || '/'",
        format="uri",
        constraints={"required": True},
    ),
    Column(
        "kind", "Key of the kind of source.", "s.kind", constraints=vocabulary(SourceKind.choices)
    ),
    Column("title", "Title as published.", "s.title", text=True, constraints={"required": True}),
    Column("outlet", "Publisher, newspaper, court or website.", "s.outlet", text=True),
    Column(
        "authors",
        "Authors as credited, separated by semicolons.",
        "array_to_string(s.authors, '; ')",
        text=True,
    ),
    Column("language", "BCP 47 language tag, e.g. en, zh-Hans.", "s.language"),
    Column(
        "published",
        "Date published, as precise as known: YYYY, YYYY-MM or YYYY-MM-DD.",
        partial_date("s.published_on"),
        constraints={"pattern": PARTIAL_DATE_PATTERN},
    ),
    Column("url", "Where the source was published.", "s.url", format="uri"),
    Column(
        "relation",
        "How the source stands to the cases it documents.",
        "s.relation",
        constraints=vocabulary(SourceRelation.choices),
    ),
    Column(
        "reliability",
        "Reliability grade on the HURIDOCS scale.",
        "s.reliability",
        constraints=vocabulary(Reliability.choices),
    ),
    Column(
        "capture_label",
        "Which version the capture is, e.g. 'as first published', 'revised version'.",
        "cap.label",
        text=True,
    ),
    Column(
        "capture_url",
        "The URL that was captured.",
        "coalesce(nullif(cap.url, ''), s.url)",
        format="uri",
    ),
    Column(
        "archive_url",
        "An archived copy, e.g. a Wayback Machine capture.",
        "cap.archive_url",
        format="uri",
    ),
    Column(
        "captured_at",
        "When this version was captured (ISO 8601, UTC).",
        timestamp("cap.captured_at"),
        type="datetime",
        constraints={"required": True},
    ),
    Column(
        "sha256",
        "SHA-256 of the captured file, when the file is kept (64 hex digits).",
        "cap.sha256",
        constraints={"pattern": "[0-9a-f]{64}"},
    ),
]
SOURCES_CHUNK = f"""
COPY (
    WITH wanted AS (
        SELECT * FROM unnest({CHUNK_IDS}) WITH ORDINALITY AS w(id, position)
    )
    SELECT {_select(SOURCE_COLUMNS)}
    FROM wanted
    JOIN sources_sourcecapture cap ON cap.id = wanted.id
    JOIN sources_source s ON s.id = cap.source_id
    ORDER BY wanted.position
) TO STDOUT WITH (FORMAT csv)
"""


def _sources_chunk(cursor, ids: list[int], prefixes: dict[str, str]) -> bytes:
    params = {"ids": ",".join(map(str, ids)), "source_page": prefixes["source_page"]}
    return _copy(cursor, SOURCES_CHUNK, params)


# --- citations.csv ----------------------------------------------------------------------

CLAIM_KINDS = ["case_field", "restriction", "amount", "event"]
CITATION_COLUMNS = [
    Column(
        "case_id",
        "The citing case's id (cases.csv's id).",
        "c.public_id",
        constraints={"required": True},
    ),
    Column(
        "claim_kind",
        "What kind of claim the citation supports: a field of the case (case_field), a "
        "restriction, an amount or an event of its timeline.",
        "CASE WHEN ci.restriction_id IS NOT NULL THEN 'restriction' "
        "WHEN ci.amount_id IS NOT NULL THEN 'amount' "
        "WHEN ci.event_id IS NOT NULL THEN 'event' ELSE 'case_field' END",
        constraints={"required": True, "enum": CLAIM_KINDS},
    ),
    Column(
        "claim",
        "The claim: for a case_field its key ("
        + ", ".join(CitedField.values)
        + "); for a restriction its kind ("
        + ", ".join(RestrictionKind.values)
        + '); for an amount "kind value currency" as reported, never converted (kinds: '
        + ", ".join(AmountKind.values)
        + '); for an event "date kind", the date as precise as known (kinds: '
        + ", ".join(EventKind.values)
        + ").",
        "CASE WHEN ci.restriction_id IS NOT NULL THEN r.kind "
        "WHEN ci.amount_id IS NOT NULL THEN am.kind || ' ' || am.value::text || ' ' || am.currency "
        f"WHEN ci.event_id IS NOT NULL THEN {partial_date('ev.occurred_on')} || ' ' || ev.kind "
        "ELSE ci.case_field END",
        constraints={"required": True},
    ),
    Column(
        "capture_id",
        "The capture cited (sources.csv's capture_id).",
        "ci.capture_id",
        type="integer",
        constraints={"required": True, "minimum": 1},
    ),
    Column(
        "source_id",
        "Its source (sources.csv's source_id).",
        "cap.source_id",
        type="integer",
        constraints={"required": True, "minimum": 1},
    ),
    Column("locator", "Where in the source: page, paragraph, timestamp.", "ci.locator", text=True),
    Column("quote", "The passage relied on, verbatim.", "ci.quote", text=True),
]
# The chunk's ids are public cases (visibility.public_citations() is their citations).
CITATIONS_CHUNK = f"""
COPY (
    WITH wanted AS (
        SELECT * FROM unnest({CHUNK_IDS}) WITH ORDINALITY AS w(id, position)
    )
    SELECT {_select(CITATION_COLUMNS)}
    FROM wanted
    JOIN cases_case c ON c.id = wanted.id
    JOIN cases_citation ci ON ci.case_id = c.id
    JOIN sources_sourcecapture cap ON cap.id = ci.capture_id
    LEFT JOIN cases_restriction r ON r.id = ci.restriction_id
    LEFT JOIN cases_amount am ON am.id = ci.amount_id
    LEFT JOIN cases_event ev ON ev.id = ci.event_id
    ORDER BY wanted.position, ci.id
) TO STDOUT WITH (FORMAT csv)
"""


def _citations_chunk(cursor, ids: list[int], prefixes: dict[str, str]) -> bytes:
    return _copy(cursor, CITATIONS_CHUNK, {"ids": ",".join(map(str, ids))})


def _cases_chunk(cursor, ids: list[int], prefixes: dict[str, str]) -> bytes:
    return exports._csv_chunk(prefixes["case_page"])(cursor, ids)


# --- every CSV download -----------------------------------------------------------------

TABLES = {
    table.name: table
    for table in (
        Table(
            "cases",
            "Cases",
            "Every published case, one row each, by id: the search page's CSV format.",
            exports.COLUMNS,
            ["id"],
            [{"fields": "person_id", "reference": {"resource": "persons", "fields": "id"}}],
            rows=lambda: visibility.public_cases().order_by("id"),
            chunk=_cases_chunk,
        ),
        Table(
            "persons",
            "People",
            "Every person with a published case, under the name their privacy level allows.",
            PERSON_COLUMNS,
            ["id"],
            rows=lambda: visibility.public_people().order_by("id"),
            chunk=_persons_chunk,
        ),
        Table(
            "sources",
            "Sources and their captures",
            "One row per captured version of a source that a published case cites, with the "
            "source's own details (repeated for each of its captures).",
            SOURCE_COLUMNS,
            ["capture_id"],
            rows=lambda: visibility.public_captures().order_by("id"),
            chunk=_sources_chunk,
        ),
        Table(
            "citations",
            "Citations",
            "Every citation of a published case: the claim it supports, the capture it relies "
            "on, where in it, and the passage quoted. By case id, then in the order entered.",
            CITATION_COLUMNS,
            None,
            [
                {"fields": "case_id", "reference": {"resource": "cases", "fields": "id"}},
                {
                    "fields": "capture_id",
                    "reference": {"resource": "sources", "fields": "capture_id"},
                },
            ],
            rows=lambda: visibility.public_cases().order_by("id"),
            chunk=_citations_chunk,
        ),
    )
}
