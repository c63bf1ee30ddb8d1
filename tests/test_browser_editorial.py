"""In a real Chromium: an editor enters a cited case and submits it, a reviewer publishes
it, the public sees it, the reviewer retracts it and its address answers 410 Gone."""

import re

import pytest
from playwright.sync_api import expect

from casefile.cases.models import Case
from tests.factories import make_capture, make_person, make_source

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base_url, username):
    page.goto(f"{base_url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text(username)


def choose(page, select_id, search, option_text):
    """Pick an option of an admin autocomplete (select2) field."""
    page.locator(f"#{select_id} + .select2").click()
    page.locator(".select2-container--open .select2-search__field").fill(search)
    page.locator(".select2-results__option", has_text=option_text).first.click()


def test_a_case_from_entry_to_publication_to_retraction(live_server, page, browser, make_user):
    make_user("editor", "edna")
    make_user("reviewer", "rui")
    make_person(name_original="刘虎", occupation="journalist")
    make_capture(source=make_source(title="Blacklist report"), label="first version")

    # The editor enters the case with a restriction, an amount and citations.
    sign_in(page, live_server.url, "edna")
    page.goto(f"{live_server.url}/admin/cases/case/add/")
    choose(page, "id_person", "liu", "Liu Hu")
    page.fill("#id_summary", "A journalist barred from flights after a defamation verdict.")
    page.locator("#restrictions-group .add-row a").click()
    page.select_option("#id_restrictions-0-kind", "air_travel")
    choose(page, "id_restrictions-0-cite_capture", "Blacklist", "Blacklist report")
    page.locator("#amounts-group .add-row a").click()
    page.select_option("#id_amounts-0-kind", "fee")
    page.fill("#id_amounts-0-value", "1330")
    page.select_option("#id_amounts-0-currency", "CAD")
    choose(page, "id_amounts-0-cite_capture", "Blacklist", "Blacklist report")
    choose(page, "id_citations-0-capture", "Blacklist", "Blacklist report")
    page.select_option("#id_citations-0-case_field", "listing")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    case = Case.objects.get()
    assert case.publication_state == "draft" and case.citations.count() == 3
    page.goto(f"{live_server.url}/admin/cases/case/{case.pk}/change/")
    page.get_by_role("link", name="Submit for review").click()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".messagelist")).to_contain_text("submit for review — done")
    # An editor is offered no way to publish.
    expect(page.get_by_role("link", name="Publish")).to_have_count(0)

    # The reviewer finds it in the review queue and publishes it.
    reviewer_page = browser.new_context().new_page()
    sign_in(reviewer_page, live_server.url, "rui")
    reviewer_page.goto(f"{live_server.url}/editorial/")
    reviewer_page.locator("#review-queue").get_by_role("link", name=case.public_id).click()
    reviewer_page.get_by_role("link", name="Publish").click()
    expect(reviewer_page.locator("body")).to_contain_text("Every claim that needs a source has one")
    reviewer_page.get_by_role("button", name="Publish").click()
    expect(reviewer_page.locator(".messagelist")).to_contain_text("publish — done")

    # The public sees it.
    visitor = browser.new_context().new_page()
    response = visitor.goto(f"{live_server.url}{case.get_absolute_url()}")
    assert response.status == 200
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Liu Hu (刘虎)")

    # The reviewer retracts it; its address now answers 410 with the note.
    reviewer_page.get_by_role("link", name="Retract").click()
    reviewer_page.fill("#id_note", "The listing could not be confirmed.")
    reviewer_page.get_by_role("button", name="Retract").click()
    expect(reviewer_page.locator(".messagelist")).to_contain_text("retract — done")
    response = visitor.goto(f"{live_server.url}{case.get_absolute_url()}")
    assert response.status == 410
    expect(visitor.locator(".retraction-note")).to_have_text("The listing could not be confirmed.")
    expect(visitor.get_by_role("heading", level=1)).to_have_text(
        re.compile(f"Case {case.public_id} has been retracted")
    )
