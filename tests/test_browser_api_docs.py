"""A real Chromium opens the interactive API documentation: it renders every operation
from this server's own files, with the strict Content-Security-Policy in force."""

from urllib.parse import urlsplit

import pytest
from django.core.cache import cache

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_api_docs_render_from_this_server_only(live_server, page):
    cache.clear()
    origin = urlsplit(live_server.url).netloc
    problems, hosts = [], set()
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", lambda request: hosts.add(urlsplit(request.url).netloc))
    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() >= 10
    assert page.get_by_text("/api/v1/cases/{key}/").first.is_visible()
    assert hosts == {origin}, hosts
    assert problems == [], problems
