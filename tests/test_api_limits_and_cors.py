"""Rate limits counted in the shared database; CORS for reads only."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from casefile.api.models import RateWindow
from tests.api_support import auth, token

pytestmark = pytest.mark.django_db


@pytest.fixture
def tight_limits(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anonymous": "3/minute", "token": "5/minute"},
    }
    cache.clear()


def test_anonymous_clients_get_429_with_retry_after(client, tight_limits):
    statuses = [client.get("/api/v1/cases/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/info/")
    assert response.status_code == 429
    # Retry-After: the seconds left until the client's window ends, rounded up.
    window = RateWindow.objects.get(key__startswith="anonymous:127.0.0.1:")
    left = (window.ends_at - timezone.now()).total_seconds()
    assert left - 1 <= int(response["Retry-After"]) <= left + 1
    assert response.json()["code"] == "throttled"
    # other clients (by address) are not affected
    assert client.get("/api/v1/cases/", REMOTE_ADDR="10.9.8.7").status_code == 200


def test_each_token_has_its_own_higher_limit(client, tight_limits):
    first, second = auth(token(can_write=False)), auth(token(can_write=False))
    for _ in range(3):
        client.get("/api/v1/cases/")
    assert client.get("/api/v1/cases/").status_code == 429
    assert [client.get("/api/v1/cases/", headers=first).status_code for _ in range(6)] == [
        200,
        200,
        200,
        200,
        200,
        429,
    ]
    assert client.get("/api/v1/cases/", headers=second).status_code == 200


def test_counters_live_in_the_shared_database_not_in_a_process(client, tight_limits):
    client.get("/api/v1/cases/")
    window = RateWindow.objects.get(key__startswith="anonymous:127.0.0.1:")
    assert window.count == 1
    # Another server process counts in the same row: whatever it counted is honoured here.
    RateWindow.objects.filter(pk=window.pk).update(count=3)
    assert client.get("/api/v1/cases/").status_code == 429
    window.refresh_from_db()
    assert window.count == 4


def test_a_new_window_starts_a_new_count(client, tight_limits):
    from casefile.api.throttling import count_request

    ends = timezone.now() + datetime.timedelta(seconds=60)
    assert [count_request("anonymous:test:1", ends) for _ in range(3)] == [1, 2, 3]
    assert count_request("anonymous:test:2", ends) == 1


def test_cors_allows_any_origin_to_read(client):
    response = client.get("/api/v1/cases/", headers={"Origin": "https://ngo.example"})
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    preflight = client.options(
        "/api/v1/cases/",
        headers={
            "Origin": "https://ngo.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    assert preflight.status_code == 200
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "POST" not in preflight["Access-Control-Allow-Methods"]


def test_no_cors_for_the_editors_endpoints_or_the_pages(client):
    for url in ("/api/v1/editor/cases/", "/admin/login/", "/"):
        preflight = client.options(
            url,
            headers={"Origin": "https://ngo.example", "Access-Control-Request-Method": "POST"},
        )
        assert "Access-Control-Allow-Origin" not in preflight
