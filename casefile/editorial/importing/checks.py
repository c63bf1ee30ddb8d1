"""Checking rows: each cell typed and checked, every problem of every row collected (with a
suggestion where one is clear), before anything is written."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone

from casefile.authorities.models import Province
from casefile.cases.vocabularies import AmountKind
from casefile.core.dates import DatePrecision, PartialDate
from casefile.core.text import (
    CONTROL_CHARACTER,
    control_character_problem,
    has_cjk,
    latin_key,
    normalize_line_breaks,
)
from casefile.editorial.importing import suggestions
from casefile.editorial.importing.columns import COLUMNS, MAX_LENGTH, VOCABULARIES
from casefile.editorial.importing.reading import ImportFileError
from casefile.editorial.importing.report import ImportReport, RowError
from casefile.sources.services import normalise_digest

AMOUNT_PATTERN = re.compile(r"^\d{1,14}(\.\d{1,2})?$")
GROUPED_THOUSANDS = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?")
YES, NO = {"yes", "y", "true", "1"}, {"no", "n", "false", "0"}
EARLIEST_YEAR = 1990  # the lists of the social-credit system start in the 2010s
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
CAPTURE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)?(?:Z|[+-]\d{2}:?\d{2})?$"
)
EMPTY_ROW = dict.fromkeys(COLUMNS, "")
SOURCE_COLUMNS = ("source_outlet", "source_title", "source_author", "source_date", "source_url")
# Columns that describe the source as read, meaningless without a source.
CAPTURE_COLUMNS = ("source_captured", "archive_url", "quote", "capture_file", "capture_sha256")
province_lookup = lru_cache(maxsize=1024)(Province.lookup)


@dataclass(frozen=True)
class SourceSpec:
    """A source as a row gives it; rows giving the same URL (else the same title, outlet
    and date) cite one source."""

    outlet: str
    title: str
    authors: tuple[str, ...]
    published: PartialDate | None
    url: str
    language: str

    @property
    def key(self) -> tuple:
        return ("url", self.url) if self.url else ("title", self.title, self.outlet, self.published)


@dataclass
class CaseRow:
    """One valid row, as typed values. Optional columns a file leaves out hold their
    defaults here; the writer changes an existing case's fields only from columns the
    file has (Plan.given)."""

    number: int
    case_key: str
    name_original: str  # in Chinese characters, or ""
    name_romanized: str  # as given (derived from the characters when empty)
    name_as_given: str  # person_name as the file has it
    aliases: tuple[str, ...]
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
    amount_kind: str
    amount_as_reported: str
    listed: PartialDate | None
    discovered: PartialDate | None
    removed: PartialDate | None
    restrictions: list[str]
    outcome: str
    summary: str
    source: SourceSpec | None
    captured: datetime.datetime | None
    archive_url: str
    quote: str
    notes: str
    person_id: int | None
    capture_file: str  # a member of the uploaded ZIP (casefile.editorial.importing.bundle)
    capture_sha256: str  # its digest as typed, normalised; "" when not given

    @property
    def name_forms(self) -> list[str]:
        """Every name of the row's person, for the duplicate check."""
        forms = [self.name_original, self.name_romanized, self.name_as_given, *self.aliases]
        return list(dict.fromkeys(form for form in forms if form))

    @property
    def shown_name(self) -> str:
        return self.name_as_given or self.name_original or self.name_romanized


@dataclass
class Plan:
    """A checked file: its valid rows and which optional columns it has."""

    rows: list[CaseRow]
    given: frozenset[str]
    # Row number -> the ZIP member its capture_file names, checked (bundle.check_files).
    files: dict = field(default_factory=dict)


_url_validator = URLValidator(schemes=["http", "https"])


@lru_cache(maxsize=65536)  # rows citing one article repeat its URL
def _is_web_address(url: str) -> bool:
    try:
        _url_validator(url)
    except ValidationError:
        return False
    return True


