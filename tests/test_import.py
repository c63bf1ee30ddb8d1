"""Bulk import of a spreadsheet: valid files, every kind of broken file, re-import, dry run."""

import csv
import io
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from casefile.cases.models import Case
from casefile.editorial.importer import COLUMNS, REQUIRED_COLUMNS, ImportFileError, import_cases
from tests.factories import make_case

pytestmark = pytest.mark.django_db

LIU_HU = {
    "case_key": "globe-2018-01",
    "person_name": "刘虎",
    "person_name_romanized": "Liu Hu",
    "occupation": "journalist",
    "public_figure": "yes",
    "province": "重庆",
    "city": "Chongqing",
    "authority": "Chongqing No. 1 Intermediate People's Court",
    "list_name": "spc_dishonest_debtors",
    "reason": "有履行能力而拒不履行生效法律文书确定义务",
    "offence_category": "defamation_speech",
    "amount": "1330",
    "currency": "CAD",
    "listed_year": "2017",
    "restrictions": "air_travel; high_speed_rail;property_purchase",
    "source_outlet": "The Globe and Mail",
    "source_title": "Chinese blacklist an early glimpse of sweeping new social-credit control",
    "source_author": "Nathan VanderKlippe",
    "source_date": "2018-01",
    "source_url": "https://www.theglobeandmail.com/news/world/chinese-blacklist/article37493300/",
    "notes": "Seed case.",
}
SHOPLIFTER = {
    "case_key": "globe-2018-06",
    "person_name": "张三",
    "public_figure": "no",
    "province": "Hubei",
    "list_name": "local_list",
    "reason": "Shoplifted ten packs of cigarettes.",
    "offence_category": "theft",
    "amount": "70",
    "currency": "cad",
    "listed_year": "2016",
    "removed_year": "2018",
    "restrictions": "loans_credit",
    "source_outlet": "The Globe and Mail",
    "source_title": LIU_HU["source_title"],
    "source_url": LIU_HU["source_url"],
}


