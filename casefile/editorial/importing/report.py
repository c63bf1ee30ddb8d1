"""What an import (or its dry run) tells the editor: per row what happened or would, the
people and cases each row may duplicate, and the problems, one line per distinct problem
with the rows it applies to, each with a suggestion where one is clear (and all of them
as CSV).

Only staff read a report (the import page and `import_cases`): it names people of every
privacy level. No public surface may show one.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from functools import lru_cache

from django.urls import reverse

# A page or a command lists this many problems (or rows), then says how many more.
ERRORS_LISTED = 200
ROWS_LISTED = 200
# A problem's rows are listed as ranges ("rows 3, 7, 9-25" with an en dash), this many
# ranges at most.
RANGES_LISTED = 40
# How a cell that a spreadsheet would run as a formula is defused in the errors' CSV
# (as casefile.cases.exports does for its downloads).
FORMULA = re.compile(r"^([\t\r\n]|[ \t\r\n]*[=+@-])")


@lru_cache(maxsize=16)
def _change_url_pattern(name: str) -> str:
    return reverse(name, args=[0])


def admin_change_url(name: str, pk: int) -> str:
    """reverse(name, args=[pk]) for an admin change page, reversed once per page kind (a
    report links to 100,000 cases)."""
    return _change_url_pattern(name).replace("/0/", f"/{pk}/", 1)


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str
    suggestion: str = ""  # e.g. "CNY", "unpaid_debt", "3600000"
    value: str = ""  # the cell as given

    def __str__(self) -> str:
        return f"Row {self.row}, column {self.column}: {self.message}{self.hint}"

    @property
    def hint(self) -> str:
        return f" Did you mean {self.suggestion}?" if self.suggestion else ""


@dataclass
class ErrorGroup:
    """One distinct problem and every row it applies to."""

    column: str
    message: str
    suggestion: str
    rows: list[int] = field(default_factory=list)

    @property
    def rows_text(self) -> str:
        """ "row 3", "rows 3, 7, 9-25" (an en dash; and how many more, past RANGES_LISTED)."""
        return ("row " if len(self.rows) == 1 else "rows ") + row_ranges(self.rows)

    def __str__(self) -> str:
        hint = f" Did you mean {self.suggestion}?" if self.suggestion else ""
        where = f", column {self.column}" if self.column != "—" else ""
        return f"{self.rows_text.capitalize()}{where}: {self.message}{hint}"


def row_ranges(rows: list[int], most: int = RANGES_LISTED) -> str:
    ranges: list[list[int]] = []
    for row in sorted(set(rows)):
        if ranges and row == ranges[-1][1] + 1:
            ranges[-1][1] = row
        else:
            ranges.append([row, row])
    parts = [str(a) if a == b else f"{a}–{b}" for a, b in ranges[:most]]
    text = ", ".join(parts)
    if len(ranges) > most:
        left = sum(b - a + 1 for a, b in ranges[most:])
        text += f" and {left:,} more"
    return text


def group_errors(errors: list[RowError]) -> list[ErrorGroup]:
    """One group per (column, message, suggestion), in the order their first rows come."""
    groups: dict[tuple, ErrorGroup] = {}
    for error in errors:
        key = (error.column, error.message, error.suggestion)
        group = groups.get(key)
        if group is None:
            group = groups[key] = ErrorGroup(error.column, error.message, error.suggestion)
        group.rows.append(error.row)
    return sorted(groups.values(), key=lambda g: (min(g.rows), g.column))


def errors_csv(errors: list[RowError]) -> bytes:
    """Every row error as CSV (row, column, value, problem, suggestion), UTF-8 with a
    byte-order mark so that spreadsheet programs read it as such."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["row", "column", "value", "problem", "suggestion"])
    for error in sorted(errors, key=lambda e: (e.row, e.column)):
        writer.writerow(
            [
                error.row,
                error.column,
                *map(_defused, (error.value, error.message)),
                error.suggestion,
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _defused(text: str) -> str:
    return "'" + text if FORMULA.match(text) else text


@dataclass
class MatchedPerson:
    id: int
    name: str  # every name form (staff only)
    privacy: str
    cases: int
    admin_url: str = ""


@dataclass
class MatchedCase:
    id: int
    public_id: str
    state: str
    why: str  # "the same docket number", "the same person and source URL"
    admin_url: str = ""


@dataclass
class RowMatches:
    """What one row may duplicate, and what the import does or would do about it."""

    row: int
    key: str
    name: str  # the row's name, as given
    people: list[MatchedPerson] = field(default_factory=list)
    more_people: int = 0  # matched but not listed
    cases: list[MatchedCase] = field(default_factory=list)
    same_rows: list[int] = field(default_factory=list)  # other rows naming the same person
    more_rows: int = 0
    decision: str = ""  # what is done: "attached to person #12", "a new person"…


@dataclass
class RowOutcome:
    row: int
    key: str
    outcome: str  # created, updated, corrected, unchanged, skipped
    case_id: int | None = None
    public_id: str = ""
    reason: str = ""  # why a row was skipped
    admin_url: str = ""


# What a row did: created a case; updated a draft; corrected a case in review or published
# (a reviewer's import); changed nothing; or was skipped, with the reason.
OUTCOMES = ("created", "updated", "corrected", "unchanged", "skipped")


@dataclass
class ImportReport:
    dry_run: bool
    people: str = ""  # the editor's choice for rows matching people: "attach", "new" or ""
    rows: int = 0
    outcomes: list[RowOutcome] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    matches: list[RowMatches] = field(default_factory=list)
    # Changes to people and captures the import did not make (casefile.cases.corrections).
    person_differences: list[str] = field(default_factory=list)
    # Rows match people and the editor has not said what to do: nothing is imported.
    needs_decision: bool = False
    # The history contexts of the import (casefile.cases.history): the admin's case list
    # shows every case they created or changed.
    contexts: list[str] = field(default_factory=list)
    # Files of the ZIP kept with their captures (not counting those kept already).
    files_kept: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and not self.needs_decision

    def keys(self, outcome: str) -> list[str]:
        return [o.key for o in self.outcomes if o.outcome == outcome]

    @property
    def created(self) -> list[str]:
        return self.keys("created")

    @property
    def updated(self) -> list[str]:
        return self.keys("updated")

    @property
    def corrected(self) -> list[str]:
        return self.keys("corrected")

    @property
    def unchanged(self) -> list[str]:
        return self.keys("unchanged")

    @property
    def skipped(self) -> list[str]:
        return self.keys("skipped")

    @property
    def changed_outcomes(self) -> list[RowOutcome]:
        return [o for o in self.outcomes if o.outcome in ("created", "updated", "corrected")]

    @property
    def listed_outcomes(self) -> list[RowOutcome]:
        return self.outcomes[:ROWS_LISTED]

    @property
    def unlisted_outcomes(self) -> int:
        return max(0, len(self.outcomes) - ROWS_LISTED)

    @property
    def error_groups(self) -> list[ErrorGroup]:
        return group_errors(self.errors)

    @property
    def listed_error_groups(self) -> list[ErrorGroup]:
        return self.error_groups[:ERRORS_LISTED]

    @property
    def unlisted_error_groups(self) -> int:
        return max(0, len(self.error_groups) - ERRORS_LISTED)

    # The first ERRORS_LISTED row errors, for callers that list errors one by one.
    @property
    def listed_errors(self) -> list[RowError]:
        return self.errors[:ERRORS_LISTED]

    @property
    def unlisted_errors(self) -> int:
        return max(0, len(self.errors) - ERRORS_LISTED)

    @property
    def matched_rows(self) -> list[RowMatches]:
        return [m for m in self.matches if m.people or m.cases]

    @property
    def listed_matches(self) -> list[RowMatches]:
        return self.matches[:ROWS_LISTED]

    @property
    def unlisted_matches(self) -> int:
        return max(0, len(self.matches) - ROWS_LISTED)

    def errors_csv(self) -> bytes:
        return errors_csv(self.errors)

    def summary(self) -> str:
        if self.errors:
            problems = len(self.error_groups)
            return (
                f"The file was rejected: {problems} problem(s) in {len({e.row for e in self.errors})} "
                f"of {self.rows} row(s). Nothing was imported."
            )
        if self.needs_decision:
            matched = len([m for m in self.matches if m.people])
            return (
                f"{matched} row(s) name people already in the archive: choose whether to "
                "attach them to those people or to create new people, then import again. "
                "Nothing was imported."
            )
        verb = "would be" if self.dry_run else "were"
        count = {name: len(self.keys(name)) for name in OUTCOMES}
        corrected = f"{count['corrected']} corrected, " if count["corrected"] else ""
        files = f" {self.files_kept} file(s) kept with their captures." if self.files_kept else ""
        return (
            f"{self.rows} row(s): {count['created']} case(s) {verb} created, "
            f"{count['updated']} updated, {corrected}{count['unchanged']} unchanged, "
            f"{count['skipped']} skipped.{files}"
        )
