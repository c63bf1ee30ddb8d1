"""The case page: facts, restrictions, amounts, timeline and narrative, each claim with a
numbered footnote into a list of sources; two versions of a source that disagree."""

import re

import pytest

from casefile.cases.demo_loader import load_demo
from casefile.cases.models import Case
from tests.factories import make_case, make_citation, make_person

pytestmark = pytest.mark.django_db

LIU_HU = "FK2A1DV80A"


@pytest.fixture
def demo():
    load_demo()


def notes(html: str) -> dict[str, str]:
    """The references list: note anchor -> its text."""
    section = html.split('<ol class="notes">', 1)[1].split("</ol>", 1)[0]
    return dict(re.findall(r'<li id="(note-\d+)">(.*?)</li>', section, re.S))


def test_every_footnote_mark_leads_to_a_full_reference(client, demo):
    response = client.get(f"/cases/{LIU_HU}/")
    assert response.status_code == 200
    html = response.text
    marks = re.findall(r'<a href="#(note-\d+)" id="(ref-\d+-\d+)"', html)
    references = notes(html)
    assert len(marks) >= 15
    assert {note for note, _ in marks} == set(references)
    # Numbered in the order they first appear.
    first_seen = list(dict.fromkeys(note for note, _ in marks))
    assert first_seen == [f"note-{n}" for n in range(1, len(references) + 1)]
    for text in references.values():
        for part in (
            "Chinese blacklist an early glimpse of sweeping new social-credit control",
            "The Globe and Mail",
            "Nathan VanderKlippe",
            "January 2018",
            "https://www.theglobeandmail.com/news/world/",
            "archived copy",
            'captured <a class="capture" href="/captures/',  # each note links its capture
        ):
            assert part in text
    # Each mark's anchor is linked back from its note.
    for note, anchor in marks:
        assert f'href="#{anchor}"' in references[note]


def test_quoted_passage_is_shown_in_its_note(client, demo):
    references = notes(client.get(f"/cases/{LIU_HU}/").text)
    assert any("<blockquote" in text and "“not qualified”" in text for text in references.values())


def test_both_figures_of_a_revised_source_are_shown_each_with_its_capture(client, demo):
    html = client.get(f"/cases/{LIU_HU}/").text
    references = notes(html)
    rows = re.findall(r'<tr class="differs">(.*?)</tr>', html, re.S)
    assert len(rows) == 2
    shown = {}
    for row in rows:
        figure = re.search(r"<td>(at least \$1,330|\$2,900)<sup", row).group(1)
        note = re.search(r'<a href="#(note-\d+)" id=', row).group(1)
        shown[figure] = references[note]
        assert "Sources differ" in row
    assert "revised version" in shown["at least $1,330"]
    assert "10 January 2018" in shown["at least $1,330"]
    assert "as first published" in shown["$2,900"]
    assert "3 January 2018" in shown["$2,900"]


def test_key_facts_partial_dates_and_language(client, demo):
    html = client.get(f"/cases/{LIU_HU}/").text
    assert '<h1>Liu Hu (<span lang="zh-Hans">刘虎</span>)</h1>' in html
    assert "SPC list of dishonest judgment debtors" in html
    assert '<time datetime="2013">2013</time>' in html  # known only to the year
    assert '<time datetime="2018-01">January 2018</time>' in html
    assert "No; learned of the listing: 2017" in html
    assert "Barred from top-tier (high-speed) trains." in html


def test_a_pseudonymised_person_is_shown_by_pseudonym_only(client):
    case = make_case(
        person=make_person(name_original="王五", privacy="pseudonymised", pseudonym="W. W.")
    )
    html = client.get(case.get_absolute_url()).text
    assert "W. W." in html
    assert "王五" not in html and "Wang Wu" not in html


@pytest.mark.parametrize("state", ["draft", "in_review"])
def test_unpublished_cases_have_no_page(client, state):
    case = make_case(publication_state=state)
    assert client.get(case.get_absolute_url()).status_code == 404


def test_a_retracted_case_is_gone_and_shows_nothing_but_its_retraction(client):
    case = make_case(
        person=make_person(name_original="刘虎"),
        publication_state="retracted",
        summary="A summary that must no longer be shown.",
        retraction_note="The source was found to be unreliable.",
    )
    response = client.get(case.get_absolute_url())
    assert response.status_code == 410
    assert "The source was found to be unreliable." in response.text
    for hidden in ("A summary that must no longer be shown.", "刘虎", "Liu Hu"):
        assert hidden not in response.text


def test_cases_of_withheld_people_have_no_page(client):
    case = make_case(person=make_person(name_original="李四", privacy="withheld"))
    assert client.get(case.get_absolute_url()).status_code == 404


def test_public_id_is_read_in_any_case(client, demo):
    assert client.get(f"/cases/{LIU_HU.lower()}/").status_code == 200


def test_case_page_query_count_does_not_grow_with_citations(client, django_assert_max_num_queries):
    case = make_case()
    for _ in range(10):
        make_citation(case)
    with django_assert_max_num_queries(6):
        assert client.get(case.get_absolute_url()).status_code == 200
    assert Case.objects.get(pk=case.pk).citations.count() == 10
