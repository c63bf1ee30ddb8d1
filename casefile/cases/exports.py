"""Cases as flat rows: the CSV download of a search, and any other bulk export.

COLUMNS is the documented list of columns, in order. `rows(queryset)` reads a
queryset of cases with one streaming query (a server-side cursor, in chunks), so
memory stays flat however many cases match; `csv_lines(queryset)` turns that
into CSV text, header first. Give them Case.objects.published() or a filter of
it: nothing here checks visibility.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import CharField, F, OuterRef, Value
from django.db.models.functions import Cast, Concat

from casefile.cases.models import Amount, Case

CHUNK_SIZE = 2000


def _yes_no(value: bool | None) -> str:
    return {True: "yes", False: "no", None: "unknown"}[value]


def _iso(partial) -> str:
    return partial.iso if partial else ""


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    value: Any  # callable(case) -> str

    def __call__(self, case: Case) -> str:
        return self.value(case)


COLUMNS = [
    Column("public_id", "The case's permanent identifier.", lambda c: c.public_id),
    Column(
        "url",
        "The case's permanent URL.",
        lambda c: f"{settings.SITE_URL}{c.get_absolute_url()}",
    ),
    Column(
        "person",
        "The person's name as their privacy level allows (a pseudonym for private people).",
        lambda c: c.person.public_name(),
    ),
    Column("list", "Key of the list (see the API's vocabularies).", lambda c: c.list_name),
    Column("authority", "The court or agency that listed the person.", lambda c: _authority(c)),
    Column(
        "authority_original",
        "Its name in Chinese.",
        lambda c: c.authority.name_original if c.authority else "",
    ),
    Column("province", "Province key.", lambda c: c.authority.province if c.authority else ""),
    Column("city", "City.", lambda c: c.authority.city if c.authority else ""),
    Column("docket_number", "Case (docket) number.", lambda c: c.docket_number),
    Column("offence", "Key of the offence category.", lambda c: c.offence_category),
    Column("status", "listed, removed or unknown.", lambda c: c.status),
    Column(
        "listed",
        "Date listed, as precise as known: YYYY, YYYY-MM or YYYY-MM-DD.",
        lambda c: _iso(c.listed),
    ),
    Column(
        "discovered", "When the person learned of it (same form).", lambda c: _iso(c.discovered)
    ),
    Column("removed", "Date removed from the list (same form).", lambda c: _iso(c.removed)),
    Column(
        "notified", "Was the person notified: yes, no or unknown.", lambda c: _yes_no(c.notified)
    ),
    Column(
        "appeal_available",
        "Was there a route to appeal: yes, no or unknown.",
        lambda c: _yes_no(c.appeal_available),
    ),
    Column(
        "appeal_attempted",
        "Did the person appeal: yes, no or unknown.",
        lambda c: _yes_no(c.appeal_attempted),
    ),
    Column(
        "restrictions",
        "Keys of the restriction kinds, separated by semicolons.",
        lambda c: ";".join(c.restriction_kinds),
    ),
    Column(
        "amounts",
        'Amounts as reported, separated by semicolons: "kind value currency", e.g. '
        '"fee 1330.00 CAD"; never converted.',
        lambda c: ";".join(c.amount_list or []),
    ),
    Column(
        "reason_original",
        "The stated reason, verbatim (usually Chinese).",
        lambda c: c.reason_original,
    ),
    Column("reason_en", "The stated reason in English.", lambda c: c.reason_en),
    Column("summary", "One-paragraph summary in English.", lambda c: c.summary),
    Column(
        "published_at",
        "When Casefile published the case (ISO 8601, UTC).",
        lambda c: c.published_at.isoformat() if c.published_at else "",
    ),
    Column(
        "updated_at",
        "When the case last changed (ISO 8601, UTC).",
        lambda c: c.updated_at.isoformat(),
    ),
]


def _authority(case: Case) -> str:
    return case.authority.name if case.authority else ""


def export_queryset(queryset):
    """The queryset with what the columns read: related rows joined, amounts as one array."""
    amounts = (
        Amount.objects.filter(case=OuterRef("pk"))
        .order_by("kind", "id")
        .values(
            text=Concat(
                F("kind"), Value(" "), Cast("value", CharField()), Value(" "), F("currency"),
                output_field=CharField(),
            )
        )
    )  # fmt: skip
    return queryset.for_display().annotate(amount_list=ArraySubquery(amounts))


def rows(queryset) -> Iterator[list[str]]:
    """One list of strings per case, in COLUMNS order, read in chunks."""
    for case in export_queryset(queryset).iterator(chunk_size=CHUNK_SIZE):
        yield [column(case) for column in COLUMNS]


class _Line:
    """A file-like object whose write() returns the line, for csv.writer."""

    def write(self, line: str) -> str:
        return line


# Spreadsheets run a cell that starts with one of these as a formula (OWASP "CSV
# injection"); such a text cell is written with a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe(cell: str) -> str:
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell


def csv_lines(queryset) -> Iterable[str]:
    """CSV text, line by line: a header row of column names, then one row per case."""
    writer = csv.writer(_Line())
    yield writer.writerow([column.name for column in COLUMNS])
    for row in rows(queryset):
        yield writer.writerow([_safe(cell) for cell in row])
