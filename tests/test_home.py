import re

import pytest

from tests.factories import make_case, make_person

pytestmark = pytest.mark.django_db


def test_home_lists_published_cases_only(client):
    make_case(person=make_person(name_original="刘虎"))
    make_case(person=make_person(name_original="张三"), publication_state="draft")
    make_case(person=make_person(name_original="李四", privacy="withheld"))
    make_case(person=make_person(name_original="王五", privacy="pseudonymised", pseudonym="W."))
    response = client.get("/")
    assert response.status_code == 200
    assert 'Liu Hu (<span lang="zh-Hans">刘虎</span>)' in response.text  # marked as Chinese
    for hidden in ("张三", "李四", "Li Si", "王五", "Wang Wu"):
        assert hidden not in response.text
    assert "W." in response.text


def test_pages_load_nothing_from_other_servers(client):
    response = client.get("/")
    assert response["Content-Security-Policy"].startswith("default-src 'self'")
    # What a browser loads: scripts, images, frames, and <link>s other than links to
    # follow (the feed, the licence). The page names other addresses (its permanent
    # address, the licence's) without loading them.
    loaded = re.findall(r'<(?:script|img|iframe)[^>]* src="([^"]+)"', response.text)
    loaded += [
        href
        for tag, href in re.findall(r'(<link[^>]* href="([^"]+)"[^>]*>)', response.text)
        if 'rel="alternate"' not in tag and 'rel="license"' not in tag
    ]
    assert loaded and all(url.startswith("/") for url in loaded), loaded
