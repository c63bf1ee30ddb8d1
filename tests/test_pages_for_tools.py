"""Pages that tools understand: citation tags and JSON-LD on case pages, the home page's
Dataset, the sitemap (public pages only) and robots.txt, a description of its own on
every page, a favicon, the licence in the footer, and the About and method page."""

import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.contrib.staticfiles import finders

from casefile.core import sitemap
from tests.api_support import private_cases, rich_case
from tests.factories import make_case

pytestmark = pytest.mark.django_db
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def archive():
    case = rich_case(summary="A journalist barred from flights after a defamation verdict.")
    shown, withheld, hidden = private_cases()
    return {"case": case, "shown": shown, "withheld": withheld, "hidden": hidden}


def meta(html: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, content in re.findall(r'<meta name="([^"]+)" content="([^"]*)">', html):
        found.setdefault(name, []).append(content)
    return found


def json_ld(html: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


def test_case_pages_carry_citation_tags_and_json_ld(client, archive):
    case = archive["case"]
    html = client.get(f"/cases/{case.public_id}/").text
    tags = meta(html)
    url = f"http://testserver/cases/{case.public_id}/"
    assert tags["citation_title"] == [
        f"Case {case.public_id}: Liu Hu (刘虎), SPC list of dishonest judgment debtors"
    ]
    assert tags["citation_author"] == ["Casefile"]  # the archive, never the listed person
    assert tags["citation_publisher"] == ["Casefile"]
    assert tags["citation_public_url"] == [url]
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2}", tags["citation_date"][0])
    assert tags["description"] == ["A journalist barred from flights after a defamation verdict."]
    (article,) = json_ld(html)
    assert article["@type"] == "Article" and article["url"] == url
    assert article["author"]["name"] == "Casefile" and article["identifier"] == case.public_id
    assert article["license"] == "https://creativecommons.org/licenses/by/4.0/"


def test_a_pseudonymised_persons_case_page_names_no_one(client, archive):
    html = client.get(f"/cases/{archive['shown'].public_id}/").text
    assert "Unnamed man, Hubei" in meta(html)["citation_title"][0]
    assert "秘密人" not in html and "Mimi Ren" not in html


def test_the_home_page_describes_the_dataset(client, archive):
    html = client.get("/").text
    (dataset,) = json_ld(html)
    assert dataset["@type"] == "Dataset"
    assert dataset["license"] == "https://creativecommons.org/licenses/by/4.0/"
    formats = {item["contentUrl"].rsplit("/", 1)[1] for item in dataset["distribution"]}
    assert formats == {"cases.csv", "persons.csv", "sources.csv", "citations.csv",
                       "cases.ndjson", "datapackage.json"}  # fmt: skip
    assert '<link rel="alternate" type="application/atom+xml"' in html


def sitemap_urls(client) -> set[str]:
    index = ET.fromstring(client.get("/sitemap.xml").content)
    urls = set()
    for loc in index.iter(f"{SITEMAP}loc"):
        section = client.get(loc.text.removeprefix("http://testserver"))
        assert section.status_code == 200
        urls |= {url.text for url in ET.fromstring(section.content).iter(f"{SITEMAP}loc")}
    return urls


def test_the_sitemap_lists_every_public_page_and_only_those(client, archive):
    case, shown = archive["case"], archive["shown"]
    base = "http://testserver"
    capture = case.citations.first().capture
    assert sitemap_urls(client) == {
        f"{base}/", f"{base}/cases/", f"{base}/stats/", f"{base}/about/",
        f"{base}/cases/{case.public_id}/", f"{base}/cases/{shown.public_id}/",
        f"{base}/people/{case.person_id}/", f"{base}/people/{shown.person_id}/",
        f"{base}/authorities/{case.authority_id}/",
        f"{base}/sources/{capture.source_id}/",
    }  # fmt: skip
    for url in sitemap_urls(client):
        assert client.get(url.removeprefix(base)).status_code == 200, url
    first = client.get("/sitemap.xml")
    assert client.get("/sitemap.xml", headers={"If-None-Match": first["ETag"]}).status_code == 304
    assert client.get("/sitemap-cases-2.xml").status_code == 404
    assert client.get("/sitemap-drafts-1.xml").status_code == 404


def test_a_large_sitemap_is_split_into_pages(client, archive, monkeypatch):
    monkeypatch.setattr(sitemap, "PAGE_SIZE", 1)
    for _ in range(2):
        make_case()
    index = client.get("/sitemap.xml").text
    assert "/sitemap-cases-4.xml" in index and "/sitemap-cases-5.xml" not in index
    pages = [client.get(f"/sitemap-cases-{n}.xml").text for n in range(1, 5)]
    assert all(page.count("<url>") == 1 for page in pages)


def test_robots_keeps_crawlers_out_of_the_staff_side_and_the_exports(client):
    robots = client.get("/robots.txt")
    assert robots["Content-Type"].startswith("text/plain")
    lines = robots.text.splitlines()
    for path in ("/admin/", "/editorial/", "/api/v1/exports/", "/cases/export.csv"):
        assert f"Disallow: {path}" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /cases/" not in lines  # the case pages stay crawlable


def test_every_page_has_a_description_of_its_own_and_a_favicon(client, archive):
    case = archive["case"]
    capture = case.citations.first().capture
    pages = ["/", "/cases/", "/cases/?q=liu", "/about/", f"/cases/{case.public_id}/",
             f"/cases/{case.public_id}/changes/", f"/people/{case.person_id}/",
             f"/authorities/{case.authority_id}/", f"/sources/{capture.source_id}/",
             f"/cases/{archive['hidden'][2].public_id}/"]  # fmt: skip
    descriptions = []
    for url in pages:
        html = client.get(url).text
        (description,) = meta(html)["description"]
        assert len(description) >= 30, url
        descriptions.append(description)
        (icon,) = re.findall(r'<link rel="icon" href="([^"]+)"', html)
    assert len(set(descriptions)) == len(pages)
    assert icon == "/static/favicon.svg"
    assert finders.find("favicon.svg"), "the favicon is a static file"


def test_the_footer_and_about_page_state_the_licence_and_the_method(client, settings):
    settings.EDITORS_CONTACT = "editors@casefile.example.org"
    html = client.get("/about/").text
    assert 'rel="license" href="https://creativecommons.org/licenses/by/4.0/"' in html
    assert "Quoted passages" in html
    for word in ("Highly reliable", "Likely unreliable", "Pseudonymised", "Withheld",
                 "410 Gone", "BibTeX", "SPC list of dishonest judgment debtors"):  # fmt: skip
        assert word in html, word
    assert 'href="mailto:editors@casefile.example.org"' in html
    settings.EDITORS_CONTACT = ""
    assert "No contact address is configured" in client.get("/about/").text


def test_permanent_addresses_use_site_url_when_it_is_set(client, settings):
    settings.SITE_URL = "https://casefile.example.org"
    assert "Sitemap: https://casefile.example.org/sitemap.xml" in client.get("/robots.txt").text
    feed = client.get("/cases/feed.atom").text
    assert "<id>https://casefile.example.org/cases/feed.atom</id>" in feed
