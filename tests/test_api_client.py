"""NGOs generate clients from the OpenAPI schema: one is generated here from the schema
the server serves (openapi-python-client), then used as they would use it: a filtered
list, one case by its id, its facets (following one by its `params`), and a page of the
change feed."""

import datetime
import importlib
import json
import sys
from pathlib import Path

import httpx
import pytest

from casefile.api.schema import OPERATION_IDS
from casefile.wsgi import application
from tests.api_support import private_cases, rich_case

pytestmark = pytest.mark.django_db

GENERATOR = Path(sys.executable).with_name("openapi-python-client")
CONFIG = {
    "project_name_override": "casefile_client",
    "package_name_override": "casefile_client",
    "post_hooks": [],
    # The NDJSON export is lines of JSON: handed over as text.
    "content_type_overrides": {"application/x-ndjson": "text/plain"},
}


@pytest.fixture
def generated_client(client, tmp_path):
    schema = client.get("/api/v1/schema/", headers={"Accept": "application/vnd.oai.openapi+json"})
    assert schema.status_code == 200
    (tmp_path / "schema.json").write_bytes(schema.content)
    (tmp_path / "config.json").write_text(json.dumps(CONFIG))
    import subprocess

    generated = subprocess.run(
        [GENERATOR, "generate", "--path", tmp_path / "schema.json", "--meta", "none",
         "--config", tmp_path / "config.json", "--output-path", tmp_path / "casefile_client"],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
    )  # fmt: skip
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert "Warning" not in generated.stdout, generated.stdout  # nothing left out
    sys.path.insert(0, str(tmp_path))
    try:
        package = importlib.import_module("casefile_client")
        yield package
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name.startswith("casefile_client")]:
            del sys.modules[name]


def test_a_generated_client_lists_fetches_facets_and_follows_the_feed(
    generated_client, wsgi_in_test_transaction
):
    from casefile_client import Client
    from casefile_client.api.cases import get_case, get_case_facets, list_cases
    from casefile_client.models import Case, ListCasesRestrictionItem

    case = rich_case()
    private_cases()
    client = Client(
        base_url="http://testserver",
        httpx_args={"transport": httpx.WSGITransport(app=application)},
    )
    air = [ListCasesRestrictionItem.AIR_TRAVEL]
    page = list_cases.sync(client=client, restriction=air, page_size=5)
    assert [item.id for item in page.results] == [case.public_id]
    assert isinstance(page.results[0], Case)

    one = get_case.sync(client=client, key=case.public_id.lower())  # a string id
    assert isinstance(one, Case) and one.id == case.public_id
    assert one.person.name == "Liu Hu (刘虎)"
    assert get_case.sync_detailed(client=client, key="ZZZZZZZZZZ").status_code == 404

    facets = get_case_facets.sync(client=client, restriction=air)
    assert facets.total == 1
    notified = facets.notified[0]
    assert (notified.value, notified.label) == (False, "No")
    params = notified.params.additional_properties
    assert params == {"notified": "no"}
    followed = client.get_httpx_client().get("/api/v1/cases/", params=params).json()
    assert [item["id"] for item in followed["results"]] == [case.public_id]

    feed = list_cases.sync(
        client=client, updated_since=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    )
    assert case.public_id in [item.id for item in feed.results]
    assert {item.state for item in feed.results} >= {"published"}


def test_every_operation_has_a_fixed_id_and_a_documented_error(client):
    document = client.get(
        "/api/v1/schema/", headers={"Accept": "application/vnd.oai.openapi+json"}
    ).json()
    seen = set()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert OPERATION_IDS[(method, path)] == operation["operationId"]
            seen.add((method, path))
            errors = [code for code in operation["responses"] if code.startswith("4")]
            assert errors, (method, path)
            for code in errors:
                content = operation["responses"][code]["content"]["application/json"]
                assert content["schema"]["$ref"].startswith("#/components/schemas/")
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    if parameter["name"] == "digest":
                        expected = "string"  # a SHA-256 in hex
                    else:
                        expected = "string" if "/cases/" in path else "integer"
                    assert parameter["schema"]["type"] == expected, (path, parameter)
    assert seen == set(OPERATION_IDS)
    case_key = document["paths"]["/api/v1/cases/{key}/"]["get"]["parameters"][0]["schema"]
    assert case_key["pattern"].startswith("^[0123456789ABCDEFGHJKMNPQRSTVWXYZ")
