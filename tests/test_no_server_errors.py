"""No request is a 5xx: Hypothesis sends arbitrary text (NUL and other control
characters, Unicode digits, huge numbers, lone punctuation…) as the ids in every
route that takes one, and as the value of every parameter of the search page, its
CSV, and the API's case list and facets. Each answer must be below 500; a streamed
body is read to its end."""

import urllib.parse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casefile.api.pagination import PAGINATION_PARAMS
from casefile.cases.filters import CaseFilter
from tests.api_support import auth, private_cases, rich_case, token

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Values that broke, or nearly broke, something once; Hypothesis adds the rest.
TRICKY = [
    "\x00",
    "AB\x00",
    "FK2A1DV80\x00",
    "\x02x\x03",
    "\r\n",
    "²",
    "٣",
    "-1",
    "0",
    "1e999999",
    "-1e999999",
    "NaN",
    "Infinity",
    "9" * 30,
    "9" * 5000,
    "0000000000",
    "2017-02-30",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-15:59",
    "%",
    "../",
    "\ud7ff\ue000\U0010ffff",
]
text = st.one_of(st.sampled_from(TRICKY), st.text(max_size=40))


# Every route taking an id, the fuzzed value where {value} is (real ids elsewhere).
ID_ROUTES = [
    "/cases/{value}/",
    "/cases/{value}/cite.bib",
    "/cases/{case}/cite.{value}",
    "/cases/{value}/changes/",
    "/people/{value}/",
    "/authorities/{value}/",
    "/sources/{value}/",
    "/api/v1/cases/{value}/",
    "/api/v1/persons/{value}/",
    "/api/v1/authorities/{value}/",
    "/api/v1/sources/{value}/",
    "/api/v1/editor/cases/{value}/",
    "/editorial/cases/{value}/history/",
    "/editorial/cases/{value}/retract/",
    "/reconcile/view/{value}",
    "/reconcile/preview?id={value}",
    "/sitemap-{value}-1.xml",
    "/sitemap-cases-{value}.xml",
]


@pytest.fixture
def data(db, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anonymous": "100000/minute", "token": "100000/minute"},
    }
    case = rich_case()
    private_cases()
    return {
        "case": case.public_id,
        "person": case.person_id,
        "authority": case.authority_id,
        "source": case.citations.first().capture.source_id,
    }


def assert_no_server_error(client, url: str, **headers):
    response = client.get(url, headers=headers)
    if response.streaming:
        b"".join(response.streaming_content)
    assert response.status_code < 500, (url, response.status_code)
    return response


@pytest.fixture
def editor_token(db):
    return auth(token(groups=["editor"], username="fuzzing-editor"))


@FUZZ
@given(value=text, route=st.sampled_from(ID_ROUTES))
def test_no_path_id_is_a_server_error(as_reviewer, editor_token, data, value, route):
    """As a reviewer (the editorial pages) with an editor's token (the editors' API)."""
    url = route.format(value=urllib.parse.quote(value, safe=""), **data)
    assert_no_server_error(as_reviewer, url, **editor_token)


SEARCH_ENDPOINTS = [
    "/cases/",
    "/cases/export.csv",
    "/cases/feed.atom",
    "/api/v1/cases/",
    "/api/v1/cases/facets/",
]
# Other pages and endpoints with parameters of their own (pages, cursors) or none.
OTHER_ENDPOINTS = [
    "/",
    "/authorities/{authority}/",
    "/sources/{source}/",
    "/api/v1/persons/",
    "/api/v1/sources/",
    "/api/v1/info/",
    "/api/v1/exports/cases.csv",
    "/api/v1/exports/persons.csv",
    "/api/v1/exports/datapackage.json",
    "/reconcile",
    "/reconcile/suggest/entity",
    "/sitemap.xml",
]
PARAMETERS = sorted(
    CaseFilter.parameter_names()
    | PAGINATION_PARAMS
    | {"page", "bom", "queries", "prefix", "type", "cursor", "id"}
)


