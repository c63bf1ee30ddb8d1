"""The change feed: order, tombstones, filters, and the watermark that survives
transactions committing late."""

import datetime

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from casefile.api.conditional import feed_watermark
from casefile.api.models import CaseDeletion
from casefile.cases.models import Case
from tests.api_support import get_json
from tests.factories import make_case

FEED = "/api/v1/cases/?updated_since="


def since(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@pytest.mark.django_db
def test_feed_is_ordered_by_change_and_pages_through_tombstones(client):
    start = timezone.now() - datetime.timedelta(seconds=1)
    cases = [make_case(offence_category="theft") for _ in range(5)]
    Case.objects.filter(pk=cases[1].pk).update(publication_state="retracted")
    cases[3].delete()
    make_case(offence_category="unpaid_debt")  # filtered out below
    seen, url = [], f"{FEED}{since(start)}&offence=theft&page_size=2"
    while url:
        page = get_json(client, url)
        seen += page["results"]
        url = page["next"]
    times = [item["updated_at"] for item in seen]
    assert times == sorted(times)
    states = {item["id"]: item["state"] for item in seen}
    assert states == {
        cases[0].public_id: "published",
        cases[2].public_id: "published",
        cases[4].public_id: "published",
        cases[1].public_id: "retracted",
        cases[3].public_id: "deleted",
    }


@pytest.mark.django_db
def test_feed_rejects_an_ordering_and_old_changes_stay_out(client):
    make_case()
    response = client.get(f"{FEED}2000-01-01T00:00:00Z&ordering=-listed")
    assert response.status_code == 400
    assert response.json()["errors"][0]["name"] == "ordering"
    later = timezone.now() + datetime.timedelta(minutes=1)
    assert get_json(client, f"{FEED}{since(later)}")["results"] == []


@pytest.mark.django_db
def test_every_write_stamps_the_case_with_the_database_clock_and_deletions_are_kept():
    case = make_case()
    before = Case.objects.get(pk=case.pk).updated_at
    Case.objects.filter(pk=case.pk).update(status="removed")  # no save(), no auto_now
    assert Case.objects.get(pk=case.pk).updated_at > before
    public_id = case.public_id
    Case.objects.filter(pk=case.pk).delete()
    assert CaseDeletion.objects.get(public_id=public_id).deleted_at > before


@pytest.mark.django_db(transaction=True)
def test_the_watermark_waits_for_a_transaction_that_commits_late():
    case = make_case()
    settings = connection.get_connection_params()
    with psycopg.connect(**settings, autocommit=False) as late:
        late.execute("UPDATE cases_case SET summary = 'late' WHERE id = %s", [case.pk])
        late_start = late.execute("SELECT now()").fetchone()[0]
        watermark = feed_watermark()
        assert watermark < late_start  # its row may still appear, stamped after this
        late.commit()
    stamped = Case.objects.get(pk=case.pk).updated_at
    assert stamped >= watermark
    assert feed_watermark() > watermark


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("7017-12-16T14:59:08.829-16:54", 200),  # valid ISO 8601; PostgreSQL takes it as UTC
        ("9999-12-31T23:00:00-05:00", 400),  # after year 9999 in UTC
    ],
)
def test_times_with_any_offset_are_read_or_refused_never_a_500(client, value, status):
    make_case()
    response = client.get(FEED + value.replace("+", "%2B"))
    assert response.status_code == status
    if status == 400:
        assert response.json()["errors"][0]["name"] == "updated_since"
