"""How pages count: the database's running counts for every public case, exact counts
up to 10,000 cases, estimates from the sample beyond, said to be estimates."""

import pytest
from django.db import connection
from django.http import QueryDict

from casefile.authorities.models import Authority
from casefile.cases import querysets
from casefile.cases.filters import CaseFilter
from casefile.cases.models import Case, FacetRollup
from casefile.cases.visibility import public_cases
from casefile.people.models import Person
from tests.factories import make_authority, make_case, make_person, make_restriction

pytestmark = pytest.mark.django_db


def rollup() -> dict:
    return public_cases().counted(everything=True, cached=False).facets


def exact() -> dict:
    return public_cases().facet_counts(cached=False)


def test_the_running_counts_follow_every_write():
    hubei = make_authority(province="hubei")
    first = make_case(authority=hubei, offence_category="theft")
    make_restriction(first, kind="air_travel")
    second = make_case(offence_category="unpaid_debt")
    make_restriction(second, kind="loans_credit")
    draft = make_case(publication_state="draft", offence_category="theft")
    assert rollup() == exact()
    assert rollup()["offence"] == {"theft": 1, "unpaid_debt": 1}

    Case.objects.filter(pk=draft.pk).update(publication_state="published")  # publishing
    assert rollup() == exact()
    Case.objects.filter(pk=first.pk).update(publication_state="retracted")  # retracting
    assert rollup() == exact()
    Person.objects.filter(pk=second.person_id).update(privacy="withheld")  # withholding
    assert rollup() == exact()
    Authority.objects.filter(pk=hubei.pk).update(province="hunan")  # a province corrected
    Case.objects.filter(pk=first.pk).update(publication_state="published")
    make_restriction(first, kind="ringback_tone")
    assert rollup() == exact()
    assert rollup()["province"]["hunan"] == 1
    Case.objects.filter(pk=draft.pk).delete()  # deleting
    assert rollup() == exact()
    assert rollup()["restriction"] == {"air_travel": 1, "ringback_tone": 1}


def test_compacting_and_rebuilding_keep_the_counts(monkeypatch):
    for offence in ("theft", "theft", "unpaid_rent"):
        make_restriction(make_case(offence_category=offence), kind="air_travel")
    before = rollup()
    rows = FacetRollup.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT casefile_compact_facet_rollup()")
    assert FacetRollup.objects.count() < rows  # one row per value now
    assert rollup() == before
    with connection.cursor() as cursor:
        cursor.execute("SELECT casefile_rebuild_facet_rollup()")
    assert rollup() == before == exact()
    monkeypatch.setattr(querysets, "COMPACT_ROLLUP_ABOVE", 1)
    make_case(offence_category="theft")
    assert rollup() == exact()  # read, then folded by the reader
    assert FacetRollup.objects.filter(facet="offence", value="theft").count() == 1


def counted(query: str):
    filterset = CaseFilter(QueryDict(query), queryset=public_cases())
    assert filterset.is_valid()
    return filterset.qs.counted(everything=filterset.is_unfiltered(), cached=False)


def test_small_result_sets_are_counted_exactly_large_ones_estimated(monkeypatch):
    person = make_person()
    for _ in range(12):
        make_case(person=person, offence_category="theft")
    make_case(person=person, offence_category="unpaid_rent")
    assert counted("offence=theft").total == 12
    assert not counted("offence=theft").estimated
    monkeypatch.setattr(querysets, "EXACT_UP_TO", 5)
    estimate = counted("offence=theft")
    assert estimate.estimated and estimate.total > 5
    assert not counted("offence=unpaid_rent").estimated


def test_the_page_says_counts_are_estimates(client, monkeypatch):
    for _ in range(8):
        make_case(offence_category="theft")
    monkeypatch.setattr(querysets, "EXACT_UP_TO", 5)
    page = client.get("/cases/", {"offence": "theft"}).text
    assert "estimated from a sample" in page
    assert "estimated from a sample" not in client.get("/cases/", {"offence": "other"}).text
    facets = client.get("/api/v1/cases/facets/?offence=theft").json()
    assert facets["estimated"] is True


def test_the_sample_is_read_from_its_index():
    make_case()
    sample = (
        public_cases()
        .alias(_sample=querysets.sample_key())
        .filter(_sample=0)
        .order_by()
        .values("status")
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = sample.explain()
    assert "case_published_sample" in plan, plan
