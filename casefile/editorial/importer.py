"""Bulk import of cases from a spreadsheet (CSV or XLSX), one row per case.

The file is read and every row checked before anything is written: a file with any
invalid row is rejected whole, with every error (row, column, reason), and the
database is left as it was. A valid file is written in one transaction with set-based
statements (COPY for new rows, VALUES-list updates). A dry run checks the file the
same way and compares each row with the database to report what would be created,
updated or skipped, without writing anything.

The work is bounded whatever the file: IMPORT_MAX_BYTES (the file), IMPORT_MAX_UNCOMPRESSED_BYTES
(what it holds: an XLSX's parts unpacked) and IMPORT_MAX_ROWS (rows counted before they
are checked) refuse a file before its rows are read, and a statement that runs past
IMPORT_STATEMENT_TIMEOUT stops the import.

How a row maps onto the archive (the issue leaves these to us):

- `case_key` is the case's stable external key (Case.external_key): a row whose key
  is known updates that case, never a second one. Re-importing an unchanged row
  writes nothing. Only drafts are updated: a case that is in review, published or
  retracted has passed a reviewer, so its row is reported as skipped.
- Each case owns one person record, created with the case. Rows are never matched to
  existing people by name: two "unnamed man" rows, or two people called Wang Wei,
  are not the same person. Reviewers merge records found to be one person.
- `public_figure` = yes makes the person public (full name shown); no or empty makes
  them pseudonymised, described as "Unnamed person, <province>" (never initials
  derived from the name, which could identify a private person). A re-import never
  loosens privacy an editor has tightened to withheld, makes a person more visible only
  when a reviewer imports, and never changes a person who has a case past the draft
  stage: the report lists what it did not apply (casefile.cases.corrections).
- `province`, `city` and `authority` name the listing authority, found or created by
  (name, province, city). Without an authority name, a known province or city is kept
  on an authority named "Unidentified authority".
- `list_name` and `offence_category` are vocabulary keys; empty means "other".
- `reason` goes to the stated reason in the original language when it contains
  Chinese characters, else to the English stated reason.
- `amount` + `currency` is one amount of kind "owed", as reported, never converted.
- `listed_year`, `discovered_year`, `removed_year` are year-precise dates. Status is
  "removed" when a removal year is given, else "unknown".
- `restrictions` are the case's restrictions, by kind; a re-import adds and removes
  restrictions to match the row (removed rows stay in the history).
- The source columns become a Source (found by URL, else by title, outlet and date),
  one SourceCapture of it labelled "as cited in a spreadsheet import" (captured at the
  time of the first import that cited it), and citations of that capture for the
  listing, each restriction and the amount: the claims the row makes.
- `notes` are the case's internal notes, never published.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import secrets
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import pghistory
import pgtrigger
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import DatabaseError, connection, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone

from casefile.authorities.models import Authority, AuthorityKind, Province
from casefile.cases.corrections import (
    may_correct_published,
    more_visible,
    people_with_reviewed_cases,
)
from casefile.cases.models import (
    PUBLIC_ID_ALPHABET,
    PUBLIC_ID_LENGTH,
    Amount,
    Case,
    Citation,
    Restriction,
)
from casefile.cases.vocabularies import (
    AmountKind,
    CaseStatus,
    CitedField,
    ListName,
    OffenceCategory,
    PublicationState,
    RestrictionKind,
)
from casefile.core.bulk import bulk_update_from_values, copy_insert
from casefile.core.currencies import CURRENCIES
from casefile.core.dates import DatePrecision, PartialDate
from casefile.core.text import (
    CONTROL_CHARACTER,
    control_character_problem,
    has_cjk,
    normalize_line_breaks,
)
from casefile.core.timeouts import is_statement_timeout, set_local_statement_timeout
from casefile.people.models import Person, Privacy
from casefile.people.name_forms import PersonNames, person_name_fields
from casefile.sources.models import Source, SourceCapture, SourceKind

COLUMNS = [
    "case_key",
    "person_name",
    "person_name_romanized",
    "occupation",
    "public_figure",
    "province",
    "city",
    "authority",
    "list_name",
    "reason",
    "offence_category",
    "amount",
    "currency",
    "listed_year",
    "discovered_year",
    "removed_year",
    "restrictions",
    "outcome",
    "source_outlet",
    "source_title",
    "source_author",
    "source_date",
    "source_url",
    "notes",
]

COLUMN_HELP = {
    "case_key": "Required. Your stable key for the case; re-importing it updates the case.",
    "person_name": "The name as written in the source, usually in Chinese characters.",
    "person_name_romanized": "Surname first, e.g. Liu Hu; derived from person_name if empty.",
    "occupation": "e.g. journalist.",
    "public_figure": "yes or no. Only a public figure's name is shown; empty means no.",
    "province": "Province-level division, in English or Chinese: Hubei, 湖北.",
    "city": "City of the listing authority.",
    "authority": "The court or agency that listed the person.",
    "list_name": "One of: " + ", ".join(ListName.values) + ".",
    "reason": "The stated reason, verbatim (Chinese) or in English.",
    "offence_category": "One of: " + ", ".join(OffenceCategory.values) + ".",
    "amount": "A plain number, e.g. 1330 or 1330.50, as the source reports it.",
    "currency": "ISO 4217 code of the amount, e.g. CNY, CAD.",
    "listed_year": "Year listed, e.g. 2017.",
    "discovered_year": "Year the person learned of the listing.",
    "removed_year": "Year the person was taken off the list.",
    "restrictions": "Restriction keys separated by ;, from: " + ", ".join(RestrictionKind.values),
    "outcome": "How the case ended, if it has.",
    "source_outlet": "Publisher, newspaper, court or website.",
    "source_title": "Required when any source column is filled.",
    "source_author": "Authors, separated by ;.",
    "source_date": "Date published: 2018, 2018-01 or 2018-01-03.",
    "source_url": "The source's URL.",
    "notes": "For editors only; never published.",
}

IMPORT_CAPTURE_LABEL = "as cited in a spreadsheet import"
UNIDENTIFIED_AUTHORITY = "Unidentified authority"
AMOUNT_PATTERN = re.compile(r"^\d{1,14}(\.\d{1,2})?$")
YES, NO = {"yes", "y", "true", "1"}, {"no", "n", "false", "0"}
EARLIEST_YEAR = 1990  # the lists of the social-credit system start in the 2010s
BATCH = 5000
ANALYZE_AFTER_ROWS = 1000
NOT_YET_CREATED = -1  # the id of an authority a dry run would create
# Bounded work on any file (IMPORT_MAX_BYTES, IMPORT_MAX_UNCOMPRESSED_BYTES and
# IMPORT_MAX_ROWS are settings): cells right of this column of a workbook are not read,
# since a workbook can declare a cell far right in a few bytes and every row is then
# filled up to it; and a report lists this many row errors, then says how many more.
READ_COLUMNS = 100
ERRORS_LISTED = 200
# A worksheet's rows, found in its XML without parsing it: <row r="12" …> (any prefix).
ROW_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row(?=[\s/>])([^>]*)>")
ROW_NUMBER = re.compile(rb"""\sr\s*=\s*["'](\d+)""")

