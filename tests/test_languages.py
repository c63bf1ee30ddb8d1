"""The site in two languages: English at plain addresses, Simplified Chinese under
/zh-hans/; Chinese labels, dates and names; the API's labels by Accept-Language; nothing
answered in one language from what was cached or validated for the other."""

import re

import lxml.html
import pytest
from django.utils import translation

from casefile.authorities.models import Province
from casefile.cases.demo_loader import load_demo
from casefile.cases.visibility import display_name
from casefile.core.dates import PartialDate
from tests.factories import make_authority, make_case, make_person

pytestmark = pytest.mark.django_db

LIU_HU = "FK2A1DV80A"
CHINESE = {"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9,en;q=0.5"}


@pytest.fixture
def demo():
    load_demo()


def test_plain_addresses_are_english_and_prefixed_ones_chinese(client, demo):
    english = client.get(f"/cases/{LIU_HU}/")
    chinese = client.get(f"/zh-hans/cases/{LIU_HU}/")
    assert english.status_code == chinese.status_code == 200
    assert '<html lang="en">' in english.text
    assert '<html lang="zh-Hans">' in chinese.text
    assert "Key facts" in english.text and "基本事实" in chinese.text
    assert english["Content-Language"] == "en"
    assert chinese["Content-Language"] == "zh-hans"


def test_a_browser_preferring_chinese_is_offered_the_chinese_page_never_redirected(client, demo):
    response = client.get("/cases/?q=liu+hu", **CHINESE)
    assert response.status_code == 200
    assert '<html lang="en">' in response.text
    offer = lxml.html.fromstring(response.content).xpath("//p[@class='language-offer']")
    assert len(offer) == 1
    assert offer[0].get("lang") == "zh-Hans"
    assert offer[0].xpath(".//a")[0].get("href") == "/zh-hans/cases/?q=liu+hu"
    assert "Accept-Language" in response["Vary"]
    assert "language-offer" not in client.get("/cases/?q=liu+hu").text
    assert "language-offer" not in client.get("/zh-hans/cases/?q=liu+hu", **CHINESE).text


def test_every_page_links_its_other_language_and_says_so_to_search_engines(client, demo):
    page = lxml.html.fromstring(client.get(f"/zh-hans/cases/{LIU_HU}/?x=1").content)
    switch = page.xpath("//nav[@class='languages']//a")
    assert [(a.get("hreflang"), a.get("href")) for a in switch] == [("en", f"/cases/{LIU_HU}/?x=1")]
    alternates = {
        link.get("hreflang"): link.get("href")
        for link in page.xpath("//link[@rel='alternate'][@hreflang]")
    }
    assert alternates["en"].endswith(f"/cases/{LIU_HU}/?x=1")
    assert alternates["zh-Hans"].endswith(f"/zh-hans/cases/{LIU_HU}/?x=1")
    assert alternates["x-default"] == alternates["en"]
    # The Chinese page is its own canonical page; citations name the permanent one.
    canonical = page.xpath("//link[@rel='canonical']")[0].get("href")
    assert canonical.endswith(f"/zh-hans/cases/{LIU_HU}/")
    cite = page.xpath("//section[@class='cite']")[0].text_content()
    assert f"http://testserver/cases/{LIU_HU}/" in cite
    tags = {
        m.get("name"): m.get("content")
        for m in page.xpath("//meta[starts-with(@name, 'citation_')]")
    }
    assert all("/zh-hans/" not in value for value in tags.values())


def test_downloads_and_the_api_have_one_address(client, demo):
    assert client.get(f"/zh-hans/cases/{LIU_HU}/cite.bib").status_code == 404
    assert client.get("/zh-hans/cases/export.csv").status_code == 404
    assert client.get("/zh-hans/api/v1/cases/").status_code == 404
    page = client.get(f"/zh-hans/cases/{LIU_HU}/").text
    assert f'href="/cases/{LIU_HU}/cite.bib"' in page


