"""Person, source and authority pages: published cases only."""

import pytest

from tests.factories import (
    make_authority,
    make_capture,
    make_case,
    make_citation,
    make_person,
    make_source,
)

pytestmark = pytest.mark.django_db


def test_person_page_lists_only_published_cases(client):
    person = make_person(name_original="刘虎", aliases=["Liu Hu the blogger"])
    shown = make_case(person=person)
    draft = make_case(person=person, publication_state="draft")
    html = client.get(person.get_absolute_url()).text
    assert shown.get_absolute_url() in html
    assert draft.get_absolute_url() not in html
    assert "Liu Hu the blogger" in html


def test_pseudonymised_person_page_shows_no_real_name_or_alias(client):
    person = make_person(name_original="王五", privacy="pseudonymised", pseudonym="W.",
                         aliases=["Wang the baker"])  # fmt: skip
    make_case(person=person)
    html = client.get(person.get_absolute_url()).text
    assert "W." in html
    for hidden in ("王五", "Wang Wu", "Wang the baker"):
        assert hidden not in html


def test_source_page_shows_its_cited_captures_and_citing_cases(client):
    source = make_source(title="The report", authors=["A. Writer"])
    first = make_capture(
        source=source, label="as first published", archive_url="https://archive.example/1"
    )
    revised = make_capture(source=source, label="revised version")
    unused = make_capture(source=source, label="draft-only capture")
    citing = make_case()
    make_citation(citing, capture=first)
    make_citation(citing, capture=revised)
    make_citation(make_case(publication_state="draft"), capture=unused)
    html = client.get(source.get_absolute_url()).text
    assert "as first published" in html and "revised version" in html
    assert "https://archive.example/1" in html
    assert "draft-only capture" not in html
    assert "A. Writer" in html
    assert citing.get_absolute_url() in html
    assert "1 published case citing it" in html


def test_authority_page_lists_its_published_cases_by_page(client):
    authority = make_authority(
        name="Wuhan Intermediate People's Court", name_original="武汉市中级人民法院"
    )
    cases = [make_case(authority=authority) for _ in range(51)]
    make_case(authority=authority, publication_state="retracted")
    first = client.get(authority.get_absolute_url())
    assert "51 published cases" in first.text
    assert '<span lang="zh-Hans">武汉市中级人民法院</span>' in first.text
    assert first.text.count('class="result"') == 50
    second = client.get(authority.get_absolute_url(), {"page": "2"})
    assert second.text.count('class="result"') == 1
    assert client.get(authority.get_absolute_url(), {"page": "9"}).status_code == 404
    assert len(cases) == 51
    # A parameter these pages do not read is not carried into their paging links.
    noisy = client.get(authority.get_absolute_url(), {"utm_source": "x", "page": "1"})
    assert 'rel="next" href="?page=2"' in noisy.text
    assert "utm_source" not in noisy.text
