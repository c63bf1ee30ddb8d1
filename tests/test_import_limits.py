"""Bounded work in the importer: a workbook that unpacks to too much (a zip bomb) or has
too many rows is refused before its rows are read, a CSV with too many rows too; the
rows are not widened by what a workbook declares; a report lists a bounded number of
errors."""

import csv
import io
import re
import time
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import Workbook

from casefile.editorial.importer import COLUMNS, ImportFileError, import_cases
from casefile.editorial.importing.reading import _last_row_number
from tests.test_import import LIU_HU, csv_file

pytestmark = pytest.mark.django_db

SHEET = "xl/worksheets/sheet1.xml"


def workbook_with_rows(rows, *, dimension: str | None = None, compresslevel: int = 6) -> bytes:
    """An XLSX made by openpyxl with the template's header, whose sheet is then given
    `rows` (an iterable of <row> elements as bytes) and, if given, a stated dimension."""
    template = Workbook()
    template.active.append(COLUMNS)
    buffer = io.BytesIO()
    template.save(buffer)
    source = zipfile.ZipFile(buffer)
    xml = source.read(SHEET).decode()
    xml = re.sub(r"<dimension [^>]*/>", f'<dimension ref="{dimension}"/>' if dimension else "", xml)
    head, rest = xml.split("<sheetData>")
    header, tail = rest.split("</sheetData>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as archive:
        for info in source.infolist():
            if info.filename != SHEET:
                archive.writestr(info.filename, source.read(info))
                continue
            with archive.open(SHEET, "w") as part:
                part.write(f"{head}<sheetData>{header}".encode())
                for row in rows:
                    part.write(row)
                part.write(f"</sheetData>{tail}".encode())
    return out.getvalue()


def text_cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def refused_quickly(data: bytes, filename: str, match: str) -> ImportFileError:
    started = time.monotonic()
    with pytest.raises(ImportFileError, match=match) as refusal:
        import_cases(data=data, filename=filename, dry_run=True)
    assert time.monotonic() - started < 2
    return refusal.value


def test_a_zip_bomb_workbook_is_refused_before_it_is_read(monkeypatch):
    # 200,000 rows of 24 long cells: a few MB that unpack to about 300 MB.
    cells = "".join(text_cell(f"{column}1", "x" * 40) for column in "ABCDEFGHIJKLMNOPQRSTUVWX")
    row = f"<row>{cells}</row>".encode()
    bomb = workbook_with_rows((row * 1000 for _ in range(200)), compresslevel=1)
    assert len(bomb) < 8 * 1_048_576
    monkeypatch.setattr(openpyxl, "load_workbook", pytest.fail)  # never opened
    error = refused_quickly(bomb, "bomb.xlsx", "of data; the limit is 256 MB")
    assert "Split it into smaller files" in str(error)


def test_a_small_workbook_with_too_many_rows_is_refused_before_they_are_read(as_editor):
    # The file: tens of kB that unzip to 200,000 rows (well under the data limit).
    row = b'<row><c t="inlineStr"><is><t>k</t></is></c></row>'
    data = workbook_with_rows((row * 1000 for _ in range(200)), compresslevel=9)
    assert len(data) < 100_000
    refused_quickly(data, "rows.xlsx", "more than 100,000 rows below the header.*Split")
    started = time.monotonic()
    upload = SimpleUploadedFile("rows.xlsx", data)
    response = as_editor.post(reverse("admin:cases_case_import"), {"file": upload})
    assert time.monotonic() - started < 2
    assert response.status_code == 400
    assert "more than 100,000 rows" in response.text
    assert len(response.content) < 100_000


def test_a_row_far_down_the_sheet_is_refused_at_once():
    # Rows left out are rows all the same: openpyxl fills the gap with empty ones.
    far = f'<row r="1048576">{text_cell("A1048576", "k")}</row>'.encode()
    refused_quickly(workbook_with_rows([far]), "far.xlsx", "more than 100,000 rows")


def test_rows_are_counted_exactly_across_the_chunks_the_xml_is_read_in(settings):
    settings.IMPORT_MAX_ROWS = 10_000_000
    # Mostly tag, so the chunks' ends fall inside tags.
    row = b'<x:row spans="1:24" ht="15" customHeight="1" x14ac:dyDescent="0.25"></x:row>'
    numbered = b'<row r="50000" ><c t="inlineStr"><is><t>k</t></is></c></row>'
    data = workbook_with_rows([numbered, *([row] * 100_000), b"<rowBreaks/>"])
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.getinfo(SHEET).file_size > 5 * 1_048_576  # read in several chunks
    assert _last_row_number(archive, SHEET) == 150_000


def test_the_row_limit_is_a_setting_and_counts_rows_below_the_header(settings):
    settings.IMPORT_MAX_ROWS = 3
    rows = [{**LIU_HU, "case_key": f"k{n}"} for n in range(4)]
    assert import_cases(data=csv_file(*rows[:3]), filename="a.csv", dry_run=True).rows == 3
    with pytest.raises(ImportFileError, match="more than 3 rows below the header"):
        import_cases(data=csv_file(*rows), filename="a.csv", dry_run=True)
    xlsx = workbook_with_rows(
        f'<row r="{n}">{text_cell(f"A{n}", f"k{n}")}</row>'.encode() for n in range(2, 6)
    )
    with pytest.raises(ImportFileError, match="more than 3 rows below the header"):
        import_cases(data=xlsx, filename="a.xlsx", dry_run=True)


def test_a_csv_with_too_many_rows_is_refused_before_they_are_checked():
    data = csv_file(*({"case_key": f"k{n}"} for n in range(150_000)))
    refused_quickly(data, "rows.csv", "more than 100,000 rows")


def test_a_csv_holding_more_data_than_allowed_is_refused(settings):
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 1000
    with pytest.raises(ImportFileError, match="of data; the limit is"):
        import_cases(data=csv_file(*[LIU_HU] * 3), filename="a.csv", dry_run=True)


def test_a_stated_dimension_neither_hides_rows_nor_widens_them():
    # One row below the header, in a sheet that says it is the header alone ...
    row = f'<row r="2">{text_cell("A2", "k2")}</row>'.encode()
    report = import_cases(
        data=workbook_with_rows([row], dimension="A1:X1"), filename="a.xlsx", dry_run=True
    )
    assert report.ok and report.rows == 1
    # ... or the whole 16,384 x 1,048,576 grid; and 3,000 rows with a cell in the last column.
    rows = (
        f'<row r="{n}">{text_cell(f"A{n}", f"k{n}")}{text_cell(f"XFD{n}", "far")}</row>'.encode()
        for n in range(2, 3002)
    )
    data = workbook_with_rows(rows, dimension="A1:XFD1048576")
    started = time.monotonic()
    report = import_cases(data=data, filename="a.xlsx", dry_run=True)
    assert time.monotonic() - started < 2
    assert report.ok and report.rows == 3000


@pytest.fixture
def many_bad_rows():
    """1,000 rows, each with a currency of its own that is not one (Q000 … Q999)."""
    return csv_file(
        *({**LIU_HU, "case_key": f"k{n}", "currency": f"Q{n:03d}"} for n in range(1000))
    )


def test_one_problem_in_a_thousand_rows_is_one_line(as_editor):
    data = csv_file(*({**LIU_HU, "case_key": f"k{n}", "currency": "XYZ"} for n in range(1000)))
    upload = SimpleUploadedFile("bad.csv", data, content_type="text/csv")
    response = as_editor.post(reverse("admin:cases_case_import"), {"file": upload})
    assert response.status_code == 400
    assert "1 problem(s) in 1000 of 1000 row(s)" in response.text
    assert response.text.count("XYZ") == 1
    assert "Rows 2–1001, column <code>currency</code>" in response.text


def test_the_import_page_lists_the_first_problems_and_counts_the_rest(as_editor, many_bad_rows):
    upload = SimpleUploadedFile("bad.csv", many_bad_rows, content_type="text/csv")
    response = as_editor.post(reverse("admin:cases_case_import"), {"file": upload})
    assert response.status_code == 400
    assert "1000 problem(s) in 1000 of 1000 row(s)" in response.text
    assert len(re.findall(r"“Q\d{3}”", response.text)) == 200
    assert "… and 800 more problems, not listed" in response.text
    assert len(response.content) < 200_000
    # Every one of them is in the CSV.
    url = re.search(r'href="(/admin/cases/case/import/errors/[^"]+)"', response.text)[1]
    rows = list(csv.DictReader(io.StringIO(as_editor.get(url).content.decode("utf-8-sig"))))
    assert len(rows) == 1000
    assert rows[0] == {
        "row": "2",
        "column": "currency",
        "value": "Q000",
        "problem": "“Q000” is not an ISO 4217 currency code.",
        "suggestion": "",
    }


def test_the_command_lists_the_first_problems_unless_asked_for_all(tmp_path, many_bad_rows):
    path = tmp_path / "bad.csv"
    path.write_bytes(many_bad_rows)
    for verbosity, listed in ((1, 200), (2, 1000)):
        err = io.StringIO()
        with pytest.raises(CommandError, match="1000 problem"):
            call_command("import_cases", str(path), verbosity=verbosity, stderr=err)
        assert err.getvalue().count("column currency") == listed