def test_partial_dates_in_chinese_form():
    with translation.override("zh-hans"):
        assert str(PartialDate.parse("2017")) == "2017年"
        assert str(PartialDate.parse("2017-03")) == "2017年3月"
        assert str(PartialDate.parse("2017-03-05")) == "2017年3月5日"
    with translation.override("en"):
        assert str(PartialDate.parse("2017-03-05")) == "5 March 2017"


def test_names_in_the_form_that_suits_the_language():
    public = make_person(name_original="刘虎", name_romanized="Liu Hu", privacy="public")
    made = make_person(pseudonym="Unnamed man, Henan", privacy="pseudonymised")
    unnamed = make_person(pseudonym="", privacy="pseudonymised")
    written = make_person(pseudonym="L. H.", privacy="pseudonymised")
    with translation.override("en"):
        assert display_name(public) == "Liu Hu (刘虎)"
        assert display_name(made) == "Unnamed man, Henan"
        assert display_name(unnamed) == "Unnamed person"
    with translation.override("zh-hans"):
        assert display_name(public) == "刘虎（Liu Hu）"
        assert display_name(made) == "未具名男子（河南）"
        assert display_name(unnamed) == "未具名人士"
        assert display_name(written) == "L. H."  # an editor's text is data


def test_a_chinese_case_page_marks_the_english_records(client):
    person = make_person(pseudonym="Unnamed woman, Hubei", privacy="pseudonymised")
    authority = make_authority(
        name="Wuhan Intermediate People's Court",
        name_original="武汉市中级人民法院",
        province=Province.HUBEI,
    )
    case = make_case(person=person, authority=authority, summary="Listed over a fine.")
    case.listed = "2017-03"
    case.save()
    html = client.get(f"/zh-hans/cases/{case.public_id}/").text
    page = lxml.html.fromstring(html)
    assert page.xpath("//h1")[0].text_content() == "未具名女子（湖北）"
    facts = page.xpath("//dl[@class='facts']")[0].text_content()
    assert re.search(r"武汉市中级人民法院（[^）]*湖北）", facts)
    assert "2017年3月" in facts
    prose = page.xpath("//div[@class='prose']")[0]
    assert prose.get("lang") == "en" and "Listed over a fine." in prose.text_content()
    # On the English page, the Chinese runs are marked instead.
    english = client.get(f"/cases/{case.public_id}/").text
    assert '<span lang="zh-Hans">武汉市中级人民法院</span>' in english


# Words that are the same in Chinese text: names of formats, standards and products.
SAME_IN_CHINESE = {
    "CC",  # the licence's SPDX identifier, CC-BY-4.0
    "BY",
    "MM",  # YYYY-MM-DD
    "DD",
    "Casefile",
    "CSV",
    "API",
    "Atom",
    "BibTeX",
    "RIS",
    "CSL",
    "JSON",
    "SHA",
    "HURIDOCS",
    "UTF",
    "Excel",
    "OpenRefine",
    "Zotero",
    "PDF",
    "HTML",
    "WARC",
    "WACZ",
    "PNG",
    "JPEG",
    "UTC",
    "CNY",
    "CAD",
    "Gone",
    "YYYY",
    "English",
    "Liu",
    "Hu",
}


def untranslated_words(html: bytes) -> set[str]:
    """Latin words of a Chinese page outside what is marked as another language (the
    records, written in English) and outside code, addresses and machine values."""
    page = lxml.html.fromstring(html)
    for element in page.xpath("//*[@lang and not(starts-with(@lang, 'zh'))]"):
        element.drop_tree()
    for element in page.xpath(
        "//script|//style|//code|//head|//*[@class='hash']|//*[@class='id']|//*[@class='url']"
    ):
        element.drop_tree()
    # The currencies: ISO 4217 codes, and CLDR's names (a few of which are not Chinese).
    for option in page.xpath("//select[@id='currency']/option[@value!='']"):
        option.drop_tree()
    text = re.sub(r"https?://\S+", " ", page.text_content())
    return set(re.findall(r"\b[A-Za-z]{2,}\b", text)) - SAME_IN_CHINESE


