"""The exports' reading path outside a test transaction, as a server runs it: reader
threads on their own connections build the chunks from one exported snapshot, in the
order asked for, and leave nothing behind when the client stops reading."""

import csv
import io
import json
import threading

import pytest
from django.db import connection
from django.urls import set_script_prefix

from casefile.api.models import CaseRecord
from casefile.cases import exports
from casefile.cases.models import Case
from tests.api_support import body, tamper_with_stored_records
from tests.factories import make_case

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 2)


def readers_alive() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("casefile-export")]


def ids(text: str) -> list[str]:
    return [row["id"] for row in csv.DictReader(io.StringIO(text))]


def test_every_chunk_in_order_from_the_reader_threads(client, small_chunks):
    cases = [make_case(listed_on=f"20{10 + n}-01-01", listed_on_precision="year") for n in range(7)]
    by_id = [case.public_id for case in cases]
    assert ids(body(client.get("/api/v1/exports/cases.csv"))) == by_id
    assert ids(body(client.get("/cases/export.csv?ordering=listed"))) == by_id
    assert ids(body(client.get("/cases/export.csv"))) == by_id[::-1]
    lines = body(client.get("/api/v1/exports/cases.ndjson")).splitlines()
    assert [json.loads(line)["id"] for line in lines] == by_id
    assert readers_alive() == []


def test_an_export_is_one_snapshot(client, small_chunks):
    cases = [make_case(summary="As exported.") for _ in range(20)]
    response = client.get("/api/v1/exports/cases.csv")
    chunks = iter(response.streaming_content)
    first = next(chunks) + next(chunks)  # the header and the first chunk: the snapshot is set

    def write_meanwhile():  # on another connection, committed at once
        make_case(summary="Added during the export.")
        Case.objects.filter(pk=cases[-1].pk).update(summary="Changed during the export.")
        connection.close()

    writer = threading.Thread(target=write_meanwhile)
    writer.start()
    writer.join()
    rows = list(csv.DictReader(io.StringIO((first + b"".join(chunks)).decode())))
    assert [row["id"] for row in rows] == [case.public_id for case in cases]
    assert {row["summary"] for row in rows} == {"As exported."}


def test_a_client_that_stops_reading_leaves_no_reader_behind(client, small_chunks):
    for _ in range(9):
        make_case()
    response = client.get("/api/v1/exports/cases.ndjson")
    chunks = iter(response.streaming_content)
    next(chunks)
    assert readers_alive()
    response.close()
    assert readers_alive() == []


def test_the_ndjson_export_stores_its_records_on_a_connection_of_its_own(client, small_chunks):
    cases = [make_case() for _ in range(5)]
    first = body(client.get("/api/v1/exports/cases.ndjson")).splitlines()
    assert sorted(CaseRecord.objects.values_list("case_id", flat=True)) == [c.pk for c in cases]
    tamper_with_stored_records()
    second = body(client.get("/api/v1/exports/cases.ndjson")).splitlines()
    assert [json.loads(line)["summary"] for line in second] == [
        "STORED " + c.summary for c in cases
    ]
    assert len(first) == 5 and readers_alive() == []


@pytest.fixture
def script_prefix():
    """As a server mounted under /casefile/ sets it for each request (the test client
    does not)."""
    set_script_prefix("/casefile/")
    yield
    set_script_prefix("/")


def test_ndjson_links_keep_the_script_prefix(client, small_chunks, script_prefix):
    """Reader threads do not have the request's script prefix: links are made in the
    request's thread."""
    cases = [make_case() for _ in range(3)]
    for _ in range(2):  # records built, then stored ones
        lines = body(client.get("/api/v1/exports/cases.ndjson")).splitlines()
        for case, line in zip(cases, map(json.loads, lines), strict=True):
            assert line == client.get(f"/api/v1/cases/{case.public_id}/").json()
            assert line["api_url"].startswith("http://testserver/casefile/api/v1/cases/")
            assert line["person"]["api_url"].startswith("http://testserver/casefile/api/v1/")
