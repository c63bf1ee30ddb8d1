"""What Lighthouse checks, checked with Chromium itself (Lighthouse's own tooling is not
available here): on the main pages no console error, no failed or 4xx request (the
favicon included), a description of the page's own, a language and a viewport."""

import pytest

from tests.api_support import rich_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_main_pages_load_cleanly_with_a_favicon_and_descriptions(live_server, page):
    case = rich_case(summary="A journalist barred from flights after a defamation verdict.")
    problems, descriptions = [], set()
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    page.on(
        "response", lambda r: problems.append(f"{r.status}: {r.url}") if r.status >= 400 else None
    )
    for path in ("/", "/cases/?q=liu+hu", f"/cases/{case.public_id}/", "/about/",
                 f"/people/{case.person_id}/"):  # fmt: skip
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        description = page.locator('meta[name="description"]').get_attribute("content")
        assert description and len(description) > 30, path
        descriptions.add(description)
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.locator('meta[name="viewport"]').count() == 1
        icon = page.locator('link[rel="icon"]').get_attribute("href")
        response = page.request.get(live_server.url + icon)
        assert response.status == 200 and response.headers["content-type"].startswith("image/svg")
    assert problems == []
    assert len(descriptions) == 5
