"""Bulk export of the whole published dataset: NDJSON (one case per line, exactly as
the API shows it) and CSV (one row per case, in the one CSV format of
casefile/cases/exports.py, which the search page's download shares).

Both read Case.objects.published() by id through casefile.cases.exports.case_chunks:
one consistent snapshot, 2,000 cases per query built ahead by reader threads on their
own connections, memory flat whatever the size, the first bytes out before the last
row is read. The NDJSON records are records.py's, the same the case endpoints serve
(a test compares each line with the case's detail). They are stored (CaseRecord) and
read back while their case stays unchanged, so an export builds only the records of
cases changed since the last one, and stores those on a connection of its own (its
readers are read-only snapshots). Which cases are exported is still decided by
published_cases() alone; persons are added per request, from visibility.public_name(),
and links made absolute for the request's host.
"""

import logging
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections
from django.urls import reverse

from casefile.api import records, throttling
from casefile.api.exceptions import ApiError, invalid_parameter
from casefile.cases import export_tables
from casefile.cases import exports as case_exports
from casefile.cases.models import Case
from casefile.core.timeouts import set_session_statement_timeout

NDJSON_CONTENT_TYPE = "application/x-ndjson; charset=utf-8"
CSV_CONTENT_TYPE = case_exports.CONTENT_TYPE

logger = logging.getLogger(__name__)


def check_quota(request) -> None:
    """429 in the API's error shape once the client's export quota is spent."""
    refusal = throttling.export_refusal(request)
    if refusal is not None:
        wait, why = refusal
        raise ApiError(
            status_code=429, code="throttled", detail=why, headers={"Retry-After": str(wait)}
        )


def published_cases():
    """Every published case, by id: Case.objects.published(), the one rule."""
    return Case.objects.published().order_by("id")


def ndjson_lines(request):
    """The published dataset, one JSON case per line."""
    stored = records.StoredRecords(request)
    with _record_store(stored) as store:
        for rows, built in case_exports.case_chunks(published_cases(), stored.chunk):
            store(built)
            yield stored.lines(rows)


@contextmanager
def _record_store(stored):
    """Where the export stores the records it built: in the enclosing transaction if
    there is one (tests), else on a connection of its own, committed at once (the
    export reads in read-only snapshot transactions). A cache: a failed write is
    logged, not raised."""
    if connection.in_atomic_block:
        with connection.cursor() as cursor:
            yield lambda built: stored.store(cursor, built)
        return
    own = connections.create_connection(DEFAULT_DB_ALIAS)
    timed = False

    def store(built):
        nonlocal timed
        try:
            with own.cursor() as cursor:
                if not timed:  # the connection's first statement
                    set_session_statement_timeout(cursor, settings.EXPORT_STATEMENT_TIMEOUT)
                    timed = True
                stored.store(cursor, built)
        except DatabaseError:
            logger.exception("Could not store %d case records", len(built))

    try:
        yield store
    finally:
        own.close()


def csv_chunks(request):
    """The published dataset as CSV, one row per case, header first."""
    return case_exports.csv_lines(published_cases(), request)


def page_prefixes(request) -> dict[str, str]:
    """The absolute URLs of the public pages up to their key, for the CSV tables."""
    return {
        "case_page": case_exports.case_page_prefix(request),
        "person_page": _prefix(request, "person-detail"),
        "source_page": _prefix(request, "source-detail"),
    }


def _prefix(request, name: str) -> str:
    placeholder = "0000000000"  # a key reverse() accepts, split off again
    return request.build_absolute_uri(reverse(name, args=[placeholder])).rsplit(placeholder, 1)[0]


def table_chunks(request, name: str):
    """A CSV table of export_tables.TABLES (persons, sources, citations), header first."""
    return export_tables.TABLES[name].csv_lines(page_prefixes(request))


# Spreadsheets (Excel above all) read a CSV as UTF-8 only when it starts with a byte-order
# mark; `?bom=1` adds one. Tools that read UTF-8 anyway may see it as part of the first
# column's name, so it is not there by default.
BOM = "\ufeff".encode()
BOM_WORDS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}


def wants_bom(request) -> bool:
    """`?bom=` read strictly: 1/true/yes or 0/false/no; anything else is a 400."""
    value = request.GET.get("bom")
    if value is None:
        return False
    try:
        return BOM_WORDS[value.strip().lower()]
    except KeyError:
        raise invalid_parameter(
            "bom", "Give bom=1 for a byte-order mark (for spreadsheets), or bom=0."
        ) from None


def with_bom(chunks, bom: bool):
    if bom:
        yield BOM
    yield from chunks
