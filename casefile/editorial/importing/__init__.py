"""The spreadsheet importer, as a package: columns (what each holds, read from the models),
reading (CSV and XLSX, bounded), row checks (typed cells, every problem with a
suggestion), duplicates (people and cases each row may repeat, and whose case a new one
becomes), writing (set-based, under the rules of who may change what) and the report.

The format and how rows map onto the archive are documented in casefile.editorial.importer.
"""

from __future__ import annotations

import io
from typing import BinaryIO

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from casefile.cases.models import Case
from casefile.core.bulk import any_of
from casefile.core.timeouts import is_statement_timeout, set_local_statement_timeout
from casefile.editorial.importing.bundle import check_files, is_bundle, open_bundle
from casefile.editorial.importing.checks import (
    CaseRow,
    Plan,
    check_captures,
    check_row,
    check_rows,
)
from casefile.editorial.importing.columns import (
    COLUMN_HELP,
    COLUMNS,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
)
from casefile.editorial.importing.duplicates import ATTACH, NEW, PEOPLE_CHOICES, resolve_people
from casefile.editorial.importing.reading import ImportFileError, read_table
from casefile.editorial.importing.report import (
    ERRORS_LISTED,
    ErrorGroup,
    ImportReport,
    RowError,
    RowMatches,
    RowOutcome,
)
from casefile.editorial.importing.writing import (
    IMPORT_CAPTURE_LABEL,
    UNIDENTIFIED_AUTHORITY,
    RefusedWhileWriting,
    Writer,
)

__all__ = [
    "ATTACH",
    "COLUMNS",
    "COLUMN_HELP",
    "ERRORS_LISTED",
    "IMPORT_CAPTURE_LABEL",
    "NEW",
    "OPTIONAL_COLUMNS",
    "PEOPLE_CHOICES",
    "REQUIRED_COLUMNS",
    "UNIDENTIFIED_AUTHORITY",
    "CaseRow",
    "ErrorGroup",
    "ImportFileError",
    "ImportReport",
    "Plan",
    "RowError",
    "RowMatches",
    "RowOutcome",
    "check_row",
    "check_rows",
    "import_cases",
    "read_table",
]


def import_cases(
    *, data: bytes | BinaryIO, filename: str, dry_run: bool, by=None, people: str = ""
) -> ImportReport:
    """Check and import a spreadsheet of cases as `by`: a .csv or .xlsx file, or a .zip
    holding one and the captures' files its capture_file column names (bytes or a binary
    file; a large ZIP is best passed as a file, which is read member by member). Raises
    ImportFileError for a file that cannot be read at all; otherwise returns a report.
    Nothing is written when any row has a problem, or when rows name people already in
    the archive and `people` (ATTACH or NEW) does not say what to do; the report then
    lists the problems and the matches of the valid rows. A dry run reports the same and
    writes nothing."""
    if people not in ("", ATTACH, NEW):
        raise ValueError(f"people must be {ATTACH!r}, {NEW!r} or empty, not {people!r}")
    bundle = None
    if is_bundle(filename):
        bundle, data = open_bundle(io.BytesIO(data) if isinstance(data, bytes) else data)
        filename = f"{filename} ({bundle.sheet_name})"
    elif not isinstance(data, bytes):
        data = data.read(settings.IMPORT_MAX_BYTES + 1)  # read_table refuses it if larger
    try:
        return _import(data, filename, dry_run=dry_run, by=by, people=people, bundle=bundle)
    finally:
        if bundle is not None:
            bundle.close()


def _import(data: bytes, filename: str, *, dry_run, by, people, bundle) -> ImportReport:
    report = ImportReport(dry_run=dry_run, people=people)
    header, numbered_rows = read_table(data, bundle.sheet_name if bundle else filename)
    plan = check_rows(header, numbered_rows, report)
    check_captures(plan, report)
    check_files(plan, bundle, report)
    now = timezone.now()
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                set_local_statement_timeout(cursor, settings.IMPORT_STATEMENT_TIMEOUT)
            existing = _existing_cases(plan, lock=not dry_run)
            decided = resolve_people(plan, existing, report, people)
            if report.ok:
                Writer(
                    plan,
                    existing,
                    decided,
                    report,
                    by=by,
                    filename=filename,
                    now=now,
                    bundle=bundle,
                ).run()
            if dry_run or not report.ok:
                transaction.set_rollback(True)
    except RefusedWhileWriting as refused:
        # Raised inside the transaction, which rolled everything back.
        report.errors.extend(refused.errors)
        report.outcomes, report.contexts = [], []
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


def _existing_cases(plan: Plan, *, lock: bool) -> dict[str, Case]:
    """The cases the file's keys name (only those: the cost follows the file, not the
    archive), with their people; locked, for an import, as services.lock_case locks."""
    keys = sorted({row.case_key for row in plan.rows})
    cases = Case.objects.filter(any_of("external_key", keys, "text")).select_related("person")
    if lock:
        cases = cases.select_for_update(of=("self",)).order_by("pk")
    return {case.external_key: case for case in cases}
