"""Case records as the API shows them, built by PostgreSQL: one query for any number
of cases, their parts nested as JSON. List pages, case details, the change feed and
the NDJSON export all serve these records.

CaseSerializer (serializers.py) is the reference definition of a case's
representation and the source of the OpenAPI schema; this is its fast path, and
test_api_records checks that the two agree field for field, for every kind of
value. Persons are added in Python through visibility.public_name(), the one rule for
names.

The NDJSON export keeps the records it builds (CaseRecord: without the person, links
as paths) and reads them back while their case's updated_at is unchanged, so it
builds only those of cases changed since the last export (the last section).
"""

import hashlib
import json
from types import SimpleNamespace

import psycopg
from django.db import connection
from django.urls import reverse
from psycopg.adapt import Loader

from casefile.api.serializers import PLACEHOLDER, api_url
from casefile.cases.visibility import public_name
from casefile.core.links import absolute_url, site_origin
from casefile.core.sql import partial_date, timestamp
from casefile.people.models import Person


def money(column: str) -> str:
    return f"{column}::text"


CAPTURE_JSON = f"""json_build_object(
    'id', cap.id, 'page_url', %(capture_page)s || cap.id || %(slash)s,
    'label', cap.label, 'url', coalesce(nullif(cap.url, ''), src.url),
    'archive_url', cap.archive_url, 'captured_at', {timestamp("cap.captured_at")},
    'sha256', cap.sha256,
    'files', coalesce((
        SELECT json_agg(json_build_object(
            'sha256', f.sha256, 'size', f.size, 'media_type', f.media_type,
            'attached_at', {timestamp("f.attached_at")},
            'download_url', %(capture_page)s || cap.id || '/files/' || f.sha256 || %(slash)s)
            ORDER BY f.attached_at, f.id)
        FROM sources_capturefile f WHERE f.capture_id = cap.id), '[]'),
    'source', json_build_object(
        'id', src.id, 'api_url', %(source_api)s || src.id || %(slash)s, 'kind', src.kind,
        'title', src.title, 'outlet', src.outlet, 'authors', to_json(src.authors),
        'language', src.language, 'published', {partial_date("src.published_on")},
        'url', src.url, 'relation', src.relation, 'reliability', src.reliability,
        'sharing', src.sharing))"""

# One chunk of cases (ids in %(ids)s) with their parts, set-based: each table is read
# once per chunk and grouped, instead of a subquery per case and per part.
CASES_JSON_CHUNK = f"""
WITH cited AS (
    SELECT ci.id, ci.case_id, ci.capture_id, ci.restriction_id, ci.amount_id, ci.event_id,
           ci.case_field, ci.locator, ci.quote, ci.quote_check = 'found' AS quote_verified
    FROM cases_citation ci WHERE ci.case_id = ANY(%(ids)s)
), captures AS MATERIALIZED (
    -- Each capture's JSON built once per chunk, however often it is cited: inlined,
    -- PostgreSQL would build it again for every citation (a quarter of the time).
    SELECT cap.id, {CAPTURE_JSON} AS capture
    FROM sources_sourcecapture cap JOIN sources_source src ON src.id = cap.source_id
    WHERE cap.id IN (SELECT capture_id FROM cited)
), cit AS (
    SELECT cited.*, captures.capture FROM cited JOIN captures ON captures.id = cited.capture_id
), part_cit AS (
    SELECT coalesce(restriction_id, amount_id, event_id) AS part_id,
           CASE WHEN restriction_id IS NOT NULL THEN 'r'
                WHEN amount_id IS NOT NULL THEN 'm' ELSE 'e' END AS part,
           json_agg(json_build_object('locator', locator, 'quote', quote,
                                      'quote_verified', quote_verified, 'capture', capture)
                    ORDER BY case_id, id) AS list
    FROM cit WHERE case_field = '' GROUP BY 1, 2
), own_cit AS (
    SELECT case_id, json_agg(json_build_object('claim', case_field, 'locator', locator,
                                               'quote', quote, 'quote_verified', quote_verified,
                                               'capture', capture)
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
SELECT c.id, c.person_id, json_build_object(
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
                                             'YYYYMMDDHH24MISSUS'))::text,
    c.updated_at
FROM cases_case c
LEFT JOIN authorities_authority a ON a.id = c.authority_id
LEFT JOIN rest ON rest.case_id = c.id
LEFT JOIN amo ON amo.case_id = c.id
LEFT JOIN eve ON eve.case_id = c.id
LEFT JOIN own_cit ON own_cit.case_id = c.id
WHERE c.id = ANY(%(ids)s)
ORDER BY c.id
"""


