"""The import template, in both formats: the header row, and in XLSX a sheet of help."""

import csv
import io

from casefile.editorial.importer import COLUMN_HELP, COLUMNS


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
    help_sheet.append(["column", "what to enter"])
    for name in COLUMNS:
        help_sheet.append([name, COLUMN_HELP[name]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
