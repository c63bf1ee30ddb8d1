"""Ids in URLs: anything that is not an id (a NUL byte, a control character, a letter
outside the alphabet, a number too large for the database) is a 404 on every route
that takes one, decided by the URL's converter before a view runs; real ids, in
either case, still work."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api_support import rich_case
from tests.factories import make_case

pytestmark = pytest.mark.django_db

NOT_CASE_IDS = [
    "AB%00",  # the fuzzer's NUL
    "FK2A1DV8%00",  # ten characters, one of them NUL
    "FK2A1DV8%02A",
    "FK2A1DV8%7FA",
    "FK2A1DV8%C2%85",  # a C1 control character (NEL)
    "FK2A1DV8IA",  # I is not in Crockford's alphabet
    "FK2A1DV80",  # too short
    "FK2A1DV80AB",  # too long
    "FK2A1DV80%EF%BC%A1",  # a full-width A
]
NOT_RECORD_IDS = ["1%00", "%001", "1%02", "-1", "1.0", "%C2%B2", "%D9%A3", "9" * 19, "1e3"]


def case_urls(public_id: str) -> list[str]:
    return [
        f"/cases/{public_id}/",
        f"/cases/{public_id}/cite.bib",
        f"/cases/{public_id}/changes/",
        f"/api/v1/cases/{public_id}/",
        f"/api/v1/editor/cases/{public_id}/",
        f"/editorial/cases/{public_id}/history/",
        f"/editorial/cases/{public_id}/submit/",
    ]


def record_urls(record_id: str) -> list[str]:
    return [f"/{page}/{record_id}/" for page in ("people", "authorities", "sources")] + [
        f"/api/v1/{resource}/{record_id}/" for resource in ("persons", "authorities", "sources")
    ]


@pytest.mark.parametrize("url", [url for key in NOT_CASE_IDS for url in case_urls(key)])
def test_a_case_id_that_cannot_be_one_is_404_without_a_query(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 404
    # Only the API's rate limit counter (never a lookup of the id) may have run.
    assert all("cases_case" not in query["sql"] for query in queries.captured_queries)
    if url.startswith("/api/"):
        assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("url", [url for key in NOT_RECORD_IDS for url in record_urls(key)])
def test_a_record_id_that_cannot_be_one_is_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    if url.startswith("/api/"):
        assert response.json()["code"] == "not_found"


def test_case_ids_are_read_in_either_case(client):
    case = rich_case()
    lower = case.public_id.lower()
    for url in (f"/cases/{lower}/", f"/cases/{lower}/cite.ris", f"/cases/{lower}/changes/"):
        assert client.get(url).status_code == 200, url
    assert client.get(f"/api/v1/cases/{lower}/").json()["id"] == case.public_id


def test_real_record_ids_still_resolve(client):
    case = rich_case()
    source = case.citations.first().capture.source
    for url in (
        case.person.get_absolute_url(),
        case.authority.get_absolute_url(),
        source.get_absolute_url(),
        f"/api/v1/persons/{case.person_id}/",
        f"/api/v1/sources/{source.pk}/",
    ):
        assert client.get(url).status_code == 200, url


def test_an_unknown_but_well_formed_id_is_still_a_plain_404(client):
    make_case()
    assert client.get("/cases/0000000000/").status_code == 404
    assert client.get("/people/999999999999999999/").status_code == 404


@pytest.mark.parametrize("path", ["cases/AB%0ACD/", "cases/FK2A1DV80A%0A/", "info%0A/", "%0A"])
def test_an_api_path_with_a_line_break_is_the_apis_404(client, path):
    response = client.get(f"/api/v1/{path}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
