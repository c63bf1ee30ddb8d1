"""The NDJSON export's stored records (CaseRecord): read back while their case is
unchanged, rebuilt after any change to it (the triggers move the case's updated_at),
with links for the host that asks, and never served for a case no longer published."""

import json

import pytest
from django.db import connection

from casefile.api import records
from casefile.api.models import CaseRecord
from casefile.authorities.models import Authority
from casefile.cases.models import Amount, Case, Citation, Event, Restriction
from casefile.people.models import Person
from casefile.sources.models import Source, SourceCapture
from tests.api_support import body, get_json, rich_case, tamper_with_stored_records
from tests.factories import make_capture, make_case

pytestmark = pytest.mark.django_db

MIRROR = "mirror.example.org"


@pytest.fixture(autouse=True)
def _mirror_host(settings):
    settings.ALLOWED_HOSTS = ["testserver", MIRROR]


def export(client, host="testserver") -> list[dict]:
    response = client.get("/api/v1/exports/cases.ndjson", HTTP_HOST=host)
    return [json.loads(line) for line in body(response).splitlines()]


def exported_as_the_api_shows(client, host="testserver") -> dict[str, dict]:
    """The export's records by id, each checked equal to the case's detail."""
    lines = export(client, host)
    for line in lines:
        assert line == get_json(client, f"/api/v1/cases/{line['id']}/", HTTP_HOST=host)
    return {line["id"]: line for line in lines}


def test_an_export_stores_the_records_and_the_next_reads_them(client):
    cases = [rich_case(), make_case()]
    first = exported_as_the_api_shows(client)
    assert set(CaseRecord.objects.values_list("case_id", flat=True)) == {c.pk for c in cases}
    tamper_with_stored_records()
    assert {line["summary"] for line in export(client)} == {
        "STORED " + case.summary for case in cases
    }
    Case.objects.filter(pk=cases[0].pk).update(summary="Corrected.")
    second = {line["id"]: line for line in export(client)}
    assert second[cases[0].public_id]["summary"] == "Corrected."  # rebuilt
    assert second[cases[1].public_id]["summary"].startswith("STORED ")  # still stored
    assert first[cases[1].public_id]["summary"] == cases[1].summary


def test_records_of_another_format_are_not_read(client, monkeypatch):
    make_case()
    export(client)
    tamper_with_stored_records()
    monkeypatch.setattr(records, "record_format", lambda paths: "changed-sql")
    assert [line["summary"] for line in exported_as_the_api_shows(client).values()] == [
        "Listed for an unpaid debt."
    ]
    assert CaseRecord.objects.get().format == "changed-sql"  # rebuilt and stored


def _first(model, case):
    return model.objects.filter(case=case).order_by("id")


# Every kind of change a case's record shows; each moves the case's updated_at.
CHANGES = {
    "case": lambda case: Case.objects.filter(pk=case.pk).update(reason_en="Changed reason."),
    "restriction": lambda case: _first(Restriction, case).update(details="Changed details."),
    "restriction added": lambda case: Restriction.objects.create(case=case, kind="loans_credit"),
    "restriction removed": lambda case: _first(Restriction, case)[:1].get().delete(),
    "amount": lambda case: _first(Amount, case).update(value="999.99"),
    "event": lambda case: _first(Event, case).update(description="Changed event."),
    "citation": lambda case: _first(Citation, case).update(locator="p. 99"),
    "citation added": lambda case: Citation.objects.create(
        case=case, capture=make_capture(), case_field="summary", quote="Added quote."
    ),
    "citation removed": lambda case: _first(Citation, case)[:1].get().delete(),
    "source": lambda case: Source.objects.filter(captures__citations__case=case).update(
        title="Changed title"
    ),
    "capture": lambda case: SourceCapture.objects.filter(citations__case=case).update(
        label="changed label"
    ),
    "authority": lambda case: Authority.objects.filter(cases=case).update(name="Changed court"),
    "person": lambda case: Person.objects.filter(cases=case).update(name_original="王改名"),
}


@pytest.mark.parametrize("change", CHANGES)
def test_any_change_to_a_case_shows_in_the_next_export(client, change):
    case, other = rich_case(), rich_case()
    before = exported_as_the_api_shows(client)
    CHANGES[change](case)
    after = exported_as_the_api_shows(client)
    assert after[case.public_id] != before[case.public_id]
    assert after[other.public_id] == before[other.public_id]


def test_a_case_that_left_the_published_dataset_is_not_exported(client):
    retracted, withheld, kept = rich_case(), rich_case(), make_case()
    export(client)
    assert CaseRecord.objects.count() == 3
    Case.objects.filter(pk=retracted.pk).update(publication_state="retracted")
    Person.objects.filter(cases=withheld).update(privacy="withheld")
    assert list(exported_as_the_api_shows(client)) == [kept.public_id]
    Case.objects.filter(pk=retracted.pk).update(publication_state="published")
    assert list(exported_as_the_api_shows(client)) == [retracted.public_id, kept.public_id]


def test_links_are_the_asking_hosts(client):
    case = rich_case(summary='Text like a link: "api_url" : "/x/", \\"page_url\\" : "/y/"')
    export(client)  # stored while serving testserver
    lines = exported_as_the_api_shows(client, host=MIRROR)
    record = lines[case.public_id]
    links = [record["api_url"], record["page_url"], record["authority"]["api_url"]]
    links += [c["capture"]["source"]["api_url"] for c in record["citations"]]
    assert all(link.startswith(f"http://{MIRROR}/") for link in links)
    assert record["summary"] == case.summary
    assert CaseRecord.objects.get(case=case).record.count("testserver") == 0


def test_only_records_of_unchanged_cases_are_stored(rf):
    case = make_case()
    with connection.cursor() as cursor:
        stored = records.StoredRecords(rf.get("/"))
        rows, built = stored.chunk(cursor, [case.pk])
        Case.objects.filter(pk=case.pk).update(summary="Changed meanwhile.")
        stored.store(cursor, built)
    assert json.loads(stored.lines(rows))["id"] == case.public_id and len(built) == 1
    assert not CaseRecord.objects.exists()


def test_a_deleted_cases_record_goes_with_it(client):
    deleted, kept = rich_case(), make_case()
    export(client)
    Case.objects.filter(pk=deleted.pk).delete()
    assert list(CaseRecord.objects.values_list("case_id", flat=True)) == [kept.pk]
