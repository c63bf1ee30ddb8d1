"""No lost updates: the second of two editors saving the same case is told what changed."""

import threading

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from casefile.cases import services
from casefile.cases.models import Case
from tests.factories import make_case, make_restriction

pytestmark = pytest.mark.django_db


def change_form(case: Case, version: str, **fields) -> dict:
    data = {
        "person": case.person_id,
        "list_name": case.list_name,
        "offence_category": case.offence_category,
        "status": case.status,
        "summary": case.summary,
        "notified": "unknown",
        "appeal_available": "unknown",
        "appeal_attempted": "unknown",
        "version": version,
    }
    for prefix in ("restrictions", "amounts", "events", "citations"):
        data |= {
            f"{prefix}-TOTAL_FORMS": "0",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    return data | fields


def loaded_version(client, case) -> str:
    response = client.get(reverse("admin:cases_case_change", args=[case.pk]))
    return response.context["adminform"].form["version"].value()


def test_the_second_of_two_editors_saving_is_told_what_changed(client, make_user):
    first, second = make_user("editor", "first"), make_user("editor", "second")
    case = make_case(publication_state="draft", summary="As first written.")
    url = reverse("admin:cases_case_change", args=[case.pk])

    client.force_login(first)
    first_version = loaded_version(client, case)
    client.force_login(second)
    second_version = loaded_version(client, case)
    assert first_version == second_version

    client.force_login(first)
    saved = client.post(url, change_form(case, first_version, summary="The first editor's text."))
    assert saved.status_code == 302

    client.force_login(second)
    refused = client.post(url, change_form(case, second_version, summary="The second one's."))
    assert refused.status_code == 200
    form = refused.context["adminform"].form
    assert form.stale is not None
    assert "changed by someone else" in refused.text
    # The difference is shown: the field, its old and new values, and who changed it.
    changes = [change for group in form.stale.changes for change in group.changes]
    summary_change = next(f for c in changes for f in c.fields if f.name == "summary")
    assert (summary_change.before, summary_change.after) == (
        "As first written.",
        "The first editor's text.",
    )
    assert form.stale.changes[-1].user == "first"
    assert "The first editor&#x27;s text." in refused.text
    assert Case.objects.get(pk=case.pk).summary == "The first editor's text."

    # The form now carries the current version: saving again is a deliberate choice.
    retry = client.post(
        url, change_form(case, form["version"].value(), summary="The second one's.")
    )
    assert retry.status_code == 302
    assert Case.objects.get(pk=case.pk).summary == "The second one's."


def test_a_part_added_meanwhile_also_makes_the_form_stale(as_editor):
    case = make_case(publication_state="draft")
    version = loaded_version(as_editor, case)
    make_restriction(case, kind="luxury_hotels")  # e.g. a bulk job or another editor

    response = as_editor.post(
        reverse("admin:cases_case_change", args=[case.pk]), change_form(case, version)
    )
    assert response.status_code == 200
    changes = [c for g in response.context["adminform"].form.stale.changes for c in g.changes]
    assert [(c.kind, c.operation) for c in changes] == [("restriction", "insert")]


def test_the_service_refuses_a_stale_version_and_says_what_changed(editor):
    case = make_case(publication_state="draft", summary="Old.")
    old_version = Case.objects.get(pk=case.pk).version
    services.update_case_with_parts(
        case_id=case.pk, expected_version=old_version, by=editor, fields={"summary": "New."}
    )
    with pytest.raises(services.StaleVersion) as stale:
        services.update_case_with_parts(
            case_id=case.pk, expected_version=old_version, by=editor, fields={"outcome": "X"}
        )
    assert stale.value.current_version == Case.objects.get(pk=case.pk).version
    assert stale.value.current_version != old_version
    fields = [f.name for g in stale.value.changes for c in g.changes for f in c.fields]
    assert fields == ["summary"]
    assert Case.objects.get(pk=case.pk).outcome == ""


def test_a_queryset_update_changes_the_version_too():
    case = make_case(publication_state="draft")
    version = Case.objects.get(pk=case.pk).version
    Case.objects.filter(pk=case.pk).update(summary="Changed in bulk.")
    assert Case.objects.get(pk=case.pk).version != version


def test_the_services_refuse_fields_that_belong_to_the_workflow(editor):
    case = make_case(publication_state="draft")
    with pytest.raises(ValidationError) as refused:
        services.update_case_with_parts(
            case_id=case.pk,
            expected_version=None,
            by=editor,
            fields={"publication_state": "published", "summary": "x"},
        )
    assert refused.value.message_dict == {"publication_state": ["This field cannot be edited."]}
    with pytest.raises(ValidationError, match="cannot be edited"):
        services.create_case_with_parts(
            by=editor, fields={"person": case.person, "published_at": timezone.now()}
        )
    with pytest.raises(ValidationError) as refused:
        services.update_case_with_parts(
            case_id=case.pk,
            expected_version=None,
            by=editor,
            fields={},
            parts={"restrictions": [{"kind": "air_travel", "case": make_case()}]},
        )
    assert refused.value.message_dict == {"restrictions[0].case": ["This field cannot be edited."]}
    assert Case.objects.get(pk=case.pk).publication_state == "draft"
    assert not case.restrictions.exists()


def test_the_services_apply_the_editorial_rule_under_the_lock(editor, reviewer):
    published = make_case()
    with pytest.raises(PermissionDenied, match="while it is published"):
        services.update_case_with_parts(
            case_id=published.pk, expected_version=None, by=editor, fields={"summary": "x"}
        )
    services.update_case_with_parts(
        case_id=published.pk, expected_version=None, by=reviewer, fields={"summary": "Fixed."}
    )
    assert Case.objects.get(pk=published.pk).summary == "Fixed."
    nobody = User.objects.create_user("nobody")
    with pytest.raises(PermissionDenied):
        services.create_case_with_parts(by=nobody, fields={"person": published.person})


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_run_one_after_the_other(make_user):
    """Two threads, two connections: the second waits for the first's lock, then sees its
    version is stale. Exactly one save wins; nothing is overwritten silently."""
    editor = make_user("editor")
    case = make_case(publication_state="draft", summary="Start.")
    version = Case.objects.get(pk=case.pk).version
    first_has_lock = threading.Event()
    outcomes = {}

    def first():
        try:
            with transaction.atomic():
                services.lock_case(case_id=case.pk, expected_version=version)
                first_has_lock.set()
                Case.objects.filter(pk=case.pk).update(summary="First.")
                threading.Event().wait(0.5)  # hold the lock while the second one tries
            outcomes["first"] = "saved"
        finally:
            connection.close()

    def second():
        first_has_lock.wait(5)
        try:
            services.update_case_with_parts(
                case_id=case.pk, expected_version=version, by=editor, fields={"summary": "2nd."}
            )
            outcomes["second"] = "saved"
        except services.StaleVersion:
            outcomes["second"] = "stale"
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert outcomes == {"first": "saved", "second": "stale"}
    assert Case.objects.get(pk=case.pk).summary == "First."