class _Row:
    """Checks one row's cells, collecting every problem."""

    def __init__(self, number: int, raw: dict[str, str], errors: list[RowError], given):
        self.number = number
        self.raw = raw
        self.errors = errors
        self.given = given
        # A cell: every column is in `raw`, the file's own and "" for the others.
        self.cell = raw.__getitem__

    def error(self, column: str, message: str, suggestion: str = "") -> None:
        self.errors.append(RowError(self.number, column, message, suggestion, self.raw[column]))

    def text(self, column: str) -> str:
        value = self.cell(column)
        limit = MAX_LENGTH.get(column)
        if limit and len(value) > limit:
            self.error(column, f"at most {limit} characters.")
        return value

    def items(self, column: str) -> tuple[str, ...]:
        """A ;-separated list, each item as long as the model allows."""
        items = tuple(dict.fromkeys(i.strip() for i in self.cell(column).split(";") if i.strip()))
        limit = MAX_LENGTH.get(column)
        for item in items:
            if limit and len(item) > limit:
                self.error(column, f"at most {limit} characters for each item.")
        return items

    def key(self, column: str, value: str | None = None) -> str:
        """A vocabulary key ("" when the cell is empty)."""
        given = self.cell(column) if value is None else value
        key = given.strip().lower()
        vocabulary = VOCABULARIES[column]
        if key and key not in vocabulary:
            self.error(
                column,
                f"“{given.strip()}” is not one of: {', '.join(vocabulary)}.",
                suggestions.vocabulary_key(column, given, vocabulary),
            )
            return ""
        return key

    def year(self, column: str, this_year: int) -> PartialDate | None:
        value = self.cell(column)
        if not value:
            return None
        found = _year(value, this_year)
        if found is None:
            guess = suggestions.year(value)
            self.error(
                column,
                f"“{value}” is not a year between {EARLIEST_YEAR} and {this_year}.",
                guess if guess and EARLIEST_YEAR <= int(guess) <= this_year else "",
            )
            return None
        return found

    def web_address(self, column: str) -> str:
        value = self.text(column)
        if value and not _is_web_address(value):
            self.error(column, f"“{value}” is not a web address (http:// or https://).")
        return value


@lru_cache(maxsize=1024)  # years repeat
def _year(value: str, this_year: int) -> PartialDate | None:
    if not re.fullmatch(r"\d{4}", value) or not EARLIEST_YEAR <= int(value) <= this_year:
        return None
    return PartialDate(datetime.date(int(value), 1, 1), DatePrecision.YEAR)


@lru_cache(maxsize=4096)  # rows citing one source repeat its date
def _partial_date(value: str) -> PartialDate | str:
    """The date, or why it is not one."""
    try:
        return PartialDate.parse(value)
    except ValueError as error:
        return str(error)


@lru_cache(maxsize=65536)  # rows citing one capture repeat its time
def _moment(value: str) -> datetime.datetime | None:
    if not CAPTURE_TIME.match(value):
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value.replace(" ", "T", 1))
    except ValueError:
        return None
    return parsed.replace(tzinfo=datetime.UTC) if timezone.is_naive(parsed) else parsed


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
    number: int,
    raw: dict[str, str],
    errors: list[RowError],
    *,
    this_year: int,
    given: frozenset[str] = frozenset(),
    now: datetime.datetime | None = None,
) -> CaseRow | None:
    """Type one row, adding every problem to `errors`; None when the row has any."""
    before = len(errors)
    raw = _plain_text(number, {**EMPTY_ROW, **raw}, errors)
    row = _Row(number, raw, errors, given)
    key = row.text("case_key")
    if not key:
        row.error("case_key", "required: every row needs its stable key.")

    original, romanized, as_given, aliases = _names(row)
    occupation = row.text("occupation")
    public_word = row.cell("public_figure").lower()
    if public_word and public_word not in YES | NO:
        row.error("public_figure", f"“{row.cell('public_figure')}” is not yes or no.")
    public_figure = public_word in YES
    if public_figure and not (original or romanized):
        row.error("public_figure", "a public figure needs a name in person_name.")

    province = ""
    if row.cell("province"):
        found = province_lookup(row.cell("province"))
        if found is None:
            row.error(
                "province",
                f"“{row.cell('province')}” is not a province-level division; use its English "
                "or Chinese name, e.g. Hubei or 湖北.",
                suggestions.province(row.cell("province")),
            )
        else:
            province = found.value
    city, authority = row.text("city"), row.text("authority")
    list_name = row.key("list_name") or "other"
    offence = row.key("offence_category") or "other"

    amount, currency, kind, as_reported = _amount(row)
    listed = row.year("listed_year", this_year)
    discovered = row.year("discovered_year", this_year)
    removed = row.year("removed_year", this_year)
    if listed and removed and removed.date < listed.date:
        row.error("removed_year", "the removal cannot be before the listing.")

    restrictions = []
    for part in row.cell("restrictions").split(";"):
        kind_key = row.key("restrictions", part) if part.strip() else ""
        if kind_key and kind_key not in restrictions:
            restrictions.append(kind_key)

    source, captured, archive_url, quote = _source(row, now or timezone.now())
    person_id = None
    if row.cell("person_id"):
        text = row.cell("person_id").lstrip("#")
        if text.isascii() and text.isdigit() and len(text) <= 18:
            person_id = int(text)
        else:
            row.error("person_id", f"“{row.cell('person_id')}” is not a person's number.")

    capture_file, capture_sha256 = _capture_file(row)
    if len(errors) > before:
        return None
    return CaseRow(
        number=number,
        case_key=key,
        name_original=original,
        name_romanized=romanized,
        name_as_given=as_given,
        aliases=aliases,
        occupation=occupation,
        public_figure=public_figure,
        province=province,
        city=city,
        authority=authority,
        list_name=list_name,
        reason=raw["reason"],
        offence_category=offence,
        amount=amount,
        amount_text=row.cell("amount"),
        currency=currency,
        amount_kind=kind,
        amount_as_reported=as_reported,
        listed=listed,
        discovered=discovered,
        removed=removed,
        restrictions=restrictions,
        outcome=raw["outcome"],
        summary=row.cell("summary"),
        source=source,
        captured=captured,
        archive_url=archive_url,
        quote=quote,
        notes=raw["notes"],
        person_id=person_id,
        capture_file=capture_file,
        capture_sha256=capture_sha256,
    )


