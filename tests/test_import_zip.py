"""A ZIP import: the sheet and the files its capture_file column names, each checked before
anything is written and kept with the capture its row cites (hash, text, quote check)."""

import io
import zipfile

import pytest
from django.urls import reverse

from casefile.cases import services
from casefile.cases.models import Case
from casefile.cases.vocabularies import QuoteCheck
from casefile.editorial.importer import COLUMNS, import_cases
from casefile.sources.models import CaptureFile
from tests import capture_support as files
from tests.test_import import LIU_HU, SHOPLIFTER, csv_file, database_state

pytestmark = pytest.mark.django_db

QUOTE = "有履行能力而拒不履行"
PAGE = files.pdf("重庆市第一中级人民法院", "被执行人刘虎有履行能力而拒不履行生效法律文书确定义务")


def bundle(*rows: dict, members: dict[str, bytes], sheet: str = "cases.csv") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(sheet, csv_file(*rows, columns=COLUMNS))
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def run(data: bytes, *, by=None, dry_run=False, filename="cases.zip"):
    return import_cases(data=data, filename=filename, dry_run=dry_run, by=by, people="new")


def row(**changes) -> dict:
    return {**LIU_HU, "quote": QUOTE, "capture_file": "pages/globe.pdf", **changes}


def listing_of(key: str):
    return Case.objects.get(external_key=key).citations.get(case_field="listing")


def test_a_named_file_is_kept_with_the_capture_the_row_cites_and_checks_its_quote(editor):
    report = run(bundle(row(), members={"pages/globe.pdf": PAGE}), by=editor)
    assert report.ok, report.errors
    assert report.files_kept == 1
    assert "1 file(s) kept" in report.summary()
    listing = listing_of(LIU_HU["case_key"])
    kept = CaptureFile.objects.get(capture=listing.capture)
    assert (kept.sha256, kept.size, kept.media_type) == (
        files.sha256(PAGE),
        len(PAGE),
        "application/pdf",
    )
    assert (kept.original_name, kept.attached_by) == ("globe.pdf", editor)
    assert listing.quote_check == QuoteCheck.FOUND


def test_a_quote_not_in_the_kept_file_is_flagged(editor):
    report = run(bundle(row(quote="拒不道歉"), members={"pages/globe.pdf": PAGE}), by=editor)
    assert report.ok, report.errors
    assert listing_of(LIU_HU["case_key"]).quote_check == QuoteCheck.NOT_FOUND


def test_a_file_beside_the_sheet_is_found_by_its_name(editor):
    data = bundle(
        row(capture_file="globe.pdf"),
        members={"upload/globe.pdf": PAGE},
        sheet="upload/cases.csv",
    )
    report = run(data, by=editor)
    assert report.ok, report.errors
    assert CaptureFile.objects.count() == 1


def test_rows_naming_one_file_for_one_capture_keep_it_once_and_a_re_import_keeps_nothing_new(
    editor,
):
    rows = [row(), row(case_key="globe-2018-02", person_name="张三", public_figure="no")]
    data = bundle(*rows, members={"pages/globe.pdf": PAGE})
    assert run(data, by=editor).files_kept == 1
    again = run(data, by=editor)
    assert again.ok, again.errors
    assert again.files_kept == 0
    assert CaptureFile.objects.count() == 1


def test_every_problem_of_the_files_is_a_row_error_and_nothing_is_written(editor):
    before = database_state()
    data = bundle(
        row(capture_file="pages/globe.pfd"),
        row(
            case_key="globe-2018-02",
            capture_file="pages/globe.pdf",
            capture_sha256="0" * 64,
        ),
        {**SHOPLIFTER, "capture_file": "pages/run.exe", "source_url": "https://example.org/a"},
        {**SHOPLIFTER, "case_key": "s2", "capture_sha256": "not a digest"},
        members={"pages/globe.pdf": PAGE, "pages/run.exe": b"MZ\x90\x00" + bytes(200)},
    )
    for dry_run in (True, False):
        report = run(data, by=editor, dry_run=dry_run)
        problems = {(e.row, e.column): e for e in report.errors}
        missing = problems[(2, "capture_file")]
        assert "not a file in the ZIP" in missing.message
        assert missing.suggestion == "pages/globe.pdf"
        assert "not the " + "0" * 64 in problems[(3, "capture_sha256")].message
        assert problems[(4, "capture_file")].message  # a kind a capture does not keep
        assert "64 hexadecimal" in problems[(5, "capture_sha256")].message
        assert database_state() == before
        assert not CaptureFile.objects.exists()


def test_a_capture_file_without_a_zip_is_a_row_error(editor):
    report = import_cases(
        data=csv_file(row(), columns=COLUMNS), filename="cases.csv", dry_run=True, by=editor
    )
    (error,) = report.errors
    assert (error.column, error.value) == ("capture_file", "pages/globe.pdf")
    assert ".zip" in error.message


def test_a_file_for_a_capture_a_published_case_cites_needs_a_reviewer(editor, reviewer):
    assert run(bundle(row(capture_file="", quote=""), members={}), by=editor).ok
    services.submit_and_publish(case=Case.objects.get(external_key="globe-2018-01"), by=reviewer)
    other = row(case_key="globe-2018-02", person_name="张三", public_figure="no")
    data = bundle(other, members={"pages/globe.pdf": PAGE})

    refused = run(data, by=editor)
    assert not refused.ok
    (error,) = refused.errors
    assert (error.row, error.column) == (2, "capture_file")
    assert not Case.objects.filter(external_key="globe-2018-02").exists()  # nothing written
    assert not CaptureFile.objects.exists()

    assert run(data, by=reviewer).files_kept == 1


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({}, "no sheet"),
        ({"a.csv": b"x", "b.xlsx": b"y"}, "2 sheets"),
    ],
)
def test_a_zip_without_exactly_one_sheet_is_refused(members, message):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("__MACOSX/._a.csv", b"resource fork")
        for name, data in members.items():
            archive.writestr(name, data)
    with pytest.raises(Exception, match=message):
        run(buffer.getvalue())


def test_a_zip_over_its_limit_is_refused_before_it_is_opened(settings):
    settings.IMPORT_ZIP_MAX_BYTES = 1000
    with pytest.raises(Exception, match="IMPORT_ZIP_MAX_BYTES"):
        run(b"PK\x03\x04" + bytes(2000))


def test_the_import_page_takes_a_zip_and_refuses_a_body_over_the_limit(as_editor, settings):
    url = reverse("admin:cases_case_import")
    upload = io.BytesIO(bundle(row(), members={"pages/globe.pdf": PAGE}))
    upload.name = "cases.zip"
    response = as_editor.post(url, {"file": upload, "dry_run": "", "people": "new"})
    assert response.status_code == 200, response.content.decode()[:2000]
    assert "1 file(s) kept" in response.content.decode()
    assert CaptureFile.objects.count() == 1

    settings.IMPORT_ZIP_MAX_BYTES = settings.IMPORT_MAX_BYTES = 10
    response = as_editor.post(
        url, data=b"x" * 200_000, content_type="multipart/form-data; boundary=x"
    )
    assert response.status_code == 413
    assert "larger than the largest import" in response.content.decode()
