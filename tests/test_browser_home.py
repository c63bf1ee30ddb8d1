"""A real Chromium opens the home page and follows a case link."""

import pytest

from tests.factories import make_case, make_person

# The live server runs in another thread and sees committed rows only.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_links_to_a_published_case(live_server, page):
    case = make_case(person=make_person(name_original="刘虎"), summary="A journalist listed.")
    page.goto(live_server.url)
    page.get_by_role("link", name="Liu Hu (刘虎)").click()
    page.wait_for_url(f"**{case.get_absolute_url()}")
    assert page.get_by_role("heading", level=1).inner_text() == "Liu Hu (刘虎)"
