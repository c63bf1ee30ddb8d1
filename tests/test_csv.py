"""The one CSV format (casefile/cases/exports.py), as the search page's download: the
same filters and order as the search, one row per case, a header row, streamed. The
API's bulk CSV is the same format for every published case (test_api_exports)."""

import csv
import io

import pytest
from django.http import StreamingHttpResponse

from casefile.cases.exports import COLUMNS, HEADER
from tests.api_support import private_cases, rich_case
from tests.factories import make_amount, make_authority, make_case, make_person, make_restriction

pytestmark = pytest.mark.django_db


def download(client, query=""):
    response = client.get(f"/cases/export.csv?{query}")
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8; header=present"
    assert response["Content-Disposition"].startswith('attachment; filename="casefile-cases-')
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text))), text


def test_header_names_the_documented_columns_and_rows_follow_the_search(client):
    flights = make_case(person=make_person(name_original="刘虎"), summary="Journalist.")
    make_restriction(flights, kind="air_travel")
    make_amount(flights, kind="fee", value="1330", currency="CAD")
    make_restriction(make_case(), kind="luxury_hotels")
    rows, text = download(client, "restriction=air_travel")
    assert text.splitlines()[0] == ",".join(HEADER) == ",".join(c.name for c in COLUMNS)
    assert len(set(HEADER)) == len(HEADER)
    assert all(column.description for column in COLUMNS)
    assert len(rows) == 1
    row = rows[0]
    assert row["id"] == flights.public_id
    assert row["page_url"] == f"http://testserver{flights.get_absolute_url()}"
    assert row["person"] == "Liu Hu (刘虎)"
    assert row["person_id"] == str(flights.person_id) and row["person_privacy"] == "public"
    assert row["restrictions"] == "air_travel"
    assert row["amounts"] == "fee 1330.00 CAD"
    assert row["notified"] == "unknown" and row["sources"] == "0"
    assert row["listed"] == row["authority"] == ""


def test_every_column_of_a_fully_documented_case(client):
    case = rich_case()
    (row,) = download(client)[0]
    assert row == {
        "id": case.public_id,
        "page_url": f"http://testserver/cases/{case.public_id}/",
        "person": "Liu Hu (刘虎)",
        "person_id": str(case.person_id),
        "person_privacy": "public",
        "list": "spc_dishonest_debtors",
        "authority": case.authority.name,
        "authority_original": "",
        "province": "guizhou",
        "city": "Wuhan",
        "docket_number": case.docket_number,
        "offence": "defamation_speech",
        "status": "listed",
        "listed": "2017-03",
        "discovered": "2017",
        "removed": "",
        "notified": "no",
        "appeal_available": "unknown",
        "appeal_attempted": "yes",
        "restrictions": "air_travel;high_speed_rail",
        "amounts": "fee 1330.00 CAD;paid 115.00 CAD",
        "sources": "1",
        "reason_original": "有履行能力而拒不履行",
        "reason_en": "Refuses to perform although able to.",
        "summary": "Listed for an unpaid debt.",
        "published_at": case.published_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "updated_at": case.updated_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    }


def test_a_pseudonymised_person_appears_only_under_their_pseudonym(client):
    shown, *_ = private_cases()
    rows, text = download(client)
    assert [row["id"] for row in rows] == [shown.public_id]
    assert rows[0]["person"] == "Unnamed man, Hubei"
    assert rows[0]["person_privacy"] == "pseudonymised"
    for secret in ("秘密人", "Mimi Ren", "Hidden Alias", "隐藏者", "editors-only note"):
        assert secret not in text


def test_every_matching_case_is_a_row_in_the_search_order(client):
    cases = [make_case(listed_on=f"201{n}-01-01", listed_on_precision="year") for n in range(5)]
    rows, _ = download(client, "ordering=listed")
    assert [row["id"] for row in rows] == [case.public_id for case in cases]
    rows, _ = download(client)  # newest listing first, as on the search page
    assert [row["id"] for row in rows] == [case.public_id for case in reversed(cases)]


def test_cells_that_a_spreadsheet_would_run_are_defused(client):
    make_case(
        summary='=HYPERLINK("http://evil.example")',
        reason_en="+1",
        docket_number="@SUM(A1)",
        person=make_person(name_original="", name_romanized="-Minus"),
    )
    row = download(client)[0][0]
    assert row["summary"] == '\'=HYPERLINK("http://evil.example")'
    assert row["reason_en"] == "'+1"
    assert row["docket_number"] == "'@SUM(A1)"
    assert row["person"] == "'-Minus"


@pytest.mark.parametrize(
    "text, defused",
    [
        ("\n=HYPERLINK(1)", True),  # a line feed, then a formula
        ("  \t=1+1", True),
        (" \n \n@SUM(A1)", True),
        ("\t+1", True),
        ("\tindented", True),  # a tab or a line break first is suspect in itself
        ("\nnew line first", True),
        ("  -minus after spaces", True),
        ("  plain after spaces", False),
        ("a = b + c - d @ e", False),
        ("Listed\n=later", False),
    ],
)
def test_formulas_after_leading_whitespace_and_line_breaks_are_defused(client, text, defused):
    make_case(summary=text, reason_en=text, authority=make_authority(city=text))
    row = download(client)[0][0]
    expected = f"'{text}" if defused else text
    assert (row["summary"], row["reason_en"], row["city"]) == (expected,) * 3


def test_text_with_commas_quotes_and_line_breaks_survives(client):
    summary = 'He said "no", twice,\nthen left.'
    make_case(summary=summary)
    assert download(client)[0][0]["summary"] == summary


def test_malformed_parameters_give_400_with_a_message(client):
    response = client.get("/cases/export.csv?amount_min=abc")
    assert response.status_code == 400
    assert "amount_min" in response.content.decode()
