"""CSV download of a search: the same filters, one row per case, a header row, streamed."""

import csv
import io

import pytest
from django.http import StreamingHttpResponse

from casefile.cases.exports import COLUMNS
from tests.factories import make_amount, make_case, make_person, make_restriction

pytestmark = pytest.mark.django_db


def download(client, query=""):
    response = client.get(f"/cases/export.csv?{query}")
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="casefile-cases-')
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text))), text


def test_header_documents_the_columns_and_rows_follow_the_search(client):
    flights = make_case(person=make_person(name_original="刘虎"), summary="Journalist.")
    make_restriction(flights, kind="air_travel")
    make_amount(flights, kind="fee", value="1330", currency="CAD")
    make_restriction(make_case(), kind="luxury_hotels")
    rows, text = download(client, "restriction=air_travel")
    assert text.splitlines()[0] == ",".join(column.name for column in COLUMNS)
    assert all(column.description for column in COLUMNS)
    assert len(rows) == 1
    row = rows[0]
    assert row["public_id"] == flights.public_id
    assert row["url"].endswith(flights.get_absolute_url())
    assert row["person"] == "Liu Hu (刘虎)"
    assert row["restrictions"] == "air_travel"
    assert row["amounts"] == "fee 1330.00 CAD"
    assert row["notified"] == "unknown"


def test_every_matching_case_is_a_row_in_the_search_order(client):
    cases = [make_case() for _ in range(5)]
    rows, _ = download(client, "ordering=listed")
    assert sorted(row["public_id"] for row in rows) == sorted(c.public_id for c in cases)
    assert len(rows) == 5


def test_cells_that_a_spreadsheet_would_run_are_defused(client):
    make_case(summary='=HYPERLINK("http://evil.example")')
    rows, _ = download(client)
    assert rows[0]["summary"].startswith("'=")


def test_malformed_parameters_give_400_with_a_message(client):
    response = client.get("/cases/export.csv?amount_min=abc")
    assert response.status_code == 400
    assert "amount_min" in response.content.decode()
