"""In a real Chromium, the path from a spreadsheet to published, findable cases: an editor
imports a file with an untitled source, a person already in the archive and a row with a
summary and an amount kind; the dry run shows the match; the editor attaches the row to
the existing person; a reviewer selects the drafts and publishes them in one batch; the
public person page lists all the person's cases; the cite box shows the host the server
runs on."""

import re

import pytest
from playwright.sync_api import expect

from casefile.cases.models import Case
from casefile.editorial.importer import COLUMNS
from tests.factories import make_capture, make_case, make_citation, make_person
from tests.test_browser_editorial import sign_in
from tests.test_import import csv_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROWS = [
    {
        "case_key": "rfa-2019-liu",
        "person_name": "刘虎",
        "public_figure": "yes",
        "province": "Chongqing",
        "offence_category": "defamation_speech",
        "summary": "Barred from buying a plane ticket a second time, in 2019.",
        "amount": "200",
        "currency": "CNY",
        "amount_kind": "fine",
        "amount_as_reported": "a 200-yuan fine",
        "listed_year": "2019",
        "restrictions": "air_travel",
        "source_outlet": "Radio Free Asia",
        "source_title": "",  # a repost known by its address
        "source_date": "2019-03",
        "source_url": "https://www.rfa.org/mandarin/yataibaodao/renquanfazhi/liuhu-03052019.html",
    },
    {
        "case_key": "rfa-2019-unnamed",
        "person_name": "",
        "public_figure": "no",
        "province": "Henan",
        "offence_category": "unpaid_debt",
        "summary": "A farmer listed over a loan guarantee.",
        "amount": "3600000",
        "currency": "CNY",
        "amount_kind": "owed",
        "listed_year": "2018",
        "restrictions": "high_speed_rail",
        "source_outlet": "Radio Free Asia",
        "source_date": "2019-03",
        "source_url": "https://www.rfa.org/mandarin/yataibaodao/renquanfazhi/liuhu-03052019.html",
    },
]


def upload(page, data: bytes):
    page.set_input_files(
        "#id_file", files=[{"name": "rfa.csv", "mimeType": "text/csv", "buffer": data}]
    )


def test_from_a_spreadsheet_to_published_findable_cases(live_server, page, browser, make_user):
    make_user("editor", "edna")
    make_user("reviewer", "rui")
    # Liu Hu as the demo data has him: a public figure with a published, cited case.
    liu = make_person(name_original="刘虎", occupation="journalist", privacy="public")
    demo = make_case(person=liu, summary="Listed after a defamation verdict.")
    make_citation(demo, make_capture(), case_field="listing")
    data = csv_file(*ROWS, columns=COLUMNS)

    # The editor's dry run shows the match, and nothing is imported.
    sign_in(page, live_server.url, "edna")
    page.goto(f"{live_server.url}/admin/cases/case/import/")
    upload(page, data)
    page.get_by_role("button", name="Check and import").click()
    matches = page.locator("#import-matches")
    expect(matches).to_contain_text(f"#{liu.pk}")
    expect(matches).to_contain_text("Liu Hu 刘虎 (public figure, 1 case)")
    expect(page.locator("#import-summary")).to_contain_text("choose whether to attach")
    assert Case.objects.count() == 1

    # The editor attaches the row to Liu Hu and imports.
    upload(page, data)
    page.get_by_label("Attach each such row to the person it matches").check()
    page.get_by_label("Dry run").uncheck()
    page.get_by_role("button", name="Check and import").click()
    expect(page.locator("#import-summary")).to_contain_text("2 case(s) were created")
    imported = Case.objects.get(external_key="rfa-2019-liu")
    assert imported.person_id == liu.pk and imported.publication_state == "draft"
    assert imported.amounts.get().kind == "fine"
    expect(page.locator("#import-rows")).to_contain_text(imported.public_id)

    # The reviewer selects the drafts on the case list and publishes them in one batch:
    # the list, one confirmation page, the result.
    reviewer = browser.new_context().new_page()
    sign_in(reviewer, live_server.url, "rui")
    loads = []
    reviewer.on("load", lambda _: loads.append(reviewer.url))
    reviewer.goto(f"{live_server.url}/admin/cases/case/?publication_state__exact=draft")
    reviewer.check("#action-toggle")
    reviewer.select_option("select[name=action]", "submit_and_publish")
    reviewer.locator("button[name=index]").first.click()
    expect(reviewer.locator("#bulk-cases tbody tr")).to_have_count(2)
    reviewer.get_by_role("button", name="Submit and publish: 2 cases").click()
    expect(reviewer.locator("#bulk-summary")).to_contain_text(
        "2 of 2 cases submitted and published"
    )
    assert len(loads) <= 4, loads
    assert set(Case.objects.values_list("publication_state", flat=True)) == {"published"}

    # The public person page lists all of Liu Hu's cases, the demo's and the imported one.
    visitor = browser.new_context().new_page()
    visitor.goto(f"{live_server.url}/people/{liu.pk}/")
    expect(visitor.get_by_role("heading", level=1)).to_contain_text("Liu Hu")
    for case in (demo, imported):
        expect(visitor.locator(f"a[href='/cases/{case.public_id}/']").first).to_be_visible()

    # The imported case: the untitled source named by its outlet and date, the figure as
    # reported, and a citation that points at the host this server runs on.
    visitor.goto(f"{live_server.url}/cases/{imported.public_id}/")
    expect(visitor.locator("ol.notes")).to_contain_text("Radio Free Asia (untitled)")
    expect(visitor.locator("body")).to_contain_text("a 200-yuan fine")
    permanent = f"{live_server.url}/cases/{imported.public_id}/"
    expect(visitor.locator(".cite .chicago")).to_contain_text(permanent)
    assert re.match(r"http://(localhost|127\.0\.0\.1):\d+$", live_server.url)
    assert "127.0.0.1:8000" not in visitor.content()
