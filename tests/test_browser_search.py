"""A real Chromium: search by pinyin and open the case, narrow by a facet, follow a footnote,
download a citation. No JavaScript of ours runs: these are links and a form."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from casefile.cases.demo_loader import load_demo
from casefile.cases.models import Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIU_HU = "FK2A1DV80A"


@pytest.fixture
def demo():
    load_demo()


def test_type_a_pinyin_name_and_open_the_case(live_server, page, demo):
    page.goto(live_server.url)
    page.get_by_label(re.compile("Search the cases")).fill("liu hu")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/cases/?q=liu+hu")
    expect(page.get_by_role("heading", name="1 case")).to_be_visible()
    page.get_by_role("link", name="Liu Hu (刘虎)").click()
    page.wait_for_url(f"**/cases/{LIU_HU}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Liu Hu (刘虎)")


def test_click_a_facet_and_see_the_count_and_results_narrow(live_server, page, demo):
    page.goto(f"{live_server.url}/cases/")
    expect(page.get_by_role("heading", name="6 cases")).to_be_visible()
    facet = page.get_by_role("navigation", name="Filters").get_by_role(
        "link", name=re.compile(r"^Loans and credit 2$")
    )
    facet.focus()
    page.keyboard.press("Enter")  # facets are plain links: the keyboard works
    page.wait_for_url("**/cases/?restriction=loans_credit")
    expect(page.get_by_role("heading", name="2 cases")).to_be_visible()
    results = page.locator("ol.results > li")
    expect(results).to_have_count(2)
    expect(
        page.get_by_role("link", name=re.compile(r"^Loans and credit 2 \(chosen"))
    ).to_be_visible()


def test_follow_a_footnote_to_its_reference(live_server, page, demo):
    page.goto(f"{live_server.url}/cases/{LIU_HU}/")
    # The row of the figure the article first gave, not the row that mentions it.
    row = page.get_by_role("row").filter(has=page.get_by_role("cell", name=re.compile(r"^\$2,900")))
    row.get_by_role("cell", name=re.compile(r"^\$2,900")).get_by_role(
        "link", name=re.compile(r"^Source \d+$")
    ).first.click()
    assert re.search(r"#note-\d+$", page.url)
    note = page.locator(page.url[page.url.index("#") :])
    expect(note).to_contain_text("as first published")
    expect(note).to_contain_text("3 January 2018")
    expect(note.get_by_role("link", name="archived copy")).to_have_attribute(
        "href", re.compile("web.archive.org/web/20180103")
    )


def test_download_a_citation(live_server, page, demo):
    page.goto(f"{live_server.url}/cases/{LIU_HU}/")
    with page.expect_download() as info:
        page.get_by_role("link", name="BibTeX").click()
    download = info.value
    assert download.suggested_filename == f"casefile-{LIU_HU.lower()}.bib"
    text = Path(download.path()).read_text(encoding="utf-8")
    case = Case.objects.get(public_id=LIU_HU)
    assert text.startswith(f"@misc{{casefile-{LIU_HU.lower()},")
    assert case.get_absolute_url() in text
    assert "Casefile" in text