def csv_file(*rows: dict, columns=REQUIRED_COLUMNS) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=columns, lineterminator="\n", restval="", extrasaction="ignore"
    )
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def xlsx_file(*rows: dict) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append([row.get(column) for column in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def database_state() -> dict:
    """Row counts of every table of the project, history tables included."""
    state = {}
    for label in ("cases", "people", "sources", "authorities", "pghistory"):
        for model in apps.get_app_config(label).get_models():
            state[model._meta.label] = model.objects.count()
    return state


def run(data: bytes, filename="cases.csv", dry_run=False):
    return import_cases(data=data, filename=filename, dry_run=dry_run)


def test_a_valid_file_creates_draft_cases_with_their_parts_and_citations():
    report = run(csv_file(LIU_HU, SHOPLIFTER))
    assert report.ok, report.errors
    assert report.created == ["globe-2018-01", "globe-2018-06"]

    liu = Case.objects.get(external_key="globe-2018-01")
    assert liu.publication_state == "draft"
    assert liu.person.privacy == "public"
    assert liu.person.public_name() == "Liu Hu (刘虎)"
    assert liu.person.occupation == "journalist"
    assert liu.authority.province == "chongqing" and liu.authority.city == "Chongqing"
    assert liu.reason_original.startswith("有履行能力") and liu.reason_en == ""
    assert str(liu.listed) == "2017" and liu.status == "unknown"
    assert liu.restriction_kinds == ["air_travel", "high_speed_rail", "property_purchase"]
    amount = liu.amounts.get()
    assert (amount.kind, amount.value, amount.currency) == ("owed", Decimal("1330"), "CAD")
    assert liu.notes == "Seed case."
    # The source's capture is cited for the listing, each restriction and the amount.
    capture = liu.citations.first().capture
    assert capture.source.outlet == "The Globe and Mail"
    assert str(capture.source.published) == "January 2018"
    assert liu.citations.filter(case_field="listing").count() == 1
    assert liu.citations.exclude(restriction=None).count() == 3
    assert liu.citations.exclude(amount=None).count() == 1

    shoplifter = Case.objects.get(external_key="globe-2018-06")
    assert shoplifter.person.privacy == "pseudonymised"
    assert shoplifter.person.public_name() == "Unnamed person, Hubei"
    assert shoplifter.authority.name == "Unidentified authority"
    assert shoplifter.status == "removed" and str(shoplifter.removed) == "2018"
    assert shoplifter.reason_en == "Shoplifted ten packs of cigarettes."
    assert shoplifter.amounts.get().currency == "CAD"
    # One article cited by both rows: one source, one capture.
    assert shoplifter.citations.first().capture == capture
    # History records the import as such.
    assert liu.changes.get(pgh_label="insert").pgh_context.metadata["action"] == "import"


def test_an_xlsx_file_with_numeric_cells_imports_the_same_way():
    row = {**LIU_HU, "listed_year": 2017, "amount": 1330.5, "public_figure": "yes"}
    report = run(xlsx_file(row), filename="cases.xlsx")
    assert report.ok, report.errors
    case = Case.objects.get(external_key="globe-2018-01")
    assert str(case.listed) == "2017"
    assert case.amounts.get().value == Decimal("1330.50")


def test_reimporting_the_same_file_changes_nothing():
    data = csv_file(LIU_HU, SHOPLIFTER)
    run(data)
    before = database_state()
    versions = {c.pk: c.version for c in Case.objects.all()}

    report = run(data)
    assert report.created == [] and report.updated == []
    assert report.unchanged == ["globe-2018-01", "globe-2018-06"]
    assert database_state() == before
    assert {c.pk: c.version for c in Case.objects.all()} == versions


def test_reimporting_a_changed_row_updates_its_case_and_never_duplicates():
    run(csv_file(LIU_HU))
    case = Case.objects.get(external_key="globe-2018-01")
    changed = {**LIU_HU, "restrictions": "air_travel;luxury_hotels", "amount": "2900"}
    report = run(csv_file(changed))
    assert report.updated == ["globe-2018-01"]
    assert Case.objects.filter(external_key="globe-2018-01").count() == 1
    case.refresh_from_db()
    assert case.restriction_kinds == ["air_travel", "luxury_hotels"]
    assert case.amounts.get().value == Decimal("2900")
    assert case.citations.exclude(restriction=None).count() == 2


def test_reimport_leaves_cases_that_are_no_longer_drafts_alone():
    run(csv_file(LIU_HU))
    Case.objects.filter(external_key="globe-2018-01").update(publication_state="in_review")
    report = run(csv_file({**LIU_HU, "outcome": "Changed"}))
    assert report.skipped == ["globe-2018-01"]
    assert Case.objects.get(external_key="globe-2018-01").outcome == ""


def test_a_dry_run_reports_and_changes_nothing():
    make_case(external_key="globe-2018-06", publication_state="draft")
    before = database_state()
    report = run(csv_file(LIU_HU, SHOPLIFTER), dry_run=True)
    assert report.ok
    assert report.created == ["globe-2018-01"]
    assert report.updated == ["globe-2018-06"]
    assert database_state() == before


def test_every_invalid_row_is_reported_and_the_file_is_rejected_whole():
    make_case()
    before = database_state()
    bad = {
        **SHOPLIFTER,
        "case_key": "bad-1",
        "public_figure": "maybe",
        "province": "Atlantis",
        "list_name": "no_such_list",
        "amount": "-5",
        "currency": "XYZ",
        "listed_year": "2019",
        "removed_year": "2017",
        "restrictions": "air_travel;teleportation",
        "source_date": "January 2018",
        "source_url": "not a url",
    }
    worse = {"case_key": "", "amount": "12", "source_outlet": "Somewhere"}
    report = run(csv_file(LIU_HU, bad, worse, {**LIU_HU}))
    assert not report.ok
    found = {(e.row, e.column) for e in report.errors}
    assert {
        (3, "public_figure"),
        (3, "province"),
        (3, "list_name"),
        (3, "amount"),
        (3, "currency"),
        (3, "removed_year"),
        (3, "restrictions"),
        (3, "source_date"),
        (3, "source_url"),
        (4, "case_key"),
        (4, "currency"),
        (4, "source_title"),
        (5, "case_key"),  # the same key as row 2
    } <= found
    assert "is also the key of row 2" in str(next(e for e in report.errors if e.row == 5))
    assert "teleportation" in str(next(e for e in report.errors if e.column == "restrictions"))
    assert database_state() == before


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "cases.csv", "The file is empty."),
        (b"  \n\n", "cases.csv", "The file is empty."),
        (csv_file(), "cases.csv", "has a header but no rows"),
        (csv_file(LIU_HU, columns=[*COLUMNS, "colour"]), "cases.csv", "unknown column(s): colour"),
        (csv_file(LIU_HU, columns=COLUMNS[1:]), "cases.csv", "missing column(s): case_key"),
        (
            "case_key,person_name\nx,Müller\n".encode("latin-1"),
            "cases.csv",
            "not UTF-8 text",
        ),
        (b"PK\x03\x04 not really a workbook", "cases.xlsx", "not a readable XLSX workbook"),
        (b"%PDF-1.4", "cases.pdf", "Upload a .csv or .xlsx file."),
    ],
)
def test_each_kind_of_broken_file_gets_a_clear_message_and_changes_nothing(data, filename, message):
    before = database_state()
    with pytest.raises(ImportFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run(data, filename=filename)
    assert database_state() == before


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.IMPORT_MAX_BYTES = 100
    before = database_state()
    with pytest.raises(ImportFileError, match="the limit is"):
        run(csv_file(LIU_HU))
    assert database_state() == before


def test_the_command_imports_and_dry_runs(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_bytes(csv_file(LIU_HU))
    out = io.StringIO()
    call_command("import_cases", str(path), "--dry-run", stdout=out)
    assert "Dry run: 1 row(s): 1 case(s) would be created" in out.getvalue()
    assert not Case.objects.exists()
    call_command("import_cases", str(path), stdout=out)
    assert Case.objects.get().external_key == "globe-2018-01"


def test_the_command_reports_every_error_and_fails(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_bytes(csv_file({**LIU_HU, "currency": "XYZ", "listed_year": "17"}))
    err = io.StringIO()
    with pytest.raises(CommandError, match="rejected"):
        call_command("import_cases", str(path), stderr=err)
    assert "Row 2, column currency" in err.getvalue()
    assert "Row 2, column listed_year" in err.getvalue()
    with pytest.raises(CommandError, match="empty"):
        (tmp_path / "empty.csv").write_bytes(b"")
        call_command("import_cases", str(tmp_path / "empty.csv"))


def test_the_admin_import_page_dry_runs_then_imports(as_editor):
    url = reverse("admin:cases_case_import")
    assert as_editor.get(url).status_code == 200
    upload = SimpleUploadedFile("cases.csv", csv_file(LIU_HU), content_type="text/csv")
    response = as_editor.post(url, {"file": upload, "dry_run": "on"})
    assert "1 case(s) would be created" in response.text
    assert not Case.objects.exists()
    upload = SimpleUploadedFile("cases.csv", csv_file(LIU_HU), content_type="text/csv")
    response = as_editor.post(url, {"file": upload})
    assert "1 case(s) were created" in response.text
    assert Case.objects.get().publication_state == "draft"


def test_the_admin_import_page_lists_row_errors(as_editor):
    upload = SimpleUploadedFile("cases.csv", csv_file({**LIU_HU, "province": "Narnia"}))
    response = as_editor.post(reverse("admin:cases_case_import"), {"file": upload})
    assert response.status_code == 400
    assert "Narnia" in response.text and "province" in response.text
    assert not Case.objects.exists()


def test_the_template_files_have_exactly_the_columns(as_editor):
    response = as_editor.get(reverse("admin:cases_case_import_template", args=["csv"]))
    assert response["Content-Type"].startswith("text/csv")
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header == COLUMNS
    response = as_editor.get(reverse("admin:cases_case_import_template", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == COLUMNS
    # The template imports: a header without rows is reported as such, not as broken.
    with pytest.raises(ImportFileError, match="no rows"):
        run(response.content, filename="template.xlsx")
