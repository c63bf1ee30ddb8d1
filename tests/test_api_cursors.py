"""Cursors are signed with the secret key and their values type-checked: a cursor a
client made up (even one built exactly like the old, merely hashed ones), one signed
with another key or salt, or a signed one whose values do not fit the ordering's sort
keys is a 400 in the API's error shape, never a 500."""

import datetime
import json
import urllib.parse

import pytest
from django.core import signing

from casefile.api.pagination import CURSOR_SALT
from tests.api_support import get_json
from tests.factories import make_amount, make_case

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases/"


@pytest.fixture
def cases(db):
    made = []
    for index in range(5):
        case = make_case(
            summary="A debt case.",
            listed_on=datetime.date(2015 + index, 1, 1),
            listed_on_precision="year",
        )
        make_amount(case, value=100 + index)
        made.append(case)
    return made


def next_cursor(client, query: str) -> str:
    page = get_json(client, f"{CASES}?{query}&page_size=1")
    return urllib.parse.parse_qs(urllib.parse.urlsplit(page["next"]).query)["cursor"][0]


def binding(cursor: str) -> str:
    """The query a cursor is bound to, as the API signed it."""
    return signing.loads(cursor, salt=CURSOR_SALT)["s"]


def signed(payload: str, *, salt: str = CURSOR_SALT, key: str | None = None) -> str:
    """`payload`, JSON written by hand (so it may hold 1e999999), signed as the API
    signs cursors: what only someone holding the secret key could send."""
    encoded = signing.b64_encode(payload.encode()).decode()
    return signing.TimestampSigner(key=key, salt=salt).sign(encoded)


def refused(client, query: str, cursor: str, *, message: str) -> None:
    response = client.get(f"{CASES}?{query}&page_size=1&cursor={urllib.parse.quote(cursor)}")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid_parameters"
    assert body["detail"] == "The cursor cannot be used here."
    (error,) = body["errors"]
    assert (error["in"], error["name"]) == ("query", "cursor")
    assert message in error["message"]


def test_the_api_signs_its_cursors_and_follows_them(client, cases):
    cursor = next_cursor(client, "q=debt")
    assert signing.loads(cursor, salt=CURSOR_SALT)["v"]  # readable only with the key
    page = get_json(client, f"{CASES}?q=debt&page_size=1&cursor={urllib.parse.quote(cursor)}")
    assert len(page["results"]) == 1


@pytest.mark.parametrize("values", ['[{"d": "2017-01-01"}, 5]', '["abc", 5]', "[1e999999, 5]"])
def test_a_cursor_computed_by_a_client_is_refused(client, cases, values):
    """The old cursors were base64 JSON bound by a plain hash of the query, so a client
    could compute one with any values."""
    bound_to = binding(next_cursor(client, ""))
    forged = signing.b64_encode(f'{{"s": "{bound_to}", "v": {values}}}'.encode()).decode()
    refused(client, "", forged, message="Not a cursor this API gave out.")


def payload_of(cursor: str) -> str:
    return signing.b64_decode(cursor.split(":")[0].encode()).decode()


@pytest.mark.parametrize(
    "forge",
    [
        lambda cursor: signed(payload_of(cursor), key="another-secret-key-entirely-0123456789"),
        lambda cursor: signed(payload_of(cursor), salt="another-salt"),
        lambda cursor: cursor[:-1] + ("A" if cursor[-1] != "A" else "B"),  # signature
        lambda cursor: cursor[:5] + ("x" if cursor[5] != "x" else "y") + cursor[6:],  # payload
        lambda cursor: cursor.rsplit(":", 1)[0],  # no signature at all
        lambda cursor: "not-a-cursor",
    ],
)
def test_a_cursor_not_signed_by_this_api_with_its_salt_is_refused(client, cases, forge):
    refused(client, "", forge(next_cursor(client, "")), message="Not a cursor this API gave out.")


# Signed, bound to the right query, but of the wrong shape: (query, values).
TYPE_CONFUSED = [
    # newest first: listed_on (a date), id
    ("", '["abc", 5]'),
    ("", '[{"d": "2017-01-01"}, "5"]'),
    ("", '[{"d": "2017-01-01"}, 1e999999]'),
    ("", '[{"d": "2017-01-01"}, 5.5]'),
    ("", '[{"d": "2017-01-01"}, true]'),
    ("", '[{"d": "2017-01-01"}, 99999999999999999999999]'),
    ("", '[{"d": "2017-13-45"}, 5]'),
    ("", '[{"dt": "2017-01-01T00:00:00+00:00"}, 5]'),
    ("", '[{"d": "2017-01-01", "n": "1"}, 5]'),
    ("", '[[{"d": "2017-01-01"}], 5]'),
    ("", '[[[[[[[["deep"]]]]]]], 5]'),
    ("", '[{"d": ["2017-01-01"]}, 5]'),
    # largest amount (a decimal), id
    ("ordering=-amount", '[{"n": "1e999999"}, 5]'),
    ("ordering=-amount", '[{"n": "NaN"}, 5]'),
    ("ordering=-amount", '[{"n": "-Infinity"}, 5]'),
    ("ordering=-amount", '[{"n": "abc"}, 5]'),
    ("ordering=-amount", '[{"n": "12345678901234567890"}, 5]'),
    ("ordering=-amount", "[1e999999, 5]"),
    # relevance: name match, name rank (0, 1 or 2), rank (a float), listed_on, id
    ("q=debt", '[false, 0, 1e999999, {"d": "2017-01-01"}, 5]'),
    ("q=debt", '[false, 0, NaN, {"d": "2017-01-01"}, 5]'),
    ("q=debt", '[false, 0, "0.5", {"d": "2017-01-01"}, 5]'),
    ("q=debt", '["no", false, 0.5, {"d": "2017-01-01"}, 5]'),
]


