"""History kept by the database: who, when, before and after — bulk and raw writes included."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse

from casefile.cases import services
from casefile.cases.history import case_changes, case_history, public_change_log
from casefile.cases.models import Case, Restriction
from casefile.people.models import Person
from tests.factories import (
    make_amount,
    make_capture,
    make_case,
    make_citation,
    make_restriction,
)

pytestmark = pytest.mark.django_db

CaseChange = Case.pgh_event_models["insert"]


def test_a_bulk_update_is_recorded_with_before_and_after():
    cases = [make_case(summary="Before."), make_case(summary="Before.")]
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(summary="After, in bulk.")
    for case in cases:
        updates = CaseChange.objects.filter(pgh_obj_id=case.pk, pgh_label="update")
        assert updates.filter(summary="After, in bulk.").exists()
        summary_changes = [f for c in case_changes(case) for f in c.fields if f.name == "summary"]
        assert (summary_changes[-1].before, summary_changes[-1].after) == (
            "Before.",
            "After, in bulk.",
        )


def test_raw_sql_and_deletes_of_parts_are_recorded():
    case = make_case()
    restriction = make_restriction(case)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_restriction SET details = 'Refused at the gate.' WHERE id = %s",
            [restriction.pk],
        )
    Restriction.objects.filter(pk=restriction.pk).delete()
    operations = [(c.kind, c.operation) for c in case_changes(case) if c.kind == "restriction"]
    assert operations == [
        ("restriction", "insert"),
        ("restriction", "update"),
        ("restriction", "delete"),
    ]


def test_a_change_made_through_the_admin_records_who_made_it(as_editor, editor):
    case = make_case(publication_state="draft")
    version = Case.objects.get(pk=case.pk).version
    from tests.test_concurrent_save import change_form

    response = as_editor.post(
        reverse("admin:cases_case_change", args=[case.pk]),
        change_form(case, version, summary="Edited by the editor."),
    )
    assert response.status_code == 302
    newest = case_history(case)[0]
    assert newest.user == "editor"
    assert any(f.after == "Edited by the editor." for c in newest.changes for f in c.fields)


def test_whole_case_writes_record_who_made_them_outside_a_request_too(editor):
    """A script calling the services (no request, no middleware) is attributed as well."""
    case = services.create_case_with_parts(
        by=editor,
        fields={"person": make_case().person, "summary": "Entered by a script."},
        parts={"restrictions": [{"kind": "air_travel"}]},
    )
    services.update_case_with_parts(
        case_id=case.pk, by=editor, fields={"outcome": "Removed."}, expected_version=None
    )
    edit, creation = case_history(case)[:2]
    assert (edit.user, creation.user) == ("editor", "editor")
    assert {c.kind for c in creation.changes} == {"case", "restriction"}


def test_reviewers_see_the_full_history_and_editors_do_not(client, editor, reviewer):
    case = make_case(publication_state="draft", notes="Internal note.")
    services.submit_for_review(case=case, by=editor)
    url = reverse("editorial:history", args=[case.public_id])
    client.force_login(editor)
    assert client.get(url).status_code == 403
    client.force_login(reviewer)
    response = client.get(url)
    assert response.status_code == 200
    assert "Submitted for review" in response.text
    assert "editor" in response.text  # reviewers see who made each change
    assert "Internal note." in response.text


def test_a_reviewer_restores_an_earlier_version_of_the_case_and_its_parts(reviewer):
    case = make_case(summary="The good version.")
    air = make_restriction(case)
    good_time = case_changes(case)[-1].at

    Case.objects.filter(pk=case.pk).update(summary="A mistaken edit.")
    Restriction.objects.filter(pk=air.pk).delete()
    make_restriction(case, kind="luxury_hotels")

    case, notes = services.restore_case_version(case=case, as_of=good_time, by=reviewer)
    assert notes == []
    assert case.summary == "The good version."
    assert list(case.restrictions.values_list("pk", "kind")) == [(air.pk, "air_travel")]
    assert case.restriction_kinds == ["air_travel"]
    assert case.publication_state == "published"  # a restore is not a workflow step
    # The restore is itself recorded.
    assert case_history(case)[0].action == "restore"


def test_editors_cannot_restore(editor):
    case = make_case(publication_state="draft")
    with pytest.raises(services.PermissionDenied):
        services.restore_case_version(
            case=case, as_of=datetime.datetime.now(datetime.UTC), by=editor
        )


def test_the_restore_page_restores_and_reports(as_reviewer):
    case = make_case(summary="Kept.")
    as_of = case_changes(case)[-1].at
    Case.objects.filter(pk=case.pk).update(summary="Lost.")
    response = as_reviewer.post(
        reverse("editorial:restore", args=[case.public_id]),
        {"as_of": as_of.isoformat(), "version": Case.objects.get(pk=case.pk).version},
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).summary == "Kept."


def test_the_public_change_log_shows_dates_and_what_changed_never_who_or_drafts(
    client, editor, reviewer
):
    case = make_case(publication_state="draft", summary="A draft claim, never published.")
    capture = make_capture()
    make_citation(case, capture, case_field="listing")
    case = services.submit_for_review(case=case, by=editor)
    case = services.publish(case=case, by=reviewer)
    Case.objects.filter(pk=case.pk).update(summary="Corrected.", notes="Internal remark.")
    make_citation(case, capture, amount=make_amount(case, kind="fee"))

    log = public_change_log(Case.objects.get(pk=case.pk))
    items = [item for entry in log for item in entry.items]
    assert "First published" in items
    assert "Changed: Summary" in items
    assert "Amount added: Fee or cost" in items
    assert "Source citation added" in items

    response = client.get(reverse("case-changes", args=[case.public_id]))
    assert response.status_code == 200
    for secret in ("editor", "reviewer", "Internal remark", "Notes", "never published", "Draft"):
        assert secret not in response.text
    assert (
        reverse("case-changes", args=[case.public_id]) in client.get(case.get_absolute_url()).text
    )


def test_the_public_change_log_of_an_unpublished_case_does_not_exist(client):
    case = make_case(publication_state="draft")
    assert client.get(reverse("case-changes", args=[case.public_id])).status_code == 404


def test_person_and_source_changes_are_recorded():
    person = Person.objects.create(name_original="刘虎", privacy="public")
    Person.objects.filter(pk=person.pk).update(occupation="journalist")
    capture = make_capture()
    capture.source.title = "Revised title"
    capture.source.save()
    assert person.changes.filter(occupation="journalist").exists()
    assert capture.source.changes.filter(title="Revised title").exists()
    assert capture.changes.filter(pgh_label="insert").exists()
