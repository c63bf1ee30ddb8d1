"""Brute force against API tokens: an Authorization header that is not a token is a 401
saying what is expected; failed tokens are counted per client address, and past the
limit that address gets 429 before any token is looked up."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casefile.api.models import RateWindow
from tests.api_support import auth, token

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases/"


@pytest.mark.parametrize(
    "header",
    [
        "Basic dXNlcjpwYXNzd29yZA==",
        "cf_a-bare-key-without-a-scheme",
        "",
        "Token",
        "Token two words",
        "Digest username=x",
    ],
)
def test_an_authorization_header_that_is_not_a_token_is_refused(client, header):
    response = client.get(CASES, headers={"Authorization": header})
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Token realm="api"'
    body = response.json()
    assert body["code"] == "authentication_failed"
    assert "Authorization: Token <key>" in body["detail"]


def test_bearer_is_a_token_too(client):
    assert client.get(CASES, headers={"Authorization": f"Bearer {token()}"}).status_code == 200


@pytest.fixture
def three_failures(settings):
    settings.API_THROTTLE_FAILED_TOKENS = "3/minute"


def test_failed_tokens_are_counted_per_address_then_429_before_any_lookup(client, three_failures):
    valid = auth(token(can_write=False))
    wrong = auth("cf_not-a-token-anyone-was-given")
    assert [client.get(CASES, headers=wrong).status_code for _ in range(3)] == [401] * 3
    response = client.get(CASES, headers=wrong)
    assert response.status_code == 429
    window = RateWindow.objects.get(key__startswith="failed-token:127.0.0.1:")
    left = (window.ends_at - timezone.now()).total_seconds()
    assert left - 1 <= int(response["Retry-After"]) <= left + 1
    assert response.json()["code"] == "throttled"
    # A right token from that address is refused too, without being looked up: a guess
    # that happened to be right must not be told apart from a wrong one.
    with CaptureQueriesContext(connection) as queries:
        assert client.get(CASES, headers=valid).status_code == 429
    assert not [query for query in queries if "api_apitoken" in query["sql"]]
    # Other addresses, and reading without a token, are not affected.
    assert client.get(CASES, headers=valid, REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get(CASES, headers=wrong, REMOTE_ADDR="10.1.2.3").status_code == 401
    assert client.get(CASES).status_code == 200


def test_behind_a_proxy_addresses_come_from_x_forwarded_for(client, settings, three_failures):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    valid = auth(token(can_write=False))
    wrong = auth("cf_not-a-token-anyone-was-given")
    attacker = {"HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    for _ in range(3):
        client.get(CASES, headers=wrong, **attacker)
    assert client.get(CASES, headers=valid, **attacker).status_code == 429
    # Same proxy (REMOTE_ADDR), another client behind it.
    assert client.get(CASES, headers=valid, HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 200
