"""The reconciliation service, in the shape OpenRefine speaks it (Reconciliation Service
API 0.2): manifest, batches of names in several scripts, a property-narrowed query,
suggest, preview and view; a pseudonymised or withheld person is never a candidate."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casefile.api.reconciliation import MAX_BATCH
from tests.factories import make_authority, make_case, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive():
    hubei = make_authority(name="Wuhan Intermediate People's Court", province="hubei")
    guizhou = make_authority(name="Bijie Court", name_original="毕节法院", province="guizhou")
    liu = make_person(name_original="刘虎", privacy="public", occupation="Journalist")
    liu_case = make_case(person=liu, authority=guizhou, docket_number="(2016)黔0502执2376号")
    xie = make_person(name_original="谢文", aliases=["Hsieh Wen"], privacy="public")
    make_case(person=xie, authority=hubei, listed_on=datetime.date(2017, 3, 1),
              listed_on_precision="month")  # fmt: skip
    wangs = []
    for authority, year in ((hubei, 2016), (guizhou, 2019)):
        wang = make_person(name_original="王伟", privacy="public")
        make_case(person=wang, authority=authority, listed_on=datetime.date(year, 1, 1),
                  listed_on_precision="year")  # fmt: skip
        wangs.append(wang)
    hidden = make_person(
        name_original="陈秘华",
        name_romanized="Chen Mihua",
        aliases=["Ah Wah Chan"],
        privacy="pseudonymised",
        pseudonym="Unnamed woman, Hubei",
    )
    hidden_case = make_case(person=hidden, authority=hubei, docket_number="(2018)鄂01执99号")
    withheld = make_person(name_original="张隐藏", privacy="withheld")
    make_case(person=withheld, authority=hubei)
    make_case(person=make_person(name_original="刘草稿"), publication_state="draft")
    return {
        "liu": liu, "liu_case": liu_case, "xie": xie, "wangs": wangs, "hidden": hidden,
        "hidden_case": hidden_case, "hubei": hubei, "guizhou": guizhou,
    }  # fmt: skip


def reconcile(client, batch, method="get"):
    data = {"queries": json.dumps(batch, ensure_ascii=False)}
    response = getattr(client, method)("/reconcile", data)
    assert response.status_code == 200, response.content
    return response.json()


def ids(answer):
    return [candidate["id"] for candidate in answer["result"]]


def test_manifest_describes_the_service(client):
    manifest = client.get("/reconcile").json()
    assert "0.2" in manifest["versions"]
    for key in ("name", "identifierSpace", "schemaSpace"):
        assert isinstance(manifest[key], str) and manifest[key]
    assert {t["id"] for t in manifest["defaultTypes"]} == {"person", "case"}
    assert "{{id}}" in manifest["view"]["url"]
    assert "{{id}}" in manifest["preview"]["url"]
    assert manifest["preview"]["width"] > 0 and manifest["preview"]["height"] > 0
    for kind in ("entity", "property", "type"):
        suggest = manifest["suggest"][kind]
        assert suggest["service_url"].endswith("/reconcile")
        assert suggest["service_path"] == f"/suggest/{kind}"
    # OpenRefine's page reads the manifest and suggestions from another origin.
    response = client.get("/reconcile", headers={"Origin": "http://127.0.0.1:3333"})
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_batch_of_names_in_several_scripts(client, archive, method):
    liu = f"person-{archive['liu'].pk}"
    xie = f"person-{archive['xie'].pk}"
    forms = ["刘虎", "Liu Hu", "liuhu", "Liú Hǔ", "LIU HU", "Hu Liu"]
    batch = {f"q{n}": {"query": form, "type": "person"} for n, form in enumerate(forms)}
    batch["xie"] = {"query": "Hsieh Wen"}  # an alias; no type: people
    batch["near"] = {"query": "Liu Hoo", "type": "person"}
    batch["none"] = {"query": "Nobody Atall", "type": "person"}
    answers = reconcile(client, batch, method)
    assert set(answers) == set(batch)
    for n in range(len(forms)):
        (best, *_) = answers[f"q{n}"]["result"]
        assert (best["id"], best["score"], best["match"]) == (liu, 100, True), forms[n]
        assert best["name"] == "Liu Hu (刘虎)"
        assert best["type"] == [{"id": "person", "name": "Person"}]
        assert "Journalist" in best["description"] and "1 published case" in best["description"]
    assert answers["xie"]["result"][0]["id"] == xie and answers["xie"]["result"][0]["match"]
    near = answers["near"]["result"]
    assert near and near[0]["id"] == liu
    assert 0 < near[0]["score"] < 100 and near[0]["match"] is False
    assert answers["none"]["result"] == []


def test_properties_narrow_an_ambiguous_name(client, archive):
    hubei_wang, guizhou_wang = (f"person-{wang.pk}" for wang in archive["wangs"])
    answers = reconcile(
        client,
        {
            "plain": {"query": "王伟", "type": "person"},
            "province": {
                "query": "Wang Wei",
                "type": "person",
                "properties": [{"pid": "province", "v": "Guizhou"}],
            },
            "year": {"query": "王伟", "properties": [{"pid": "listed", "v": 2016}]},
            "authority": {
                "query": "王伟",
                "properties": [{"pid": "authority", "v": {"id": str(archive["guizhou"].pk)}}],
            },
            "by_name": {"query": "王伟", "properties": [{"pid": "authority", "v": "毕节法院"}]},
            "nowhere": {"query": "王伟", "properties": [{"pid": "province", "v": "Atlantis"}]},
        },
    )
    plain = answers["plain"]["result"]
    assert set(ids(answers["plain"])) == {hubei_wang, guizhou_wang}
    assert all(c["score"] == 100 and c["match"] is False for c in plain)  # ambiguous
    for key, expected in (("province", guizhou_wang), ("year", hubei_wang),
                          ("authority", guizhou_wang), ("by_name", guizhou_wang)):  # fmt: skip
        assert ids(answers[key]) == [expected], key
        assert answers[key]["result"][0]["match"] is True, key
    assert answers["nowhere"]["result"] == []


def test_cases_by_name_docket_and_id(client, archive):
    case = archive["liu_case"]
    hidden_case = archive["hidden_case"]
    answers = reconcile(
        client,
        {
            "name": {"query": "Liu Hu", "type": "case"},
            "docket": {"query": "（2016）黔0502执2376号", "type": "case"},
            "id": {"query": case.public_id.lower(), "type": "case"},
            # A pseudonymised person's case is public: found by its docket, shown by
            # its pseudonym, never by the name.
            "hidden_docket": {"query": "(2018)鄂01执99号", "type": "case"},
            "both": {"query": "刘虎", "type": ["person", "case"]},
        },
    )
    for key in ("name", "docket", "id"):
        (best,) = answers[key]["result"]
        assert (best["id"], best["score"], best["match"]) == (case.public_id, 100, True), key
        assert best["type"] == [{"id": "case", "name": "Case"}]
        assert best["name"].startswith("Liu Hu (刘虎): ")
    (found,) = answers["hidden_docket"]["result"]
    assert found["id"] == hidden_case.public_id
    assert "Unnamed woman, Hubei" in found["name"] and "陈秘华" not in json.dumps(answers)
    assert {c["type"][0]["id"] for c in answers["both"]["result"]} == {"person", "case"}
    assert not any(c["match"] for c in answers["both"]["result"])  # a person and a case


HIDDEN = ["陈秘华", "Chen Mihua", "chenmihua", "Mihua Chen", "Ah Wah Chan", "张隐藏",
          "Zhang Yincang", "刘草稿", "Liu Caogao"]  # fmt: skip


def test_a_pseudonymised_or_withheld_persons_names_find_nothing(client, archive):
    batch = {}
    for n, form in enumerate(HIDDEN):
        batch[f"p{n}"] = {"query": form, "type": "person"}
        batch[f"c{n}"] = {"query": form, "type": "case"}
    answers = reconcile(client, batch)
    assert all(answer["result"] == [] for answer in answers.values()), answers
    for form in HIDDEN:
        for kind in ("person", "case"):
            found = client.get("/reconcile/suggest/entity", {"prefix": form, "type": kind})
            assert found.json() == {"result": []}, form
    # The same name of a public figure is found (the test can fail).
    assert ids(reconcile(client, {"q": {"query": "Liu Hu"}})["q"])


def test_a_batch_is_answered_by_a_fixed_number_of_statements(client, archive):
    names = ["刘虎", "Liu Hu", "Xie Wen", "王伟", "nobody", "liu hoo", "陈秘华", "hsieh"]

    def statements(size):
        batch = {
            f"q{n}": {"query": names[n % len(names)], "type": ["person", "case"]}
            for n in range(size)
        }
        with CaptureQueriesContext(connection) as captured:
            reconcile(client, batch)
        return len(captured)

    # The rate limit's counter, then at most: people, cases, cases by number; for the
    # names not found, people and cases again for near misses, read by index only (a
    # savepoint and two settings around them, as the search box reads them).
    assert statements(len(names)) == statements(MAX_BATCH) <= 10


@pytest.mark.parametrize(
    ("queries", "says"),
    [
        ("{not json", "not JSON"),
        ('["Liu Hu"]', "object"),
        (json.dumps({f"q{n}": {"query": "x"} for n in range(MAX_BATCH + 1)}), "at most 100"),
        ('{"q0": "Liu Hu"}', "'q0'"),
        ('{"q0": {"query": 5}}', "string"),
        ('{"q0": {"query": "x", "type": "org"}}', "type"),
        ('{"q0": {"query": "x", "limit": 0}}', "limit"),
        ('{"q0": {"query": "x", "limit": "a lot"}}', "limit"),
        ('{"q0": {"query": "x", "colour": "red"}}', "colour"),
        ('{"q0": {"query": "x", "properties": [{"pid": "age", "v": 3}]}}', "age"),
        ('{"q0": {"query": "x", "properties": [{"pid": "listed", "v": [[2017]]}]}}', "listed"),
        ('{"q0": {"query": "x\\u0000"}}', "control character"),
        ('{"q0": {}}', "query"),
        ('{"q0": {"query": "x", "limit": NaN}}', "limit"),
        ('{"q0": {"query": "x", "limit": Infinity}}', "limit"),
        ('{"q0": {"query": "\\ud800"}}', "surrogate"),
        ('{"\\udc00": {"query": "x"}}', "surrogate"),
        ('{"q\\u0000": {"query": "x"}}', "U+0000"),
        ('{"q0": {"query": "x", "properties": [{"pid": "authority", "v": "a\\u0000"}]}}', "U+0000"),
    ],
)
def test_a_malformed_batch_is_a_400_saying_what(client, queries, says):
    for response in (
        client.get("/reconcile", {"queries": queries}),
        client.post("/reconcile", {"queries": queries}),
    ):
        assert response.status_code == 400
        error = response.json()
        assert error["code"] == "invalid_parameters" and error["errors"][0]["name"] == "queries"
        assert says in error["detail"], error["detail"]


def test_ids_the_database_cannot_hold_match_nothing(client, archive):
    huge = {"pid": "authority", "v": [10**30, "9" * 40, -1, 0, 1.5]}
    answers = reconcile(client, {"q": {"query": "Liu Hu", "properties": [huge]}})
    assert answers["q"]["result"] == []


def test_unknown_parameters_and_a_post_without_a_batch(client):
    assert client.get("/reconcile", {"callback": "f"}).json()["code"] == "unknown_parameters"
    assert client.post("/reconcile", {}).status_code == 400
    listed = client.post("/reconcile", "[1, 2]", content_type="application/json")
    assert listed.status_code == 400


def test_a_batch_counts_once_against_the_anonymous_rate_limit(client, archive, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anonymous": "3/minute", "token": "5/minute"},
    }
    batch = {"queries": json.dumps({f"q{n}": {"query": "Liu Hu"} for n in range(50)})}
    assert [client.post("/reconcile", batch).status_code for _ in range(4)] == [200] * 3 + [429]


def test_suggest_entities_properties_and_types(client, archive):
    found = client.get("/reconcile/suggest/entity", {"prefix": "liu h"}).json()["result"]
    assert found[0]["id"] == f"person-{archive['liu'].pk}"
    assert found[0]["name"] == "Liu Hu (刘虎)" and found[0]["notable"][0]["id"] == "person"
    cases = client.get("/reconcile/suggest/entity", {"prefix": "王", "type": "case"}).json()
    assert len(cases["result"]) == 2 and cases["result"][0]["notable"][0]["id"] == "case"
    people = client.get("/reconcile/suggest/entity", {"prefix": "王"}).json()["result"]
    later = client.get("/reconcile/suggest/entity", {"prefix": "王", "cursor": "1"}).json()
    assert len(people) == 2 and later["result"] == people[1:]
    properties = client.get("/reconcile/suggest/property", {"prefix": "prov"}).json()["result"]
    assert [item["id"] for item in properties] == ["province"]
    types = client.get("/reconcile/suggest/type", {"prefix": ""}).json()["result"]
    assert {item["id"] for item in types} == {"person", "case"}
    assert client.get("/reconcile/suggest/entity").status_code == 400
    assert (
        client.get("/reconcile/suggest/entity", {"prefix": "x", "cursor": "-1"}).status_code == 400
    )


def test_preview_and_view(client, archive):
    person, case = f"person-{archive['liu'].pk}", archive["liu_case"].public_id
    preview = client.get("/reconcile/preview", {"id": person})
    assert preview.status_code == 200 and "Liu Hu" in preview.text and "Journalist" in preview.text
    assert "X-Frame-Options" not in preview  # OpenRefine shows it in a frame
    assert "frame-ancestors *" in preview["Content-Security-Policy"]
    assert case in client.get("/reconcile/preview", {"id": case}).text
    assert client.get(f"/reconcile/view/{person}").url == archive["liu"].get_absolute_url()
    assert client.get(f"/reconcile/view/{case}").url == archive["liu_case"].get_absolute_url()
    hidden = archive["hidden"]
    pseudonymised = client.get("/reconcile/preview", {"id": f"person-{hidden.pk}"})
    assert "Unnamed woman, Hubei" in pseudonymised.text and "陈秘华" not in pseudonymised.text
    for missing in ("person-999999", "person-x", "ZZZZZZZZZZ", "", "person-" + "9" * 40):
        assert client.get("/reconcile/preview", {"id": missing}).status_code == 404
        assert client.get(f"/reconcile/view/{missing or 'x'}").status_code == 404