# Vocabulary keys as sets: TextChoices.values builds a new list on every access.
LIST_KEYS = frozenset(ListName.values)
OFFENCE_KEYS = frozenset(OffenceCategory.values)
RESTRICTION_KEYS = frozenset(RestrictionKind.values)
VOCABULARIES = {
    "list_name": (ListName, LIST_KEYS),
    "offence_category": (OffenceCategory, OFFENCE_KEYS),
}
province_lookup = lru_cache(maxsize=1024)(Province.lookup)


class ImportFileError(Exception):
    """The file as a whole cannot be imported (size, encoding, format, columns)."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"Row {self.row}, column {self.column}: {self.message}"


@dataclass
class ImportReport:
    dry_run: bool
    rows: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # Changes to people the import did not make (casefile.cases.corrections), one line each.
    person_differences: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def listed_errors(self) -> list[RowError]:
        """The errors a page or a command lists: the first ERRORS_LISTED."""
        return self.errors[:ERRORS_LISTED]

    @property
    def unlisted_errors(self) -> int:
        return max(0, len(self.errors) - ERRORS_LISTED)

    def summary(self) -> str:
        if self.errors:
            return (
                f"The file was rejected: {len(self.errors)} error(s) in {self.rows} row(s). "
                "Nothing was imported."
            )
        verb = "would be" if self.dry_run else "were"
        return (
            f"{self.rows} row(s): {len(self.created)} case(s) {verb} created, "
            f"{len(self.updated)} updated, {len(self.unchanged)} unchanged, "
            f"{len(self.skipped)} skipped (no longer drafts)."
        )


# --- Reading the file -----------------------------------------------------------------------


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
        problems.append("unknown column(s): " + ", ".join(unknown))
    missing = [name for name in COLUMNS if name not in names]
    if missing:
        problems.append("missing column(s): " + ", ".join(missing))
    repeated = sorted({name for name in names if name and names.count(name) > 1})
    if repeated:
        problems.append("repeated column(s): " + ", ".join(repeated))
    if problems:
        raise ImportFileError(
            "The header does not match the template: "
            + "; ".join(problems)
            + ". The columns are exactly: "
            + ", ".join(COLUMNS)
            + "."
        )
    return names


# --- Checking rows --------------------------------------------------------------------------


@dataclass
class CaseRow:
    """One valid row, as typed values."""

    number: int
    case_key: str
    person_name: str
    person_name_romanized: str
    occupation: str
    public_figure: bool
    province: str
    city: str
    authority: str
    list_name: str
    reason: str
    offence_category: str
    amount: Decimal | None
    amount_text: str
    currency: str
    listed: PartialDate | None
    discovered: PartialDate | None
    removed: PartialDate | None
    restrictions: list[str]
    outcome: str
    source: tuple | None  # (outlet, title, authors, published, url)
    notes: str


_url_validator = URLValidator(schemes=["http", "https"])


def _max_length(errors, number, column, value, limit):
    if len(value) > limit:
        errors.append(
            RowError(number, column, f"at most {limit} characters (this has {len(value)}).")
        )


def _year(errors, number, column, value, this_year: int) -> PartialDate | None:
    if not value:
        return None
    if not re.fullmatch(r"\d{4}", value) or not EARLIEST_YEAR <= int(value) <= this_year:
        errors.append(
            RowError(
                number, column, f"“{value}” is not a year between {EARLIEST_YEAR} and {this_year}."
            )
        )
        return None
    return PartialDate(datetime.date(int(value), 1, 1), DatePrecision.YEAR)


@lru_cache(maxsize=65536)  # rows citing one article repeat its URL
def _is_web_address(url: str) -> bool:
    try:
        _url_validator(url)
    except ValidationError:
        return False
    return True


def _plain_text(number: int, raw: dict[str, str], errors: list[RowError]) -> dict[str, str]:
    """The row's cells as text is stored (casefile.core.text): line breaks as "\\n" (a
    spreadsheet cell may hold "\\r\\n"); a cell with another control character is an
    error of its column. Rows without either, nearly all, are looked at once."""
    joined = "".join(raw.values())
    if "\r" not in joined and not CONTROL_CHARACTER.search(joined):
        return raw
    raw = {column: normalize_line_breaks(value) for column, value in raw.items()}
    for column, value in raw.items():
        problem = control_character_problem(value)
        if problem:
            errors.append(RowError(number, column, problem))
    return raw


def check_row(
    number: int, raw: dict[str, str], errors: list[RowError], *, this_year: int
) -> CaseRow | None:
    """Type one row, adding every problem to `errors`; None when the row has any."""
    before = len(errors)
    raw = _plain_text(number, raw, errors)
    key = raw["case_key"]
    if not key:
        errors.append(RowError(number, "case_key", "required: every row needs its stable key."))
    _max_length(errors, number, "case_key", key, 100)
    for column, limit in (
        ("person_name", 200),
        ("person_name_romanized", 200),
        ("occupation", 200),
        ("city", 100),
        ("authority", 300),
        ("source_outlet", 200),
        ("source_title", 500),
        ("source_url", 1000),
    ):
        _max_length(errors, number, column, raw[column], limit)

    public_word = raw["public_figure"].lower()
    if public_word and public_word not in YES | NO:
        errors.append(
            RowError(number, "public_figure", f"“{raw['public_figure']}” is not yes or no.")
        )
    public_figure = public_word in YES
    if public_figure and not (raw["person_name"] or raw["person_name_romanized"]):
        errors.append(
            RowError(number, "public_figure", "a public figure needs a name in person_name.")
        )

    province = ""
    if raw["province"]:
        found = province_lookup(raw["province"])
        if found is None:
            errors.append(
                RowError(
                    number,
                    "province",
                    f"“{raw['province']}” is not a province-level division; use its English "
                    "or Chinese name, e.g. Hubei or 湖北.",
                )
            )
        else:
            province = found.value

    vocabulary = {}
    for column, (choices, keys) in VOCABULARIES.items():
        value = raw[column].lower()
        if value and value not in keys:
            errors.append(
                RowError(
                    number, column, f"“{raw[column]}” is not one of: {', '.join(choices.values)}."
                )
            )
        vocabulary[column] = value or choices.OTHER.value

    amount = None
    currency = raw["currency"].upper()
    if raw["amount"]:
        text = (
            raw["amount"].replace(",", "")
            if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", raw["amount"])
            else raw["amount"]
        )
        if text.startswith("-"):
            errors.append(RowError(number, "amount", "an amount cannot be negative."))
        elif not AMOUNT_PATTERN.match(text):
            errors.append(
                RowError(
                    number,
                    "amount",
                    f"“{raw['amount']}” is not a plain number such as 1330 or 1330.50.",
                )
            )
        else:
            try:
                amount = Decimal(text)
            except InvalidOperation:
                errors.append(RowError(number, "amount", f"“{raw['amount']}” is not a number."))
        if not currency:
            errors.append(
                RowError(number, "currency", "an amount needs its ISO 4217 currency, e.g. CNY.")
            )
    if currency and currency not in CURRENCIES:
        errors.append(
            RowError(number, "currency", f"“{raw['currency']}” is not an ISO 4217 currency code.")
        )
    if currency and not raw["amount"]:
        errors.append(RowError(number, "amount", "a currency is given but no amount."))

    listed = _year(errors, number, "listed_year", raw["listed_year"], this_year)
    discovered = _year(errors, number, "discovered_year", raw["discovered_year"], this_year)
    removed = _year(errors, number, "removed_year", raw["removed_year"], this_year)
    if listed and removed and removed.date < listed.date:
        errors.append(RowError(number, "removed_year", "the removal cannot be before the listing."))

    restrictions = []
    for part in raw["restrictions"].split(";"):
        kind = part.strip().lower()
        if not kind:
            continue
        if kind not in RESTRICTION_KEYS:
            errors.append(
                RowError(
                    number,
                    "restrictions",
                    f"“{part.strip()}” is not a restriction key; use: {', '.join(RestrictionKind.values)}.",
                )
            )
        elif kind not in restrictions:
            restrictions.append(kind)

    source = None
    source_columns = ("source_outlet", "source_title", "source_author", "source_date", "source_url")
    if any(raw[column] for column in source_columns):
        if not raw["source_title"]:
            errors.append(RowError(number, "source_title", "required when a source is given."))
        published = None
        if raw["source_date"]:
            try:
                published = PartialDate.parse(raw["source_date"])
            except ValueError as error:
                errors.append(RowError(number, "source_date", str(error)))
        if raw["source_url"] and not _is_web_address(raw["source_url"]):
            errors.append(
                RowError(number, "source_url", f"“{raw['source_url']}” is not a web address.")
            )
        authors = tuple(a.strip() for a in raw["source_author"].split(";") if a.strip())
        source = (raw["source_outlet"], raw["source_title"], authors, published, raw["source_url"])

    if len(errors) > before:
        return None
    return CaseRow(
        number=number,
        case_key=key,
        person_name=raw["person_name"],
        person_name_romanized=raw["person_name_romanized"],
        occupation=raw["occupation"],
        public_figure=public_figure,
        province=province,
        city=raw["city"],
        authority=raw["authority"],
        list_name=vocabulary["list_name"],
        reason=raw["reason"],
        offence_category=vocabulary["offence_category"],
        amount=amount,
        amount_text=raw["amount"],
        currency=currency,
        listed=listed,
        discovered=discovered,
        removed=removed,
        restrictions=restrictions,
        outcome=raw["outcome"],
        source=source,
        notes=raw["notes"],
    )


def check_rows(
    header: list[str], numbered_rows: Iterable[tuple[int, list[str]]], report: ImportReport
) -> list[CaseRow]:
    rows: list[CaseRow] = []
    first_row_of_key: dict[str, int] = {}
    width = len(header)
    this_year = datetime.date.today().year
    for number, cells in numbered_rows:
        if not any(cells):
            continue  # blank lines between rows are common in spreadsheets
        report.rows += 1
        if len(cells) > width and any(cells[width:]):
            report.errors.append(
                RowError(
                    number,
                    "—",
                    f"the row has {len(cells)} cells but the header has {width} columns.",
                )
            )
            continue
        raw = dict(zip(header, cells + [""] * (width - len(cells)), strict=False))
        row = check_row(number, raw, report.errors, this_year=this_year)
        key = raw["case_key"]
        if key and key in first_row_of_key:
            report.errors.append(
                RowError(
                    number, "case_key", f"“{key}” is also the key of row {first_row_of_key[key]}."
                )
            )
            continue
        first_row_of_key.setdefault(key, number)
        if row is not None:
            rows.append(row)
    if report.rows == 0 and not report.errors:
        raise ImportFileError("The file has a header but no rows.")
    return rows


# --- Writing --------------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def _person_names(name: str, romanized: str) -> PersonNames:
    """The romanised name, search keys and spellings of a name (as Person.normalize_names
    derives them): computing name forms is slow and names repeat."""
    return person_name_fields(name.strip(), romanized.strip())


def fast_public_id() -> str:
    """As Case's new_public_id(): 50 random bits in Crockford's base32, drawn at once
    rather than character by character (100,000 ids a run)."""
    bits = secrets.randbits(PUBLIC_ID_LENGTH * 5)
    return "".join(PUBLIC_ID_ALPHABET[(bits >> (5 * i)) & 31] for i in range(PUBLIC_ID_LENGTH))


def _any_of(ids: list[int]) -> RawSQL:
    """`pk__in` for many ids as one array parameter, not one parameter per id."""
    return RawSQL("SELECT unnest(%s::bigint[])", (list(ids),))


def _pseudonym(row: CaseRow) -> str:
    place = Province(row.province).english if row.province else ""
    return f"Unnamed person, {place}" if place else "Unnamed person"


CASE_IMPORT_FIELDS = [
    "person_id",
    "authority_id",
    "list_name",
    "reason_original",
    "reason_en",
    "offence_category",
    "status",
    "listed_on",
    "listed_on_precision",
    "discovered_on",
    "discovered_on_precision",
    "removed_on",
    "removed_on_precision",
    "outcome",
    "notes",
]
# The person's columns a report names when it does not apply them.
PERSON_REPORTED_FIELDS = {
    "name_original": "person_name",
    "name_romanized": "person_name_romanized",
    "occupation": "occupation",
    "privacy": "public_figure",
}
PERSON_IMPORT_FIELDS = [
    "name_original",
    "name_romanized",
    "name_keys",
    "name_spellings",
    "occupation",
    "privacy",
    "pseudonym",
]


def _case_values(row: CaseRow, person_id, authority_id) -> dict:
    chinese_reason = has_cjk(row.reason)
    values = {
        "person_id": person_id,
        "authority_id": authority_id,
        "list_name": row.list_name,
        "reason_original": row.reason if chinese_reason else "",
        "reason_en": "" if chinese_reason else row.reason,
        "offence_category": row.offence_category,
        "status": CaseStatus.REMOVED if row.removed else CaseStatus.UNKNOWN,
        "outcome": row.outcome,
        "notes": row.notes,
    }
    for name, partial in (
        ("listed_on", row.listed),
        ("discovered_on", row.discovered),
        ("removed_on", row.removed),
    ):
        values[name] = partial.date if partial else None
        values[f"{name}_precision"] = partial.precision if partial else ""
    return values


def _person_values(row: CaseRow, current_privacy: str | None, current_pseudonym: str) -> dict:
    names = _person_names(row.person_name, row.person_name_romanized)
    privacy = Privacy.PUBLIC if row.public_figure else Privacy.PSEUDONYMISED
    if current_privacy == Privacy.WITHHELD:
        privacy = Privacy.WITHHELD  # never loosened by an import
    return {
        "name_original": row.person_name,
        "name_romanized": names.name_romanized,
        "name_keys": names.name_keys,
        "name_spellings": names.name_spellings,
        "occupation": row.occupation,
        "privacy": privacy,
        "pseudonym": current_pseudonym or _pseudonym(row),
    }


class _Writer:
    """Writes valid rows with a fixed number of statements per batch, not per row."""

    def __init__(self, rows: list[CaseRow], report: ImportReport, by=None):
        self.rows = rows
        self.report = report
        self.by = by
        self.dry_run = report.dry_run
        self.now = timezone.now()

    def run(self) -> None:
        """Create and update. A dry run computes the same report and writes nothing."""
        authorities = self._authorities()
        captures = {} if self.dry_run else self._captures()
        existing = {
            case.external_key: case
            for case in Case.objects.filter(external_key__isnull=False).select_related("person")
        }
        new_rows, update_rows = [], []
        for row in self.rows:
            case = existing.get(row.case_key)
            if case is None:
                new_rows.append(row)
            elif case.publication_state != PublicationState.DRAFT:
                self.report.skipped.append(row.case_key)
            else:
                update_rows.append((row, case))
        self._create(new_rows, authorities, captures)
        self._update(update_rows, authorities, captures)

    @staticmethod
    def _authority_key(row: CaseRow):
        if not (row.authority or row.province or row.city):
            return None
        return (row.authority or UNIDENTIFIED_AUTHORITY, row.province, row.city)

    def _authorities(self) -> dict[tuple, int]:
        wanted = {key for row in self.rows if (key := self._authority_key(row))}
        found = {
            (a.name, a.province, a.city): a.pk
            for a in Authority.objects.filter(name__in={key[0] for key in wanted})
        }
        missing = sorted(wanted - found.keys())
        if self.dry_run:
            # Not created in a dry run; a stand-in id no case has makes a case that
            # would get the new authority count as updated.
            return {**found, **dict.fromkeys(missing, NOT_YET_CREATED)}
        stamps = {"created_at": self.now, "updated_at": self.now}
        ids = copy_insert(
            Authority,
            [
                {
                    **stamps,
                    "name": name,
                    "province": province,
                    "city": city,
                    "kind": AuthorityKind.OTHER
                    if name == UNIDENTIFIED_AUTHORITY
                    else AuthorityKind.COURT,
                }
                for name, province, city in missing
            ],
        )
        found.update(zip(missing, ids, strict=True))
        return found

    def _captures(self) -> dict[tuple, int]:
        """The capture to cite for each distinct source of the file, created as needed."""
        wanted = {row.source for row in self.rows if row.source}
        by_url, by_title = {}, {}
        urls = {source[4] for source in wanted if source[4]}
        titles = {source[1] for source in wanted if not source[4]}
        for source in Source.objects.filter(url__in=urls).order_by("id"):
            by_url.setdefault(source.url, source)
        for source in Source.objects.filter(url="", title__in=titles).order_by("id"):
            by_title.setdefault((source.title, source.outlet, source.published), source)

        sources: dict[tuple, int] = {}
        new_specs = []
        for spec in sorted(wanted, key=repr):
            outlet, title, _authors, published, url = spec
            source = by_url.get(url) if url else by_title.get((title, outlet, published))
            if source is None:
                new_specs.append(spec)
            else:
                sources[spec] = source.pk
        # Rows citing the same new source share it: one source per URL, else per title.
        new_keys = list(dict.fromkeys(self._source_key(spec) for spec in new_specs))
        first_spec = {}
        for spec in new_specs:
            first_spec.setdefault(self._source_key(spec), spec)
        stamps = {"created_at": self.now, "updated_at": self.now}
        new_ids = copy_insert(
            Source,
            [{**stamps, **self._source_values(first_spec[key])} for key in new_keys],
        )
        id_of_key = dict(zip(new_keys, new_ids, strict=True))
        for spec in new_specs:
            sources[spec] = id_of_key[self._source_key(spec)]

        source_ids = set(sources.values())
        capture_of = {}
        for source_id, capture_id in (
            SourceCapture.objects.filter(source_id__in=source_ids, label=IMPORT_CAPTURE_LABEL)
            .order_by("-id")
            .values_list("source_id", "id")
        ):
            capture_of[source_id] = capture_id  # the first capture wins
        uncaptured = sorted(source_ids - capture_of.keys())
        capture_ids = copy_insert(
            SourceCapture,
            [
                {
                    **stamps,
                    "source_id": source_id,
                    "label": IMPORT_CAPTURE_LABEL,
                    "captured_at": self.now,
                }
                for source_id in uncaptured
            ],
        )
        capture_of.update(zip(uncaptured, capture_ids, strict=True))
        return {spec: capture_of[source_id] for spec, source_id in sources.items()}

    @staticmethod
    def _source_key(spec: tuple) -> tuple:
        outlet, title, _authors, published, url = spec
        return ("url", url) if url else ("title", title, outlet, published)

    @staticmethod
    def _source_values(spec: tuple) -> dict:
        outlet, title, authors, published, url = spec
        return {
            "kind": SourceKind.OTHER,
            "title": title,
            "outlet": outlet,
            "authors": list(authors),
            "url": url,
            "published_on": published.date if published else None,
            "published_on_precision": published.precision if published else "",
        }

    # The triggers that touch a case when a part of it is written. New cases are inserted
    # with their restriction kinds and timestamps already right, so for their parts these
    # triggers would only rewrite each new case three more times (and every rewrite
    # writes a new row version and its index entries): they are skipped for them.
    TOUCH_TRIGGERS = (
        "cases.Restriction:case_restriction_kinds_ins",
        "cases.Amount:touch_case_amount_ins",
        "cases.Citation:touch_case_citation_ins",
    )

    def _create(self, rows: list[CaseRow], authorities, captures) -> None:
        if self.dry_run:
            self.report.created += [row.case_key for row in rows]
            return
        with pgtrigger.ignore(*self.TOUCH_TRIGGERS):
            self._create_rows(rows, authorities, captures)
        if len(rows) >= ANALYZE_AFTER_ROWS:
            # The planner's statistics still describe the tables before the import, so
            # it would plan the next queries (a re-import's reads, the triggers' joins)
            # for nearly empty tables: nested loops over 100,000 rows. Refresh them now.
            with connection.cursor() as cursor:
                for model in (Person, Case, Restriction, Amount, Citation):
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")

    def _create_rows(self, rows: list[CaseRow], authorities, captures) -> None:
        """New cases and everything they own, with COPY: a handful of statements in all.

        Rows are passed to COPY as generators, so that building them (romanising
        names, above all) overlaps the server's inserting of the ones before."""
        stamps = {"created_at": self.now, "updated_at": self.now}
        person_ids = copy_insert(
            Person, ({**stamps, **_person_values(row, None, "")} for row in rows), len(rows)
        )
        case_ids = copy_insert(
            Case,
            (
                {
                    **stamps,
                    **_case_values(row, person_id, authorities.get(self._authority_key(row))),
                    "public_id": fast_public_id(),
                    "external_key": row.case_key,
                    "publication_state": PublicationState.DRAFT,
                    "restriction_kinds": sorted(row.restrictions),
                }
                for row, person_id in zip(rows, person_ids, strict=True)
            ),
            len(rows),
        )
        restriction_rows = [
            (case_id, kind)
            for row, case_id in zip(rows, case_ids, strict=True)
            for kind in row.restrictions
        ]
        restriction_ids = copy_insert(
            Restriction,
            ({**stamps, "case_id": case_id, "kind": kind} for case_id, kind in restriction_rows),
            len(restriction_rows),
        )
        restriction_of = dict(zip(restriction_rows, restriction_ids, strict=True))
        amount_rows = [
            (row, case_id)
            for row, case_id in zip(rows, case_ids, strict=True)
            if row.amount is not None
        ]
        amount_ids = copy_insert(
            Amount,
            ({**stamps, **self._amount_values(row, case_id)} for row, case_id in amount_rows),
            len(amount_rows),
        )
        amount_of = {
            case_id: amount_id
            for (_, case_id), amount_id in zip(amount_rows, amount_ids, strict=True)
        }
        cited = [(row, case_id) for row, case_id in zip(rows, case_ids, strict=True) if row.source]

        def citations():
            for row, case_id in cited:
                cite = {**stamps, "case_id": case_id, "capture_id": captures[row.source]}
                yield {**cite, "case_field": CitedField.LISTING.value}
                for kind in row.restrictions:
                    yield {**cite, "restriction_id": restriction_of[(case_id, kind)]}
                if case_id in amount_of:
                    yield {**cite, "amount_id": amount_of[case_id]}

        # The listing, each restriction and the amount: as many as citations() yields.
        count = sum(1 + len(row.restrictions) + (case_id in amount_of) for row, case_id in cited)
        copy_insert(Citation, citations(), count)
        self.report.created += [row.case_key for row in rows]

    @staticmethod
    def _amount_values(row: CaseRow, case_id) -> dict:
        return {
            "case_id": case_id,
            "kind": AmountKind.OWED,
            "value": row.amount,
            "currency": row.currency,
            "as_reported": f"{row.amount_text} {row.currency}"[:200],
        }

    @classmethod
    def _amount(cls, row: CaseRow, case_id) -> Amount:
        return Amount(**cls._amount_values(row, case_id))

    def _cite(self, pairs: list[tuple[CaseRow, Case]], captures) -> None:
        """Cite each row's capture for the listing, each restriction and the amount,
        unless that citation already exists."""
        cited_rows = [(row, case) for row, case in pairs if row.source]
        if not cited_rows:
            return
        case_ids = [case.pk for _, case in cited_rows]
        existing = set(
            Citation.objects.filter(case_id__in=_any_of(case_ids)).values_list(
                "case_id", "capture_id", "case_field", "restriction_id", "amount_id"
            )
        )
        restrictions = {}
        for pk, case_id, kind in Restriction.objects.filter(
            case_id__in=_any_of(case_ids)
        ).values_list("pk", "case_id", "kind"):
            restrictions[(case_id, kind)] = pk
        amounts = {}
        for pk, case_id in (
            Amount.objects.filter(case_id__in=_any_of(case_ids), kind=AmountKind.OWED)
            .order_by("-id")
            .values_list("pk", "case_id")
        ):
            amounts[case_id] = pk
        citations = []
        for row, case in cited_rows:
            capture_id = captures[row.source]
            claims = [(CitedField.LISTING.value, None, None)]
            claims += [("", restrictions[(case.pk, kind)], None) for kind in row.restrictions]
            if row.amount is not None:
                claims.append(("", None, amounts[case.pk]))
            for case_field, restriction_id, amount_id in claims:
                if (case.pk, capture_id, case_field, restriction_id, amount_id) not in existing:
                    citations.append(
                        Citation(
                            case_id=case.pk,
                            capture_id=capture_id,
                            case_field=case_field,
                            restriction_id=restriction_id,
                            amount_id=amount_id,
                        )
                    )
        Citation.objects.bulk_create(citations, batch_size=BATCH)

    def _person_changes(self, row: CaseRow, person: Person, reviewed_people: set) -> dict:
        """What the row changes of its case's person, as far as the importing user may
        (casefile.cases.corrections): nothing of a person with a case past the draft
        stage, and a more visible privacy level only for a reviewer. What is not applied
        is reported."""
        wanted = _person_values(row, person.privacy, person.pseudonym)
        changes = {k: v for k, v in wanted.items() if getattr(person, k) != v}
        shown = [name for name in changes if name in PERSON_REPORTED_FIELDS]
        if person.pk in reviewed_people:
            if shown:
                self.report.person_differences.append(
                    f"Row {row.number} ({row.case_key}): person #{person.pk} has a case in "
                    "review, published or retracted, so the import does not change them; the "
                    f"file differs in {', '.join(PERSON_REPORTED_FIELDS[n] for n in shown)}. "
                    "A reviewer can correct the person "
                    "in the admin."
                )
            return {}
        loosens = "privacy" in changes and more_visible(person.privacy, changes["privacy"])
        if loosens and not may_correct_published(self.by):
            self.report.person_differences.append(
                f"Row {row.number} ({row.case_key}): public_figure would make person "
                f"#{person.pk} more visible ({person.privacy} → {changes['privacy']}); "
                "only a reviewer can, so their privacy level was kept."
            )
            changes.pop("privacy")
        return changes

    def _update(self, pairs: list[tuple[CaseRow, Case]], authorities, captures) -> None:
        if not pairs:
            return
        case_ids = [case.pk for _, case in pairs]
        kinds: dict[int, dict[str, int]] = {}
        for pk, case_id, kind in Restriction.objects.filter(
            case_id__in=_any_of(case_ids)
        ).values_list("pk", "case_id", "kind"):
            kinds.setdefault(case_id, {})[kind] = pk
        owed: dict[int, Amount] = {}
        for amount in Amount.objects.filter(
            case_id__in=_any_of(case_ids), kind=AmountKind.OWED
        ).order_by("-id"):
            owed[amount.case_id] = amount  # the lowest id wins: the imported one

        changed_people, changed_cases, changed_amounts = [], [], []
        new_restrictions, new_amounts, gone_restrictions, gone_amounts = [], [], [], []
        changed_rows = []
        reviewed_people = people_with_reviewed_cases({case.person_id for _, case in pairs})
        for row, case in pairs:
            person = case.person
            person_values = self._person_changes(row, person, reviewed_people)
            case_values = _case_values(row, person.pk, authorities.get(self._authority_key(row)))
            row_changed = False
            if person_values:
                for k, v in person_values.items():
                    setattr(person, k, v)
                changed_people.append(person)
                row_changed = True
            if any(getattr(case, k) != v for k, v in case_values.items()):
                for k, v in case_values.items():
                    setattr(case, k, v)
                case.updated_at = self.now
                changed_cases.append(case)
                row_changed = True
            current_kinds = kinds.get(case.pk, {})
            for kind in row.restrictions:
                if kind not in current_kinds:
                    new_restrictions.append(Restriction(case_id=case.pk, kind=kind))
                    row_changed = True
            for kind, pk in current_kinds.items():
                if kind not in row.restrictions:
                    gone_restrictions.append(pk)
                    row_changed = True
            amount = owed.get(case.pk)
            if row.amount is None and amount is not None:
                gone_amounts.append(amount.pk)
                row_changed = True
            elif row.amount is not None and amount is None:
                new_amounts.append(self._amount(row, case.pk))
                row_changed = True
            elif row.amount is not None and (amount.value, amount.currency) != (
                row.amount,
                row.currency,
            ):
                wanted = self._amount(row, case.pk)
                amount.value, amount.currency, amount.as_reported = (
                    wanted.value,
                    wanted.currency,
                    wanted.as_reported,
                )
                changed_amounts.append(amount)
                row_changed = True
            if row_changed:
                changed_rows.append((row, case))
                self.report.updated.append(row.case_key)
            else:
                self.report.unchanged.append(row.case_key)

        if self.dry_run:
            return
        bulk_update_from_values(Person, changed_people, PERSON_IMPORT_FIELDS)
        # Setting updated_at here spares the database a second write of each case
        # (case_touch_updated_at bumps it for updates that leave it as it was).
        bulk_update_from_values(Case, changed_cases, [*CASE_IMPORT_FIELDS, "updated_at"])
        bulk_update_from_values(Amount, changed_amounts, ["value", "currency", "as_reported"])
        Restriction.objects.filter(pk__in=_any_of(gone_restrictions)).delete()
        Amount.objects.filter(pk__in=_any_of(gone_amounts)).delete()
        Restriction.objects.bulk_create(new_restrictions, batch_size=BATCH)
        Amount.objects.bulk_create(new_amounts, batch_size=BATCH)
        # Citations are checked for every row with a source, changed or not: an unchanged
        # row whose citation an editor deleted gets it back only when the row changes.
        self._cite(changed_rows, captures)


