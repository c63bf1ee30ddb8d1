"""Bounded writes: a case is written with at most CASE_MAX_PARTS parts of each kind (and
citations per part) and CASE_MAX_CITATIONS citations in all, through the API (refused
before a part is read) and through the services scripts call."""

import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casefile.cases import services
from casefile.cases.models import Case
from tests.api_support import auth, send_json, token
from tests.factories import make_capture, make_case, make_person

pytestmark = pytest.mark.django_db

EDITOR = "/api/v1/editor/cases/"


@pytest.fixture
def editor():
    return auth(token(groups=["editor"]))


@pytest.fixture
def small_limits(settings):
    settings.CASE_MAX_PARTS = 3
    settings.CASE_MAX_CITATIONS = 5


def body_errors(response):
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "validation_failed"
    return {(error["name"], error["code"]) for error in body["errors"]}


def test_twenty_thousand_restrictions_are_refused_before_any_is_read(client, editor, settings):
    settings.API_MAX_BODY_BYTES = 10 * 1024 * 1024  # the parts limit, not the body's size
    person = make_person()
    restriction = {"kind": "air_travel", "citations": [{"capture": 987654}]}  # no such capture
    payload = {"person": person.pk, "restrictions": [restriction] * 20_000}
    started = time.monotonic()
    with CaptureQueriesContext(connection) as queries:
        response = send_json(client, "post", EDITOR, payload, headers=editor)
    assert time.monotonic() - started < 2
    assert body_errors(response) == {("restrictions", "max_length")}
    assert "at most 50 restrictions" in response.json()["errors"][0]["message"]
    assert not [query for query in queries if "sources_sourcecapture" in query["sql"]]
    assert not Case.objects.exists()


def test_each_kind_of_part_and_each_parts_citations_are_limited(client, editor, small_limits):
    person, capture = make_person(), make_capture()
    cite = {"capture": capture.pk}
    payload = {
        "person": person.pk,
        "amounts": [{"kind": "owed", "value": "1", "currency": "CAD"}] * 4,
        "events": [{"occurred": "2017", "kind": "listed", "description": "Listed."}] * 4,
        "citations": [{**cite, "claim": "summary"}] * 4,
        "restrictions": [{"kind": "air_travel"}, {"kind": "loans_credit", "citations": [cite] * 4}],
    }
    assert body_errors(send_json(client, "post", EDITOR, payload, headers=editor)) == {
        ("amounts", "max_length"),
        ("events", "max_length"),
        ("citations", "max_length"),
        ("restrictions[1].citations", "max_length"),
    }
    assert not Case.objects.exists()


def test_citations_in_all_are_limited_where_the_list_passes_the_limit(client, editor, small_limits):
    person, capture = make_person(), make_capture()
    cite = {"capture": capture.pk}
    payload = {
        "person": person.pk,
        "restrictions": [{"kind": "air_travel", "citations": [cite] * 3}],
        "events": [
            {"occurred": "2017", "kind": "listed", "description": "x", "citations": [cite] * 2}
        ],
        "citations": [{**cite, "claim": "summary"}],
    }
    response = send_json(client, "post", EDITOR, payload, headers=editor)
    assert body_errors(response) == {("citations", "max_length")}
    assert "at most 5 citations in all" in response.json()["errors"][0]["message"]
    del payload["citations"]  # five: as many as allowed
    assert send_json(client, "post", EDITOR, payload, headers=editor).status_code == 201


def test_an_update_is_limited_too(client, editor, small_limits):
    case = make_case(publication_state="draft")
    etag = client.get(f"{EDITOR}{case.public_id}/", headers=editor)["ETag"]
    payload = {"restrictions": [{"kind": "air_travel"}] * 4}
    response = send_json(
        client, "patch", f"{EDITOR}{case.public_id}/", payload, headers={**editor, "If-Match": etag}
    )
    assert body_errors(response) == {("restrictions", "max_length")}
    payload = {"restrictions": [{"kind": "air_travel"}] * 3}
    response = send_json(
        client, "patch", f"{EDITOR}{case.public_id}/", payload, headers={**editor, "If-Match": etag}
    )
    assert response.status_code == 200
    assert case.restrictions.count() == 3


def test_scripts_calling_the_services_cannot_pass_the_limits(small_limits, make_user):
    editor = make_user("editor")
    person, capture = make_person(), make_capture()
    with pytest.raises(ValidationError) as refusal:
        services.create_case_with_parts(
            by=editor,
            fields={"person": person, "summary": "x"},
            parts={"events": [{"occurred": "2017", "kind": "listed", "description": "x"}] * 4},
        )
    assert set(refusal.value.message_dict) == {"events"}
    assert not Case.objects.exists()
    case = make_case(publication_state="draft")
    with pytest.raises(ValidationError) as refusal:
        services.update_case_with_parts(
            case_id=case.pk,
            by=editor,
            fields={},
            parts={
                "restrictions": [{"kind": "air_travel", "citations": [{"capture": capture}] * 6}]
            },
            expected_version=None,
        )
    assert set(refusal.value.message_dict) == {"restrictions[0].citations"}
    assert not case.restrictions.exists()
