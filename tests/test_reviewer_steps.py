"""Changing what a published case shows is a reviewer's step on every route: the admin,
the API followed by an import, the importer, a merge. Editors are refused (and may
always make a person less visible); reviewers may, and the change is recorded with who
and when and counts as a correction of the cases it touches."""

import pytest
from django.urls import reverse

from casefile.cases.history import public_change_log
from casefile.cases.models import Case
from casefile.editorial.importer import COLUMNS, import_cases
from casefile.people.models import Person
from casefile.people.services import merge_people
from tests.api_support import auth, send_json, token
from tests.factories import (
    make_authority,
    make_capture,
    make_case,
    make_citation,
    make_person,
    make_source,
)
from tests.test_import import csv_file

pytestmark = pytest.mark.django_db

REAL_NAME = "秘密人"


def person_form(person, **changes) -> dict:
    data = {
        "name_original": person.name_original,
        "name_romanized": person.name_romanized,
        "aliases": ",".join(person.aliases),
        "occupation": person.occupation,
        "privacy": person.privacy,
        "pseudonym": person.pseudonym,
        "notes": person.notes,
    }
    return {**data, **changes}


def post_person(client, person, **changes):
    url = reverse("admin:people_person_change", args=[person.pk])
    return client.post(url, person_form(person, **changes))


def last_change_user(obj) -> int | None:
    change = obj.changes.order_by("-pgh_created_at", "-pgh_id").first()
    return change.pgh_context.metadata.get("user") if change.pgh_context else None


@pytest.fixture
def hidden_person():
    """A pseudonymised person with a published case, and a withheld one with another."""
    pseudonymised = make_person(
        name_original=REAL_NAME, privacy="pseudonymised", pseudonym="Unnamed man, Hubei"
    )
    withheld = make_person(name_original="隐藏者", privacy="withheld")
    return {
        "pseudonymised": make_case(person=pseudonymised),
        "withheld": make_case(person=withheld),
    }


@pytest.mark.parametrize(
    ("kind", "privacy"),
    [("withheld", "pseudonymised"), ("withheld", "public"), ("pseudonymised", "public")],
)
def test_the_admin_refuses_an_editor_a_more_visible_person_and_lets_a_reviewer(
    client, editor, reviewer, hidden_person, kind, privacy
):
    case = hidden_person[kind]
    person = Person.objects.get(pk=case.person_id)
    client.force_login(editor)
    response = post_person(client, person, privacy=privacy, pseudonym="P.")
    assert response.status_code == 200  # the form again, with the reason
    assert "Only a reviewer can make this change" in response.text
    assert Person.objects.get(pk=person.pk).privacy == kind

    client.force_login(reviewer)
    before = Case.objects.get(pk=case.pk).updated_at
    response = post_person(client, person, privacy=privacy, pseudonym="P.")
    assert response.status_code == 302
    assert Person.objects.get(pk=person.pk).privacy == privacy
    assert last_change_user(person) == reviewer.pk
    assert Case.objects.get(pk=case.pk).updated_at > before  # a correction of the case


def test_an_editor_may_always_make_a_person_less_visible(client, editor):
    case = make_case(person=make_person(name_original="刘虎", privacy="public"))
    person = case.person
    client.force_login(editor)
    assert (
        post_person(client, person, privacy="pseudonymised", pseudonym="L. H.").status_code == 302
    )
    assert (
        post_person(client, Person.objects.get(pk=person.pk), privacy="withheld").status_code == 302
    )
    assert Person.objects.get(pk=person.pk).privacy == "withheld"
    assert last_change_user(person) == editor.pk


@pytest.mark.parametrize("state", ["in_review", "published", "retracted"])
def test_renaming_a_person_past_the_draft_stage_is_a_reviewers_step(
    client, editor, reviewer, state
):
    person = make_person(name_original="王小明", privacy="public", occupation="teacher")
    make_case(person=person, publication_state=state)
    client.force_login(editor)
    for change in ({"name_original": "王大明"}, {"occupation": "farmer"}, {"aliases": "Wang"}):
        response = post_person(client, person, **change)
        assert "Only a reviewer can make this change" in response.text, change
    assert Person.objects.get(pk=person.pk).name_original == "王小明"
    client.force_login(reviewer)
    assert post_person(client, person, name_original="王大明").status_code == 302
    assert Person.objects.get(pk=person.pk).name_original == "王大明"


