"""Editors' writes: drafts with their parts through the services' validation,
optimistic locking with If-Match, and every write refused to anyone else.

Which case a user may change in which state is the editorial rule the admin applies
too; tests/test_api_writes_rules.py holds the two interfaces side by side."""

import pytest

from casefile.cases.models import Case
from tests.api_support import auth, send_json, token
from tests.factories import make_capture, make_case, make_person

pytestmark = pytest.mark.django_db

EDITOR = "/api/v1/editor/cases/"


@pytest.fixture
def editor():
    return auth(token(groups=["editor"]))


def new_case(person, capture):
    return {
        "person": person.pk,
        "offence": "unpaid_rent",
        "status": "listed",
        "listed": "2017-03",
        "notified": False,
        "summary": "Listed over rent.",
        "restrictions": [
            {"kind": "air_travel", "started": "2017", "citations": [{"capture": capture.pk}]}
        ],
        "amounts": [{"kind": "owed", "value": "1500.00", "currency": "CAD"}],
        "events": [{"occurred": "2017-03-05", "kind": "listed", "description": "Listed."}],
        "citations": [{"capture": capture.pk, "claim": "summary", "quote": "rent"}],
    }


def test_an_editor_creates_a_draft_with_its_parts(client, editor):
    person, capture = make_person(), make_capture()
    response = send_json(client, "post", EDITOR, new_case(person, capture), headers=editor)
    assert response.status_code == 201, response.content
    data = response.json()
    case = Case.objects.get(public_id=data["id"])
    assert case.publication_state == "draft" and data["state"] == "draft"
    assert response["Location"].endswith(f"{EDITOR}{case.public_id}/")
    assert response["ETag"] == f'"{case.version}"'
    assert case.restriction_kinds == ["air_travel"]
    assert str(case.listed) == "March 2017"
    assert case.restrictions.get().citations.count() == 1
    assert case.citations.filter(case_field="summary").count() == 1
    assert data["restrictions"][0]["citations"][0]["capture"]["id"] == capture.pk
    assert client.get(f"/api/v1/cases/{case.public_id}/").status_code == 404  # not public


def test_unknown_or_read_only_fields_are_refused_not_dropped(client, editor):
    person, capture = make_person(), make_capture()
    payload = {**new_case(person, capture), "publication_state": "published", "sumary": "typo"}
    payload["amounts"][0]["valeu"] = "3"
    response = send_json(client, "post", EDITOR, payload, headers=editor)
    assert response.status_code == 400
    fields = {item["name"] for item in response.json()["errors"]}
    assert {"publication_state", "sumary", "amounts[0].valeu"} <= fields
    assert not Case.objects.exists()


def test_invalid_parts_are_reported_by_path_and_nothing_is_written(client, editor):
    person, capture = make_person(), make_capture()
    payload = new_case(person, capture)
    payload["removed"] = "2016"  # before the listing: a model constraint
    payload["restrictions"][0]["ended"] = "2016"  # before it started
    payload["amounts"][0]["currency"] = "XYZ"  # not ISO 4217
    response = send_json(client, "post", EDITOR, payload, headers=editor)
    assert response.status_code == 400
    error = response.json()
    assert error["code"] == "validation_failed"
    assert {item["name"] for item in error["errors"]} == {"amounts[0].currency"}
    del payload["amounts"]
    response = send_json(client, "post", EDITOR, payload, headers=editor)
    assert response.status_code == 400
    names = {item["name"] for item in response.json()["errors"]}
    assert names == {"removed"}  # the API's name for the model's removed_on
    payload["removed"] = None
    response = send_json(client, "post", EDITOR, payload, headers=editor)
    assert {item["name"] for item in response.json()["errors"]} == {"restrictions[0].ended"}
    assert Case.objects.count() == 0


def test_updates_need_the_current_version(client, editor):
    person, capture = make_person(), make_capture()
    created = send_json(client, "post", EDITOR, new_case(person, capture), headers=editor)
    url, etag = created["Location"], created["ETag"]

    missing = send_json(client, "patch", url, {"summary": "x"}, headers=editor)
    assert missing.status_code == 428
    assert missing.json()["errors"][0]["name"] == "If-Match"

    first = send_json(
        client,
        "patch",
        url,
        {"summary": "First edit.", "amounts": []},
        headers={**editor, "If-Match": etag},
    )
    assert first.status_code == 200, first.content
    assert first.json()["summary"] == "First edit." and first.json()["amounts"] == []
    assert first.json()["restrictions"][0]["kind"] == "air_travel"  # left as it was
    assert first["ETag"] != etag

    stale = send_json(
        client, "patch", url, {"summary": "Second edit."}, headers={**editor, "If-Match": etag}
    )
    assert stale.status_code == 412
    error = stale.json()
    assert error["code"] == "precondition_failed"
    assert error["errors"] == [
        {
            "in": "header",
            "name": "If-Match",
            "code": "stale",
            "message": f"The case is now at {first['ETag']}.",
        }
    ]
    assert error["current_etag"] == first["ETag"]
    # What changed since the client's version: who, and which fields and parts.
    (group,) = error["changes"]
    assert group["user"] == "user1" and group["action"] == ""
    changed = {(item["kind"], item["operation"]): item["fields"] for item in group["items"]}
    assert changed[("case", "update")] == ["summary"]
    assert "value" in changed[("amount", "delete")]
    assert Case.objects.get().summary == "First edit."

    current = client.get(url, headers=editor)
    assert current["ETag"] == first["ETag"]


