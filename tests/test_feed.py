"""Every search as an Atom feed (RFC 4287): the search page's filters, newest first by
publication or correction, the case's page as the entry's id, retractions and
withdrawals in the unfiltered feed only, conditional GET."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from casefile.cases.feeds import ENTRIES
from casefile.cases.models import Case
from casefile.people.models import Person
from tests.factories import make_authority, make_case, make_person, make_restriction

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def parse(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    return ET.fromstring(response.content)


def entries(feed):
    return feed.findall(f"{ATOM}entry")


def entry_ids(feed):
    return [entry.findtext(f"{ATOM}id") for entry in entries(feed)]


def rfc3339(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture
def cases():
    hubei = make_authority(province="hubei")
    older = make_case(summary="An older case <with> markup & more.", authority=hubei,
                      published_at=timezone.now() - datetime.timedelta(days=3))  # fmt: skip
    make_restriction(older, kind="air_travel")
    newer = make_case(
        person=make_person(name_original="刘虎"), summary="A newer case.",
        published_at=timezone.now() - datetime.timedelta(days=1),
    )  # fmt: skip
    retracted = make_case(summary="Withdrawn by the editors soon after.",
                          publication_state="retracted")  # fmt: skip
    draft = make_case(summary="A draft.", publication_state="draft")
    return {"older": older, "newer": newer, "retracted": retracted, "draft": draft}


def url_of(case):
    return f"http://testserver/cases/{case.public_id}/"


def test_the_feed_is_atom_with_ids_updated_and_links(client, cases):
    feed = parse(client.get("/cases/feed.atom"))
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}id") == "http://testserver/cases/feed.atom"
    assert feed.findtext(f"{ATOM}title")
    rfc3339(feed.findtext(f"{ATOM}updated"))
    assert feed.find(f"{ATOM}author/{ATOM}name").text == "Casefile editors"
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links == {
        "alternate": "http://testserver/cases/",
        "self": "http://testserver/cases/feed.atom",
    }
    assert "CC-BY-4.0" in feed.findtext(f"{ATOM}rights")
    for entry in entries(feed):
        for element in ("id", "title", "updated", "summary"):
            assert entry.findtext(f"{ATOM}{element}"), element
        link = entry.find(f"{ATOM}link")
        assert link.get("rel") == "alternate" and link.get("href") == entry.findtext(f"{ATOM}id")
    # Newest first by update time; the case's page is the stable id.
    updated = [rfc3339(e.findtext(f"{ATOM}updated")) for e in entries(feed)]
    assert updated == sorted(updated, reverse=True)
    ids = entry_ids(feed)
    assert url_of(cases["newer"]) in ids and url_of(cases["older"]) in ids
    assert url_of(cases["draft"]) not in ids
    older = entries(feed)[ids.index(url_of(cases["older"]))]
    # The summary is text, escaped as HTML for the reader.
    assert "&lt;with&gt; markup &amp; more." in older.findtext(f"{ATOM}summary")
    published = rfc3339(older.findtext(f"{ATOM}published"))
    assert abs(published - cases["older"].published_at) < datetime.timedelta(seconds=1)


def test_a_correction_moves_a_case_to_the_top(client, cases):
    first = entry_ids(parse(client.get("/cases/feed.atom?restriction=air_travel&q=")))
    assert first == [url_of(cases["older"])]
    Case.objects.filter(pk=cases["older"].pk).update(summary="Corrected.")
    assert entry_ids(parse(client.get("/cases/feed.atom")))[0] == url_of(cases["older"])


def test_retractions_only_in_the_unfiltered_feed_and_without_names(client, cases):
    feed = parse(client.get("/cases/feed.atom"))
    retracted = url_of(cases["retracted"])
    entry = entries(feed)[entry_ids(feed).index(retracted)]
    assert "retracted" in entry.findtext(f"{ATOM}title")
    assert "retracted" in entry.findtext(f"{ATOM}summary")
    assert "Withdrawn by the editors soon after" not in client.get("/cases/feed.atom").text
    # A person becoming withheld withdraws their cases: said so, and nothing more.
    Person.objects.filter(pk=cases["newer"].person_id).update(privacy="withheld")
    text = client.get("/cases/feed.atom").text
    feed = parse(client.get("/cases/feed.atom"))
    withdrawn = entries(feed)[entry_ids(feed).index(url_of(cases["newer"]))]
    assert "withdrawn" in withdrawn.findtext(f"{ATOM}title")
    assert "刘虎" not in text and "Liu Hu" not in text and "A newer case" not in text
    for query in ("offence=unpaid_debt", "ordering=listed&province=hubei", "q=case"):
        ids = entry_ids(parse(client.get(f"/cases/feed.atom?{query}")))
        assert retracted not in ids and url_of(cases["newer"]) not in ids, query


def test_the_feed_follows_the_search_filters(client, cases):
    assert entry_ids(parse(client.get("/cases/feed.atom?province=hubei"))) == [
        url_of(cases["older"])
    ]
    assert entry_ids(parse(client.get("/cases/feed.atom?q=刘虎"))) == [url_of(cases["newer"])]
    feed = parse(client.get("/cases/feed.atom?q=刘虎&restriction=air_travel"))
    assert entries(feed) == []
    assert "q=刘虎" in feed.findtext(f"{ATOM}title")


def test_at_most_fifty_entries(client):
    for _ in range(ENTRIES + 3):
        make_case()
    assert len(entries(parse(client.get("/cases/feed.atom")))) == ENTRIES


def test_invalid_searches_are_400s_naming_the_parameter(client):
    for query, name in (
        ("restriction=flying", "restriction"),
        ("listed_from=2017-13", "listed_from"),
    ):
        response = client.get(f"/cases/feed.atom?{query}")
        assert response.status_code == 400
        assert name in response.text
    assert "air_travel" in client.get("/cases/feed.atom?restriction=flying").text


def test_conditional_get(client, cases):
    first = client.get("/cases/feed.atom?province=hubei")
    assert first["ETag"] and first["Last-Modified"]
    again = client.get("/cases/feed.atom?province=hubei", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    make_case(summary="Draft work.", publication_state="draft")
    assert (
        client.get(
            "/cases/feed.atom?province=hubei", headers={"If-None-Match": first["ETag"]}
        ).status_code
        == 304
    )
    Case.objects.filter(pk=cases["older"].pk).update(summary="Corrected.")
    changed = client.get(
        "/cases/feed.atom?province=hubei", headers={"If-None-Match": first["ETag"]}
    )
    assert changed.status_code == 200


def test_the_search_page_links_its_feed(client, cases):
    page = client.get("/cases/?province=hubei&page=1")
    assert (
        '<link rel="alternate" type="application/atom+xml" title="This search as a feed" '
        'href="/cases/feed.atom?province=hubei">' in page.text
    )
    assert 'href="/cases/feed.atom?province=hubei" type="application/atom+xml">Follow' in page.text


def test_the_search_page_offers_its_csv_for_spreadsheets(client, cases):
    page = client.get("/cases/?province=hubei")
    assert 'href="/cases/export.csv?province=hubei&amp;bom=1" download>for Excel' in page.text
    content = b"".join(client.get("/cases/export.csv?province=hubei&bom=1").streaming_content)
    assert content.startswith("\ufeffid,page_url".encode())