def url_prefixes(request) -> dict[str, str]:
    """URL prefixes, so SQL can build the same links the serializers do: absolute for a
    request; paths without one (stored records, made absolute by absolute_links())."""

    def prefix(name, **kwargs):
        path = reverse(name, kwargs=kwargs)
        return (absolute_url(request, path) if request else path).rsplit(PLACEHOLDER, 1)[0]

    return {
        "case_api": prefix("api:case-detail", version="v1", key=PLACEHOLDER),
        "case_page": prefix("case-detail", public_id=PLACEHOLDER),
        "authority_api": prefix("api:authority-detail", version="v1", key=PLACEHOLDER),
        "source_api": prefix("api:source-detail", version="v1", key=PLACEHOLDER),
        "capture_page": prefix("capture-detail", pk=PLACEHOLDER),
        "slash": "/",
    }


PERSON_FIELDS = ("id", "privacy", "name_original", "name_romanized", "pseudonym", "occupation")


def person_rows(person_ids) -> list[tuple]:
    return list(Person.objects.filter(id__in=set(person_ids)).values_list(*PERSON_FIELDS))


def people_by_id(person_ids, request, rows=None) -> dict[int, dict]:
    """The persons of a chunk as the API shows them (PersonRefSerializer's fields), built
    directly: the name still comes from visibility.public_name(), the one rule for names.
    A test checks these records equal the API's. `rows` (person_rows()) may be read
    beforehand, on another connection."""
    before, after = api_url(request, "person", PLACEHOLDER).rsplit(PLACEHOLDER, 1)
    people = {}
    for values in rows if rows is not None else person_rows(person_ids):
        # public_name() on the row's values: a model instance costs 10x more
        person = SimpleNamespace(**dict(zip(PERSON_FIELDS, values, strict=True)))
        people[person.id] = {
            "id": person.id,
            "api_url": f"{before}{person.id}{after}",
            "name": public_name(person),
            "privacy": person.privacy,
            "occupation": person.occupation,
        }
    return people


def case_records(case_ids: list[int], request) -> list[dict]:
    """The published representation of these cases, in the order given."""
    if not case_ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(CASES_JSON_CHUNK, {**url_prefixes(request), "ids": list(case_ids)})
        rows = cursor.fetchall()
    people = people_by_id((row[1] for row in rows), request)
    by_id = {}
    for case_id, person_id, case_json, _ in rows:
        record = json.loads(case_json)
        record["person"] = people[person_id]
        by_id[case_id] = record
    return [by_id[case_id] for case_id in case_ids if case_id in by_id]


# --- stored records, for the NDJSON export (CaseRecord) ---------------------------------

# A chunk's cases, by id, with their stored records and persons. A stored record is
# valid while built from the case as it is now (the same updated_at), by the same SQL
# and URL paths (format); else NULL. The chunk's rows of each table are read by index
# first (MATERIALIZED): joined directly, the planner may probe the records' index once
# per case with the whole id list, or hash whole tables (~100 ms a chunk, not ~30).
STORED_JSON_CHUNK = f"""
WITH chunk AS MATERIALIZED (
    SELECT id, person_id, updated_at FROM cases_case WHERE id = ANY(%(ids)s)
), stored AS MATERIALIZED (
    SELECT case_id, updated_at, record FROM api_caserecord
    WHERE case_id = ANY(%(ids)s) AND format = %(format)s
)
SELECT c.id, s.record, {", ".join(f"p.{field}" for field in PERSON_FIELDS)}
FROM chunk c
JOIN people_person p ON p.id = c.person_id AND p.id IN (SELECT person_id FROM chunk)
LEFT JOIN stored s ON s.case_id = c.id AND s.updated_at = c.updated_at
ORDER BY c.id
"""
# PostgreSQL writes JSON keys as "key" : value, and a raw quote in its output is never
# inside a string (those are escaped), so this is only ever a link's key and the start
# of its path, whatever the text of the case.
LINK_KEYS = (b'"api_url" : "/', b'"page_url" : "/', b'"download_url" : "/')
# Records built from a snapshot, stored only if their case has not changed since; a
# record of a case changed in the meantime would never be read.
STORE_JSON = """
INSERT INTO api_caserecord (case_id, updated_at, format, record)
SELECT new.case_id, new.updated_at, %(format)s, convert_from(new.record, 'UTF8')
FROM unnest(%(ids)b::bigint[], %(updated)b::timestamptz[], %(records)b::bytea[])
     AS new(case_id, updated_at, record)
JOIN cases_case c ON c.id = new.case_id AND c.updated_at = new.updated_at
ON CONFLICT (case_id) DO UPDATE
SET updated_at = EXCLUDED.updated_at, format = EXCLUDED.format, record = EXCLUDED.record
"""


