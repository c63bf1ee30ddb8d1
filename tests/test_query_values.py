"""Query parameters with a control character (a NUL above all, which PostgreSQL cannot
take) are refused with 400 before any view runs, on every page and endpoint: a short
page naming the parameter, or the API's error shape. Tabs and line breaks pass."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api_support import rich_case

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/cases/",
    "/cases/export.csv",
    "/cases/{case}/",
    "/cases/{case}/cite.bib",
    "/cases/{case}/changes/",
    "/people/{person}/",
    "/authorities/{authority}/",
    "/sources/{source}/",
    "/admin/cases/case/",
    "/editorial/",
]
API = [
    "/api/v1/",
    "/api/v1/cases/",
    "/api/v1/cases/facets/",
    "/api/v1/cases/{case}/",
    "/api/v1/persons/",
    "/api/v1/sources/{source}/",
    "/api/v1/info/",
    "/api/v1/exports/cases.csv",
    "/api/v1/editor/cases/",
]
QUERIES = [
    ("q", "q=a%00b"),
    ("q", "q=liu%02hu%03"),
    ("restriction", "restriction=air_travel&restriction=%1B"),
    ("page", "page=1%7F"),
    ("currency", "currency=CN%C2%9FY"),  # U+009F, a C1 control character
    ("\ufffd", "%00=1"),
]


@pytest.fixture
def ids(db):
    case = rich_case()
    return {
        "case": case.public_id,
        "person": case.person_id,
        "authority": case.authority_id,
        "source": case.citations.first().capture.source_id,
    }


@pytest.fixture
def staff_client(client, reviewer):
    client.force_login(reviewer)
    return client


@pytest.mark.parametrize("name, query", QUERIES)
@pytest.mark.parametrize("page", PAGES)
def test_pages_refuse_a_control_character_in_the_query_before_any_query(
    staff_client, ids, page, name, query
):
    url = page.format(**ids) + "?" + query
    with CaptureQueriesContext(connection) as queries:
        response = staff_client.get(url)
    assert response.status_code == 400
    assert not queries.captured_queries
    html = response.text
    assert "This address cannot be read" in html
    assert f"<strong>{name}</strong>" in html
    assert "control character U+" in html
    assert "\x00" not in html


@pytest.mark.parametrize("name, query", QUERIES)
@pytest.mark.parametrize("endpoint", API)
def test_the_api_refuses_a_control_character_in_the_query_in_its_error_shape(
    client, ids, endpoint, name, query
):
    response = client.get(
        endpoint.format(**ids) + "?" + query, HTTP_ORIGIN="https://ngo.example.org"
    )
    assert response.status_code == 400
    # Partners' browser tools read the error too (the editors' endpoints share nothing).
    assert response.has_header("Access-Control-Allow-Origin") != ("/editor/" in endpoint)
    body = response.json()
    assert body["status"] == 400
    assert body["code"] == "invalid_parameters"
    assert body["detail"] == "Some query parameters are not valid."
    (error,) = body["errors"]
    assert error["in"] == "query"
    assert error["name"] == name.replace("\ufffd", "\x00")
    assert error["code"] == "control_character"
    assert "control character U+" in error["message"]


def test_the_message_names_the_character_and_where_it_is(client):
    body = client.get("/api/v1/cases/?q=ab%02c").json()
    assert body["errors"][0]["message"].startswith(
        "Remove the control character U+0002 (character 3)"
    )


@pytest.mark.parametrize("query", ["q=liu%09hu", "q=liu%0Ahu", "q=liu%0D%0Ahu"])
def test_tabs_and_line_breaks_are_not_control_characters_here(client, ids, query):
    assert client.get(f"/cases/?{query}").status_code == 200
    assert client.get(f"/api/v1/cases/?{query}").status_code == 200


@pytest.mark.parametrize("page", ["%C2%B2", "%D9%A3", "9" * 5000])
def test_page_numbers_are_ascii_digits(client, ids, page):
    assert client.get(f"/cases/?page={page}").status_code == 400
    assert client.get(f"/authorities/{ids['authority']}/?page={page}").status_code == 404
