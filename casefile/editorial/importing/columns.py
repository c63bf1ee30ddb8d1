"""The import format's columns (version 2): the 24 every file has, the optional ones, what
each holds, and where its limits come from (the models' field lengths and vocabularies).

Every column is documented here once: the template's help sheet, the import page and the
module documentation (casefile.editorial.importer) are built from COLUMN_HELP.
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.utils import translation

from casefile.authorities.models import Authority
from casefile.cases.models import Amount, Case, Restriction
from casefile.people.models import Person
from casefile.sources.models import Source, SourceCapture

# The 24 columns of version 1: all of them in every file, any order.
REQUIRED_COLUMNS = [
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
# Version 2 adds these, each optional, in any order and any place.
OPTIONAL_COLUMNS = [
    "person_name_original",
    "person_aliases",
    "summary",
    "amount_kind",
    "amount_as_reported",
    "source_language",
    "source_captured",
    "archive_url",
    "quote",
    "person_id",
    "capture_file",
    "capture_sha256",
]
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS


# Where each text column is stored; its longest value is the field's max_length.
STORED_IN = {
    "case_key": (Case, "external_key"),
    "person_name": (Person, "name_original"),
    "person_name_original": (Person, "name_original"),
    "person_name_romanized": (Person, "name_romanized"),
    "person_aliases": (Person, "aliases"),
    "occupation": (Person, "occupation"),
    "city": (Authority, "city"),
    "authority": (Authority, "name"),
    "amount_as_reported": (Amount, "as_reported"),
    "source_outlet": (Source, "outlet"),
    "source_title": (Source, "title"),
    "source_author": (Source, "authors"),
    "source_url": (Source, "url"),
    "source_language": (Source, "language"),
    "archive_url": (SourceCapture, "archive_url"),
}
# Columns whose cells are vocabulary keys, and the model field whose choices they are.
VOCABULARY_OF = {
    "list_name": (Case, "list_name"),
    "offence_category": (Case, "offence_category"),
    "restrictions": (Restriction, "kind"),
    "amount_kind": (Amount, "kind"),
    "currency": (Amount, "currency"),
}


def _field(column: str, table: dict):
    model, name = table[column]
    return model._meta.get_field(name)


def _max_length(column: str) -> int | None:
    if column not in STORED_IN:
        return None
    field = _field(column, STORED_IN)
    return (field.base_field if isinstance(field, ArrayField) else field).max_length


# The longest value of each text column (for a list column: of each item).
MAX_LENGTH: dict[str, int] = {column: _max_length(column) for column in STORED_IN}
# The keys of each vocabulary column, with their labels, in the model's order.
# In English whatever language is active: sheets are written with the English labels.
with translation.override("en"):
    VOCABULARIES: dict[str, dict[str, str]] = {
        column: {str(key): str(label) for key, label in _field(column, VOCABULARY_OF).choices}
        for column in VOCABULARY_OF
    }


def _keys(column: str) -> str:
    return ", ".join(VOCABULARIES[column])


COLUMN_HELP: dict[str, str] = {
    "case_key": "Required. Your stable key for the case; re-importing it updates the "
    "case. A case's docket number makes a good key.",
    "person_name": "The name as the source gives it: in Chinese characters, or "
    "romanised (Wang Jianlin) when the source has no characters. A name without "
    "Chinese characters is taken as the romanised name. Empty: not named.",
    "person_name_romanized": "Surname first, e.g. Liu Hu; derived from the characters "
    "if empty. When it differs from a romanised person_name, person_name is kept as "
    "another name (an alias).",
    "occupation": "e.g. journalist; keep it general for a private person.",
    "public_figure": "yes or no. Only a public figure's name is shown; empty means no.",
    "province": "Province-level division, in English or Chinese: Hubei, 湖北.",
    "city": "City of the listing authority.",
    "authority": "The court or agency that listed the person.",
    "list_name": f"One of: {_keys('list_name')}. Empty: other.",
    "reason": "The stated reason, verbatim (Chinese) or in English.",
    "offence_category": f"One of: {_keys('offence_category')}. Empty: other.",
    "amount": "A plain number as the source reports it, e.g. 1330 or 1330.50 "
    "(3.6 million is written 3600000). Never converted.",
    "currency": "ISO 4217 code of the amount, e.g. CNY (not RMB or yuan), CAD, USD.",
    "listed_year": "Year listed, e.g. 2017.",
    "discovered_year": "Year the person learned of the listing.",
    "removed_year": "Year the person was taken off the list.",
    "restrictions": f"Restriction keys separated by ;, from: {_keys('restrictions')}.",
    "outcome": "How the case ended, if it has.",
    "source_outlet": "Publisher, newspaper, court or website.",
    "source_title": "The title; may be empty when source_url is given (a wire story "
    "reposted elsewhere, a forum post, a page known by its address): pages then name "
    "the source by its outlet and date, or its URL.",
    "source_author": "Authors, separated by ;.",
    "source_date": "Date published: 2018, 2018-01 or 2018-01-03.",
    "source_url": "The source's URL.",
    "notes": "For editors only; never published.",
    # Optional (version 2).
    "person_name_original": "Optional. The name in Chinese characters, simplified or "
    "traditional; person_name then holds the romanised name.",
    "person_aliases": "Optional. Other names and spellings, separated by ;.",
    "summary": "Optional. One paragraph in English: what happened, shown on the case "
    "page and searched.",
    "amount_kind": f"Optional. What the amount is, one of: {_keys('amount_kind')}. "
    "Without this column every amount is owed; with it, an empty cell means other.",
    "amount_as_reported": "Optional. The source's own words for the figure, kept "
    "verbatim and shown on the case page, e.g. more than 470 million yuan ($71 "
    "million); amount still holds the number.",
    "source_language": "Optional. The source's language as a BCP 47 tag: zh, zh-Hans, "
    "zh-Hant, en. Without this column a new source is taken as English; with it, an "
    "empty cell means not known.",
    "source_captured": "Optional. When you read or archived the source, as "
    "2018-01-05 or 2018-01-05T14:30 (UTC unless an offset is given): the capture "
    "the case cites is of that time. Empty: the source's capture made at its first "
    "import.",
    "archive_url": "Optional. An archived copy of the source as you read it, e.g. a "
    "Wayback Machine or archive.today address.",
    "quote": "Optional. The passage of the source that supports the listing, verbatim.",
    "person_id": "Optional. The number of a person already in the archive (in the "
    "admin's person list) to attach the case to; empty: decided by the name check.",
    "capture_file": "Optional, in a ZIP import only. The path inside the ZIP (or beside the "
    "sheet) of the file you kept of the source as you read it: a PDF, a saved HTML page, "
    "a WARC or WACZ archive, a PNG or JPEG screenshot, or plain text. It is kept with the "
    "capture the row cites, with its SHA-256, and the quote is checked against its text.",
    "capture_sha256": "Optional. The SHA-256 your capture tool recorded for capture_file "
    "(64 hexadecimal characters): a file with another digest is refused.",
}
