"""A real Chromium in both languages: switch to Chinese on a search page and keep the
search; a Chinese case page with Chinese dates and labels; the main pages in both
languages at 1280 and 390 px wide without horizontal overflow, with screenshots kept in
the tests' artefacts (.data/test-artefacts/screenshots/, or TEST_ARTEFACTS)."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from casefile.cases.demo_loader import load_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIU_HU = "FK2A1DV80A"
ROOT = Path(__file__).resolve().parent.parent
ARTEFACTS = Path(os.environ.get("TEST_ARTEFACTS", ROOT / ".data" / "test-artefacts"))
MAIN_PAGES = {
    "home": "/",
    "search": "/cases/?restriction=air_travel",
    "case": f"/cases/{LIU_HU}/",
    "about": "/about/",
}


@pytest.fixture
def demo():
    load_demo()


def test_switch_to_chinese_on_a_search_page_keeps_the_search(live_server, page, demo):
    page.goto(f"{live_server.url}/cases/?q=liu+hu&restriction=air_travel")
    expect(page.get_by_role("heading", name="1 case")).to_be_visible()
    page.get_by_role("navigation", name="Language").get_by_role("link", name="简体中文").click()
    page.wait_for_url("**/zh-hans/cases/?q=liu+hu&restriction=air_travel")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    expect(page.get_by_role("heading", name="1 个案例")).to_be_visible()
    expect(page.get_by_label("姓名、案情用词或案号")).to_have_value("liu hu")
    expect(page.get_by_role("link", name=re.compile(r"^乘坐飞机 1"))).to_be_visible()
    # And back to English, the search still kept.
    page.get_by_role("navigation", name="语言").get_by_role("link", name="English").click()
    page.wait_for_url("**/cases/?q=liu+hu&restriction=air_travel")
    expect(page.get_by_role("heading", name="1 case")).to_be_visible()


def test_a_chinese_case_page_shows_chinese_dates_and_labels(live_server, page, demo):
    page.goto(f"{live_server.url}/zh-hans/cases/{LIU_HU}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("刘虎（Liu Hu）")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("当事人")
    expect(facts).to_contain_text("最高人民法院失信被执行人名单")
    expect(page.get_by_role("heading", name="限制措施")).to_be_visible()
    expect(page.locator("ul.restrictions")).to_contain_text("乘坐飞机")
    timeline = page.locator("ol.timeline")
    expect(timeline.locator("time").first).to_have_text(
        re.compile(r"^\d{4}年(\d{1,2}月(\d{1,2}日)?)?$")
    )
    expect(page.locator("ol.notes")).to_contain_text(
        re.compile(r"采集于 \d{4}年\d{1,2}月\d{1,2}日")
    )
    # The case's English texts say so to the browser; the citation names the English page.
    assert page.locator(".prose[lang=en]").count() >= 1
    expect(page.locator(".cite")).to_contain_text(f"/cases/{LIU_HU}/")


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_main_pages_fit_the_screen_in_both_languages(live_server, page, demo, width, language):
    folder = ARTEFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": width, "height": 900})
    prefix = "" if language == "en" else "/zh-hans"
    for name, path in MAIN_PAGES.items():
        page.goto(f"{live_server.url}{prefix}{path}")
        assert page.locator("html").get_attribute("lang") == (
            "en" if language == "en" else "zh-Hans"
        )
        page.screenshot(path=folder / f"{name}-{language}-{width}.png", full_page=True)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (path, language, width, overflow)
