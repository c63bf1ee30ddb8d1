"""Bulk export of the whole published dataset: NDJSON (one case per line, exactly as
the API shows it) and CSV (one row per case, columns defined once, below).

Both stream from a server-side cursor inside one REPEATABLE READ transaction, so
the export is a consistent snapshot, memory stays flat whatever the size, and the
first bytes leave before the last row is read. PostgreSQL builds each case's JSON
(with its parts) itself; Python adds the person, through the API's own serializer,
so Person.public_name() stays the only rule for names. A test checks that every
exported record equals the API's representation of that case.

The researchers' search page has its own CSV download of search results
(casefile/cases/exports.py on the pages branch); the column list here is the
candidate to share with it.
"""

import csv
import io
import json
from types import SimpleNamespace

from django.db import connection, transaction
from django.urls import reverse

from casefile.api.serializers import PLACEHOLDER, api_url
from casefile.cases.models import Case
from casefile.people.models import Person

CHUNK_SIZE = 2000
NDJSON_CONTENT_TYPE = "application/x-ndjson; charset=utf-8"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def partial_date(column: str) -> str:
    return (
        f"CASE {column}_precision WHEN 'year' THEN to_char({column}, 'YYYY') "
        f"WHEN 'month' THEN to_char({column}, 'YYYY-MM') "
        f"WHEN 'day' THEN to_char({column}, 'YYYY-MM-DD') END"
    )


def timestamp(column: str) -> str:
    """As the API writes times (REST_FRAMEWORK DATETIME_FORMAT): UTC, microseconds, Z."""
    return f"""to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""


def money(column: str) -> str:
    return f"{column}::text"


CAPTURE_JSON = f"""json_build_object(
    'id', cap.id, 'label', cap.label, 'url', coalesce(nullif(cap.url, ''), src.url),
    'archive_url', cap.archive_url, 'captured_at', {timestamp("cap.captured_at")},
    'sha256', cap.sha256,
    'source', json_build_object(
        'id', src.id, 'api_url', %(source_api)s || src.id || %(slash)s, 'kind', src.kind,
        'title', src.title, 'outlet', src.outlet, 'authors', to_json(src.authors),
        'language', src.language, 'published', {partial_date("src.published_on")},
        'url', src.url, 'relation', src.relation, 'reliability', src.reliability))"""

# One chunk of cases (ids in %(ids)s) with their parts, set-based: each table is read
# once per chunk and grouped, instead of a subquery per case and per part.
CASES_JSON_CHUNK = f"""
WITH cited AS (
    SELECT ci.id, ci.case_id, ci.capture_id, ci.restriction_id, ci.amount_id, ci.event_id,
           ci.case_field, ci.locator, ci.quote
    FROM cases_citation ci WHERE ci.case_id = ANY(%(ids)s)
), captures AS (  -- each capture's JSON built once per chunk, however often it is cited
    SELECT cap.id, {CAPTURE_JSON} AS capture
    FROM sources_sourcecapture cap JOIN sources_source src ON src.id = cap.source_id
    WHERE cap.id IN (SELECT capture_id FROM cited)
), cit AS (
    SELECT cited.*, captures.capture FROM cited JOIN captures ON captures.id = cited.capture_id
), part_cit AS (
    SELECT coalesce(restriction_id, amount_id, event_id) AS part_id,
           CASE WHEN restriction_id IS NOT NULL THEN 'r'
                WHEN amount_id IS NOT NULL THEN 'm' ELSE 'e' END AS part,
           json_agg(json_build_object('locator', locator, 'quote', quote, 'capture', capture)
                    ORDER BY case_id, id) AS list
    FROM cit WHERE case_field = '' GROUP BY 1, 2
), own_cit AS (
    SELECT case_id, json_agg(json_build_object('claim', case_field, 'locator', locator,
                                               'quote', quote, 'capture', capture)
                             ORDER BY case_id, id) AS list
    FROM cit WHERE case_field <> '' GROUP BY case_id
), rest AS (
    SELECT r.case_id, json_agg(json_build_object(
            'kind', r.kind, 'details', r.details, 'started', {partial_date("r.started_on")},
            'ended', {partial_date("r.ended_on")}, 'citations', coalesce(pc.list, '[]'))
            ORDER BY r.kind, r.id) AS list
    FROM cases_restriction r
    LEFT JOIN part_cit pc ON pc.part = 'r' AND pc.part_id = r.id
    WHERE r.case_id = ANY(%(ids)s) GROUP BY r.case_id
), amo AS (
    SELECT m.case_id, json_agg(json_build_object(
            'kind', m.kind, 'value', {money("m.value")}, 'currency', m.currency,
            'as_reported', m.as_reported, 'value_cny', {money("m.value_cny")},
            'description', m.description, 'citations', coalesce(pc.list, '[]'))
            ORDER BY m.kind, m.id) AS list
    FROM cases_amount m
    LEFT JOIN part_cit pc ON pc.part = 'm' AND pc.part_id = m.id
    WHERE m.case_id = ANY(%(ids)s) GROUP BY m.case_id
), eve AS (
    SELECT e.case_id, json_agg(json_build_object(
            'occurred', {partial_date("e.occurred_on")}, 'kind', e.kind,
            'description', e.description, 'citations', coalesce(pc.list, '[]'))
            ORDER BY e.occurred_on, e.id) AS list
    FROM cases_event e
    LEFT JOIN part_cit pc ON pc.part = 'e' AND pc.part_id = e.id
    WHERE e.case_id = ANY(%(ids)s) GROUP BY e.case_id
)
SELECT c.person_id, json_build_object(
    'id', c.public_id,
    'api_url', %(case_api)s || c.public_id || %(slash)s,
    'page_url', %(case_page)s || c.public_id || %(slash)s,
    'state', 'published',
    'list', c.list_name,
    'authority', CASE WHEN a.id IS NULL THEN NULL ELSE json_build_object(
        'id', a.id, 'api_url', %(authority_api)s || a.id || %(slash)s, 'name', a.name,
        'name_original', a.name_original, 'kind', a.kind, 'province', a.province,
        'city', a.city) END,
    'docket_number', c.docket_number,
    'reason_original', c.reason_original,
    'reason_en', c.reason_en,
    'offence', c.offence_category,
    'status', c.status,
    'listed', {partial_date("c.listed_on")},
    'discovered', {partial_date("c.discovered_on")},
    'removed', {partial_date("c.removed_on")},
    'notified', c.notified,
    'appeal_available', c.appeal_available,
    'appeal_attempted', c.appeal_attempted,
    'summary', c.summary,
    'narrative', c.narrative,
    'outcome', c.outcome,
    'restrictions', coalesce(rest.list, '[]'),
    'amounts', coalesce(amo.list, '[]'),
    'events', coalesce(eve.list, '[]'),
    'citations', coalesce(own_cit.list, '[]'),
    'published_at', {timestamp("c.published_at")},
    'updated_at', {timestamp("c.updated_at")},
    'version', c.public_id || '.' || to_char(c.updated_at AT TIME ZONE 'UTC',
                                             'YYYYMMDDHH24MISSUS'))::text