def record_format(paths: dict[str, str]) -> str:
    """Names what a stored record was built by: the record's SQL and the URL paths."""
    source = CASES_JSON_CHUNK + json.dumps(paths, sort_keys=True)
    return hashlib.sha256(source.encode()).hexdigest()[:16]


# json.dumps(..., ensure_ascii=False) makes an encoder per call: 1.6x slower.
_json = json.JSONEncoder(ensure_ascii=False).encode


class _Utf8(Loader):
    """Text as the UTF-8 bytes PostgreSQL sent: records go out as they came in."""

    def load(self, data) -> bytes:
        return bytes(data)


def _server_bound(cursor) -> psycopg.Cursor:
    """A cursor binding parameters on the server, in binary where asked (%b): Django's
    bind on the client, quoting megabytes of records into the statement (10x slower).
    Text comes back as UTF-8 bytes. Statements are run with prepare=False: a prepared
    statement's generic plan does not know how many ids a chunk has."""
    raw = psycopg.Cursor(cursor.cursor.connection)
    raw.adapters.register_loader("text", _Utf8)
    return raw


class StoredRecords:
    """The NDJSON export's records for one request. Made in the request's thread, as
    are its lines: URLs are reversed there (other threads lack its script prefix)."""

    def __init__(self, request):
        self.request = request
        self.paths = url_prefixes(None)
        self.format = record_format(self.paths)
        self.origin = site_origin(request).encode()

    def chunk(self, cursor, ids: list[int]) -> tuple[list[tuple], list[tuple]]:
        """(case id, record, person's PERSON_FIELDS...) for these cases, by id, each
        record (UTF-8, links as paths) the stored one or else built now; and the records
        built, (case id, updated_at, record), for store(). Any thread."""
        with cursor.db.wrap_database_errors, _server_bound(cursor) as raw:
            params = {"format": self.format, "ids": ids}
            rows = raw.execute(STORED_JSON_CHUNK, params, prepare=False).fetchall()
            missing = [row[0] for row in rows if row[1] is None]
            if not missing:
                return rows, []
            raw.execute(CASES_JSON_CHUNK, {**self.paths, "ids": missing}, prepare=False)
            built = [(case_id, updated_at, record) for case_id, _, record, updated_at in raw]
        new = {case_id: record for case_id, _, record in built}
        rows = [(row[0], new[row[0]], *row[2:]) if row[1] is None else row for row in rows]
        return rows, built

    def lines(self, rows: list[tuple]) -> bytes:
        """A chunk's NDJSON lines (UTF-8): each record with its person, links absolute."""
        heads = {
            person_id: f'{{"person": {_json(person)}, '.encode()
            for person_id, person in people_by_id(
                None, self.request, [row[2:] for row in rows]
            ).items()
        }
        parts = []
        for _, record, person_id, *_ in rows:
            parts += (heads[person_id], absolute_links(record, self.origin)[1:], b"\n")
        return b"".join(parts)

    def store(self, cursor, built: list[tuple]) -> None:
        """Store records chunk() built, for the next export."""
        if not built:
            return
        case_ids, updated, records = zip(*built, strict=True)
        params = {
            "format": self.format,
            "ids": list(case_ids),
            "updated": list(updated),
            "records": list(records),
        }
        with cursor.db.wrap_database_errors, _server_bound(cursor) as raw:
            raw.execute(STORE_JSON, params, prepare=False)


def absolute_links(record: bytes, origin: bytes) -> bytes:
    """A stored record with its links made absolute: `origin` (b"https://host") before
    each link's path."""
    for key in LINK_KEYS:
        record = record.replace(key, key[:-1] + origin + b"/")
    return record