def patch(client, headers, case, data, etag=None):
    case.refresh_from_db()  # the database stamps the version
    return send_json(
        client,
        "patch",
        f"{EDITOR}{case.public_id}/",
        data,
        headers={**headers, "If-Match": etag or f'"{case.version}"'},
    )


def test_editors_cannot_edit_a_published_case_through_the_api(client, editor):
    case = make_case()
    response = patch(client, editor, case, {"summary": "x"})
    assert response.status_code == 403
    error = response.json()
    assert error["code"] == "permission_denied"
    assert error["detail"] == f"You cannot edit case {case.public_id} while it is published."
    assert Case.objects.get().summary == "Listed for an unpaid debt."


def test_who_may_not_edit_a_case_is_told_so_before_any_version_check(client, editor):
    case = make_case()
    response = patch(client, editor, case, {"summary": "x"}, etag='"stale"')
    assert response.status_code == 403


def test_editors_edit_cases_in_review(client, editor):
    case = make_case(publication_state="in_review")
    response = patch(client, editor, case, {"summary": "Fixed before review."})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "in_review"
    assert Case.objects.get().summary == "Fixed before review."


def test_a_reviewer_corrects_a_published_case_and_it_stays_published(client):
    reviewer = auth(token(groups=["reviewer"]))
    case = make_case()
    response = patch(client, reviewer, case, {"summary": "Corrected."})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "published"
    public = client.get(f"/api/v1/cases/{case.public_id}/")
    assert public.json()["summary"] == "Corrected."  # live at once, as in the admin


def test_nobody_edits_a_retracted_case_through_the_api(client):
    case = make_case(publication_state="retracted")
    for key in (token(groups=["reviewer"]), token(superuser=True)):
        response = patch(client, auth(key), case, {"summary": "x"})
        assert response.status_code == 403
        assert "retracted" in response.json()["detail"]
    assert Case.objects.get().summary == "Listed for an unpaid debt."


def test_an_api_write_is_in_the_cases_history_under_its_user(client):
    from casefile.cases.history import case_history

    key = token(groups=["editor"], username="ana")
    created = send_json(
        client, "post", EDITOR, new_case(make_person(), make_capture()), headers=auth(key)
    )
    case = Case.objects.get()
    response = patch(client, auth(key), case, {"summary": "Edited through the API."})
    assert response.status_code == 200
    edit, creation = case_history(case)[:2]
    assert edit.user == "ana" and creation.user == "ana"
    assert any(f.after == "Edited through the API." for c in edit.changes for f in c.fields)
    assert {c.kind for c in creation.changes} >= {"case", "restriction", "amount", "citation"}
    assert edit.changes[0].metadata["url"] == f"{EDITOR}{created.json()['id']}/"


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("bad token", 401),
        ("editor's read-only token", 403),
        ("non-editor's write token", 403),
    ],
)
def test_every_write_is_refused_to_anyone_but_an_editors_write_token(client, who, status):
    headers = {
        "anonymous": {},
        "bad token": auth("cf_nonsense"),
        "editor's read-only token": auth(token(groups=["editor"], can_write=False)),
        "non-editor's write token": auth(token()),
    }[who]
    draft = make_case(publication_state="draft")
    draft.refresh_from_db()
    payload = new_case(make_person(), make_capture())
    detail = f"{EDITOR}{draft.public_id}/"
    attempts = [
        send_json(client, "post", EDITOR, payload, headers=headers),
        send_json(
            client,
            "patch",
            detail,
            {"summary": "x"},
            headers={**headers, "If-Match": f'"{draft.version}"'},
        ),
        client.get(detail, headers=headers),
        send_json(client, "post", "/api/v1/cases/", payload, headers=headers),
        send_json(client, "put", f"/api/v1/cases/{draft.public_id}/", payload, headers=headers),
        client.delete(f"/api/v1/cases/{draft.public_id}/", headers=headers),
    ]
    for response in attempts[:3]:
        assert response.status_code == status, response.content
        assert response.json()["code"] in (
            "not_authenticated",
            "authentication_failed",
            "permission_denied",
        )
    for response in attempts[3:]:  # the public endpoints have no writes at all
        assert response.status_code in (status, 405)
    assert Case.objects.count() == 1 and Case.objects.get().summary == draft.summary


@pytest.mark.parametrize("role", ["reviewer", "administrator", "superuser"])
def test_reviewers_administrators_and_superusers_may_write_too(client, role):
    key = token(superuser=True) if role == "superuser" else token(groups=[role])
    payload = new_case(make_person(), make_capture())
    assert send_json(client, "post", EDITOR, payload, headers=auth(key)).status_code == 201


def test_writing_follows_permissions_not_group_names(client):
    """The API asks the user's permissions (which the role groups grant), as the admin
    does: a group of another name with the permission writes; without it, nobody."""
    from django.contrib.auth.models import Group, Permission, User

    volunteers = Group.objects.create(name="volunteers")
    volunteers.permissions.add(Permission.objects.get(codename="add_case"))
    key = token()
    User.objects.get(api_tokens__isnull=False).groups.add(volunteers)
    payload = new_case(make_person(), make_capture())
    assert send_json(client, "post", EDITOR, payload, headers=auth(key)).status_code == 201
    # Adding is not changing: the same token may not edit, not even its own draft.
    case = Case.objects.get()
    assert patch(client, auth(key), case, {"summary": "x"}).status_code == 403


def test_a_revoked_token_is_refused(client):
    from django.utils import timezone

    from casefile.api.models import ApiToken

    key = token(groups=["editor"])
    ApiToken.objects.update(revoked_at=timezone.now())
    response = send_json(
        client, "post", EDITOR, new_case(make_person(), make_capture()), headers=auth(key)
    )
    assert response.status_code == 401
