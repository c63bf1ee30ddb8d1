"""Nothing unpublished, retracted or withheld appears on any public page, in the CSV, or in
any count; and a change of state shows at once, cached counts notwithstanding."""

import pytest

from casefile.people.models import Person
from tests.factories import (
    make_authority,
    make_capture,
    make_case,
    make_citation,
    make_person,
    make_restriction,
    make_source,
)

pytestmark = pytest.mark.django_db

HIDDEN_NAMES = ["张三", "Zhang San", "李四", "Li Si", "赵六", "Zhao Liu", "孙七", "Sun Qi"]


@pytest.fixture
def archive():
    """One visible case, and hidden ones: draft, in review, retracted, a withheld person, all
    under their own authority and source, with a restriction no visible case has."""
    visible = make_case(person=make_person(name_original="刘虎"), offence_category="unpaid_debt")
    make_restriction(visible, kind="air_travel")
    make_citation(visible)
    hidden_authority = make_authority(province="tibet")
    hidden_source = make_source(title="Hidden report")
    hidden = []
    for name, fields in [
        ("张三", {"publication_state": "draft"}),
        ("赵六", {"publication_state": "in_review"}),
        ("孙七", {"publication_state": "retracted"}),
        ("李四", {}),
    ]:
        person = make_person(name_original=name, privacy="withheld" if name == "李四" else "public")
        case = make_case(person=person, authority=hidden_authority, offence_category="theft",
                         **fields)  # fmt: skip
        make_restriction(case, kind="ringback_tone")
        make_citation(case, capture=make_capture(source=hidden_source))
        hidden.append(case)
    return {"visible": visible, "hidden": hidden, "authority": hidden_authority,
            "source": hidden_source}  # fmt: skip


def assert_no_hidden_names(text):
    for name in HIDDEN_NAMES:
        assert name not in text


def test_search_page_results_and_facet_counts(client, archive):
    for query in ("", "q=张三", "q=zhang+san", "q=li+si", "q=孙七", "offence=theft"):
        response = client.get(f"/cases/?{query}")
        assert response.status_code == 200
        # The page repeats the query in its title and search box; look past them.
        assert_no_hidden_names(response.text.split('<div class="layout">', 1)[1])
        for case in archive["hidden"]:
            assert case.public_id not in response.text
    html = client.get("/cases/").text
    assert "1 case" in html
    assert "Shaming ringback tone" not in html  # only hidden cases have it
    assert "Tibet" not in html
    assert "Theft" not in html


def test_csv(client, archive):
    text = b"".join(client.get("/cases/export.csv").streaming_content).decode()
    assert len(text.strip().splitlines()) == 2
    assert_no_hidden_names(text)


def test_home_totals_and_links(client, archive):
    html = client.get("/").text
    assert "<strong>1</strong> published case" in html
    assert "<strong>1</strong> person" in html
    assert "<strong>1</strong> source" in html
    assert_no_hidden_names(html)
    assert "Shaming ringback tone" not in html


def test_pages_of_things_with_no_published_case_are_404(client, archive):
    for case in archive["hidden"]:
        # A retracted case is gone (410, with only its retraction note); the rest never were.
        gone = case.publication_state == "retracted" and case.person.privacy != "withheld"
        assert client.get(case.get_absolute_url()).status_code == (410 if gone else 404)
        assert client.get(case.person.get_absolute_url()).status_code == 404
    assert client.get(archive["authority"].get_absolute_url()).status_code == 404
    assert client.get(archive["source"].get_absolute_url()).status_code == 404


def test_retracting_or_withholding_shows_at_once_despite_the_cache(client, archive):
    visible = archive["visible"]
    assert "1 case" in client.get("/cases/").text
    assert "<strong>1</strong> published case" in client.get("/").text
    Person.objects.filter(pk=visible.person_id).update(privacy="withheld")
    assert "No cases found" in client.get("/cases/").text
    assert "<strong>0</strong> published cases" in client.get("/").text
    Person.objects.filter(pk=visible.person_id).update(privacy="public")
    assert "1 case" in client.get("/cases/").text
    type(visible).objects.filter(pk=visible.pk).update(publication_state="retracted")
    assert "No cases found" in client.get("/cases/").text
    assert "Air travel" not in client.get("/cases/").text


def test_deleting_a_case_shows_at_once_despite_the_cache(client, archive):
    assert "1 case" in client.get("/cases/").text
    archive["visible"].citations.all().delete()
    archive["visible"].delete()
    assert "No cases found" in client.get("/cases/").text
