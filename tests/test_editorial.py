"""Roles, the dashboard, duplicate warnings and merging person records."""

import io
from importlib import import_module

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse

from casefile.cases import services
from casefile.cases.models import Case
from casefile.people.models import Person
from casefile.people.services import merge_people
from tests.factories import make_authority, make_case, make_person
from tests.test_concurrent_save import change_form

pytestmark = pytest.mark.django_db


def test_the_data_migration_creates_the_three_role_groups():
    """Run the migration's function on the migration state of the apps, as `migrate` does
    on a fresh database (transactional tests flush the groups made at set-up)."""
    Group.objects.all().delete()
    migration = import_module("casefile.editorial.migrations.0001_role_groups")
    state = MigrationLoader(connection).project_state(("editorial", "0001_role_groups"))
    migration.create_role_groups(state.apps, None)

    groups = {group.name: group for group in Group.objects.prefetch_related("permissions")}
    assert set(groups) >= {"editor", "reviewer", "administrator"}

    def codenames(name):
        return {p.codename for p in groups[name].permissions.all()}

    assert {"add_case", "change_case", "import_cases"} <= codenames("editor")
    assert "publish_case" not in codenames("editor")
    assert {"publish_case", "view_case_history", "restore_case", "merge_person"} <= codenames(
        "reviewer"
    )
    assert {"delete_case", "add_user", "publish_case"} <= codenames("administrator")


def test_add_user_creates_a_staff_user_with_a_role(monkeypatch, role_groups):
    monkeypatch.setenv("CASEFILE_PASSWORD", "a-long-and-unusual-passphrase")
    out = io.StringIO()
    call_command("add_user", "ana", "--role", "reviewer", stdout=out)
    user = get_user_model().objects.get(username="ana")
    assert user.is_staff and not user.is_superuser
    assert user.check_password("a-long-and-unusual-passphrase")
    assert user.has_perm("cases.publish_case")
    assert "Created reviewer ana." in out.getvalue()

    monkeypatch.setenv("CASEFILE_PASSWORD", "123")
    with pytest.raises(CommandError, match="too short"):
        call_command("add_user", "bob", "--role", "editor")
    assert not get_user_model().objects.filter(username="bob").exists()


def test_the_dashboard_shows_my_drafts_the_review_queue_and_recent_work(client, make_user):
    me, other = make_user("editor", "me"), make_user("editor", "other")
    mine = make_case(publication_state="draft")
    theirs = make_case(publication_state="draft")
    queued = make_case(publication_state="draft")
    published = make_case(publication_state="draft")

    client.force_login(me)
    client.post(
        reverse("admin:cases_case_change", args=[mine.pk]),
        change_form(mine, Case.objects.get(pk=mine.pk).version, summary="Mine."),
    )
    client.force_login(other)
    client.post(
        reverse("admin:cases_case_change", args=[theirs.pk]),
        change_form(theirs, Case.objects.get(pk=theirs.pk).version, summary="Theirs."),
    )
    services.submit_for_review(case=queued, by=other)
    Case.objects.filter(pk=published.pk).update(publication_state="published")

    client.force_login(me)
    response = client.get(reverse("editorial:dashboard"))
    assert response.status_code == 200
    assert list(response.context["my_drafts"]) == [mine]
    assert list(response.context["review_queue"]) == [queued]
    assert mine.public_id in response.text and queued.public_id in response.text
    assert response.context["recent_changes"][0].pk in {mine.pk, theirs.pk, queued.pk, published.pk}


def test_saving_a_case_with_a_known_docket_number_warns_with_a_link(as_editor):
    existing = make_case(docket_number="(2016)黔0502执2376号")
    person, authority = make_person(name_original="王五"), make_authority()
    data = change_form(existing, "", person=person.pk, docket_number="(2016)黔0502执2376号 ")
    data.pop("version")
    response = as_editor.post(reverse("admin:cases_case_add"), data, follow=True)
    assert response.status_code == 200
    warnings = [str(m) for m in response.context["messages"]]
    assert any(
        "Possible duplicate" in m
        and existing.public_id in m
        and reverse("admin:cases_case_change", args=[existing.pk]) in m
        for m in warnings
    )
    assert Case.objects.count() == 2  # a warning, not a block
    assert authority  # unused authority: the docket alone matches


def test_same_person_and_authority_is_a_possible_duplicate_too():
    person, authority = make_person(), make_authority()
    first = make_case(person=person, authority=authority)
    second = make_case(person=person, authority=authority, docket_number="X-1")
    found = Case.objects.possible_duplicates(
        docket_number=second.docket_number,
        person_id=person.pk,
        authority_id=authority.pk,
        exclude_pk=second.pk,
    )
    assert list(found) == [first]
    assert not Case.objects.possible_duplicates(
        docket_number="", person_id=person.pk, authority_id=None
    ).exists()


def test_a_reviewer_merges_two_person_records(reviewer):
    keep = make_person(name_original="刘虎", privacy="public", notes="Kept.")
    merge = make_person(
        name_original="", name_romanized="Hu Liu", privacy="pseudonymised", notes="Dup."
    )
    moved = make_case(person=merge)
    kept = merge_people(keep=keep, merge=merge, by=reviewer)

    assert not Person.objects.filter(pk=merge.pk).exists()
    assert Case.objects.get(pk=moved.pk).person == kept
    assert "Hu Liu" in kept.aliases
    assert kept.privacy == "pseudonymised"  # the more protective of the two
    assert "Dup." in kept.notes
    # The merged record's history is kept, with its last state.
    deleted = Person.pgh_event_models["insert"].objects.get(pgh_obj_id=merge.pk, pgh_label="delete")
    assert deleted.name_romanized == "Hu Liu"
    assert deleted.pgh_context.metadata["action"] == "merge_people"


def test_editors_cannot_merge_people(editor, client):
    a, b = make_person(), make_person()
    with pytest.raises(PermissionDenied):
        merge_people(keep=a, merge=b, by=editor)
    client.force_login(editor)
    response = client.get(reverse("editorial:merge-people"), {"ids": f"{a.pk},{b.pk}"})
    assert response.status_code == 403


def test_the_merge_page_merges_the_chosen_pair(as_reviewer):
    a, b = make_person(name_original="甲"), make_person(name_original="乙")
    case = make_case(person=b)
    url = reverse("editorial:merge-people")
    assert as_reviewer.get(url, {"ids": f"{a.pk},{b.pk}"}).status_code == 200
    response = as_reviewer.post(url, {"people": [a.pk, b.pk], "keep": a.pk})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).person_id == a.pk
    assert not Person.objects.filter(pk=b.pk).exists()


def test_the_person_list_offers_the_merge_action(as_reviewer):
    a, b = make_person(), make_person()
    response = as_reviewer.post(
        reverse("admin:people_person_changelist"),
        {"action": "merge_selected_people", "_selected_action": [a.pk, b.pk]},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("editorial:merge-people") + f"?ids={a.pk},{b.pk}"
