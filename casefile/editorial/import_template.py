"""The import template (format version 2), in both formats: the header row with every
column, the 24 every file has and the optional ones, and in XLSX a sheet of help."""

import csv
import io

from casefile.editorial.importer import COLUMN_HELP, COLUMNS, REQUIRED_COLUMNS


def template_csv() -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(COLUMNS)
    # A byte-order mark lets Excel open the file as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    cases = workbook.active
    cases.title = "cases"
    cases.append(COLUMNS)
    help_sheet = workbook.create_sheet("columns")  # the importer reads the first sheet only
    help_sheet.append(["column", "in every file?", "what to enter (empty means unknown)"])
    for name in COLUMNS:
        required = "yes" if name in REQUIRED_COLUMNS else "optional: delete it if unused"
        help_sheet.append([name, required, COLUMN_HELP[name]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
