"""Bulk exports: every NDJSON record is the API's own representation of the case; the
CSV is the one CSV format (test_csv), one row per published case, by id."""

import csv
import io
import json

import pytest
import yaml
from django.core.management import call_command

from casefile.api.models import ApiToken
from casefile.cases.exports import COLUMNS, HEADER
from tests.api_support import body, get_json, private_cases, rich_case
from tests.factories import make_case, make_person

pytestmark = pytest.mark.django_db


def test_each_ndjson_line_equals_the_case_detail(client):
    cases = [rich_case(), make_case(), private_cases()[0]]
    make_case(person=make_person(name_original="", name_romanized="Xie Wen"), notified=True)
    response = client.get("/api/v1/exports/cases.ndjson")
    assert response["Content-Type"].startswith("application/x-ndjson")
    assert response.streaming
    lines = body(response).splitlines()
    assert len(lines) == 4
    for line in lines:
        record = json.loads(line)
        assert record == get_json(client, f"/api/v1/cases/{record['id']}/")
    assert {json.loads(line)["id"] for line in lines} >= {case.public_id for case in cases}


def csv_rows(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8; header=present"
    text = body(response)
    assert text.splitlines()[0] == ",".join(HEADER)
    return response, list(csv.DictReader(io.StringIO(text)))


def test_csv_is_the_search_pages_format_for_every_published_case_by_id(client):
    cases = [rich_case(summary='=HYPERLINK("http://evil")'), private_cases()[0], make_case()]
    response, rows = csv_rows(client, "/api/v1/exports/cases.csv")
    assert 'filename="casefile-cases.csv"' in response["Content-Disposition"]
    assert [row["id"] for row in rows] == [case.public_id for case in cases]  # by id
    by_id = {row["id"]: row for row in rows}
    row = by_id[cases[0].public_id]
    assert row["person"] == "Liu Hu (刘虎)" and row["person_privacy"] == "public"
    assert row["summary"].startswith("'=")
    assert row["restrictions"] == "air_travel;high_speed_rail"
    assert by_id[cases[1].public_id]["person"] == "Unnamed man, Hubei"
    # The search page's download of everything: the same rows, in the search's order.
    _, searched = csv_rows(client, "/cases/export.csv")
    assert sorted(searched, key=lambda row: row["id"]) == sorted(rows, key=lambda r: r["id"])


def test_the_schema_documents_the_csv_columns(client):
    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    description = schema["paths"]["/api/v1/exports/cases.csv"]["get"]["description"]
    assert all(f"`{column.name}`: {column.description}" in description for column in COLUMNS)


def test_info_gives_counts_links_and_a_watermark(client):
    rich_case()
    info = get_json(client, "/api/v1/info/")
    assert info["counts"]["cases"] == 1
    assert info["exports"]["ndjson"].endswith("/api/v1/exports/cases.ndjson")
    assert info["last_modified"] and info["feed_watermark"]
    assert info["documentation"].endswith("/api/docs/")


def test_create_api_token_prints_a_key_that_works(client, django_user_model, capsys):
    django_user_model.objects.create_user("ngo", password="x")
    call_command("create_api_token", "ngo", "--name", "mirror")
    key = capsys.readouterr().out.strip()
    token = ApiToken.objects.get()
    assert not token.can_write and token.key_hash != key
    response = client.get("/api/v1/cases/", headers={"Authorization": f"Token {key}"})
    assert response.status_code == 200
