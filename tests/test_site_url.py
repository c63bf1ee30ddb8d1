"""Links point where the page is served: citations, permanent links, exports and the API's
links use SITE_URL when it is set, and otherwise the host the request came to."""

import csv
import io
import json

import pytest

from tests.factories import make_case, make_person

pytestmark = pytest.mark.django_db

HOST = "localhost:8001"  # e.g. `PORT=8001 make run`


@pytest.fixture
def case():
    return make_case(person=make_person(name_original="刘虎"))


def served(client, url, **headers):
    response = client.get(url, headers={"host": HOST, **headers})
    assert response.status_code == 200, response
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def test_without_site_url_the_case_page_cites_the_host_it_was_served_from(client, case, settings):
    settings.SITE_URL = ""
    page = served(client, case.get_absolute_url())
    permanent = f"http://{HOST}/cases/{case.public_id}/"
    chicago = page.split('<p class="chicago">', 1)[1].split("</p>", 1)[0]
    assert permanent in chicago
    assert f'<link rel="canonical" href="{permanent}">' in page
    assert "127.0.0.1:8000" not in page
    assert f"UR  - {permanent}" in served(client, f"/cases/{case.public_id}/cite.ris")


def test_site_url_wins_over_the_requests_host(client, case, settings):
    settings.SITE_URL = "https://casefile.example.org"
    permanent = f"https://casefile.example.org/cases/{case.public_id}/"
    page = served(client, case.get_absolute_url())
    assert permanent in page and HOST not in page
    assert f'"URL": "{permanent}"' in served(client, f"/cases/{case.public_id}/cite.json")


@pytest.mark.parametrize("site_url", ["", "https://casefile.example.org"])
def test_exports_and_the_api_link_by_the_same_rule(client, case, settings, site_url):
    settings.SITE_URL = site_url
    origin = site_url or f"http://{HOST}"
    page_url = f"{origin}/cases/{case.public_id}/"

    [row] = csv.DictReader(io.StringIO(served(client, "/cases/export.csv")))
    assert row["page_url"] == page_url
    [row] = csv.DictReader(io.StringIO(served(client, "/api/v1/exports/cases.csv")))
    assert row["page_url"] == page_url
    [line] = served(client, "/api/v1/exports/cases.ndjson").splitlines()
    record = json.loads(line)
    assert record["page_url"] == page_url
    assert record["api_url"] == f"{origin}/api/v1/cases/{case.public_id}/"
    detail = json.loads(served(client, f"/api/v1/cases/{case.public_id}/"))
    assert detail == record  # each NDJSON line is what the detail endpoint answers
    info = json.loads(served(client, "/api/v1/info/"))
    assert info["exports"]["csv"].startswith(f"{origin}/api/v1/exports/")