@FUZZ
@given(
    endpoint=st.sampled_from(SEARCH_ENDPOINTS + OTHER_ENDPOINTS),
    query=st.lists(st.tuples(st.sampled_from(PARAMETERS), text), min_size=1, max_size=4),
)
def test_no_query_value_is_a_server_error(client, data, endpoint, query):
    url = f"{endpoint.format(**data)}?{urllib.parse.urlencode(query)}"
    assert_no_server_error(client, url)


@FUZZ
@given(
    endpoint=st.sampled_from(SEARCH_ENDPOINTS),
    name=st.sampled_from(PARAMETERS),
    value=text,
)
def test_no_value_beside_a_valid_search_is_a_server_error(client, data, endpoint, name, value):
    """One fuzzed parameter in a search that otherwise runs: a query, a facet, a sort."""
    query = [("q", "debt"), ("restriction", "air_travel"), ("ordering", "-amount")]
    query = [(key, val) for key, val in query if key != name] + [(name, value)]
    assert_no_server_error(client, f"{endpoint}?{urllib.parse.urlencode(query)}")


@pytest.mark.parametrize("value", ["0.5", "-1e4400", "1e20", "0", "9" * 19, "²"])
@pytest.mark.parametrize("name", ["person", "authority", "source"])
def test_id_filters_take_whole_numbers_the_database_can_hold(client, data, name, value):
    """A fraction was rounded to an id, and -1e4400 became an integer psycopg could not
    write; both are 400s now, naming the parameter."""
    response = client.get(f"/api/v1/cases/?{name}={urllib.parse.quote(value)}")
    assert response.status_code == 400
    assert response.json()["errors"][0]["name"] == name
    assert client.get(f"/cases/?{name}={urllib.parse.quote(value)}").status_code == 400
    assert client.get(f"/api/v1/cases/?{name}={data['person']}").status_code == 200


@pytest.mark.parametrize("cookie", ["abcdefgh\x00", "ABCDEFGH\x02ijkl", "x" * 5000])
def test_a_session_cookie_django_could_not_have_made_is_no_session(client, reviewer, cookie):
    client.cookies["sessionid"] = cookie
    assert client.get("/admin/").status_code == 302  # to the login page
    assert client.post("/admin/login/", {"username": "x", "password": "y"}).status_code == 200
    client.force_login(reviewer)  # a real session still works
    assert client.get("/editorial/").status_code == 200


# JSON as OpenRefine (or anything else) might send it as a reconciliation batch.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=12,
)
query_specs = st.fixed_dictionaries(
    {},
    optional={
        "query": st.one_of(text, json_values),
        "type": st.one_of(st.sampled_from(["person", "case", ["person", "case"]]), json_values),
        "limit": st.one_of(st.integers(-5, 30), json_values),
        "properties": st.one_of(
            st.lists(
                st.fixed_dictionaries(
                    {"pid": st.sampled_from(["province", "authority", "listed"]) | text,
                     "v": json_values}
                ),
                max_size=3,
            ),
            json_values,
        ),
        "type_strict": st.sampled_from(["any", "should", "all"]) | text,
    },
)  # fmt: skip


@FUZZ
@given(
    batch=st.one_of(st.dictionaries(text, query_specs, max_size=5), json_values),
    method=st.sampled_from(["get", "post"]),
)
def test_no_reconciliation_batch_is_a_server_error(client, data, batch, method):
    import json

    response = getattr(client, method)("/reconcile", {"queries": json.dumps(batch)})
    assert response.status_code in (200, 400), (batch, response.status_code)


@FUZZ
@given(prefix=text, kind=text, cursor=text)
def test_no_suggestion_is_a_server_error(client, data, prefix, kind, cursor):
    query = urllib.parse.urlencode({"prefix": prefix, "type": kind, "cursor": cursor})
    assert_no_server_error(client, f"/reconcile/suggest/entity?{query}")
