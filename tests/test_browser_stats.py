"""A real Chromium: chart a search, follow a tile and a bar to the search they count, and
read the charts on a phone's width and in print. No JavaScript: SVG links."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from casefile.cases.demo_loader import load_demo
from casefile.cases.models import Case
from tests.factories import make_authority, make_case, make_restriction

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo():
    """The demo's cases (no province known), and three with one."""
    load_demo()
    for province, kind in [("guangdong", "air_travel"), ("guangdong", "loans_credit"),
                           ("hubei", "air_travel")]:  # fmt: skip
        listed = make_case(
            authority=make_authority(province=province),
            listed_on=datetime.date(2018, 5, 1),
            listed_on_precision="month",
        )
        make_restriction(listed, kind=kind)


def test_chart_the_results_and_follow_a_tile_to_its_search(live_server, page, demo):
    page.goto(f"{live_server.url}/cases/")
    page.get_by_role("link", name="Chart these results").click()
    page.wait_for_url("**/stats/?")
    expect(page.get_by_role("heading", level=1)).to_have_text("Statistics of the whole archive")
    tile_map = page.get_by_role("img", name="Cases by province")
    expect(tile_map).to_be_visible()
    # (role="img" makes a chart's links presentational to assistive technology: its
    # table holds the same links; a pointer follows the tiles themselves.)
    tile = page.locator("svg:has(#chart-provinces-title) a").first
    count = re.fullmatch(r".+: (\d+) cases?", tile.get_attribute("aria-label")).group(1)
    tile.click()
    page.wait_for_url(re.compile(r"/cases/\?province="))
    expect(page.get_by_role("heading", name=re.compile(rf"^{count} cases?"))).to_be_visible()
    assert Case.objects.published().filter(authority__province="guangdong").count() == 2


def test_a_year_bar_of_a_filtered_search_keeps_the_filter(live_server, page, demo):
    page.goto(f"{live_server.url}/stats/?restriction=loans_credit")
    bar = page.locator("svg:has(#chart-listed-title) a").first
    count = re.search(r"(\d+) cases?$", bar.get_attribute("aria-label")).group(1)
    bar.click()
    page.wait_for_url(re.compile(r"restriction=loans_credit.*listed_from=\d{4}&listed_to=\d{4}"))
    expect(page.get_by_role("heading", name=re.compile(rf"^{count} cases?"))).to_be_visible()


def test_charts_fit_a_phone_and_print(live_server, page, demo):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/stats/")
    for chart in page.locator("svg.chart").all():
        box = chart.bounding_box()
        assert box and 0 < box["width"] <= 360, box
    # Each chart's table follows it on a narrow screen, readable as text.
    expect(page.get_by_role("table").first).to_be_visible()
    page.emulate_media(media="print")
    tile_map = page.get_by_role("img", name="Cases by province")
    expect(tile_map).to_be_visible()
    assert tile_map.bounding_box()["width"] > 0
