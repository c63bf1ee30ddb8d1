"""In a real Chromium: a saved HTML page with scripts, kept and shared publicly, is shown
in the viewer's sandboxed frame and opened directly, and none of its scripts runs, nor
does it load anything."""

import pytest
from playwright.sync_api import expect

from tests.capture_support import keep
from tests.factories import make_capture, make_case, make_citation, make_person, make_source

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOSTILE_PAGE = b"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>Saved page</title>
<script>console.log("SCRIPT RAN"); document.title = "script ran";
try { parent.document.body.innerHTML = "taken over"; } catch (e) { console.log("SCRIPT RAN " + e); }
fetch("/?script-ran=1");</script></head>
<body onload="console.log('SCRIPT RAN onload')">
<p id="kept">The words of the saved page.</p>
<img src="x" onerror="console.log('SCRIPT RAN onerror')">
<img src="https://tracker.example.org/pixel.gif">
<a href="javascript:console.log('SCRIPT RAN link')" id="link">a link</a>
</body></html>"""


def test_a_kept_page_with_scripts_runs_none_of_them(live_server, page):
    source = make_source(sharing="public")
    capture = make_capture(source)
    make_citation(make_case(person=make_person(privacy="public")), capture)
    kept = keep(capture, HOSTILE_PAGE)
    messages, requests, failures = [], [], {}
    page.on("console", lambda message: messages.append(message.text))
    page.on("request", lambda request: requests.append(request.url))
    page.on("requestfailed", lambda request: failures.setdefault(request.url, request.failure))

    page.goto(f"{live_server.url}/captures/{capture.pk}/files/{kept.sha256}/view/")
    frame = page.frame_locator("iframe.kept-page")
    expect(frame.locator("#kept")).to_have_text("The words of the saved page.")
    frame.locator("#link").click()
    page.wait_for_timeout(500)
    expect(page.locator("h1")).to_contain_text("Saved page")  # the viewer is untouched

    # Opened on its own, the frame's address is sandboxed by its own header.
    page.goto(f"{live_server.url}/captures/{capture.pk}/files/{kept.sha256}/view/frame")
    expect(page.locator("#kept")).to_have_text("The words of the saved page.")
    assert page.title() == "Saved page"
    page.wait_for_timeout(500)

    assert not [m for m in messages if "SCRIPT RAN" in m], messages
    assert not [url for url in requests if "script-ran" in url]
    # The page's own resources are refused by its Content-Security-Policy, not fetched.
    tracker = "https://tracker.example.org/pixel.gif"
    assert tracker in requests
    assert failures[tracker] == "csp", failures  # blocked by the policy before any network
