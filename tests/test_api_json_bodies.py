"""JSON bodies have a size limit (413) and a nesting limit (400), both in the API's error
shape and both from settings; no body, however deep, makes the parser's RecursionError
escape as a 500."""

import io
import json

import pytest

from casefile.api.exceptions import ApiError
from casefile.api.parsers import BoundedJSONParser
from tests.api_support import auth, send_json, token
from tests.factories import make_capture, make_case, make_person

pytestmark = pytest.mark.django_db

EDITOR = "/api/v1/editor/cases/"


@pytest.fixture
def editor():
    return auth(token(groups=["editor"]))


def new_case(**fields):
    capture = make_capture()
    return {
        "person": make_person().pk,
        "summary": "Listed over rent.",
        "restrictions": [{"kind": "air_travel", "citations": [{"capture": capture.pk}]}],
        **fields,
    }


def nested(depth: int):
    """A value `depth` levels deep: [[[…]]]."""
    value = []
    for _ in range(depth - 1):
        value = [value]
    return value


def post_raw(client, body: str, headers):
    return client.post(EDITOR, data=body, content_type="application/json", headers=headers)


def test_a_case_with_its_parts_and_citations_is_well_within_both_limits(client, editor):
    response = send_json(client, "post", EDITOR, new_case(), headers=editor)
    assert response.status_code == 201, response.content


def test_a_body_over_the_size_limit_is_413_in_the_error_shape(client, editor, settings):
    settings.API_MAX_BODY_BYTES = 2000
    response = send_json(client, "post", EDITOR, new_case(summary="x" * 2000), headers=editor)
    assert response.status_code == 413
    body = response.json()
    assert body["status"] == 413
    assert body["code"] == "payload_too_large"
    assert "the limit is 2,000 bytes" in body["detail"]
    assert body["errors"] == [
        {"in": "body", "name": "", "code": "too_large", "message": "At most 2,000 bytes."}
    ]


def test_the_size_limit_is_the_setting(client, editor, settings):
    payload = new_case(summary="x" * 2000)
    settings.API_MAX_BODY_BYTES = len(json.dumps(payload))
    assert send_json(client, "post", EDITOR, payload, headers=editor).status_code == 201
    settings.API_MAX_BODY_BYTES -= 1
    assert send_json(client, "post", EDITOR, payload, headers=editor).status_code == 413


def test_a_body_longer_than_it_declared_is_cut_at_the_limit(settings):
    """Without a trustworthy Content-Length the parser reads no more than the limit
    allows before refusing."""
    stream = io.BytesIO(b"[" + b"0," * 1_000_000 + b"0]")
    with pytest.raises(ApiError) as refused:
        BoundedJSONParser().parse(stream, parser_context={})
    assert refused.value.status_code == 413
    assert stream.tell() == settings.API_MAX_BODY_BYTES + 1


@pytest.mark.parametrize("depth", [21, 1000, 100_000])
def test_a_body_nested_too_deep_is_400_and_never_a_recursion_error(client, editor, depth):
    body = json.dumps(new_case(summary="x"))[:-1] + ', "narrative": ' + "[" * depth
    body += "]" * depth + "}"
    response = post_raw(client, body, editor)
    assert response.status_code == 400
    error = response.json()
    assert error["code"] == "parse_error"
    assert error["detail"] == "The JSON body is nested more than 20 levels deep."
    assert error["errors"][0]["code"] == "too_deep"


def test_an_unclosed_deep_body_is_400_too(client, editor):
    response = post_raw(client, "[" * 200_000, editor)
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_the_depth_limit_is_the_setting_and_counts_every_level(client, editor, settings):
    at_the_limit = {**new_case(), "narrative": nested(19)}  # 20 with the body's object
    response = send_json(client, "post", EDITOR, at_the_limit, headers=editor)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_failed"  # parsed; then not text
    settings.API_MAX_JSON_DEPTH = 19
    response = send_json(client, "post", EDITOR, at_the_limit, headers=editor)
    assert response.json()["code"] == "parse_error"


def test_updates_have_the_same_limits(client, editor, settings):
    case = make_case(publication_state="draft")
    headers = {**editor, "If-Match": f'"{case.version}"'}
    response = client.patch(
        f"{EDITOR}{case.public_id}/",
        data=json.dumps({"summary": nested(50)}),
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    settings.API_MAX_BODY_BYTES = 10
    response = send_json(
        client, "patch", f"{EDITOR}{case.public_id}/", {"summary": "long enough"}, headers=headers
    )
    assert response.status_code == 413


def test_non_finite_numbers_are_not_json(client, editor):
    body = json.dumps(new_case())[:-1] + ', "amounts": [{"kind": "owed", "value": NaN}]}'
    response = post_raw(client, body, editor)
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
