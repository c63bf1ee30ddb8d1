"""Bulk export of the whole published dataset: NDJSON (one case per line, exactly as
the API shows it) and CSV (one row per case, in the one CSV format of
casefile/cases/exports.py, which the search page's download shares).

Both read Case.objects.published() by id through casefile.cases.exports.case_chunks:
one consistent snapshot, 2,000 cases per query built ahead by reader threads on their
own connections, memory flat whatever the size, the first bytes out before the last
row is read. The NDJSON records are records.py's, the same the case endpoints serve
(a test compares each line with the case's detail); persons' names come from
Person.public_name().
"""

import json

from casefile.api.records import CASES_JSON_CHUNK, people_by_id, person_rows, url_prefixes
from casefile.cases import exports as case_exports
from casefile.cases.models import Case

NDJSON_CONTENT_TYPE = "application/x-ndjson; charset=utf-8"
CSV_CONTENT_TYPE = case_exports.CONTENT_TYPE


def published_cases():
    """Every published case, by id: Case.objects.published(), the one rule."""
    return Case.objects.published().order_by("id")


def ndjson_lines(request):
    """The published dataset, one JSON case per line."""
    params = url_prefixes(request)

    def build(cursor, ids):
        cursor.execute(CASES_JSON_CHUNK, {**params, "ids": ids})
        rows = cursor.fetchall()
        return rows, person_rows(row[1] for row in rows)

    for rows, people in case_exports.case_chunks(published_cases(), build):
        people = people_by_id(None, request, rows=people)
        yield "".join(
            '{"person": '
            + json.dumps(people[person_id], ensure_ascii=False)
            + ", "
            + case_json[1:]
            + "\n"
            for _, person_id, case_json in rows
        )


def csv_chunks(request):
    """The published dataset as CSV, one row per case, header first."""
    return case_exports.csv_lines(published_cases(), request)
