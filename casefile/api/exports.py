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

from django.db import connection, transaction
from django.urls import reverse

from casefile.api.serializers import PersonRefSerializer
from casefile.cases.models import Case
from casefile.people.models import Person

CHUNK_SIZE = 2000
PLACEHOLDER = "__KEY__"
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


def citations_of(condition: str, *, with_claim: bool = False) -> str:
    claim = "'claim', ci.case_field, " if with_claim else ""
    return f"""(SELECT coalesce(json_agg(json_build_object(
            {claim}'locator', ci.locator, 'quote', ci.quote, 'capture', {CAPTURE_JSON})
            ORDER BY ci.case_id, ci.id), '[]')
        FROM cases_citation ci
        JOIN sources_sourcecapture cap ON cap.id = ci.capture_id
        JOIN sources_source src ON src.id = cap.source_id
        WHERE {condition})"""


CASE_JSON = f"""json_build_object(
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
    'restrictions', (SELECT coalesce(json_agg(json_build_object(
            'kind', r.kind, 'details', r.details, 'started', {partial_date("r.started_on")},
            'ended', {partial_date("r.ended_on")},
            'citations', {citations_of("ci.restriction_id = r.id")})
            ORDER BY r.kind, r.id), '[]')
        FROM cases_restriction r WHERE r.case_id = c.id),
    'amounts', (SELECT coalesce(json_agg(json_build_object(
            'kind', m.kind, 'value', {money("m.value")}, 'currency', m.currency,
            'as_reported', m.as_reported, 'value_cny', {money("m.value_cny")},
            'description', m.description,
            'citations', {citations_of("ci.amount_id = m.id")})
            ORDER BY m.kind, m.id), '[]')
        FROM cases_amount m WHERE m.case_id = c.id),
    'events', (SELECT coalesce(json_agg(json_build_object(
            'occurred', {partial_date("e.occurred_on")}, 'kind', e.kind,
            'description', e.description,
            'citations', {citations_of("ci.event_id = e.id")})
            ORDER BY e.occurred_on, e.id), '[]')
        FROM cases_event e WHERE e.case_id = c.id),
    'citations', {
    citations_of(
        "ci.case_id = c.id AND ci.restriction_id IS NULL AND ci.amount_id IS NULL "
        "AND ci.event_id IS NULL",
        with_claim=True,
    )
},
    'published_at', {timestamp("c.published_at")},
    'updated_at', {timestamp("c.updated_at")},
    'version', c.public_id || '.' || to_char(c.updated_at AT TIME ZONE 'UTC',
                                             'YYYYMMDDHH24MISSUS'))"""


def yes_no(column: str) -> str:
    return f"CASE {column} WHEN true THEN 'yes' WHEN false THEN 'no' ELSE '' END"


# The CSV columns: (header, SQL over c = case, a = authority). The person's public
# name and privacy come from Python (Person.public_name()) right after `id`.
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
    (
        "restrictions",
        "array_to_string(c.restriction_kinds, ';')",
    ),
    (
        "amounts",
        "(SELECT coalesce(string_agg(m.kind || ' ' || m.value::text || ' ' || m.currency, "
        "'; ' ORDER BY m.kind, m.id), '') FROM cases_amount m WHERE m.case_id = c.id)",
    ),
    ("reason_en", "c.reason_en"),
    ("reason_original", "c.reason_original"),
    ("summary", "c.summary"),
    (
        "sources",
        "(SELECT count(DISTINCT cap.source_id) FROM cases_citation ci "
        "JOIN sources_sourcecapture cap ON cap.id = ci.capture_id WHERE ci.case_id = c.id)",
    ),
    ("updated_at", timestamp("c.updated_at")),
]
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


def published_cases_sql(select: str) -> tuple[str, list]:
    """SELECT `select` over every published case (Case.objects.published(): the one
    visibility rule), in id order; `select` may use %(name)s placeholders."""
    visible_sql, visible_params = (
        Case.objects.published().order_by().values("id").query.sql_with_params()
    )
    sql = (
        f"SELECT c.person_id, {select} FROM cases_case c "
        "LEFT JOIN authorities_authority a ON a.id = c.authority_id "
        f"WHERE c.id IN ({visible_sql}) ORDER BY c.id"
    )
    return sql, list(visible_params)


def _snapshot_rows(sql: str, params):
    """Rows of `sql` in chunks, from a server-side cursor in one consistent snapshot."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(CHUNK_SIZE):
                yield rows


def _named_params(sql: str, positional: list, named: dict) -> tuple[str, dict]:
    """psycopg takes one placeholder style per query: turn the positional ones named."""
    params = dict(named)
    for index, value in enumerate(positional):
        sql = sql.replace("%s", f"%(p{index})s", 1)
        params[f"p{index}"] = value
    return sql, params


def _people(rows, request) -> dict[int, dict]:
    ids = {row[0] for row in rows}
    people = Person.objects.filter(id__in=ids).only(
        "id", "privacy", "name_original", "name_romanized", "pseudonym", "occupation"
    )
    context = {"request": request}
    return {person.id: PersonRefSerializer(person, context=context).data for person in people}


def ndjson_lines(request):
    """The published dataset, one JSON case per line."""
    sql, positional = published_cases_sql(f"{CASE_JSON}::text")
    sql, params = _named_params(sql, positional, url_prefixes(request))
    for rows in _snapshot_rows(sql, params):
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
    select = ", ".join(expression for _, expression in CSV_COLUMNS)
    sql, positional = published_cases_sql(select)
    sql, params = _named_params(sql, positional, url_prefixes(request))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    yield buffer.getvalue()
    for rows in _snapshot_rows(sql, params):
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