def _names(row: _Row) -> tuple[str, str, str, tuple[str, ...]]:
    """(name in characters, romanised name, person_name as given, aliases). A person_name
    without Chinese characters is a romanised name, never taken for the original script;
    with person_name_original, that holds the characters and person_name the romanised
    form. A romanised person_name other than person_name_romanized is kept as an alias."""
    name = row.text("person_name")
    original_cell = row.text("person_name_original")
    romanized_cell = row.text("person_name_romanized")
    aliases = list(row.items("person_aliases"))
    if original_cell:
        if not has_cjk(original_cell):
            row.error(
                "person_name_original",
                f"“{original_cell}” has no Chinese characters: put a romanised name in "
                "person_name (or person_name_romanized).",
            )
        if has_cjk(name) and name != original_cell:
            row.error(
                "person_name",
                f"“{name}” is in Chinese characters, but person_name_original already gives "
                f"the name in characters (“{original_cell}”): put the romanised name here, "
                "or another written form in person_aliases.",
            )
        original = original_cell
    else:
        original = name if has_cjk(name) else ""
    latin_name = "" if has_cjk(name) else name
    if has_cjk(romanized_cell):
        row.error(
            "person_name_romanized",
            f"“{romanized_cell}” holds Chinese characters: a romanised name is in Latin "
            "letters, e.g. Liu Hu.",
        )
    romanized = romanized_cell or latin_name
    if latin_name and romanized_cell and latin_key(latin_name) != latin_key(romanized_cell):
        aliases.insert(0, latin_name)  # the spelling the source printed
    return original, romanized, name, tuple(dict.fromkeys(aliases))


def _amount(row: _Row) -> tuple[Decimal | None, str, str, str]:
    """(value, currency, kind, as reported)."""
    amount = None
    text_given = row.cell("amount")
    currency = row.cell("currency").upper()
    if text_given:
        text = (
            text_given.replace(",", "") if GROUPED_THOUSANDS.fullmatch(text_given) else text_given
        )
        if text.startswith("-"):
            row.error("amount", "an amount cannot be negative.")
        elif not AMOUNT_PATTERN.match(text):
            row.error(
                "amount",
                f"“{text_given}” is not a plain number such as 1330 or 1330.50 (the source's "
                "own words for it go in amount_as_reported).",
                suggestions.plain_number(text_given),
            )
        else:
            try:
                amount = Decimal(text)
            except InvalidOperation:
                row.error("amount", f"“{text_given}” is not a number.")
        if not currency:
            row.error("currency", "an amount needs its ISO 4217 currency, e.g. CNY.")
    if currency and currency not in VOCABULARIES["currency"]:
        row.error(
            "currency",
            f"“{row.cell('currency')}” is not an ISO 4217 currency code.",
            suggestions.currency(row.cell("currency")),
        )
    if currency and not text_given:
        row.error("amount", "a currency is given but no amount.")
    if "amount_kind" in row.given:
        kind = row.key("amount_kind") or AmountKind.OTHER.value  # empty: not known
    else:
        kind = AmountKind.OWED.value  # version 1: every amount was what was owed
    as_reported = row.text("amount_as_reported")
    if not text_given:
        if row.cell("amount_kind"):
            row.error("amount_kind", "an amount kind is given but no amount.")
        if as_reported:
            row.error(
                "amount",
                "amount_as_reported is given but no amount: write the figure as a plain "
                "number here, and its currency.",
                suggestions.plain_number(as_reported),
            )
    return amount, currency, kind, as_reported


