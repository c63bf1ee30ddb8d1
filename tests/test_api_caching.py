"""ETag and Last-Modified on details and lists; conditional GETs answered with 304."""

import pytest
from django.utils.http import http_date

from casefile.authorities.models import Authority
from casefile.cases.models import Case
from tests.api_support import rich_case
from tests.factories import make_amount, make_case

pytestmark = pytest.mark.django_db


def test_case_detail_etag_is_its_version_and_changes_with_any_part(client):
    case = rich_case()
    url = f"/api/v1/cases/{case.public_id}/"
    first = client.get(url)
    assert first["ETag"] == f'"{case.version}"'
    assert first["Last-Modified"] == http_date(case.updated_at.timestamp())
    assert "no-cache" in first["Cache-Control"]
    again = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304 and again["ETag"] == first["ETag"]
    assert client.get(url, headers={"If-Modified-Since": first["Last-Modified"]}).status_code == 304

    make_amount(case, value=5)
    changed = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]

    Authority.objects.filter(pk=case.authority_id).update(name="Renamed court")
    renamed = client.get(url, headers={"If-None-Match": changed["ETag"]})
    assert renamed.status_code == 200
    assert renamed.json()["authority"]["name"] == "Renamed court"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/cases/?offence=unpaid_debt",
        "/api/v1/cases/facets/",
        "/api/v1/cases/?updated_since=2000-01-01T00:00:00Z",
        "/api/v1/persons/",
        "/api/v1/exports/cases.csv",
    ],
)
def test_list_etags_revalidate_and_change_when_the_data_does(client, url):
    case = make_case()
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    assert client.get(url, headers={"If-None-Match": first["ETag"]}).status_code == 304
    Case.objects.filter(pk=case.pk).update(summary="Changed.", status="removed")
    make_case()  # a new case of a new person
    after = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert after.status_code == 200 and after["ETag"] != first["ETag"]


def test_a_case_leaving_the_page_changes_the_list_etag(client):
    kept, leaving = make_case(), make_case()
    first = client.get("/api/v1/cases/")
    Case.objects.filter(pk=leaving.pk).update(publication_state="retracted")
    assert client.get("/api/v1/cases/", headers={"If-None-Match": first["ETag"]}).status_code == 200
    assert kept.public_id in client.get("/api/v1/cases/").content.decode()
