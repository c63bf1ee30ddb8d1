"""A ZIP of a sheet and the files its rows keep: the sheet (one .csv or .xlsx) and, next to
it, the captures' files that the `capture_file` column names.

The ZIP itself is refused beyond IMPORT_ZIP_MAX_BYTES before it is opened; the sheet
inside it is held to the sheet's own limits (casefile.editorial.importing.reading). The
members are read from the archive, never extracted to disk, so a member's name cannot
reach outside it; each named file is checked (digest, size, kind) before anything is
written and kept through casefile.sources.services.attach_capture_file when the import
writes.
"""

from __future__ import annotations

import difflib
import posixpath
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError

from casefile.editorial.importing.checks import Plan
from casefile.editorial.importing.reading import ImportFileError
from casefile.editorial.importing.report import ImportReport, RowError
from casefile.sources.services import CheckedFile, check_capture_file

# Where check_capture_file's refusals are reported: the file, or the digest typed for it.
COLUMN_OF_FIELD = {"file": "capture_file", "sha256": "capture_sha256"}

SHEET_SUFFIXES = (".csv", ".xlsx")
# What archivers add beside the files (macOS resource forks, hidden files).
IGNORED_PARTS = ("__MACOSX",)


def is_bundle(filename: str) -> bool:
    return filename.lower().endswith(".zip")


@dataclass
class Bundle:
    """An opened ZIP: its sheet, and its other files by their path inside it."""

    archive: zipfile.ZipFile
    sheet_name: str
    files: dict[str, zipfile.ZipInfo]

    def find(self, name: str) -> zipfile.ZipInfo | None:
        """The member a `capture_file` cell names: its path inside the ZIP, or relative
        to the sheet's folder ("next to the sheet")."""
        wanted = _normalised(name)
        folder = posixpath.dirname(self.sheet_name)
        for candidate in (wanted, posixpath.join(folder, wanted) if folder else None):
            if candidate and candidate in self.files:
                return self.files[candidate]
        return None

    def close_names(self, name: str) -> list[str]:
        return difflib.get_close_matches(_normalised(name), list(self.files), n=3, cutoff=0.6)

    def open(self, info: zipfile.ZipInfo) -> BinaryIO:
        return self.archive.open(info)

    def close(self) -> None:
        self.archive.close()


@dataclass(frozen=True)
class NamedFile:
    """The ZIP member a row's capture_file names, as checked."""

    info: zipfile.ZipInfo
    checked: CheckedFile


def check_files(plan: Plan, bundle: Bundle | None, report: ImportReport) -> None:
    """Find and check the file each row's capture_file names (its digest against the one
    typed, its size, its kind), each file once; fill plan.files, or report the row."""
    results: dict[tuple[str, str], CheckedFile | ValidationError] = {}
    for row in plan.rows:
        if not row.capture_file:
            continue
        if bundle is None:
            report.errors.append(
                RowError(
                    row.number,
                    "capture_file",
                    "names a file, but only a ZIP import carries files: put the sheet and "
                    "the files it names in one .zip and upload that.",
                    value=row.capture_file,
                )
            )
            continue
        info = bundle.find(row.capture_file)
        if info is None:
            close = bundle.close_names(row.capture_file)
            report.errors.append(
                RowError(
                    row.number,
                    "capture_file",
                    "is not a file in the ZIP.",
                    " or ".join(close),
                    value=row.capture_file,
                )
            )
            continue
        key = (info.filename, row.capture_sha256)
        if key not in results:
            try:
                with bundle.open(info) as member:
                    results[key] = check_capture_file(
                        file=member, declared_sha256=row.capture_sha256 or None
                    )
            except ValidationError as error:
                results[key] = error
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as error:
                results[key] = ValidationError({"file": f"cannot be read from the ZIP: {error}."})
        result = results[key]
        if isinstance(result, ValidationError):
            for name, messages in result.message_dict.items():
                report.errors.append(
                    RowError(
                        row.number,
                        COLUMN_OF_FIELD.get(name, "capture_file"),
                        " ".join(messages),
                        value=row.capture_file,
                    )
                )
        else:
            plan.files[row.number] = NamedFile(info, result)


def open_bundle(file: BinaryIO) -> tuple[Bundle, bytes]:
    """The bundle and its sheet's bytes; ImportFileError for a ZIP that cannot be one."""
    file.seek(0, 2)
    size = file.tell()
    file.seek(0)
    limit = settings.IMPORT_ZIP_MAX_BYTES
    if size > limit:
        raise ImportFileError(
            f"The ZIP is {size / 1_048_576:,.1f} MB; the limit is {limit / 1_048_576:,.0f} MB "
            "(IMPORT_ZIP_MAX_BYTES). Split the rows and their files into several ZIPs."
        )
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError):
        raise ImportFileError("The .zip file cannot be read as a ZIP archive.") from None
    members = [
        info for info in archive.infolist() if not info.is_dir() and not _ignored(info.filename)
    ]
    sheets = [info for info in members if info.filename.lower().endswith(SHEET_SUFFIXES)]
    if len(sheets) != 1:
        archive.close()
        found = ", ".join(info.filename for info in sheets[:5])
        raise ImportFileError(
            "A ZIP import holds one sheet (.csv or .xlsx) and the files its capture_file "
            "column names; this one holds "
            + (f"{len(sheets)} sheets: {found}." if sheets else "no sheet.")
        )
    sheet = sheets[0]
    if sheet.file_size > settings.IMPORT_MAX_BYTES:
        archive.close()
        raise ImportFileError(
            f"The sheet {sheet.filename} is {sheet.file_size / 1_048_576:.1f} MB; the limit is "
            f"{settings.IMPORT_MAX_BYTES / 1_048_576:.0f} MB. Split it into smaller files."
        )
    try:
        with archive.open(sheet) as handle:
            data = handle.read(settings.IMPORT_MAX_BYTES + 1)  # the header's size may lie
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as error:
        archive.close()
        raise ImportFileError(f"The sheet {sheet.filename} cannot be read: {error}.") from None
    files = {_normalised(info.filename): info for info in members if info is not sheet}
    return Bundle(archive, _normalised(sheet.filename), files), data


def _normalised(name: str) -> str:
    name = name.strip().replace("\\", "/")
    while name.startswith("./"):
        name = name[2:]
    return name.lstrip("/")


def _ignored(name: str) -> bool:
    parts = _normalised(name).split("/")
    return any(part in IGNORED_PARTS or part.startswith(".") for part in parts)
