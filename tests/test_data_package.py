"""The data package (/api/v1/exports/datapackage.json) and the exports it describes:
each resource is downloaded as a client would and validated with `frictionless`
against its Table Schema; the tables hold only what the privacy rules allow."""

import csv
import io
import json
from urllib.parse import urlsplit

import pytest
from frictionless import Package

from tests.api_support import (
    SECRET_ALIAS,
    SECRET_NAME,
    SECRET_ROMANISED,
    WITHHELD_NAME,
    body,
    private_cases,
    rich_case,
)

pytestmark = pytest.mark.django_db
LICENCE = '<https://creativecommons.org/licenses/by/4.0/>; rel="license"'


@pytest.fixture
def archive():
    case = rich_case()
    shown, withheld, hidden = private_cases()
    return {"case": case, "shown": shown, "withheld": withheld, "hidden": hidden}


def download(client, url):
    response = client.get(
        urlsplit(url).path + (f"?{urlsplit(url).query}" if urlsplit(url).query else "")
    )
    assert response.status_code == 200, body(response)
    return response, body(response)


def rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_the_package_and_every_resource_validate(client, archive, tmp_path):
    descriptor = client.get("/api/v1/exports/datapackage.json").json()
    assert descriptor["licenses"] == [
        {"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
         "title": "Creative Commons Attribution 4.0 International"}
    ]  # fmt: skip
    assert descriptor["sources"] and "not covered by this licence" in descriptor["description"]
    names = [resource["name"] for resource in descriptor["resources"]]
    assert names == ["cases", "persons", "sources", "citations", "cases-ndjson"]
    for resource in descriptor["resources"]:
        response, text = download(client, resource["path"])
        assert response["Link"] == LICENCE
        local = f"{resource['name']}.{resource['format']}"
        (tmp_path / local).write_text(text, encoding="utf-8")
        resource["path"] = local
    for field in descriptor["resources"][0]["schema"]["fields"]:
        assert field["description"] and field["type"]
    fields = {f["name"]: f for f in descriptor["resources"][0]["schema"]["fields"]}
    assert "air_travel" in fields["restrictions"]["description"]
    assert fields["offence"]["constraints"]["enum"][0] == "defamation_speech"
    reliability = next(
        f for f in descriptor["resources"][2]["schema"]["fields"] if f["name"] == "reliability"
    )
    assert "highly_reliable" in reliability["constraints"]["enum"]
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    report = Package(str(tmp_path / "datapackage.json")).validate()
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])
    assert [task.stats["rows"] for task in report.tasks][:4] == [2, 2, 1, 4]
    # The checks bite: a value outside its vocabulary is an error.
    broken = (tmp_path / "cases.csv").read_text().replace("defamation_speech", "slander")
    (tmp_path / "cases.csv").write_text(broken)
    assert not Package(str(tmp_path / "datapackage.json")).validate().valid


def test_the_tables_hold_only_what_privacy_allows(client, archive):
    _, persons = download(client, "/api/v1/exports/persons.csv")
    _, sources = download(client, "/api/v1/exports/sources.csv")
    _, citations = download(client, "/api/v1/exports/citations.csv")
    for text in (persons, sources, citations):
        for secret in (SECRET_NAME, SECRET_ROMANISED, SECRET_ALIAS, WITHHELD_NAME, "Only cites"):
            assert secret not in text
    people = rows(persons)
    assert {(p["name"], p["privacy"], p["cases"]) for p in people} == {
        ("Liu Hu (刘虎)", "public", "1"),
        ("Unnamed man, Hubei", "pseudonymised", "1"),
    }
    assert {p["id"] for p in people} == {
        str(archive["case"].person_id),
        str(archive["shown"].person_id),
    }
    (capture,) = rows(sources)
    assert (capture["title"], capture["capture_label"]) == ("Court notice", "first")
    assert capture["authors"] == "A. Writer; B. Writer" and capture["published"] == "2017-03"
    assert capture["sha256"] == "a" * 64 and capture["captured_at"].endswith("Z")
    claims = {(c["case_id"], c["claim_kind"], c["claim"], c["quote"]) for c in rows(citations)}
    public_id = archive["case"].public_id
    assert claims == {
        (public_id, "restriction", "air_travel", "not qualified"),
        (public_id, "amount", "fee 1330.00 CAD", ""),
        (public_id, "event", "2017 verdict", ""),
        (public_id, "case_field", "reason", "拒不履行"),
    }
    assert all(c["capture_id"] == capture["capture_id"] for c in rows(citations))


def test_a_byte_order_mark_for_spreadsheets(client, archive):
    for path in ("/api/v1/exports/cases.csv", "/api/v1/exports/persons.csv",
                 "/api/v1/exports/sources.csv", "/api/v1/exports/citations.csv",
                 "/cases/export.csv"):  # fmt: skip
        plain = body(client.get(path)).encode()
        marked = client.get(f"{path}?bom=1")
        assert marked["Link"] == LICENCE
        content = b"".join(marked.streaming_content)
        assert content.startswith(b"\xef\xbb\xbf") and not plain.startswith(b"\xef\xbb\xbf")
        assert content[3:] == plain, path
        assert client.get(f"{path}?bom=maybe").status_code == 400, path
    assert client.get("/api/v1/exports/cases.ndjson?bom=1").status_code == 400  # not CSV


def test_exports_are_conditional_and_count_against_the_quota(client, archive, settings):
    settings.EXPORT_QUOTA = "2/hour"
    first = client.get("/api/v1/exports/persons.csv")
    b"".join(first.streaming_content)
    again = client.get("/api/v1/exports/persons.csv", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert client.get("/api/v1/exports/citations.csv").status_code == 200
    assert client.get("/api/v1/exports/sources.csv").status_code == 429


def test_info_links_the_package_and_states_the_licence(client, archive):
    info = client.get("/api/v1/info/").json()
    assert info["exports"]["datapackage"].endswith("/api/v1/exports/datapackage.json")
    for name in ("persons_csv", "sources_csv", "citations_csv"):
        assert client.get(info["exports"][name]).status_code == 200
    assert info["license"]["name"] == "CC-BY-4.0"
    assert "quoted" in info["license"]["exception"].lower()


def test_the_licence_is_set_once_in_settings(client, archive, settings):
    settings.DATA_LICENSE = "CC0-1.0"
    settings.DATA_LICENSE_TITLE = "CC0 1.0 Universal"
    settings.DATA_LICENSE_URL = "https://creativecommons.org/publicdomain/zero/1.0/"
    assert "CC0 1.0 Universal" in client.get("/").text
    assert client.get("/api/v1/info/").json()["license"]["name"] == "CC0-1.0"
    package = client.get("/api/v1/exports/datapackage.json").json()
    assert package["licenses"][0]["name"] == "CC0-1.0"
    response = client.get("/api/v1/exports/cases.ndjson")
    assert response["Link"] == '<https://creativecommons.org/publicdomain/zero/1.0/>; rel="license"'
