"""The API's facets can be fed back: every value of every facet carries its label and
the exact query parameters that select it, and following them gives as many cases as
the facet counted."""

import datetime

import pytest

from casefile.cases.facets import FACET_LABELS
from tests.factories import make_authority, make_case, make_restriction

pytestmark = pytest.mark.django_db
FACETS = ("restriction", "list", "offence", "status", "year", "notified", "province")


@pytest.fixture
def varied():
    hubei, guizhou = make_authority(province="hubei"), make_authority(province="guizhou")
    specs = [
        {"authority": hubei, "notified": True, "listed_on": datetime.date(2017, 3, 1),
             "listed_on_precision": "month", "offence_category": "theft", "status": "removed"},
        {"authority": guizhou, "notified": False, "listed_on": datetime.date(2016, 1, 1),
             "listed_on_precision": "year", "list_name": "aviation_blacklist"},
        {"authority": None, "notified": None, "listed_on": None},
        {"authority": hubei, "notified": None, "listed_on": datetime.date(2017, 12, 31),
             "listed_on_precision": "day", "offence_category": "unpaid_rent"},
    ]  # fmt: skip
    for n, spec in enumerate(specs):
        case = make_case(**spec)
        for kind in ("air_travel", "loans_credit", "ringback_tone")[: n + 1 - n // 3]:
            make_restriction(case, kind=kind)


def count(client, params: dict) -> int:
    return client.get("/api/v1/cases/facets/", params).json()["total"]


@pytest.mark.parametrize("base", [{}, {"restriction": "air_travel"}, {"province": "hubei"}])
def test_every_value_of_every_facet_round_trips_into_the_filters(client, varied, base):
    facets = client.get("/api/v1/cases/facets/", base).json()
    followed = 0
    for name in FACETS:
        assert facets[name], name
        for item in facets[name]:
            assert set(item) == {"value", "label", "count", "params"}
            assert isinstance(item["label"], str) and item["label"]
            if item["params"] is None:  # an unknown year or province: no filter selects it
                assert item["value"] in (None, "") and item["label"] == "Unknown"
                continue
            assert all(isinstance(v, str) for v in item["params"].values())
            query = {**base, **item["params"]}
            assert count(client, query) == item["count"], (name, item)
            # The search page and the CSV read the same parameters.
            page = client.get("/cases/", query)
            assert page.status_code == 200
            followed += 1
    assert followed >= 12


def test_labels_and_params_are_the_search_pages(client, varied):
    facets = client.get("/api/v1/cases/facets/").json()
    notified = {item["value"]: item for item in facets["notified"]}
    assert notified[True]["params"] == {"notified": "yes"} and notified[True]["label"] == "Yes"
    assert notified[None]["params"] == {"notified": "unknown"}
    year = next(item for item in facets["year"] if item["value"] == 2017)
    assert year["params"] == {"listed_from": "2017", "listed_to": "2017"}
    assert year["count"] == 2
    province = next(item for item in facets["province"] if item["value"] == "hubei")
    assert province["label"] == FACET_LABELS["province"]["hubei"] == "Hubei 湖北"
    listed = next(item for item in facets["list"] if item["value"] == "aviation_blacklist")
    assert listed["label"] == "Aviation blacklist"


@pytest.mark.parametrize(
    ("query", "allowed"),
    [
        ("notified=true", "yes, no, unknown"),
        ("restriction=flying", "air_travel, high_speed_rail"),
        ("province=atlantis", "anhui, beijing"),
        ("status=gone", "listed, removed, unknown"),
        ("ordering=random", "relevance, -listed"),
        ("currency=EURO", "ISO 4217"),
    ],
)
def test_an_invalid_value_is_a_400_listing_the_allowed_ones(client, query, allowed):
    response = client.get(f"/api/v1/cases/facets/?{query}")
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["name"] == query.split("=")[0]
    assert allowed in error["message"]