def _source(row: _Row, now: datetime.datetime):
    """(source, capture time, archive URL, quote)."""
    for column in ("source_outlet", "source_title"):
        row.text(column)
    url = row.web_address("source_url")
    archive_url = row.web_address("archive_url")
    quote = row.cell("quote")
    captured = None
    if row.cell("source_captured"):
        captured = _capture_time(row, now)
    language = (
        row.text("source_language") if "source_language" in row.given else "en"
    )  # version 1: every new source was taken as English
    if language and not LANGUAGE_TAG.match(language):
        row.error(
            "source_language",
            f"“{language}” is not a language tag such as zh, zh-Hans or en.",
            suggestions.language(language),
        )
    if not any(row.cell(column) for column in SOURCE_COLUMNS):
        for column in CAPTURE_COLUMNS:
            if row.cell(column):
                row.error(column, "is given without its source: give source_url (or a title).")
        return None, None, "", ""
    title = row.cell("source_title")
    if not title and not url:
        row.error(
            "source_title",
            "a source needs its title, or its URL when it has no usable title.",
        )
    published = None
    if row.cell("source_date"):
        published = _partial_date(row.cell("source_date"))
        if isinstance(published, str):
            row.error("source_date", published, suggestions.year(row.cell("source_date")))
            published = None
    authors = row.items("source_author")
    source = SourceSpec(row.cell("source_outlet"), title, authors, published, url, language)
    return source, captured, archive_url, quote


def _capture_file(row: _Row) -> tuple[str, str]:
    """(capture_file as typed, its digest normalised)."""
    name = row.cell("capture_file")
    try:
        digest = normalise_digest(row.cell("capture_sha256"))
    except ValidationError as error:
        row.error("capture_sha256", " ".join(error.message_dict["sha256"]))
        digest = ""
    if digest and not name:
        row.error("capture_sha256", "is given without capture_file, the file it describes.")
    return name, digest


def _capture_time(row: _Row, now: datetime.datetime) -> datetime.datetime | None:
    value = row.cell("source_captured")
    parsed = _moment(value)
    if parsed is None:
        row.error(
            "source_captured",
            f"“{value}” is not a date or time such as 2018-01-05 or 2018-01-05T14:30.",
        )
        return None
    if parsed > now:
        row.error("source_captured", f"“{value}” is in the future.")
        return None
    return parsed


def check_rows(header: list[str], numbered_rows, report: ImportReport) -> Plan:
    rows: list[CaseRow] = []
    first_row_of_key: dict[str, int] = {}
    width = len(header)
    given = frozenset(header)
    this_year = datetime.date.today().year
    now = timezone.now()
    for number, cells in numbered_rows:
        if not any(cells):
            continue  # blank lines between rows are common in spreadsheets
        report.rows += 1
        if len(cells) > width and any(cells[width:]):
            report.errors.append(
                RowError(
                    number, "—", f"the row has more cells than the header has columns ({width})."
                )
            )
            continue
        raw = {**EMPTY_ROW, **dict(zip(header, cells, strict=False))}
        row = check_row(number, raw, report.errors, this_year=this_year, given=given, now=now)
        key = raw["case_key"]
        if key and key in first_row_of_key:
            report.errors.append(
                RowError(
                    number,
                    "case_key",
                    f"“{key}” is also the key of row {first_row_of_key[key]}.",
                    value=key,
                )
            )
            continue
        first_row_of_key.setdefault(key, number)
        if row is not None:
            rows.append(row)
    if report.rows == 0 and not report.errors:
        raise ImportFileError("The file has a header but no rows.")
    return Plan(rows=rows, given=given)


def check_captures(plan: Plan, report: ImportReport) -> None:
    """Rows citing one capture (the same source and source_captured) cannot give it two
    archive URLs."""
    first: dict[tuple, CaseRow] = {}
    for row in plan.rows:
        if not (row.source and row.archive_url):
            continue
        key = (row.source.key, row.captured)
        other = first.setdefault(key, row)
        if other.archive_url != row.archive_url:
            report.errors.append(
                RowError(
                    row.number,
                    "archive_url",
                    f"row {other.number} gives another archive URL for the same capture of "
                    "this source (the same source_captured): one capture has one archive URL; "
                    "give each its own source_captured if they are different captures.",
                    value=row.archive_url,
                )
            )
