"""Reading a spreadsheet: CSV (UTF-8) or XLSX, bounded whatever the file, and its header.

IMPORT_MAX_BYTES (the file), IMPORT_MAX_UNCOMPRESSED_BYTES (what it holds: an XLSX's parts
unpacked) and IMPORT_MAX_ROWS (rows counted before any is checked) refuse a file before its
rows are read; cells right of column READ_COLUMNS of a workbook are not read.
"""

from __future__ import annotations

import csv
import datetime
import difflib
import io
import re
import zipfile
from collections.abc import Iterator

from django.conf import settings

from casefile.editorial.importing.columns import COLUMNS, OPTIONAL_COLUMNS, REQUIRED_COLUMNS

# Cells right of this column of a workbook are not read: a workbook can declare a cell
# far right in a few bytes, and every row is then filled up to it.
READ_COLUMNS = 100
# A worksheet's rows, found in its XML without parsing it: <row r="12" …> (any prefix).
ROW_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row(?=[\s/>])([^>]*)>")
ROW_NUMBER = re.compile(rb"""\sr\s*=\s*["'](\d+)""")


class ImportFileError(Exception):
    """The file as a whole cannot be imported (size, encoding, format, columns)."""


def read_table(data: bytes, filename: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header and an iterator of (row number, cells) of a CSV or XLSX file.

    Row numbers are those a spreadsheet shows: the header is row 1.
    """
    limit = settings.IMPORT_MAX_BYTES
    if len(data) > limit:
        raise ImportFileError(
            f"The file is {len(data) / 1_048_576:.1f} MB; the limit is "
            f"{limit / 1_048_576:.0f} MB. Split it into smaller files."
        )
    if not data.strip():
        raise ImportFileError("The file is empty.")
    if filename.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        rows = _xlsx_rows(data)
    elif filename.lower().endswith((".csv", ".txt")) or not filename:
        rows = _csv_rows(data)
    else:
        raise ImportFileError("Upload a .csv or .xlsx file.")
    numbered = _numbered(rows)
    try:
        _, header = next(numbered)
    except StopIteration:
        raise ImportFileError("The file is empty.") from None
    return _check_header(header), numbered


def _numbered(rows: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells), stopping with an error at the first row past IMPORT_MAX_ROWS
    (the readers count them first, so this is the backstop)."""
    for number, cells in enumerate(rows, start=1):
        _refuse_row(number)
        yield number, cells


def _refuse_row(number: int) -> None:
    """Refuse the file if row `number` (the header is row 1) is past IMPORT_MAX_ROWS."""
    limit = settings.IMPORT_MAX_ROWS
    if number > limit + 1:
        raise ImportFileError(
            f"The file has more than {limit:,} rows below the header, the most one import "
            f"takes. Split it into files of at most {limit:,} rows."
        )


def _refuse_unpacked(size: int) -> None:
    limit = settings.IMPORT_MAX_UNCOMPRESSED_BYTES
    if size > limit:
        raise ImportFileError(
            f"The file holds {size / 1_048_576:,.1f} MB of data; the limit is "
            f"{limit / 1_048_576:,.0f} MB. Split it into smaller files."
        )


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    _refuse_unpacked(len(data))  # what is decoded: the file itself
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            f"The file is not UTF-8 text (the byte at position {error.start} cannot be read). "
            "Save the spreadsheet as “CSV UTF-8” and upload it again."
        ) from None
    if "\x00" in text:
        raise ImportFileError("The file is not a CSV text file (it contains NUL bytes).")
    # Count the rows first (csv's C reader is quick; checking them is not), so a file
    # with too many is refused at once. A CSV error is reported below, where it is.
    try:
        for number, _ in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            _refuse_row(number)
    except csv.Error:
        pass
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for cells in reader:
            yield [cell.strip() for cell in cells]
    except csv.Error as error:
        raise ImportFileError(
            f"The CSV file cannot be read near line {reader.line_num}: {error}."
        ) from None


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    """The first worksheet's rows. An XLSX is a zip of XML parts, which can unpack to far
    more than the file (a "zip bomb") and declare rows in a few bytes each: the parts'
    sizes (which Python's zipfile holds them to) and the worksheets' rows are checked
    before openpyxl reads anything (it reads a whole sheet when opening it if the sheet
    does not state its size). Worksheets are found where every spreadsheet program puts
    them; one elsewhere is stopped at IMPORT_MAX_ROWS as it is read."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    unreadable = ImportFileError("The file is not a readable XLSX workbook.")
    broken = (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, EOFError)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        _refuse_unpacked(sum(info.file_size for info in archive.infolist()))
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                _refuse_row(_last_row_number(archive, name))
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except broken:
        raise unreadable from None
    try:
        sheet = workbook.worksheets[0]
        # The stated dimensions may be wrong (rows left out) or huge: read the rows there are.
        sheet.reset_dimensions()
        for values in sheet.iter_rows(values_only=True, max_col=READ_COLUMNS):
            yield [_cell_text(value) if value is not None else "" for value in values]
    except (*broken, SyntaxError):  # a part that is not what it says (XML ParseError)
        raise unreadable from None
    finally:
        workbook.close()


def _last_row_number(archive: zipfile.ZipFile, path: str) -> int:
    """The worksheet's last row number as openpyxl numbers rows (a row's r, else the one
    before it plus one), found in its XML without parsing it; stops once it is past
    IMPORT_MAX_ROWS."""
    last = 0
    pending = b""
    with archive.open(path) as part:
        while last <= settings.IMPORT_MAX_ROWS + 1:
            chunk = part.read(1 << 20)
            text = pending + chunk
            # A tag cut in two at the end of a chunk is read with the next one.
            cut = text.rfind(b"<") if chunk else -1
            cut = len(text) if cut < 0 else cut
            for row in ROW_ELEMENT.finditer(text, 0, cut):
                number = ROW_NUMBER.search(row.group(1))
                last = int(number.group(1)) if number else last + 1
            pending = text[cut:]
            if not chunk:
                break
    return last


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _check_header(header: list[str]) -> list[str]:
    """The column names, as they are in the file; every required column must be there,
    optional ones may be, in any order; an unknown name is refused with the nearest
    known one."""
    names = [cell.strip().lower() for cell in header]
    while names and not names[-1]:
        names.pop()  # spreadsheets often carry empty trailing columns
    if not any(names):
        raise ImportFileError("The first row must be the header row with the column names.")
    problems = []
    if "" in names:
        problems.append(f"column {names.index('') + 1} of the header has no name")
    unknown = [name for name in names if name and name not in COLUMNS]
    if unknown:
        problems.append(
            "unknown column(s): "
            + ", ".join(
                f"{name} (did you mean {close[0]}?)"
                if (close := difflib.get_close_matches(name, COLUMNS, n=1, cutoff=0.75))
                else name
                for name in unknown
            )
        )
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        problems.append("missing column(s): " + ", ".join(missing))
    repeated = sorted({name for name in names if name and names.count(name) > 1})
    if repeated:
        problems.append("repeated column(s): " + ", ".join(repeated))
    if problems:
        raise ImportFileError(
            "The header does not match the template: "
            + "; ".join(problems)
            + ". Every file has these columns, in any order: "
            + ", ".join(REQUIRED_COLUMNS)
            + "; and may have these: "
            + ", ".join(OPTIONAL_COLUMNS)
            + "."
        )
    return names