@pytest.mark.parametrize(
    "path",
    [
        "/zh-hans/",
        "/zh-hans/cases/",
        "/zh-hans/cases/?q=liu+hu",
        "/zh-hans/cases/?q=nothing+like+this",
        "/zh-hans/cases/?restrction=air_travel",
        "/zh-hans/cases/?listed_from=2017-13&page=x",
        f"/zh-hans/cases/{LIU_HU}/",
        "/zh-hans/about/",
    ],
)
def test_no_untranslated_string_on_the_main_chinese_pages(client, demo, path):
    response = client.get(path)
    assert response.status_code in (200, 400)
    assert not untranslated_words(response.content), path


def test_the_api_labels_follow_accept_language_and_say_so(client, demo):
    english = client.get("/api/v1/cases/facets/")
    chinese = client.get("/api/v1/cases/facets/", **CHINESE)
    label = {item["value"]: item["label"] for item in english.json()["restriction"]}
    label_zh = {item["value"]: item["label"] for item in chinese.json()["restriction"]}
    assert label["air_travel"] == "Air travel" and label_zh["air_travel"] == "乘坐飞机"
    assert english.json()["total"] == chinese.json()["total"]  # keys and counts: the same
    assert set(english.json()) == set(chinese.json())
    for response, language in ((english, "en"), (chinese, "zh-hans")):
        assert "Accept-Language" in response["Vary"]
        assert response["Content-Language"] == language
    # A Chinese client holding the English answer's validator gets the Chinese answer.
    assert english["ETag"] != chinese["ETag"]
    revalidated = client.get("/api/v1/cases/facets/", HTTP_IF_NONE_MATCH=english["ETag"], **CHINESE)
    assert (
        revalidated.status_code == 200
        and revalidated.json()["restriction"] == chinese.json()["restriction"]
    )
    info = client.get("/api/v1/info/", **CHINESE)
    assert "不受本许可协议约束" in info.json()["license"]["exception"]
    assert "Accept-Language" in info["Vary"]


def test_a_chinese_page_is_never_answered_from_english_cached_counts(client, demo):
    """Facet counts are cached (keys, numbers), labels are not: the same cached counts
    make each language's labels."""
    assert "Loans and credit" in client.get("/cases/").text
    chinese = client.get("/zh-hans/cases/").text
    assert "贷款与信贷" in chinese and "Loans and credit" not in chinese
    assert "Loans and credit" in client.get("/cases/").text


def test_the_chinese_feed_is_in_chinese_with_the_permanent_entry_ids(client, demo):
    english = client.get("/cases/feed.atom").content.decode()
    chinese = client.get("/zh-hans/cases/feed.atom").content.decode()
    assert "newest and corrected cases" in english
    assert "最新及更正的案例" in chinese and 'xml:lang="zh-Hans"' in chinese
    ids = re.findall(r"<id>(.*?)</id>", chinese)
    assert f"http://testserver/cases/{LIU_HU}/" in ids
    assert f'href="http://testserver/zh-hans/cases/{LIU_HU}/"' in chinese
    assert client.get("/cases/feed.atom")["ETag"] != client.get("/zh-hans/cases/feed.atom")["ETag"]


def test_the_sitemap_names_each_page_in_both_languages(client, demo):
    section = client.get("/sitemap-cases-1.xml").content.decode()
    entry = re.search(rf"<url><loc>http://testserver/cases/{LIU_HU}/</loc>.*?</url>", section)
    assert entry, section[:500]
    assert f'hreflang="zh-Hans" href="http://testserver/zh-hans/cases/{LIU_HU}/"' in entry[0]
    assert f'hreflang="en" href="http://testserver/cases/{LIU_HU}/"' in entry[0]
    robots = client.get("/robots.txt").text
    assert "Disallow: /zh-hans/editorial/" in robots and "Disallow: /zh-hans/cases/?" in robots


def test_a_chinese_request_leaves_no_language_behind(client, demo):
    """Code run after a request, outside any (a test, a command), speaks English."""
    translation.activate("en")
    client.get(f"/zh-hans/cases/{LIU_HU}/")
    client.get("/api/v1/cases/facets/", **CHINESE)
    assert translation.get_language() == "en"
    assert str(PartialDate.parse("2017")) == "2017"
