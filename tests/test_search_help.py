"""The search page when a search goes wrong: did you mean, drop a filter, unknown
parameters, near misses; all from public data only."""

import re

import pytest

from tests.factories import make_case, make_person, make_restriction

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive():
    liu = make_case(
        person=make_person(name_original="刘虎", privacy="public"), offence_category="theft"
    )
    make_restriction(liu, kind="air_travel")
    make_case(
        person=make_person(name_original="刘秘密", privacy="pseudonymised", pseudonym="L. M."),
        offence_category="unpaid_debt",
    )
    # A public figure known only from a draft: never suggested.
    make_case(
        person=make_person(name_original="刘草稿", privacy="public"), publication_state="draft"
    )
    return liu


def links(html: str, section: str) -> list[str]:
    match = re.search(rf'<section class="{section}".*?</section>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", match.group(0), re.S) if match else []


def test_a_search_that_finds_nothing_suggests_public_names_and_labels(client, archive):
    page = client.get("/cases/", {"q": "Liu Huo Hua"}).text
    assert "No cases found" in page
    suggested = " ".join(links(page, "suggestions"))
    assert "Liu Hu" in suggested and "q=Liu+Hu" in suggested
    for hidden in ("Mimi", "秘密", "Caogao", "草稿"):
        assert hidden not in suggested

    page = client.get("/cases/", {"q": "thef"}).text
    suggested = " ".join(links(page, "suggestions"))
    assert "Theft" in suggested and "offence" in suggested


def test_a_pseudonymised_name_is_never_suggested(client, archive):
    page = client.get("/cases/", {"q": "Liu Mimo"}).text
    assert "No cases found" in page
    # Were pseudonymised names suggestible, "Liu Mimi" would be the closest.
    assert "Mimi" not in page and "秘密" not in page


def test_each_filter_can_be_dropped_and_says_what_that_finds(client, archive):
    page = client.get(
        "/cases/", {"q": "theft", "restriction": "loans_credit", "offence": "theft"}
    ).text
    assert "No cases found" in page
    dropped = links(page, "dropped")
    assert len(dropped) == 3
    without_loans = next(item for item in dropped if "Loans and credit" in item)
    assert "1 case" in without_loans
    assert "restriction=" not in re.search(r'href="([^"]*)"', without_loans).group(1)
    without_q = next(item for item in dropped if "Remove the search words" in item)
    assert "still no cases" in without_q


def test_drop_counts_never_count_hidden_cases(client, archive):
    make_case(publication_state="draft", offence_category="unpaid_rent")
    page = client.get("/cases/", {"offence": "unpaid_rent", "q": "Liu Hu"}).text
    dropped = links(page, "dropped")
    without_q = next(item for item in dropped if "search words" in item)
    assert "still no cases" in without_q  # the draft is not counted


def test_no_empty_filter_heading_when_nothing_is_found(client, archive):
    page = client.get("/cases/", {"q": "nothing-at-all-here"}).text
    assert "<h2>Filter</h2>" not in page
    assert "<h2>Filter</h2>" in client.get("/cases/").text


def test_an_unknown_parameter_is_named_ignored_and_kept_out_of_links(client, archive):
    response = client.get("/cases/?restrction=air_travel&offence=theft")
    assert response.status_code == 200
    page = response.text
    assert "restrction" in page and "did you mean “<code>restriction</code>”" in page
    assert "1 case" in page  # the results still show
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert hrefs and not any("restrction" in href for href in hrefs)
    assert any(href.startswith("/cases/export.csv?offence=theft") for href in hrefs)
    assert any(href.startswith("/api/v1/cases/?offence=theft") for href in hrefs)


def test_the_api_still_refuses_unknown_parameters(client, archive):
    response = client.get("/api/v1/cases/?restrction=air_travel")
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_parameters"


def test_near_misses_are_announced(client, archive):
    page = client.get("/cases/", {"q": "Lui Hu"}).text
    assert "closest to it" in page
    assert archive.public_id in page
    assert "closest to it" not in client.get("/cases/", {"q": "Liu Hu"}).text