@pytest.mark.parametrize("query, values", TYPE_CONFUSED)
def test_a_signed_cursor_whose_values_do_not_fit_the_sort_keys_is_refused(
    client, cases, query, values
):
    bound_to = binding(next_cursor(client, query))
    cursor = signed(f'{{"s": "{bound_to}", "v": {values}}}')
    refused(client, query, cursor, message="does not fit the query's order")


@pytest.mark.parametrize(
    "payload",
    ['{{"s": "{s}", "v": [5]}}', '{{"s": "{s}"}}', '["{s}", [5, 5]]', '"{s}"', "null"],
)
def test_a_signed_cursor_of_another_shape_is_refused(client, cases, payload):
    bound_to = binding(next_cursor(client, ""))
    cursor = signed(payload.format(s=bound_to))
    refused(client, "", cursor, message="belongs to another query")


@pytest.mark.parametrize(
    "query, values",
    [
        ("", '[{"d": "2017-01-01"}, 5]'),
        ("", "[null, 5]"),
        ("ordering=-amount", '[{"n": "101.00"}, 5]'),
        ("q=debt", '[false, 0, 0, {"d": "2017-01-01"}, 5]'),
    ],
)
def test_a_well_typed_cursor_is_followed(client, cases, query, values):
    """The checks refuse shapes, not positions: any value of the right type is a place
    in the order."""
    bound_to = binding(next_cursor(client, query))
    cursor = signed(f'{{"s": "{bound_to}", "v": {values}}}')
    response = client.get(f"{CASES}?{query}&page_size=1&cursor={urllib.parse.quote(cursor)}")
    assert response.status_code == 200, response.content


FEED = "updated_since=2000-01-01T00:00:00Z"


@pytest.mark.parametrize(
    "values",
    [
        '["abc", 5]',
        '[{"dt": "2017-01-01T00:00:00"}, "FK2A1DV80A"]',  # no offset
        '[{"dt": "0001-01-01T00:00:00+14:00"}, "FK2A1DV80A"]',  # before year 1 in UTC
        '[{"dt": "2017-01-01T00:00:00+00:00"}, "FK2A1\\u0000DV80"]',
        '[{"dt": "2017-01-01T00:00:00+00:00"}, "FK2A1DV80A-and-far-too-long"]',
        '[{"dt": "2017-01-01T00:00:00+00:00"}, 1e999999]',
        '[{"d": "2017-01-01"}, "FK2A1DV80A"]',
    ],
)
def test_the_change_feed_type_checks_its_cursor_too(client, cases, values):
    bound_to = binding(next_cursor(client, FEED))
    cursor = signed(f'{{"s": "{bound_to}", "v": {values}}}')
    refused(client, FEED, cursor, message="does not fit the query's order")


def test_the_change_feed_follows_its_signed_cursor(client, cases):
    cursor = next_cursor(client, FEED)
    values = json.dumps(signing.loads(cursor, salt=CURSOR_SALT)["v"])
    assert values.startswith('[{"dt": ')
    response = client.get(f"{CASES}?{FEED}&page_size=1&cursor={urllib.parse.quote(cursor)}")
    assert response.status_code == 200


def test_a_removal_period_is_paged_newest_first_undated_cases_last(client):
    # A removal period is ordered in another form (CaseQuerySet.ordered's sort_matches):
    # the same order as any search, which cursors page through exactly once.
    listed = [datetime.date(2016, 3, 1), None, datetime.date(2018, 5, 1), None]
    listed += [datetime.date(2018, 5, 1), datetime.date(2017, 1, 1)]
    made = []
    for when in listed:
        made.append(
            make_case(
                listed_on=when,
                listed_on_precision="day" if when else "",
                removed_on=datetime.date(2019, 6, 1),
                removed_on_precision="day",
                status="removed",
            )
        )
    make_case(removed_on=datetime.date(2021, 1, 1), removed_on_precision="day", status="removed")
    expected = sorted(
        made,
        key=lambda c: (c.listed_on is None, -(c.listed_on or datetime.date.min).toordinal(), -c.pk),
    )

    seen, url = [], f"{CASES}?removed_from=2019&removed_to=2020&page_size=2"
    while url:
        page = get_json(client, url)
        seen += [item["id"] for item in page["results"]]
        url = page["next"]
    assert seen == [case.public_id for case in expected]

    html = client.get("/cases/", {"removed_from": "2019", "removed_to": "2020"}).text
    positions = [html.index(case.public_id) for case in expected]
    assert positions == sorted(positions)
