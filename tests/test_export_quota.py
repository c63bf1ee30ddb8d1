"""Downloads (the search page's CSV, the API's CSV and NDJSON exports) share a quota of
their own per address, or per token for token holders; past it, 429 with Retry-After."""

import pytest
from django.utils import timezone

from casefile.api.models import RateWindow
from tests.api_support import auth, body, token
from tests.factories import make_case

pytestmark = pytest.mark.django_db

PAGE_CSV = "/cases/export.csv"
API_CSV = "/api/v1/exports/cases.csv"
API_NDJSON = "/api/v1/exports/cases.ndjson"


@pytest.fixture
def small_quota(settings):
    settings.EXPORT_QUOTA = "3/hour"
    settings.EXPORT_QUOTA_TOKEN = "4/hour"
    make_case()


def test_the_page_and_the_api_downloads_share_one_quota_per_address(client, small_quota):
    for url in (PAGE_CSV, API_CSV, API_NDJSON):
        response = client.get(url)
        assert response.status_code == 200
        body(response)
    page = client.get(PAGE_CSV)
    assert page.status_code == 429
    assert page["Content-Type"].startswith("text/plain")
    assert "Too many downloads from your address: at most 3 per hour" in page.text
    window = RateWindow.objects.get(key__startswith="export:127.0.0.1:")
    # Retry-After: the seconds left until the address's window ends, rounded up.
    left = (window.ends_at - timezone.now()).total_seconds()
    assert left - 1 <= int(page["Retry-After"]) <= left + 1
    assert window.count == 4
    for url in (API_CSV, API_NDJSON):
        api = client.get(url)
        assert api.status_code == 429
        assert api.json()["code"] == "throttled"
        assert "at most 3 per hour" in api.json()["detail"]
        assert int(api["Retry-After"]) >= 1
    # Another address has its own quota; the rest of the site is not affected.
    assert client.get(PAGE_CSV, REMOTE_ADDR="10.4.4.4").status_code == 200
    assert client.get("/cases/").status_code == 200
    assert client.get("/api/v1/cases/").status_code == 200


def test_token_holders_have_a_quota_of_their_own(client, small_quota):
    for _ in range(3):
        body(client.get(API_CSV))
    assert client.get(API_CSV).status_code == 429
    headers = auth(token(can_write=False))
    statuses = [client.get(API_NDJSON, headers=headers).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    assert "from this token: at most 4 per hour" in client.get(API_CSV, headers=headers).text


def test_a_not_modified_answer_spends_none_of_the_quota(client, small_quota):
    etag = client.get(API_CSV)["ETag"]
    for _ in range(5):
        assert client.get(API_CSV, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(API_NDJSON).status_code == 200


def test_a_search_the_page_cannot_read_spends_none_of_the_quota(client, small_quota):
    for _ in range(5):
        assert client.get(PAGE_CSV, {"amount_min": "lots"}).status_code == 400
    assert client.get(PAGE_CSV).status_code == 200