FROM cases_case c
LEFT JOIN authorities_authority a ON a.id = c.authority_id
LEFT JOIN rest ON rest.case_id = c.id
LEFT JOIN amo ON amo.case_id = c.id
LEFT JOIN eve ON eve.case_id = c.id
LEFT JOIN own_cit ON own_cit.case_id = c.id
WHERE c.id = ANY(%(ids)s)
ORDER BY c.id
"""


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


def url_prefixes(request) -> dict[str, str]:
    """Absolute URL prefixes, so SQL can build the same links the serializers do."""

    def prefix(name, **kwargs):
        path = reverse(name, kwargs=kwargs)
        return request.build_absolute_uri(path).split(PLACEHOLDER)[0]

    return {
        "case_api": prefix("api:case-detail", version="v1", key=PLACEHOLDER),
        "case_page": prefix("case-detail", public_id=PLACEHOLDER),
        "authority_api": prefix("api:authority-detail", version="v1", key=PLACEHOLDER),
        "source_api": prefix("api:source-detail", version="v1", key=PLACEHOLDER),
        "slash": "/",
    }


def _chunks(chunk_sql: str, request):
    """Rows of `chunk_sql` for every published case, a chunk of ids at a time, all in one
    consistent snapshot. The ids stream from a server-side cursor over
    Case.objects.published(): the one visibility rule."""
    ids_sql, ids_params = (
        Case.objects.published().order_by("id").values_list("id").query.sql_with_params()
    )
    params = url_prefixes(request)
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        with connection.chunked_cursor() as ids_cursor, connection.cursor() as cursor:
            ids_cursor.execute(ids_sql, ids_params)
            while ids := [row[0] for row in ids_cursor.fetchmany(CHUNK_SIZE)]:
                cursor.execute(chunk_sql, {**params, "ids": ids})
                yield cursor.fetchall()


def _people(rows, request) -> dict[int, dict]:
    """The persons of a chunk as the API shows them (PersonRefSerializer's fields), built
    directly: the name still comes from Person.public_name(), the one rule for names.
    A test checks these records equal the API's."""
    before, after = api_url(request, "person", PLACEHOLDER).split(PLACEHOLDER)
    fields = ("id", "privacy", "name_original", "name_romanized", "pseudonym", "occupation")
    people = {}
    for values in Person.objects.filter(id__in={row[0] for row in rows}).values_list(*fields):
        # Person.public_name() on the row's values: a model instance costs 10x more
        person = SimpleNamespace(**dict(zip(fields, values, strict=True)))
        people[person.id] = {
            "id": person.id,
            "api_url": f"{before}{person.id}{after}",
            "name": Person.public_name(person),
            "privacy": person.privacy,
            "occupation": person.occupation,
        }
    return people


def ndjson_lines(request):
    """The published dataset, one JSON case per line."""
    for rows in _chunks(CASES_JSON_CHUNK, request):
        people = _people(rows, request)
        yield "".join(
            '{"person": '
            + json.dumps(people[person_id], ensure_ascii=False)
            + ", "
            + case_json[1:]
            + "\n"
            for person_id, case_json in rows
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
    for rows in _chunks(CSV_CHUNK, request):
        people = _people(rows, request)
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
