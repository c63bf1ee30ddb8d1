"""The API and the admin refuse the same things: one rule (services.can_edit_case), one
lock (services.lock_case), the same roles. Each test makes the same attempt through
both interfaces, as the same user, and expects the same outcome."""

import pytest
from django.urls import reverse

from casefile.api.models import ApiToken
from casefile.cases import services
from casefile.cases.models import Case
from tests.api_support import auth, send_json
from tests.factories import make_case, make_person
from tests.test_concurrent_save import change_form

pytestmark = pytest.mark.django_db

STATES = ["draft", "in_review", "published", "retracted"]
# Who may change a case in which state. Written out here, not computed from the rule,
# so that a change to the rule shows up as a failing test.
MAY_EDIT = {
    "editor": {"draft", "in_review"},
    "reviewer": {"draft", "in_review", "published"},
    "administrator": {"draft", "in_review", "published"},
}


def api_headers(user) -> dict:
    _, key = ApiToken.objects.issue(user=user, name="test", can_write=True)
    return auth(key)


def through_the_admin(client, user, case, **fields):
    client.force_login(user)
    case.refresh_from_db()
    return client.post(
        reverse("admin:cases_case_change", args=[case.pk]),
        change_form(case, fields.pop("version", case.version), **fields),
    )


def through_the_api(client, user, case, **fields):
    client.logout()
    case.refresh_from_db()
    etag = f'"{fields.pop("version", case.version)}"'
    return send_json(
        client,
        "patch",
        f"/api/v1/editor/cases/{case.public_id}/",
        fields,
        headers={**api_headers(user), "If-Match": etag},
    )


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", list(MAY_EDIT))
def test_the_same_users_may_edit_the_same_cases_through_both(client, make_user, role, state):
    user = make_user(role)
    allowed = state in MAY_EDIT[role]
    case = make_case(publication_state=state, summary="As it was.")

    admin = through_the_admin(client, user, case, summary="Through the admin.")
    assert admin.status_code == (302 if allowed else 403), admin.content
    api = through_the_api(client, user, case, summary="Through the API.")
    assert api.status_code == (200 if allowed else 403), api.content

    case.refresh_from_db()
    assert case.summary == ("Through the API." if allowed else "As it was.")
    assert case.publication_state == state  # neither interface moves a case in the workflow
    if not allowed:
        assert api.json()["code"] == "permission_denied"
        assert api.json()["detail"] == (
            f"You cannot edit case {case.public_id} while it is "
            f"{case.get_publication_state_display().lower()}."
        )


def test_a_stale_version_is_refused_by_both_with_the_same_changes(client, make_user):
    first, second = make_user("editor", "first"), make_user("editor", "second")
    case = make_case(publication_state="draft", summary="Start.")
    case.refresh_from_db()
    loaded = case.version
    services.update_case_with_parts(
        case_id=case.pk, by=first, fields={"summary": "First's."}, expected_version=loaded
    )

    admin = through_the_admin(client, second, case, version=loaded, summary="Second's.")
    assert admin.status_code == 200
    stale = admin.context["adminform"].form.stale
    api = through_the_api(client, second, case, version=loaded, summary="Second's.")
    assert api.status_code == 412
    body = api.json()

    case.refresh_from_db()
    assert case.summary == "First's."
    assert body["current_etag"] == f'"{stale.current_version}"' == f'"{case.version}"'
    assert [g["user"] for g in body["changes"]] == [g.user for g in stale.changes] == ["first"]
    assert [item["fields"] for g in body["changes"] for item in g["items"]] == [
        [f.name for f in c.fields] for g in stale.changes for c in g.changes
    ]


def test_both_create_only_drafts_and_only_for_users_who_may_add_cases(client, make_user):
    from django.contrib.auth.models import Permission, User

    person = make_person()
    admin_form = change_form(Case(person=person), "", summary="New.")
    api_body = {"person": person.pk, "summary": "New."}

    editor = make_user("editor")
    client.force_login(editor)
    assert client.post(reverse("admin:cases_case_add"), admin_form).status_code == 302
    client.logout()
    created = send_json(
        client, "post", "/api/v1/editor/cases/", api_body, headers=api_headers(editor)
    )
    assert created.status_code == 201
    assert list(Case.objects.values_list("publication_state", flat=True)) == ["draft", "draft"]

    viewer = User.objects.create_user("viewer", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_case"))
    client.force_login(viewer)
    assert client.post(reverse("admin:cases_case_add"), admin_form).status_code == 403
    client.logout()
    refused = send_json(
        client, "post", "/api/v1/editor/cases/", api_body, headers=api_headers(viewer)
    )
    assert refused.status_code == 403
    assert Case.objects.count() == 2
