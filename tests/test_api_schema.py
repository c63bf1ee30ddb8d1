"""The OpenAPI schema is complete and true: schemathesis drives every operation from
it (bounded examples each) and checks that no answer is a 5xx and every answer
matches the schema; the interactive documentation is served from our own files."""

import json
import re

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS as REGISTERED_CHECKS

from casefile.wsgi import application
from tests.api_support import auth, private_cases, rich_case, token

# Every check schemathesis has: no 5xx, answers as the schema says (status, content type,
# headers, body), authentication enforced, valid data accepted and invalid data refused…
CHECKS = REGISTERED_CHECKS.get_all()


@pytest.fixture
def wsgi_in_test_transaction():
    """Requests through the WSGI app, like the test client's, keep the test's connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def served_schema() -> dict:
    """The schema /api/v1/schema/ serves, generated without a request (no database yet:
    pytest collects this module before any test database exists)."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    document = SchemaGenerator(api_version="v1").get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


schema = schemathesis.openapi.from_dict(served_schema())
schema.app = application
# Valid requests (accepted, answered as documented) and invalid ones (refused with a 4xx).
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])


@pytest.fixture
def api_data(db, settings, wsgi_in_test_transaction):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anonymous": "100000/minute", "token": "100000/minute"},
    }
    cache.clear()
    rich_case()
    private_cases()


@pytest.fixture
def editor_headers(db):
    return auth(token(groups=["editor"], username="schemathesis-editor"))


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)
def test_every_operation_answers_as_the_schema_says(case, api_data, editor_headers):
    headers = editor_headers if "/editor/" in case.path else {}
    case.call_and_validate(headers=headers, checks=CHECKS)


@pytest.mark.django_db
def test_schema_documents_every_parameter_error_shape_and_auth(client):
    import yaml

    document = yaml.safe_load(client.get("/api/v1/schema/").content)
    assert document == served_schema()
    cases = document["paths"]["/api/v1/cases/"]["get"]
    names = {parameter["name"] for parameter in cases["parameters"]}
    from casefile.cases.filters import CaseFilter

    assert set(CaseFilter.base_filters) | {"cursor", "page_size"} == names
    restriction = next(p for p in cases["parameters"] if p["name"] == "restriction")
    assert "air_travel" in str(restriction["schema"])
    for code in ("200", "304", "400", "401", "406", "429"):
        assert code in cases["responses"]
    assert cases["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert document["components"]["securitySchemes"]["tokenAuth"]["in"] == "header"
    assert cases["security"] == [{"tokenAuth": []}, {}]  # reading needs no token
    patch = document["paths"]["/api/v1/editor/cases/{key}/"]["patch"]
    assert {"403", "412", "428"} <= set(patch["responses"])
    assert "409" not in patch["responses"]  # the editorial rule refuses with 403
    assert patch["responses"]["412"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/StaleVersionError"
    }
    assert any(p["name"] == "If-Match" for p in patch["parameters"])
    create = document["paths"]["/api/v1/editor/cases/"]["post"]
    assert create["security"] == [{"tokenAuth": []}]
    assert not {"404", "409", "412", "428"} & set(create["responses"])


@pytest.mark.django_db
def test_docs_page_loads_only_this_servers_assets(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(url.startswith("/") for url in assets), assets
    assert "<script>" not in html.replace(" ", "")  # no inline script: CSP stays strict
    assert "script-src 'self'" in page["Content-Security-Policy"]
    script = client.get(next(url for url in assets if "script=" in url))
    assert script.status_code == 200 and b"/api/v1/schema/" in script.content
