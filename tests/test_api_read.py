"""The read API: what a case looks like, filters, strict parameters, cursors, queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casefile.cases.models import Case
from tests.api_support import get_json, rich_case
from tests.factories import make_amount, make_case, make_person, make_restriction

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases/"


def walk(client, url):
    """Every result of a list, following `next` links; also returns the page count."""
    results, pages = [], 0
    while url and pages < 50:
        page = get_json(client, url)
        results += page["results"]
        url, pages = page["next"], pages + 1
    return results, pages


def test_a_case_carries_its_parts_nested_and_links_to_person_authority_sources(client):
    case = rich_case()
    data = get_json(client, f"{CASES}{case.public_id.lower()}/")
    assert data["id"] == case.public_id
    assert data["api_url"] == f"http://testserver/api/v1/cases/{case.public_id}/"
    assert data["page_url"] == f"http://testserver/cases/{case.public_id}/"
    assert data["state"] == "published"
    assert data["person"] == {
        "id": case.person_id,
        "api_url": f"http://testserver/api/v1/persons/{case.person_id}/",
        "name": "Liu Hu (刘虎)",
        "privacy": "public",
        "occupation": "Journalist",
    }
    assert data["authority"]["province"] == "guizhou"
    assert data["authority"]["api_url"].endswith(f"/api/v1/authorities/{case.authority_id}/")
    assert (data["listed"], data["discovered"], data["removed"]) == ("2017-03", "2017", None)
    assert (data["notified"], data["appeal_available"], data["appeal_attempted"]) == (
        False,
        None,
        True,
    )
    assert [r["kind"] for r in data["restrictions"]] == ["air_travel", "high_speed_rail"]
    flights = data["restrictions"][0]
    assert flights["started"] == "2017-02-03"
    assert flights["citations"][0]["locator"] == "para 3"
    capture = flights["citations"][0]["capture"]
    assert capture["sha256"] == "a" * 64
    assert capture["source"]["title"] == "Court notice"
    assert capture["source"]["published"] == "2017-03"
    assert capture["source"]["api_url"].endswith(f"/api/v1/sources/{capture['source']['id']}/")
    assert [(a["kind"], a["value"], a["currency"], a["value_cny"]) for a in data["amounts"]] == [
        ("fee", "1330.00", "CAD", None),
        ("paid", "115.00", "CAD", "600.50"),
    ]
    assert len(data["amounts"][0]["citations"]) == 1
    assert data["events"][0]["occurred"] == "2017" and len(data["events"][0]["citations"]) == 1
    assert [(c["claim"], c["quote"]) for c in data["citations"]] == [("reason", "拒不履行")]
    assert data["version"] == case.version
    assert "notes" not in str(data) and "editors-only" not in str(data)


def test_filters_are_the_search_pages(client):
    flights = make_case(offence_category="theft")
    make_restriction(flights, kind="air_travel")
    make_amount(flights, value=1500, currency="CNY")
    trains = make_case(person=make_person(name_original="刘虎"))
    make_restriction(trains, kind="high_speed_rail")

    def ids(query):
        return [case["id"] for case in walk(client, f"{CASES}?{query}")[0]]

    assert ids("restriction=air_travel") == [flights.public_id]
    assert set(ids("restriction=air_travel&restriction=high_speed_rail")) == {
        flights.public_id,
        trains.public_id,
    }
    assert ids("q=liu hu") == [trains.public_id]
    assert ids("offence=theft&amount_min=1000&currency=CNY") == [flights.public_id]
    assert ids(f"person={trains.person_id}") == [trains.public_id]
    assert ids("amount_min=2000") == []


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("amount_min=abc", "amount_min"),
        ("amount_min=10&amount_max=5", "amount_max"),
        ("listed_from=2017-13-40", "listed_from"),
        ("restriction=teleportation", "restriction"),
        ("ordering=random", "ordering"),
        ("updated_since=last-week", "updated_since"),
        ("person=abc", "person"),
        ("page_size=0", "page_size"),
        ("page_size=101", "page_size"),
        ("cursor=not-a-cursor", "cursor"),
    ],
)
def test_malformed_values_are_400_naming_the_parameter(client, query, parameter):
    response = client.get(f"{CASES}?{query}")
    assert response.status_code == 400
    error = response.json()
    assert error["status"] == 400 and error["code"] == "invalid_parameters"
    assert parameter in [item["name"] for item in error["errors"]]
    assert all(item["in"] == "query" and item["message"] for item in error["errors"])


@pytest.mark.parametrize(
    "url",
    [
        f"{CASES}?provence=hubei",
        f"{CASES}facets/?page_size=5",
        "/api/v1/persons/?q=liu",
        "/api/v1/info/?verbose=1",
        "/api/v1/exports/cases.csv?restriction=air_travel",
        f"{CASES}ABCDEFGH00/?fields=id",
    ],
)
def test_unknown_parameters_are_400_naming_them(client, url):
    make_case(public_id="ABCDEFGH00")
    response = client.get(url)
    assert response.status_code == 400
    error = response.json()
    assert error["code"] == "unknown_parameters"
    assert [item["code"] for item in error["errors"]] == ["unknown"]
    assert error["errors"][0]["name"] in url


def test_unknown_urls_answer_in_the_error_shape(client):
    response = client.get("/api/v2/cases/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("key", ["²", "٣", "x1", "99999999999999999999999"])
def test_an_id_that_is_not_a_number_we_have_is_a_404(client, key):
    response = client.get(f"/api/v1/persons/{key}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("ordering", ["-listed", "listed", "-amount", "amount", "relevance", None])
def test_cursor_pages_follow_every_ordering_without_gaps_or_repeats(client, ordering):
    for index in range(11):
        case = make_case(
            summary="A debt case." if index % 2 else "A debt and a debt again.",
            listed_on=None if index % 4 == 0 else datetime.date(2010 + index % 3, 1, 1),
            listed_on_precision="" if index % 4 == 0 else "year",
        )
        if index % 3:
            make_amount(case, value=index % 2 * 100)
    query = "q=debt" + (f"&ordering={ordering}" if ordering else "")
    whole = get_json(client, f"{CASES}?{query}&page_size=100")["results"]
    paged, pages = walk(client, f"{CASES}?{query}&page_size=3")
    assert pages == 4
    assert [case["id"] for case in paged] == [case["id"] for case in whole]
    assert len(whole) == 11


def test_cursor_is_stable_when_cases_are_inserted_before_it(client):
    for year in range(2000, 2010):
        make_case(listed_on=datetime.date(year, 1, 1), listed_on_precision="year")
    first = get_json(client, f"{CASES}?page_size=4")
    for year in (2020, 2021):  # newer: they sort before everything seen
        make_case(listed_on=datetime.date(year, 1, 1), listed_on_precision="year")
    second = get_json(client, first["next"])
    assert [case["listed"] for case in second["results"]] == ["2005", "2004", "2003", "2002"]


def test_a_cursor_is_refused_with_other_filters(client):
    for _ in range(3):
        make_case(offence_category="theft")
    page = get_json(client, f"{CASES}?offence=theft&page_size=1")
    cursor = page["next"].split("cursor=")[1].split("&")[0]
    response = client.get(f"{CASES}?offence=unpaid_debt&page_size=1&cursor={cursor}")
    assert response.status_code == 400
    assert response.json()["errors"][0]["name"] == "cursor"


def test_query_count_does_not_grow_with_page_size(client):
    for _ in range(12):
        rich_case()

    def queries(size):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"{CASES}?page_size={size}").status_code == 200
        return len(captured)

    assert queries(2) == queries(12)
    case = Case.objects.first()
    with CaptureQueriesContext(connection) as captured:
        client.get(f"{CASES}{case.public_id}/")
    # the case and its parts in 8 queries; the shared rate-limit counter costs 6 more
    assert len(captured) <= 14


def test_facets_endpoint_gives_the_search_pages_counts_for_the_same_filter(client):
    first = make_case(offence_category="theft")
    make_restriction(first, kind="air_travel")
    make_restriction(first, kind="loans_credit")
    second = make_case(offence_category="theft")
    make_restriction(second, kind="loans_credit")
    make_case(offence_category="unpaid_debt")
    data = get_json(client, f"{CASES}facets/?offence=theft")
    assert data["total"] == 2

    def shown(facet):
        return [(item["value"], item["count"]) for item in data[facet]]

    assert shown("restriction") == [("loans_credit", 2), ("air_travel", 1)]
    assert shown("offence") == [("theft", 2)]
    assert data["year"] == [{"value": None, "label": "Unknown", "count": 2, "params": None}]
    assert client.get(f"{CASES}facets/?offence=murder").status_code == 400


def test_persons_authorities_and_sources_lists_and_details(client):
    case = rich_case()
    persons = get_json(client, "/api/v1/persons/")["results"]
    assert [p["name"] for p in persons] == ["Liu Hu (刘虎)"]
    person = get_json(client, persons[0]["api_url"])
    assert person["cases_url"].endswith(f"/api/v1/cases/?person={case.person_id}")
    authority = get_json(client, f"/api/v1/authorities/{case.authority_id}/")
    assert authority["province"] == "guizhou"
    sources = get_json(client, "/api/v1/sources/")["results"]
    assert [s["title"] for s in sources] == ["Court notice"]
    assert sources[0]["captures"][0]["archive_url"] == "https://archive.example.org/1"
    assert client.get("/api/v1/persons/abc/").status_code == 404
