"""Corrections by re-import: a reviewer's re-import corrects cases in review and published
(recorded as a correction, name-checked), anyone else's is reported row by row; updated
cases are locked, so an editor saving one meanwhile loses nothing."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from casefile.cases import services
from casefile.cases.history import case_history, public_change_log
from casefile.cases.models import Case
from casefile.editorial.importer import COLUMNS, import_cases
from casefile.editorial.importing.writing import Writer
from casefile.people.models import Person
from tests.test_concurrent_save import change_form, loaded_version
from tests.test_import import LIU_HU, SHOPLIFTER, csv_file, database_state

pytestmark = pytest.mark.django_db

SUMMARY = "A journalist barred from flights after a defamation verdict."


def run(*rows, by=None, dry_run=False, columns=COLUMNS):
    return import_cases(
        data=csv_file(*rows, columns=columns),
        filename="corrected.csv",
        dry_run=dry_run,
        by=by,
        people="new",
    )


def published(key: str, reviewer) -> Case:
    case = Case.objects.get(external_key=key)
    return services.submit_and_publish(case=case, by=reviewer)


@pytest.fixture
def liu(editor, reviewer):
    run({**LIU_HU, "summary": SUMMARY}, by=editor)
    return published("globe-2018-01", reviewer)


def test_a_reviewers_re_import_corrects_a_published_case(liu, reviewer, client):
    corrected = {**LIU_HU, "summary": SUMMARY + " He paid $115.", "restrictions": "air_travel"}
    report = run(corrected, by=reviewer)
    assert report.ok
    assert report.corrected == ["globe-2018-01"]
    case = Case.objects.get(pk=liu.pk)
    assert case.publication_state == "published"
    assert case.summary.endswith("He paid $115.")
    assert case.restriction_kinds == ["air_travel"]
    # Recorded as a correction, by the reviewer, in the history and the public log.
    group = case_history(case)[0]
    assert (group.action, group.user) == ("import_correction", reviewer.username)
    items = [item for entry in public_change_log(case) for item in entry.items]
    assert "Corrected: Summary" in items
    assert "Restriction removed: High-speed (top-tier) trains" in items
    page = client.get(reverse("case-changes", args=[case.public_id])).text
    assert "Corrected: Summary" in page and reviewer.username not in page
    # The case page shows the correction at once.
    assert "He paid $115." in client.get(case.get_absolute_url()).text


def test_an_editors_re_import_reports_each_such_row_with_the_reason(liu, editor, reviewer):
    run({**SHOPLIFTER, "summary": ""}, by=editor)
    Case.objects.filter(external_key="globe-2018-06").update(publication_state="in_review")
    before = database_state()
    report = run(
        {**LIU_HU, "summary": "Changed."},
        {**SHOPLIFTER, "summary": "Changed."},
        by=editor,
    )
    assert report.ok and report.skipped == ["globe-2018-01", "globe-2018-06"]
    reasons = [o.reason for o in report.outcomes]
    assert reasons == [
        "the case is published: only a reviewer corrects it by import (or in the admin).",
        "the case is in review: only a reviewer corrects it by import (or in the admin).",
    ]
    assert database_state() == before
    # A reviewer's corrects both, the one in review too.
    assert run(
        {**LIU_HU, "summary": "Changed."}, {**SHOPLIFTER, "summary": "Changed."}, by=reviewer
    ).corrected == [
        "globe-2018-01",
        "globe-2018-06",
    ]


def test_a_retracted_case_is_never_changed_by_import(liu, reviewer):
    services.retract(case=liu, by=reviewer, note="Could not be confirmed.")
    report = run({**LIU_HU, "summary": "Changed."}, by=reviewer)
    assert report.skipped == ["globe-2018-01"] and "retracted" in report.outcomes[0].reason
    assert Case.objects.get(pk=liu.pk).summary == SUMMARY


def test_a_correction_never_changes_the_person_of_a_published_case(liu, reviewer):
    report = run({**LIU_HU, "occupation": "blogger", "summary": "Changed."}, by=reviewer)
    assert report.corrected == ["globe-2018-01"]
    assert Person.objects.get(pk=liu.person_id).occupation == "journalist"
    assert "occupation" in report.person_differences[0]
    assert "has a case in review, published or retracted" in report.person_differences[0]


def test_a_correction_that_would_name_a_pseudonymised_person_refuses_the_file(editor, reviewer):
    run({**SHOPLIFTER, "summary": "Shoplifted cigarettes."}, by=editor)
    case = published("globe-2018-06", reviewer)
    before = database_state()
    naming = {**SHOPLIFTER, "summary": "张三 shoplifted cigarettes."}
    for dry_run in (True, False):
        report = run(naming, by=reviewer, dry_run=dry_run)
        assert not report.ok
        [error] = report.errors
        assert error.row == 2 and "summary" in error.message and "张三" in error.message
        assert report.outcomes == []
        assert database_state() == before
    assert Case.objects.get(pk=case.pk).summary == "Shoplifted cigarettes."


def test_a_correction_in_the_dry_run_changes_nothing(liu, reviewer):
    before = database_state()
    report = run({**LIU_HU, "summary": "Changed."}, by=reviewer, dry_run=True)
    assert report.ok and report.corrected == ["globe-2018-01"]
    assert database_state() == before


def test_the_report_links_to_every_case_it_created_or_changed(as_editor, editor):
    response = as_editor.post(
        reverse("admin:cases_case_import"),
        {"file": _upload(LIU_HU, SHOPLIFTER), "people": "new"},
    )
    for case in Case.objects.all():
        assert reverse("admin:cases_case_change", args=[case.pk]) in response.text
        assert case.public_id in response.text


def _upload(*rows):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("cases.csv", csv_file(*rows, columns=COLUMNS))


# --- An editor saving the same draft during an import -------------------------------------------


def test_an_editor_who_loaded_a_draft_before_an_import_is_told_what_it_changed(client, editor):
    run(LIU_HU, by=editor)
    case = Case.objects.get(external_key="globe-2018-01")
    client.force_login(editor)
    version = loaded_version(client, case)
    run({**LIU_HU, "outcome": "Removed after paying."}, by=editor)
    url = reverse("admin:cases_case_change", args=[case.pk])
    refused = client.post(url, change_form(case, version, summary="The editor's text."))
    assert refused.status_code == 200 and refused.context["adminform"].form.stale
    changes = [
        f.name
        for g in refused.context["adminform"].form.stale.changes
        for c in g.changes
        for f in c.fields
    ]
    assert "outcome" in changes
    saved = Case.objects.get(pk=case.pk)
    assert (saved.outcome, saved.summary) == ("Removed after paying.", "")
    # Saving again, having read what the import changed, keeps both.
    retry = client.post(
        url,
        change_form(
            case,
            refused.context["adminform"].form["version"].value(),
            summary="The editor's text.",
            outcome="Removed after paying.",
        ),
    )
    assert retry.status_code == 302
    saved = Case.objects.get(pk=case.pk)
    assert (saved.outcome, saved.summary) == ("Removed after paying.", "The editor's text.")


@pytest.mark.django_db(transaction=True)
def test_an_admin_save_during_an_import_waits_for_it_and_loses_nothing(
    client, make_user, monkeypatch
):
    """Two connections: the import locks the draft it updates; the editor's save, sent
    meanwhile, waits for the lock, then finds the draft changed and is shown how; the
    editor's input is not lost, and neither is the import's change."""
    editor = make_user("editor")
    run(LIU_HU, by=editor)
    case = Case.objects.get(external_key="globe-2018-01")
    client.force_login(editor)
    version = loaded_version(client, case)
    import_holds_lock, editor_waits = threading.Event(), threading.Event()
    original_run = Writer.run

    def slow_run(writer):
        import_holds_lock.set()  # the cases were read under the lock before run()
        editor_waits.wait(10)
        original_run(writer)

    monkeypatch.setattr(Writer, "run", slow_run)
    results = {}

    def importing():
        try:
            results["import"] = run({**LIU_HU, "outcome": "Removed after paying."}, by=editor)
        finally:
            connection.close()

    def saving():
        import_holds_lock.wait(10)
        try:
            url = reverse("admin:cases_case_change", args=[case.pk])
            results["save"] = client.post(
                url, change_form(case, version, summary="The editor's text.")
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=importing), threading.Thread(target=saving)]
    for thread in threads:
        thread.start()
    # Wait until the editor's save is blocked on the import's row lock, then let the
    # import go on.
    for _ in range(200):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = 'transactionid'"
            )
            if cursor.fetchone()[0]:
                break
        threading.Event().wait(0.05)
    else:
        pytest.fail("The editor's save never waited for the import's lock.")
    editor_waits.set()
    for thread in threads:
        thread.join(20)
    assert results["import"].updated == ["globe-2018-01"]
    response = results["save"]
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.stale is not None
    assert "The editor&#x27;s text." in response.text  # the input is shown back, not lost
    saved = Case.objects.get(pk=case.pk)
    assert (saved.outcome, saved.summary) == ("Removed after paying.", "")
