"""The search page: what the box finds, facets with live counts, sorting, pages, errors."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_authority, make_case, make_person, make_restriction

pytestmark = pytest.mark.django_db


def result_links(response) -> list[str]:
    block = response.text.split('<ol class="results"', 1)[1].split("</ol>", 1)[0]
    return re.findall(r'<h3><a href="(/cases/[^"]+/)"', block)


def facet_link(response, label: str) -> tuple[str, int]:
    """The href and count of a facet value, by its label."""
    match = re.search(
        r'<a class="facet-value[^"]*" href="([^"]+)"[^>]*><span class="box"[^>]*>[^<]*</span> '
        + re.escape(label)
        + r' <span class="count">([\d,]+)</span>',
        response.text,
    )
    assert match, f"no facet value {label!r}"
    return match.group(1).replace("&amp;", "&"), int(match.group(2).replace(",", ""))


@pytest.fixture
def liu_hu():
    case = make_case(
        person=make_person(name_original="刘虎", aliases=["Liu Hu the blogger"]),
        summary="A journalist listed after a defamation verdict.",
        docket_number="（2016）黔0502执2376号",
    )
    make_restriction(case, kind="air_travel")
    return case


@pytest.mark.parametrize(
    "query",
    ["刘虎", "Liu Hu", "liu hu", "liuhu", "Liú Hǔ", "LIU HU", "liu hoo", "Liu Hu the blogger"],
)
def test_every_form_of_a_name_finds_the_case(client, liu_hu, query):
    make_case(person=make_person(name_original="王伟"), summary="He shoplifted cigarettes.")
    response = client.get("/cases/", {"q": query})
    assert response.status_code == 200
    assert result_links(response) == [liu_hu.get_absolute_url()]


def test_text_and_docket_searches_highlight_what_matched(client, liu_hu):
    make_case(summary="He shoplifted ten packs of cigarettes.")
    response = client.get("/cases/", {"q": "shoplifting"})
    assert len(result_links(response)) == 1
    assert "<mark>shoplifted</mark>" in response.text
    response = client.get("/cases/", {"q": "(2016)黔0502执2376号"})
    assert result_links(response) == [liu_hu.get_absolute_url()]


def test_a_facet_link_narrows_the_results_to_its_count(client, liu_hu):
    for _ in range(3):
        make_restriction(make_case(), kind="high_speed_rail")
    response = client.get("/cases/")
    assert len(result_links(response)) == 4
    href, count = facet_link(response, "High-speed (top-tier) trains")
    assert count == 3
    narrowed = client.get("/cases/" + href)
    assert len(result_links(narrowed)) == 3
    assert "3 cases" in narrowed.text
    # The chosen value is marked and links back to the wider search.
    back, count = facet_link(narrowed, "High-speed (top-tier) trains")
    assert count == 3 and 'aria-current="true"' in narrowed.text
    assert len(result_links(client.get("/cases/" + back))) == 4


def test_facets_count_provinces_years_and_notification(client):
    import datetime

    hubei = make_authority(province="hubei")
    make_case(authority=hubei, listed_on=datetime.date(2017, 1, 1), listed_on_precision="year")
    make_case(authority=hubei, notified=True)
    make_case(authority=make_authority(province="hunan"), notified=False)
    response = client.get("/cases/")
    assert facet_link(response, 'Hubei <span lang="zh-Hans">湖北</span>')[1] == 2
    href, count = facet_link(response, "2017")
    assert count == 1 and "listed_from=2017" in href and "listed_to=2017" in href
    assert facet_link(response, "Yes")[1] == 1
    assert facet_link(response, "No")[1] == 1
    assert facet_link(response, "Unknown")[1] == 1


def test_other_values_of_a_chosen_facet_widen_without_a_count(client):
    make_case(offence_category="theft")
    make_case(offence_category="unpaid_debt")
    response = client.get("/cases/", {"offence": "theft"})
    assert len(result_links(response)) == 1
    add = re.search(
        r'<a class="facet-value" href="([^"]+)"><span class="box" aria-hidden="true">\+</span> Unpaid debt</a>',
        response.text,
    )
    assert add, "no link to add a value"
    widened = client.get("/cases/" + add.group(1).replace("&amp;", "&"))
    assert len(result_links(widened)) == 2


def test_every_state_is_in_the_url_and_the_search_box_keeps_the_facets(client, liu_hu):
    response = client.get(
        "/cases/", {"q": "liu", "restriction": "air_travel", "ordering": "-listed"}
    )
    assert '<input type="hidden" name="restriction" value="air_travel">' in response.text
    assert '<option value="-listed" selected>' in response.text
    assert 'value="liu"' in response.text


def test_page_links_to_csv_and_api_for_the_same_search(client, liu_hu):
    response = client.get("/cases/", {"q": "刘虎", "restriction": "air_travel", "page": "1"})
    assert (
        'href="/cases/export.csv?q=%E5%88%98%E8%99%8E&amp;restriction=air_travel"' in response.text
    )
    assert 'href="/api/v1/cases/?q=%E5%88%98%E8%99%8E&amp;restriction=air_travel"' in response.text


def test_sorting_by_amount_and_date(client):
    import datetime

    from tests.factories import make_amount

    small = make_case(listed_on=datetime.date(2019, 1, 1), listed_on_precision="year")
    large = make_case(listed_on=datetime.date(2015, 1, 1), listed_on_precision="year")
    make_amount(small, value=10)
    make_amount(large, value=9000)
    urls = [small.get_absolute_url(), large.get_absolute_url()]
    assert result_links(client.get("/cases/")) == urls
    assert result_links(client.get("/cases/", {"ordering": "listed"})) == urls[::-1]
    assert result_links(client.get("/cases/", {"ordering": "-amount"})) == urls[::-1]
    assert result_links(client.get("/cases/", {"ordering": "amount", "currency": "CNY"})) == urls


def test_pages_of_results(client):
    for _ in range(25):
        make_case()
    first = client.get("/cases/")
    assert len(result_links(first)) == 20
    assert "page 1 of 2" in first.text
    second = client.get("/cases/", {"page": "2"})
    assert len(result_links(second)) == 5
    assert 'rel="prev" href="?page=1"' in second.text


@pytest.mark.parametrize(
    ("query", "parameter", "status"),
    [
        ({"amount_min": "abc"}, "amount_min", 400),
        ({"listed_from": "2017-13-40"}, "listed_from", 400),
        ({"listed_from": "2018", "listed_to": "2017"}, "listed_to", 400),
        ({"restriction": "teleportation"}, "restriction", 400),
        ({"currency": "DOLLARS"}, "currency", 400),
        ({"ordering": "random"}, "ordering", 400),
        ({"notified": "maybe"}, "notified", 400),
        ({"q": "x" * 201}, "q", 400),
        ({"page": "abc"}, "page", 400),
        ({"page": "0"}, "page", 400),
        ({"page": "600"}, "page", 400),
        ({"page": "3"}, "page", 404),
    ],
)
def test_malformed_parameters_give_a_message_and_a_4xx(client, query, parameter, status):
    make_case()
    response = client.get("/cases/", query)
    assert response.status_code == status
    assert 'role="alert"' in response.text
    assert f"<strong>{parameter}</strong>" in response.text


def test_query_count_does_not_grow_with_the_results(client):
    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    make_restriction(make_case(authority=make_authority()), kind="air_travel")
    few = [queries("/cases/"), queries("/cases/?q=wang&restriction=air_travel")]
    for _ in range(30):
        make_restriction(make_case(authority=make_authority()), kind="air_travel")
    many = [queries("/cases/"), queries("/cases/?q=wang&restriction=air_travel")]
    assert few == many
    assert max(many) <= 9  # two of them the shared cache's read and write of the facet counts


def test_facet_counts_are_cached_until_the_data_change(client, liu_hu):
    client.get("/cases/")
    with CaptureQueriesContext(connection) as warm:
        client.get("/cases/")
    make_case()
    with CaptureQueriesContext(connection) as after_change:
        response = client.get("/cases/")
    assert len(after_change) > len(warm)
    assert "2 cases" in response.text


def test_work_on_drafts_leaves_the_public_counts_cached(client, liu_hu):
    client.get("/cases/")
    with CaptureQueriesContext(connection) as warm:
        client.get("/cases/")
    draft = make_case(publication_state="draft", offence_category="theft")
    make_restriction(draft, kind="luxury_hotels")
    type(draft).objects.filter(pk=draft.pk).update(summary="Edited draft.")
    with CaptureQueriesContext(connection) as after_draft_work:
        response = client.get("/cases/")
    assert len(after_draft_work) == len(warm)
    assert "1 case" in response.text and "Luxury hotels" not in response.text
