"""Bulk import of cases from a spreadsheet (CSV or XLSX), one row per case: the format
(version 2) and how rows map onto the archive. The code is the package
casefile.editorial.importing (columns, reading, checks, duplicates, writing, report);
this module documents it and names what other code uses.

The file is read and every row checked before anything is written: a file with any
invalid row is rejected whole, with every problem (one line per distinct problem with the
rows it applies to, a suggestion where one is clear, all of them downloadable as CSV), and
the database is left as it was. A valid file is written in one transaction with set-based
statements (COPY for new rows, VALUES-list updates). A dry run checks the file the same
way and compares each row with the database to report what would be created, updated,
corrected or skipped, and what each row may duplicate, without writing anything. Its cost
follows the file, not the archive.

The work is bounded whatever the file: IMPORT_MAX_BYTES (the file),
IMPORT_MAX_UNCOMPRESSED_BYTES (what it holds: an XLSX's parts unpacked) and IMPORT_MAX_ROWS
(rows counted before they are checked) refuse a file before its rows are read, and a
statement that runs past IMPORT_STATEMENT_TIMEOUT stops the import.

The columns. Every file has the 24 columns of version 1, in any order:

    case_key, person_name, person_name_romanized, occupation, public_figure, province,
    city, authority, list_name, reason, offence_category, amount, currency, listed_year,
    discovered_year, removed_year, restrictions, outcome, source_outlet, source_title,
    source_author, source_date, source_url, notes

and may have any of these, in any order and place (version 2):

    person_name_original, person_aliases, summary, amount_kind, amount_as_reported,
    source_language, source_captured, archive_url, quote, person_id, capture_file,
    capture_sha256

What each holds is COLUMN_HELP (casefile/editorial/importing/columns.py), also the
template's help sheet and the import page's table; lengths and vocabularies are the
models'. Empty cells mean unknown. An optional column a file leaves out changes nothing
of an existing case (a version 1 file never empties a summary) and takes its version 1
default for a new one (amount_kind: owed; source_language: en).

How a row maps onto the archive:

- `case_key` is the case's stable external key (Case.external_key): a row whose key is
  known updates that case, never a second one. Re-importing an unchanged row writes
  nothing.
- Drafts are updated to match their rows. A case in review or published is corrected
  only when a reviewer imports (cases.publish_case): in a history context of its own
  (action "import_correction"), shown as a correction in its public change log, and
  name-checked like every correction of a published case (a finding refuses the whole
  file, in the dry run too). For anyone else, and for a retracted case always, the row is
  skipped and the report says why. The cases updated are locked (SELECT … FOR UPDATE)
  before they are read, as services.lock_case locks: an admin save of the same case
  either happened first, and the import works from it, or is refused as stale and shows
  what the import changed.
- Names. `person_name` is the name as the source gives it: a name with Chinese characters
  is the original script; one without is the romanised name (never shown twice). With
  `person_name_original`, that holds the characters and `person_name` the romanised form.
  `person_name_romanized` is derived from the characters when empty; a romanised
  `person_name` it differs from is kept as an alias, with `person_aliases` (;-separated).
- Duplicates. Every row is compared with the archive in a few set-based queries: the
  people of every privacy level who share a name form with it (characters, pinyin with
  and without spaces, given name first, aliases: casefile.people.matching), the cases
  whose docket number is its case_key, and the cases of the same person citing the same
  source URL; and with the other rows naming the same person. The report lists them per
  row (it is for staff only). The editor decides for the file (the admin's choice,
  `import_cases --people attach|new`): attach each new case whose row matches exactly one
  person to that person (a row matching several needs `person_id`; rows of the file naming
  the same new person share one), or create new people. Until the editor has chosen, a
  file with such rows imports nothing. `person_id` attaches a row to that person whatever
  the choice, and moves an existing case to them. Nothing is duplicated silently.
- People. A new person is public only when `public_figure` is yes (otherwise "Unnamed
  person, <province>": never initials, which could identify a private person). A row
  changes its person only through the person's only case, while no case of theirs is past
  the draft stage, and makes them more visible only when a reviewer imports; a re-import
  never loosens privacy an editor tightened to withheld. An existing person a row is
  attached to is never changed. The report lists each difference it did not apply
  (casefile.cases.corrections).
- `province`, `city` and `authority` name the listing authority, found or created by
  (name, province, city). Without an authority name, a known province or city is kept on
  an authority named "Unidentified authority".
- `list_name`, `offence_category`, `restrictions` (;-separated) and `amount_kind` are
  vocabulary keys; an empty list or offence means "other".
- `reason` goes to the stated reason in the original language when it contains Chinese
  characters, else to the English stated reason. `summary` is the case's summary.
- `amount` + `currency` (+ `amount_kind`, + `amount_as_reported` verbatim) is the case's
  first amount, as reported, never converted; without amount_as_reported it reads
  "<amount> <currency>".
- `listed_year`, `discovered_year`, `removed_year` are year-precise dates. Status is
  "removed" when a removal year is given, else "unknown".
- `restrictions` are the case's restrictions, by kind; a re-import adds and removes
  restrictions to match the row (removed rows stay in the history).
- The source columns become a Source, found by URL, else by title, outlet and date
  (`source_title` may be empty when `source_url` is given: pages then name the source by
  its outlet and date, or its URL); `source_language` is its language. The row cites one
  capture of it: the one at `source_captured` (when the editor read or archived it),
  created with `archive_url` if new, else the source's import capture, labelled "as cited
  in a spreadsheet import" and captured at the first import that cited it. Existing
  sources and captures are never changed (a different archive URL is reported). The
  capture is cited for the listing (with `quote`), each restriction and the amount.
- Files. A .zip upload holds one sheet (.csv or .xlsx) and the files of the sources as
  the editor read them; `capture_file` names one by its path inside the ZIP (or beside the
  sheet), `capture_sha256` the digest a capture tool recorded for it. Every named file is
  checked before anything is written (a file missing from the ZIP, of a kind a capture
  does not keep, larger than CAPTURE_FILE_MAX_BYTES, or whose digest is not the one typed
  is that row's error; the dry run reports them). The import keeps each file with the
  capture the row cites, once per capture and file, through
  casefile.sources.services.attach_capture_file: its SHA-256 computed, its text
  extracted, the quotes citing the capture checked against it. A file the capture keeps
  already is not kept again; a capture a published case cites takes a file only from a
  reviewer (a refusal rejects the whole file). The ZIP is at most IMPORT_ZIP_MAX_BYTES,
  its members read in place, never extracted to disk.
- `notes` are the case's internal notes, never published.
"""

from casefile.editorial.importing import (
    ATTACH,
    COLUMN_HELP,
    COLUMNS,
    ERRORS_LISTED,
    IMPORT_CAPTURE_LABEL,
    NEW,
    OPTIONAL_COLUMNS,
    PEOPLE_CHOICES,
    REQUIRED_COLUMNS,
    UNIDENTIFIED_AUTHORITY,
    CaseRow,
    ImportFileError,
    ImportReport,
    RowError,
    check_row,
    check_rows,
    import_cases,
    read_table,
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
    "ImportFileError",
    "ImportReport",
    "RowError",
    "check_row",
    "check_rows",
    "import_cases",
    "read_table",
]
