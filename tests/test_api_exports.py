"""Bulk exports: every NDJSON record is the API's own representation of the case; the
CSV has one row per published case under the documented columns."""

import csv
import io
import json

import pytest
from django.core.management import call_command

from casefile.api.exports import CSV_HEADER
from casefile.api.models import ApiToken
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


def test_csv_has_the_documented_columns_and_defuses_formulas(client):
    case = rich_case(summary='=HYPERLINK("http://evil")')
    pseudonymised = private_cases()[0]
    response = client.get("/api/v1/exports/cases.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="casefile-cases.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(body(response))))
    assert list(rows[0]) == CSV_HEADER
    by_id = {row["id"]: row for row in rows}
    assert set(by_id) == {case.public_id, pseudonymised.public_id}
    row = by_id[case.public_id]
    assert row["person"] == "Liu Hu (刘虎)" and row["person_privacy"] == "public"
    assert row["summary"].startswith("'=")
    assert row["listed"] == "2017-03" and row["notified"] == "no"
    assert row["restrictions"] == "air_travel;high_speed_rail"
    assert row["amounts"] == "fee 1330.00 CAD; paid 115.00 CAD"
    assert row["sources"] == "1" and row["province"] == "guizhou"
    assert by_id[pseudonymised.public_id]["person"] == "Unnamed man, Hubei"


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
