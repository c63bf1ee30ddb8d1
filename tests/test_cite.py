"""Cite this case: BibTeX, RIS, CSL-JSON and Chicago, each naming the archive, the public id,
the permanent URL and the access date."""

import json

import pytest
from django.utils import timezone

from tests.factories import make_case, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(settings):
    settings.SITE_URL = "https://casefile.example.org"
    case = make_case(person=make_person(name_original="刘虎"), published_at=timezone.now())
    return case


def permanent_url(case):
    return f"https://casefile.example.org/cases/{case.public_id}/"


def download(client, case, fmt):
    response = client.get(f"/cases/{case.public_id}/cite.{fmt}")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="casefile-{case.public_id.lower()}.{fmt}"'
    )
    return response


def test_bibtex(client, case):
    response = download(client, case, "bib")
    assert response["Content-Type"].startswith("application/x-bibtex")
    text = response.content.decode()
    assert text.startswith(f"@misc{{casefile-{case.public_id.lower()},")
    assert "author = {{Casefile}}" in text
    assert f"number = {{{case.public_id}}}" in text
    assert f"url = {{{permanent_url(case)}}}" in text
    assert f"urldate = {{{timezone.localdate().isoformat()}}}" in text
    assert "Liu Hu (刘虎)" in text


def test_bibtex_escapes_special_characters(client, settings):
    case = make_case(person=make_person(name_original="", name_romanized="A & B_{x}"))
    text = download(client, case, "bib").content.decode()
    assert r"A \& B\_\{x\}" in text


def test_ris(client, case):
    text = download(client, case, "ris").content.decode()
    lines = text.split("\r\n")
    assert lines[0] == "TY  - ELEC"
    assert f"UR  - {permanent_url(case)}" in lines
    assert "T2  - Casefile" in lines
    assert f"M1  - {case.public_id}" in lines
    assert f"Y2  - {timezone.localdate():%Y/%m/%d}" in lines
    assert lines[-2] == "ER  -"


def test_csl_json(client, case):
    response = download(client, case, "json")
    assert response["Content-Type"].startswith("application/vnd.citationstyles.csl+json")
    [item] = json.loads(response.content)
    today = timezone.localdate()
    assert item["type"] == "webpage"
    assert item["container-title"] == "Casefile"
    assert item["number"] == case.public_id
    assert item["URL"] == permanent_url(case)
    assert item["accessed"] == {"date-parts": [[today.year, today.month, today.day]]}
    assert "刘虎" in item["title"]


def test_chicago_citation_on_the_page(client, case):
    html = client.get(case.get_absolute_url()).text
    today = timezone.localdate()
    chicago = html.split('<p class="chicago">', 1)[1].split("</p>", 1)[0]
    assert chicago.startswith("Casefile. “Case ")
    assert case.public_id in chicago
    assert f"Accessed {today:%B} {today.day}, {today.year}." in chicago
    assert permanent_url(case) in chicago
    for fmt in ("bib", "ris", "json"):
        assert f'href="/cases/{case.public_id}/cite.{fmt}"' in html


def test_unknown_format_and_unpublished_cases_give_404(client, case):
    assert client.get(f"/cases/{case.public_id}/cite.docx").status_code == 404
    draft = make_case(publication_state="draft")
    assert client.get(f"/cases/{draft.public_id}/cite.bib").status_code == 404
