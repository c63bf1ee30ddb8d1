"""Keeping the files of captures. The admin, the API and the importer all call these.

attach_capture_file() is the one way a file is kept:

1. who: `by` needs sources.add_capturefile, and a reviewer's role once a published
   case cites the capture (casefile.cases.corrections), checked first and again under
   the capture's row lock;
2. the bytes are read once into a temporary file, hashed (SHA-256) and counted on the
   way, and refused beyond CAPTURE_FILE_MAX_BYTES before more is read; a digest the
   caller typed (`declared_sha256`) must be the file's;
3. the kind of file is told from its content (casefile.sources.media), and refused
   unless it is one a capture keeps;
4. a capture keeps the same bytes once (the same file again is refused);
5. the bytes go into the capture file store under their digest (ab/cd/<sha256>.<ext>):
   bytes already stored there are not written again, and a name holding other bytes is
   never overwritten (the store picks another name);
6. its text is extracted in a child process (casefile.sources.extraction): a failure is
   recorded on the file, never raised;
7. the row is written (history-tracked, with who and when; a database trigger moves the
   cases citing the capture, so it is a correction of the published ones) and every
   quote citing the capture is checked again (casefile.cases.quotes).

Content problems are ValidationError keyed by "file" or "sha256" (codes too_large,
mismatch, unsupported_type, duplicate); refusals of the role are PermissionDenied.

For the importer (a ZIP holding the sheet and the files its rows name; the ZIP itself
at most IMPORT_ZIP_MAX_BYTES): while checking rows, check_capture_file() each named
member (`archive.open(info)`: read, never extracted to disk, so a member's name cannot
reach outside) with the row's typed digest, and report its ValidationError as that row's
error in the file column; a dry run stops there. When writing, once the row's capture
exists, attach_capture_file(capture=…, file=archive.open(info), filename=info.filename,
by=<the importing user>, declared_sha256=<the row's digest or None>) — once per capture
and digest (rows naming the same file for the same capture share it). A member larger
than CAPTURE_FILE_MAX_BYTES is refused after that many bytes, whatever its header says.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone

from casefile.cases.corrections import check_capture_file_attach, check_sharing_change
from casefile.core.text import control_character_problem
from casefile.sources import extraction
from casefile.sources.media import NotAcceptedType, sniff
from casefile.sources.models import (
    SHA256_HEX,
    CaptureFile,
    Integrity,
    Source,
    SourceCapture,
)

CHUNK = 1024 * 1024


def capture_storage():
    """The capture file store (settings.STORAGES["captures"])."""
    return storages["captures"]


def _user_id(user):
    return user.pk if user is not None and user.is_authenticated else None


# --- reading the bytes once ---------------------------------------------------------------


@dataclass
class Received:
    path: str
    sha256: str
    size: int


def _chunks(file) -> Iterator[bytes]:
    if isinstance(file, (bytes, bytearray, memoryview)):
        data = bytes(file)
        for start in range(0, len(data), CHUNK):
            yield data[start : start + CHUNK]
        return
    if hasattr(file, "chunks"):  # a Django File or UploadedFile
        if hasattr(file, "seek"):
            file.seek(0)
        yield from file.chunks(CHUNK)
        return
    while block := file.read(CHUNK):
        yield block


@contextmanager
def received_file(file: bytes | BinaryIO, *, max_bytes: int) -> Iterator[Received]:
    """`file` (bytes, a Django File or a binary file object) copied into a temporary file,
    hashed and counted on the way; ValidationError (code too_large) as soon as it holds
    more than `max_bytes`. The temporary file is removed afterwards."""
    digest = hashlib.sha256()
    size = 0
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 (removed below, after use)
        prefix="casefile-capture-", dir=settings.FILE_UPLOAD_TEMP_DIR, delete=False
    )
    try:
        with handle:
            for block in _chunks(file):
                size += len(block)
                if size > max_bytes:
                    raise ValidationError(
                        {
                            "file": ValidationError(
                                f"The file is larger than {max_bytes:,} bytes, the most a "
                                "capture keeps (CAPTURE_FILE_MAX_BYTES).",
                                code="too_large",
                            )
                        }
                    )
                digest.update(block)
                handle.write(block)
        yield Received(handle.name, digest.hexdigest(), size)
    finally:
        os.unlink(handle.name)


def normalise_digest(value: str | None) -> str:
    """A typed SHA-256 digest as stored (lower case, no spaces), or ValidationError."""
    digest = "".join((value or "").split()).lower()
    if digest.startswith("sha256:"):
        digest = digest.removeprefix("sha256:")
    if digest and not re.match(SHA256_HEX, digest):
        raise ValidationError(
            {"sha256": "A SHA-256 digest is 64 hexadecimal characters (0-9, a-f)."}
        )
    return digest


def digest_of(storage, name: str) -> str:
    """The SHA-256 of a file in the store, read in chunks."""
    digest = hashlib.sha256()
    with storage.open(name, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def store(received: Received, extension: str) -> str:
    """Put the received bytes in the capture file store under their digest; the name they
    are kept under. Never overwrites: bytes already there are not written again, and a
    name holding other bytes makes the store choose another."""
    storage = capture_storage()
    sha = received.sha256
    name = f"{sha[:2]}/{sha[2:4]}/{sha}{extension}"
    if storage.exists(name) and digest_of(storage, name) == sha:
        return name
    with open(received.path, "rb") as handle:
        return storage.save(name, File(handle, name=os.path.basename(name)))


def _extract(path: str, media_type: str, target_uri: str) -> extraction.Extraction:
    return extraction.run_isolated(
        path,
        media_type,
        max_chars=settings.EXTRACT_MAX_CHARS,
        timeout=settings.EXTRACT_TIMEOUT,
        max_memory=settings.EXTRACT_MAX_MEMORY_MB * 1024 * 1024,
        target_uri=target_uri,
    )


def _apply(kept: CaptureFile, result: extraction.Extraction) -> None:
    kept.text = result.text
    kept.match_text = result.match_text
    kept.text_status = result.status
    kept.text_error = result.error[:500]
    kept.extractor = result.extractor[:100]
    kept.extracted_at = timezone.now()


# --- attaching ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedFile:
    sha256: str
    size: int
    media_type: str


def check_capture_file(
    *, file: bytes | BinaryIO, declared_sha256: str | None = None
) -> CheckedFile:
    """What attach_capture_file() would find of `file` (its digest, size and kind), or
    the ValidationError it would raise for the file itself; nothing is stored or
    extracted. For checking before writing (the importer's dry run)."""
    declared = normalise_digest(declared_sha256)
    with received_file(file, max_bytes=settings.CAPTURE_FILE_MAX_BYTES) as received:
        _refuse_other_digest(declared, received.sha256)
        with open(received.path, "rb") as handle:
            sniffed = _sniff(handle)
        return CheckedFile(received.sha256, received.size, str(sniffed.media_type))


def _refuse_other_digest(declared: str, actual: str) -> None:
    if declared and declared != actual:
        raise ValidationError(
            {
                "sha256": ValidationError(
                    f"The file's SHA-256 is {actual}, not the {declared} given: this is not "
                    "the file the digest describes, so it was not kept.",
                    code="mismatch",
                )
            }
        )


def _sniff(handle):
    try:
        return sniff(handle)
    except NotAcceptedType as error:
        raise ValidationError(
            {"file": ValidationError(str(error), code="unsupported_type")}
        ) from None


def attach_capture_file(
    *,
    capture: SourceCapture,
    file: bytes | BinaryIO,
    filename: str = "",
    by,
    declared_sha256: str | None = None,
) -> CaptureFile:
    """Keep `file` (bytes, a Django File/UploadedFile or a binary file object) as a file of
    `capture`, attached by `by` (a user; None for a trusted command). `filename` is the
    name it came under (kept for editors only; the kind of file is told from the bytes).
    `declared_sha256`, when given, is the digest the caller expects: a file whose digest
    differs is refused. See the module's docstring for every step and refusal."""
    check_capture_file_attach(by=by, capture=capture)
    declared = normalise_digest(declared_sha256)
    filename = os.path.basename((filename or "").replace("\\", "/"))[:255]
    problem = control_character_problem(filename)
    if problem:
        raise ValidationError({"file": f"The file's name is not valid. {problem}"})
    with received_file(file, max_bytes=settings.CAPTURE_FILE_MAX_BYTES) as received:
        _refuse_other_digest(declared, received.sha256)
        with open(received.path, "rb") as handle:
            sniffed = _sniff(handle)
        _refuse_duplicate(capture.pk, received.sha256)
        storage_name = store(received, sniffed.extension)
        result = _extract(received.path, sniffed.media_type, capture.effective_url)
    with transaction.atomic(), pghistory.context(action="attach_capture_file", user=_user_id(by)):
        capture = SourceCapture.objects.select_for_update().get(pk=capture.pk)
        check_capture_file_attach(by=by, capture=capture)  # again, under the lock
        _refuse_duplicate(capture.pk, received.sha256)
        kept = CaptureFile(
            capture=capture,
            sha256=received.sha256,
            size=received.size,
            media_type=sniffed.media_type,
            storage_name=storage_name,
            original_name=filename,
            attached_by=by if _user_id(by) else None,
            attached_at=timezone.now(),
            integrity=Integrity.INTACT,
            checked_at=timezone.now(),
        )
        _apply(kept, result)
        kept.full_clean()
        kept.save()
        from casefile.cases.quotes import check_quotes_of_captures

        check_quotes_of_captures([capture.pk])
    return kept


def _refuse_duplicate(capture_id: int, sha256: str) -> None:
    existing = (
        CaptureFile.objects.filter(capture_id=capture_id, sha256=sha256)
        .select_related("attached_by")
        .first()
    )
    if existing is not None:
        who = f" by {existing.attached_by}" if existing.attached_by else ""
        raise ValidationError(
            {
                "file": ValidationError(
                    f"This capture already keeps this file (SHA-256 {sha256}, attached "
                    f"{existing.attached_at:%Y-%m-%d %H:%M} UTC{who}); a kept file is never "
                    "replaced or added twice.",
                    code="duplicate",
                )
            }
        )


# --- extracting again ------------------------------------------------------------------------


def extract_text_again(*, capture_file: CaptureFile) -> CaptureFile:
    """Extract the text of a kept file again (after a failure, or with a newer
    extractor), from the bytes in the store, and check again the quotes of its capture.
    Bytes that no longer have the file's digest are not read: the file is marked
    changed (or missing) and its text left as it was."""
    storage = capture_storage()
    try:
        with (
            storage.open(capture_file.storage_name, "rb") as stored,
            received_file(stored, max_bytes=2**62) as received,
        ):
            if received.sha256 != capture_file.sha256:
                _mark(capture_file, Integrity.CHANGED)
                return capture_file
            result = _extract(
                received.path, capture_file.media_type, capture_file.capture.effective_url
            )
    except FileNotFoundError:
        _mark(capture_file, Integrity.MISSING)
        return capture_file
    with transaction.atomic():
        _apply(capture_file, result)
        capture_file.save(
            update_fields=[
                "text",
                "match_text",
                "text_status",
                "text_error",
                "extractor",
                "extracted_at",
            ]
        )
        from casefile.cases.quotes import check_quotes_of_captures

        check_quotes_of_captures([capture_file.capture_id])
    return capture_file


def _mark(capture_file: CaptureFile, integrity: str) -> None:
    capture_file.integrity = integrity
    capture_file.checked_at = timezone.now()
    capture_file.save(update_fields=["integrity", "checked_at"])


# --- sharing -------------------------------------------------------------------------------


@transaction.atomic
def set_sharing(*, source: Source, sharing: str, by) -> Source:
    """Set who may download the files kept of `source`'s captures. Making them public is
    a reviewer's step (casefile.cases.corrections); recorded in the source's history."""
    source = Source.objects.select_for_update().get(pk=source.pk)
    check_sharing_change(by=by, source=source, sharing=sharing)
    with pghistory.context(action="set_sharing", user=_user_id(by)):
        source.sharing = sharing
        source.full_clean()
        source.save(update_fields=["sharing", "updated_at"])
    return source


# --- reading kept files --------------------------------------------------------------------


def open_kept_file(capture_file: CaptureFile):
    """The stored bytes of a kept file, as an open binary file (FileNotFoundError if the
    store lost it)."""
    return capture_storage().open(capture_file.storage_name, "rb")
