"""Duplicates caught before they happen: the dry run and the import list, per row, the
people already in the archive it may name and the cases it may repeat; the editor decides
to attach such rows or to create new people; nothing is duplicated silently."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casefile.cases.models import Case
from casefile.editorial.importer import COLUMNS, import_cases
from casefile.people.models import Person
from tests.factories import make_capture, make_case, make_citation, make_person, make_source
from tests.test_import import LIU_HU, SHOPLIFTER, csv_file, database_state

pytestmark = pytest.mark.django_db


def run(*rows, dry_run=False, people="", by=None):
    return import_cases(
        data=csv_file(*rows, columns=COLUMNS),
        filename="cases.csv",
        dry_run=dry_run,
        people=people,
        by=by,
    )


@pytest.fixture
def liu_hu():
    """Liu Hu as the demo data has him: a public figure with a published case."""
    person = make_person(name_original="刘虎", occupation="journalist", privacy="public")
    make_case(person=person, docket_number="(2016)黔0502执2376号")
    return person


def test_the_dry_run_lists_the_person_a_row_names_and_imports_nothing_until_told(liu_hu):
    before = database_state()
    report = run({**LIU_HU, "person_name": "Liu Hu", "person_name_romanized": ""}, dry_run=True)
    assert not report.ok and report.needs_decision
    [match] = report.matches
    assert (match.row, match.key, [p.id for p in match.people]) == (2, "globe-2018-01", [liu_hu.pk])
    assert match.people[0].cases == 1 and "刘虎" in match.people[0].name
    assert "choose whether to attach" in report.summary()
    assert database_state() == before
    report = run(LIU_HU)  # the import itself refuses too
    assert report.needs_decision and not Case.objects.filter(external_key="globe-2018-01").exists()


def test_attaching_puts_the_case_on_the_existing_person_and_reports_what_differs(liu_hu, editor):
    report = run({**LIU_HU, "occupation": "blogger"}, people="attach", by=editor)
    assert report.ok, report.errors
    case = Case.objects.get(external_key="globe-2018-01")
    assert case.person_id == liu_hu.pk
    assert Person.objects.count() == 1  # nobody was created again
    assert report.matches[0].decision == f"attached to person #{liu_hu.pk}"
    [difference] = report.person_differences
    assert f"person #{liu_hu.pk}" in difference and "occupation" in difference
    assert Person.objects.get(pk=liu_hu.pk).occupation == "journalist"  # never changed


def test_creating_new_people_is_a_choice_too_and_is_still_reported(liu_hu):
    report = run(LIU_HU, people="new")
    assert report.ok
    assert Case.objects.get(external_key="globe-2018-01").person_id != liu_hu.pk
    assert report.matches[0].decision == "a new person"
    assert [p.id for p in report.matches[0].people] == [liu_hu.pk]


def test_people_of_every_privacy_level_are_matched_by_any_name_form():
    withheld = make_person(
        name_original="陈秘华", aliases=["Ah Wah Chan"], privacy="withheld", pseudonym="C."
    )
    typed_by_hand = make_person(
        name_original="", name_romanized="Zhang Wei", privacy="pseudonymised"
    )
    report = run(
        {**SHOPLIFTER, "person_name": "Chen Mihua"},
        {**SHOPLIFTER, "case_key": "alias", "person_name": "", "person_aliases": "Ah Wah Chan"},
        {**SHOPLIFTER, "case_key": "chars", "person_name": "张伟"},
        {**SHOPLIFTER, "case_key": "nobody", "person_name": "李明"},
        dry_run=True,
    )
    found = {m.key: [p.id for p in m.people] for m in report.matches}
    assert found == {
        "globe-2018-06": [withheld.pk],
        "alias": [withheld.pk],
        "chars": [typed_by_hand.pk],
    }
    assert report.matches[0].people[0].privacy == "Withheld"


def test_a_row_matching_several_people_needs_its_person_id_to_attach(editor):
    first, second = make_person(name_original="王伟"), make_person(name_original="王伟")
    row = {**SHOPLIFTER, "person_name": "王伟"}
    report = run(row, people="attach")
    [error] = report.errors
    assert error.column == "person_id" and f"#{first.pk}, #{second.pk}" in error.message
    report = run({**row, "person_id": str(second.pk)}, people="attach", by=editor)
    assert report.ok
    assert Case.objects.get(external_key="globe-2018-06").person_id == second.pk


def test_person_id_attaches_a_row_whatever_its_name_and_must_name_someone():
    someone = make_person(name_original="赵六")
    report = run({**SHOPLIFTER, "person_id": str(someone.pk)})
    assert report.ok
    assert Case.objects.get(external_key="globe-2018-06").person_id == someone.pk
    report = run({**LIU_HU, "person_id": "999999"}, people="new")
    assert [(e.column, e.message) for e in report.errors] == [
        ("person_id", "there is no person #999999 in the archive.")
    ]


def test_rows_of_one_file_naming_the_same_person_are_reported_and_share_a_person_when_attached():
    rows = [
        {**LIU_HU},
        {
            **LIU_HU,
            "case_key": "globe-2018-02",
            "person_name": "Liu Hu",
            "person_name_romanized": "",
        },
        {**SHOPLIFTER, "person_name": "张三"},
    ]
    report = run(*rows, dry_run=True)
    assert report.needs_decision
    assert {m.key: m.same_rows for m in report.matches} == {
        "globe-2018-01": [3],
        "globe-2018-02": [2],
    }
    report = run(*rows, people="attach")
    assert report.ok
    first, second = (Case.objects.get(external_key=k) for k in ("globe-2018-01", "globe-2018-02"))
    assert first.person_id == second.person_id


def test_cases_with_the_same_docket_number_or_person_and_source_url_are_listed(liu_hu):
    by_docket = Case.objects.get(person=liu_hu)
    by_source = make_case(person=liu_hu, publication_state="draft")
    make_citation(by_source, make_capture(make_source(url=LIU_HU["source_url"])))
    row = {**LIU_HU, "case_key": "(2016)黔0502执2376号"}  # a docket number as the key
    report = run(row, people="attach", dry_run=True)
    cases = {(c.public_id, c.why) for c in report.matches[0].cases}
    assert cases == {
        (by_docket.public_id, "the same docket number"),
        (by_source.public_id, "the same person and source URL"),
    }


def test_the_dry_run_of_a_file_with_errors_still_lists_the_matches_of_its_valid_rows(liu_hu):
    report = run(LIU_HU, {**SHOPLIFTER, "currency": "RMB"}, dry_run=True)
    assert [e.row for e in report.errors] == [3]
    assert [m.key for m in report.matches] == ["globe-2018-01"]


def test_an_existing_case_keeps_its_person_and_is_not_its_own_duplicate(editor):
    run(LIU_HU, by=editor)
    report = run(LIU_HU, dry_run=True)
    assert report.ok and report.matches == []
    assert report.unchanged == ["globe-2018-01"]


def test_the_admin_dry_run_shows_the_match_and_the_editor_attaches(as_editor, liu_hu):
    url = reverse("admin:cases_case_import")

    def upload():
        return SimpleUploadedFile("cases.csv", csv_file(LIU_HU, columns=COLUMNS))

    page = as_editor.post(url, {"file": upload(), "dry_run": "on"}).text
    matches = page.split('id="import-matches"', 1)[1].split("</table>", 1)[0]
    assert f"#{liu_hu.pk}</a> Liu Hu 刘虎 (public figure, 1 case)" in matches
    assert "Choose below" in page
    response = as_editor.post(url, {"file": upload(), "people": "attach"})
    assert response.status_code == 200
    case = Case.objects.get(external_key="globe-2018-01")
    assert case.person_id == liu_hu.pk
    assert reverse("admin:cases_case_change", args=[case.pk]) in response.text
    # The link to every case the import created lists them in the admin.
    link = response.text.split('id="all-imported-cases" href="', 1)[0]
    all_cases = response.text.split('href="/admin/cases/case/?imported=', 1)[1].split('"', 1)[0]
    listed = as_editor.get(f"/admin/cases/case/?imported={all_cases}")
    assert listed.status_code == 200 and link
    assert listed.context["cl"].result_count == 1


def test_the_command_takes_the_choice_as_a_flag(tmp_path, liu_hu):
    path = tmp_path / "cases.csv"
    path.write_bytes(csv_file(LIU_HU, columns=COLUMNS))
    out = io.StringIO()
    with pytest.raises(CommandError, match="choose whether to attach"):
        call_command("import_cases", str(path), stdout=out)
    assert f"person #{liu_hu.pk}" in out.getvalue()
    call_command("import_cases", str(path), "--people", "attach", stdout=out)
    assert Case.objects.get(external_key="globe-2018-01").person_id == liu_hu.pk


def test_the_dry_run_reads_what_the_file_names_not_the_whole_archive():
    """Its queries do not grow with the archive: 5 or 50 imported cases elsewhere, the
    same statements (the old importer loaded every case with an import key)."""

    def queries():
        with CaptureQueriesContext(connection) as captured:
            run(LIU_HU, SHOPLIFTER, dry_run=True, people="new")
        return [re.sub(r'"s\d+_x\d+"', "savepoint", q["sql"]) for q in captured.captured_queries]

    make_person(name_original="刘虎")
    for n in range(5):
        make_case(external_key=f"other-{n}", publication_state="draft")
    few = queries()
    for n in range(5, 50):
        make_case(external_key=f"other-{n}", publication_state="draft")
    assert queries() == few
    reads = [sql for sql in few if "external_key" in sql and "cases_case" in sql]
    assert reads and all("ANY(" in sql for sql in reads)