def import_cases(*, data: bytes, filename: str, dry_run: bool, by=None) -> ImportReport:
    """Check and import a spreadsheet of cases. Raises ImportFileError for a file that
    cannot be read at all; otherwise returns a report. Any row error: nothing written."""
    report = ImportReport(dry_run=dry_run)
    header, numbered_rows = read_table(data, filename)
    rows = check_rows(header, numbered_rows, report)
    if report.errors:
        return report
    try:
        with (
            pghistory.context(action="import", user=getattr(by, "pk", None), file=filename[:200]),
            transaction.atomic(),
        ):
            with connection.cursor() as cursor:
                set_local_statement_timeout(cursor, settings.IMPORT_STATEMENT_TIMEOUT)
            _Writer(rows, report, by).run()
            if dry_run:
                transaction.set_rollback(True)
    except DatabaseError as error:
        if is_statement_timeout(error):
            raise ImportFileError(
                "The import took too long and was stopped, so nothing was imported (one "
                f"step ran past the {settings.IMPORT_STATEMENT_TIMEOUT} s the server allows). "
                "Split the file into smaller files."
            ) from None
        # Every rule is checked row by row above; this is the database's backstop.
        raise ImportFileError(
            f"The database refused the file, so nothing was imported: {error}"
        ) from None
    return report