def test_an_editor_may_rename_a_person_who_has_drafts_only(client, editor):
    person = make_person(name_original="王小明", privacy="pseudonymised", pseudonym="W.")
    make_case(person=person, publication_state="draft")
    client.force_login(editor)
    assert post_person(client, person, name_original="王大明").status_code == 302


def test_sources_captures_and_authorities_a_published_case_shows_are_reviewers_to_change(
    client, editor, reviewer
):
    authority = make_authority(name="Old Court Name")
    source = make_source(title="Old title")
    capture = make_capture(source, label="old label")
    case = make_case(authority=authority)
    make_citation(case, capture)
    published_at = Case.objects.get(pk=case.pk).first_public_at
    Case.objects.filter(pk=case.pk).update(published_at=published_at)
    unused = make_source(title="Cited by nobody published")

    pages = [
        ("admin:sources_source_change", source, {"kind": "news_article", "title": "New title", "language": "en", "relation": "other", "reliability": "unknown", "sharing": "never", **{f"captures-{k}": v for k, v in {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0", "MIN_NUM_FORMS": "0", "MAX_NUM_FORMS": "1000"}.items()}}),
        ("admin:sources_sourcecapture_change", capture, {"source": source.pk, "label": "new label", "captured_at_0": "2018-01-01", "captured_at_1": "00:00:00"}),
        ("admin:authorities_authority_change", authority, {"name": "New Court Name", "kind": "court", "province": "hubei", "city": "Wuhan"}),
    ]  # fmt: skip
    client.force_login(editor)
    for name, obj, data in pages:
        url = reverse(name, args=[obj.pk])
        page = client.get(url)
        assert "only a reviewer can change it" in page.text, name
        assert client.post(url, data).status_code == 403, name
    # A source no published case cites stays the editors' to change.
    unused_url = reverse("admin:sources_source_change", args=[unused.pk])
    assert client.post(unused_url, {**pages[0][2], "title": "Retitled"}).status_code == 302

    client.force_login(reviewer)
    before = Case.objects.get(pk=case.pk).updated_at
    for name, obj, data in pages:
        response = client.post(reverse(name, args=[obj.pk]), data)
        assert response.status_code == 302, (name, response.content[:2000])
        obj.refresh_from_db()
        assert last_change_user(obj) == reviewer.pk
    assert Case.objects.get(pk=case.pk).updated_at > before
    page = client.get(case.get_absolute_url()).text
    assert "New title" in page and "New Court Name" in page
    log = " ".join(
        item for entry in public_change_log(Case.objects.get(pk=case.pk)) for item in entry.items
    )
    assert "Cited source corrected: title" in log
    assert "Cited source capture corrected: label" in log
    assert "Listing authority corrected: name" in log


def import_row(**cells) -> bytes:
    row = {"case_key": "row-1", "person_name": "李四", "public_figure": "no", **cells}
    return csv_file(row, columns=COLUMNS)


def test_a_draft_pointed_at_a_published_persons_record_cannot_rename_them_by_import(
    client, editor, reviewer, hidden_person
):
    """The second route of the issue: an editor points an imported draft at the person of
    a published case (API PATCH), then re-imports its row as a public figure with a new
    name. The published case keeps showing the pseudonym."""
    import_cases(data=import_row(), filename="a.csv", dry_run=False, by=editor)
    draft = Case.objects.get(external_key="row-1")
    published = hidden_person["pseudonymised"]
    key = token(groups=["editor"], username="api-editor")
    url = f"/api/v1/editor/cases/{draft.public_id}/"
    etag = client.get(url, headers=auth(key))["ETag"]
    response = send_json(
        client,
        "patch",
        url,
        {"person": published.person_id},
        headers={**auth(key), "If-Match": etag},
    )
    assert response.status_code == 200

    for user in (editor, reviewer):  # the importer never changes such a person
        report = import_cases(
            data=import_row(person_name="新名字", public_figure="yes"),
            filename="b.csv", dry_run=False, by=user,
        )  # fmt: skip
        assert report.ok
        assert any(
            f"person #{published.person_id} has a case in review" in line
            for line in report.person_differences
        )
    person = Person.objects.get(pk=published.person_id)
    assert (person.privacy, person.name_original) == ("pseudonymised", REAL_NAME)
    page = client.get(published.get_absolute_url()).text
    assert "新名字" not in page and REAL_NAME not in page and "Unnamed man, Hubei" in page


def test_an_import_makes_a_person_more_visible_only_for_a_reviewer(editor, reviewer):
    import_cases(data=import_row(), filename="a.csv", dry_run=False, by=editor)
    person_id = Case.objects.get(external_key="row-1").person_id
    report = import_cases(
        data=import_row(public_figure="yes"), filename="b.csv", dry_run=False, by=editor
    )
    assert "only a reviewer can" in report.person_differences[0]
    assert Person.objects.get(pk=person_id).privacy == "pseudonymised"
    report = import_cases(
        data=import_row(public_figure="yes"), filename="b.csv", dry_run=False, by=reviewer
    )
    assert report.person_differences == []
    assert Person.objects.get(pk=person_id).privacy == "public"
    assert last_change_user(Person.objects.get(pk=person_id)) == reviewer.pk


def test_merging_people_is_a_reviewers_step_and_keeps_the_least_visible_level(
    client, editor, reviewer, hidden_person
):
    public = make_person(name_original="王五", privacy="public")
    make_case(person=public)
    hidden = Person.objects.get(pk=hidden_person["pseudonymised"].person_id)
    client.force_login(editor)
    response = client.post(
        reverse("editorial:merge-people"), {"people": [public.pk, hidden.pk], "keep": public.pk}
    )
    assert response.status_code == 403
    kept = merge_people(keep=public, merge=hidden, by=reviewer)
    assert kept.privacy == "pseudonymised"
    assert REAL_NAME in kept.aliases
    assert last_change_user(kept) == reviewer.pk


def test_corrections_through_a_person_or_source_are_name_checked(client, editor, reviewer):
    """Renaming a pseudonymised person, unhiding one, or retitling a source their case
    cites is a correction of the case: refused while its text would name them."""
    person = make_person(name_original="陈秘华", privacy="pseudonymised", pseudonym="C.")
    case = make_case(person=person, summary="Listed after a dispute with Zhang Wei.")
    source = make_source(title="A report")
    make_citation(case, make_capture(source))
    client.force_login(reviewer)

    response = post_person(client, person, name_original="张伟")
    assert "appears in its public text" in response.text
    assert Person.objects.get(pk=person.pk).name_original == "陈秘华"  # rolled back

    url = reverse("admin:sources_source_change", args=[source.pk])
    data = {"kind": "news_article", "title": "陈秘华 blacklisted", "language": "en", "relation": "other", "reliability": "unknown", "sharing": "never", **{f"captures-{k}": v for k, v in {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0", "MIN_NUM_FORMS": "0", "MAX_NUM_FORMS": "1000"}.items()}}  # fmt: skip
    response = client.post(url, data)
    assert "appears in its public text" in response.text
    source.refresh_from_db()
    assert source.title == "A report"

    hidden = make_person(name_original="张隐藏", privacy="withheld")
    make_case(person=hidden, summary="张隐藏 could not board.")
    response = post_person(client, hidden, privacy="pseudonymised", pseudonym="Z.")
    assert "appears in its public text" in response.text
    assert Person.objects.get(pk=hidden.pk).privacy == "withheld"


def test_hiding_a_person_is_never_refused_but_warns_of_texts_naming_them(client, editor):
    person = make_person(name_original="刘虎", name_romanized="Liu Hu", privacy="public")
    case = make_case(person=person, summary="Liu Hu, a journalist, was listed.")
    client.force_login(editor)
    response = post_person(client, person, privacy="pseudonymised", pseudonym="L. H.")
    assert response.status_code == 302
    assert Person.objects.get(pk=person.pk).privacy == "pseudonymised"
    page = client.get(response.url).text
    assert f'Case <a href="/editorial/cases/{case.public_id}/name-check/">' in page
