"""Nothing unpublished or withheld, and no private name, through any endpoint, filter,
facet count, feed or export."""

import json
from types import SimpleNamespace

import pytest

from casefile.cases.models import Case
from casefile.people.models import Person
from tests.api_support import (
    NOTES,
    SECRET_ALIAS,
    SECRET_NAME,
    SECRET_ROMANISED,
    WITHHELD_NAME,
    body,
    get_json,
    private_cases,
    rich_case,
)

pytestmark = pytest.mark.django_db

FORBIDDEN = [
    SECRET_NAME,
    SECRET_ROMANISED,
    SECRET_ALIAS,
    WITHHELD_NAME,
    NOTES,
    "name_keys",
    "search_vector",
    "text_grams",
    "Withheld person's case",
    "Only cites withheld",
]


@pytest.fixture
def world():
    public = rich_case()
    shown, withheld, hidden = private_cases()
    return SimpleNamespace(public=public, shown=shown, withheld=withheld, hidden=hidden)


def every_public_url(world):
    urls = [
        "/api/v1/",
        "/api/v1/cases/",
        "/api/v1/cases/?page_size=100",
        "/api/v1/cases/facets/",
        "/api/v1/persons/",
        "/api/v1/authorities/",
        "/api/v1/sources/",
        "/api/v1/info/",
        "/api/v1/exports/cases.ndjson",
        "/api/v1/exports/cases.csv",
        f"/api/v1/cases/{world.shown.public_id}/",
        f"/api/v1/persons/{world.shown.person_id}/",
    ]
    for query in (
        "q=秘密人",
        "q=mimi ren",
        "q=hidden alias",
        "q=隐藏者",
        "restriction=ringback_tone",
        "province=tibet",
        "restriction=luxury_hotels",
        "offence=theft",
    ):
        urls += [f"/api/v1/cases/?{query}", f"/api/v1/cases/facets/?{query}"]
    return urls


def test_no_private_name_note_or_hidden_case_anywhere(client, world):
    hidden_ids = [world.withheld.public_id, *(case.public_id for case in world.hidden)]
    for url in every_public_url(world):
        response = client.get(url)
        assert response.status_code == 200, url
        text = body(response)
        for secret in [*FORBIDDEN, *hidden_ids]:
            assert secret not in text, (secret, url)


def test_the_pseudonymised_person_appears_only_under_their_pseudonym(client, world):
    case = get_json(client, f"/api/v1/cases/{world.shown.public_id}/")
    assert case["person"]["name"] == "Unnamed man, Hubei"
    assert case["person"]["privacy"] == "pseudonymised"
    names = {person["name"] for person in get_json(client, "/api/v1/persons/")["results"]}
    assert names == {"Liu Hu (刘虎)", "Unnamed man, Hubei"}


def test_hidden_cases_and_what_only_they_show_are_404(client, world):
    for case in [world.withheld, *world.hidden]:
        response = client.get(f"/api/v1/cases/{case.public_id}/")
        if case.publication_state == "retracted":  # gone, as its page says: only the note
            assert response.status_code == 410
            assert response.json()["code"] == "gone"
            assert case.retraction_note in response.json()["detail"]
            assert case.person.name_original not in body(response)
        else:
            assert response.status_code == 404
    assert client.get(f"/api/v1/persons/{world.withheld.person_id}/").status_code == 404
    assert client.get(f"/api/v1/authorities/{world.withheld.authority_id}/").status_code == 404
    source_id = world.withheld.citations.get().capture.source_id
    assert client.get(f"/api/v1/sources/{source_id}/").status_code == 404
    for case in world.hidden:  # their people have no published case either
        assert client.get(f"/api/v1/persons/{case.person_id}/").status_code == 404


def test_counts_lists_facets_and_exports_agree_on_the_published_set(client, world):
    expected = {world.public.public_id, world.shown.public_id}
    assert set(Case.objects.published().values_list("public_id", flat=True)) == expected
    listed = {case["id"] for case in get_json(client, "/api/v1/cases/")["results"]}
    facets = get_json(client, "/api/v1/cases/facets/")
    exported = {
        json.loads(line)["id"]
        for line in body(client.get("/api/v1/exports/cases.ndjson")).splitlines()
    }
    csv_ids = {
        line.split(",")[0]
        for line in body(client.get("/api/v1/exports/cases.csv")).splitlines()[1:]
    }
    info = get_json(client, "/api/v1/info/")
    assert listed == exported == csv_ids == expected
    assert facets["total"] == info["counts"]["cases"] == 2
    assert {"value": "ringback_tone", "count": 1} not in facets["restriction"]
    assert all(item["value"] != "tibet" for item in facets["province"])
    assert info["counts"] == {"cases": 2, "persons": 2, "authorities": 1, "sources": 1}


def test_the_change_feed_names_only_cases_that_were_public(client, world):
    # The shown (pseudonymised) person's case is withheld after publication: it left.
    Person.objects.filter(pk=world.shown.person_id).update(privacy="withheld")
    feed = get_json(client, "/api/v1/cases/?updated_since=2000-01-01T00:00:00Z&page_size=100")
    by_id = {item["id"]: item for item in feed["results"]}
    draft, in_review, retracted = world.hidden
    # Never public: a draft, a case in review, a withheld person's case from the start.
    for case in (draft, in_review, world.withheld):
        assert case.public_id not in by_id
    for case, state in ((retracted, "retracted"), (world.shown, "withdrawn")):
        assert by_id[case.public_id] == {
            "id": case.public_id,
            "state": state,
            "updated_at": by_id[case.public_id]["updated_at"],
        }
    text = json.dumps(feed, ensure_ascii=False)
    for secret in FORBIDDEN:
        assert secret not in text
