"""A source known by its address: no title, named by its outlet and date, or its URL."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from casefile.sources.models import Source
from tests.factories import make_capture, make_case, make_citation, make_source

pytestmark = pytest.mark.django_db


def cited(source):
    case = make_case()
    make_citation(case, make_capture(source), case_field="listing")
    return case


def test_an_untitled_source_is_named_by_its_outlet_and_date_on_the_case_and_source_pages(
    client,
):
    source = make_source(
        title="",
        outlet="Sixth Tone",
        published_on=datetime.date(2019, 5, 1),
        published_on_precision="month",
        url="https://www.sixthtone.com/news/1003/",
    )
    case = cited(source)
    assert source.display_title == "Sixth Tone, May 2019"
    assert str(source) == "Sixth Tone, May 2019 (untitled)"
    page = client.get(case.get_absolute_url()).text
    notes = page.split('id="notes-heading"', 1)[1]
    assert ">Sixth Tone</a></cite> (untitled)" in notes
    assert "May 2019" in notes and "“”" not in notes
    detail = client.get(source.get_absolute_url()).text
    assert "<title>Sixth Tone, May 2019" in detail
    assert "(untitled)" in detail


def test_without_an_outlet_it_is_named_by_its_url(client):
    source = make_source(title="", outlet="", url="https://bbs.example.cn/thread/77")
    case = cited(source)
    assert source.display_title == "https://bbs.example.cn/thread/77"
    notes = client.get(case.get_absolute_url()).text.split('id="notes-heading"', 1)[1]
    assert ">https://bbs.example.cn/thread/77</a></cite> (untitled)" in notes


def test_a_source_needs_a_title_or_a_url():
    with pytest.raises(IntegrityError, match="source_has_title_or_url"), transaction.atomic():
        Source.objects.create(kind="other", title="", url="")
    make_source(title="", url="https://example.org/a")  # a URL is enough
    make_source(title="A title", url="")  # and so is a title
