"""The integrity of the capture file store: every kept file re-hashed.

check_kept_files() reads each stored file once (files of several captures may share
stored bytes), in large chunks, and records on each kept file what it found: intact,
changed (the bytes no longer have the recorded SHA-256) or missing (the store has no such
file). `manage.py verify_captures` prints the report; the editors' dashboard shows the
counts the last check recorded.
"""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef
from django.utils import timezone

from casefile.cases.corrections import captures_in_published_use
from casefile.sources.models import CaptureFile, Integrity
from casefile.sources.services import capture_storage

CHUNK = 4 * 1024 * 1024


@dataclass
class IntegrityReport:
    checked: int = 0
    bytes_read: int = 0
    seconds: float = 0.0
    changed: list[CaptureFile] = field(default_factory=list)
    missing: list[CaptureFile] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.changed or self.missing)

    @property
    def megabytes_per_second(self) -> float:
        return self.bytes_read / 1e6 / self.seconds if self.seconds else 0.0


def stored_digest(storage, name: str) -> tuple[str, int]:
    """(SHA-256, size) of a stored file, read in CHUNK-sized blocks."""
    digest = hashlib.sha256()
    size = 0
    with storage.open(name, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def check_kept_files(files=None) -> IntegrityReport:
    """Re-hash every kept file (or those of `files`, a queryset) and record the result."""
    storage = capture_storage()
    files = (files if files is not None else CaptureFile.objects.all()).only(
        "id", "capture_id", "sha256", "size", "storage_name", "media_type"
    )
    by_name: dict[str, list[CaptureFile]] = defaultdict(list)
    for kept in files.order_by("storage_name", "id").iterator(chunk_size=2000):
        by_name[kept.storage_name].append(kept)
    report = IntegrityReport()
    started = time.perf_counter()
    results: dict[str, list[int]] = defaultdict(list)
    for name, kept_files in by_name.items():
        try:
            digest, size = stored_digest(storage, name)
        except FileNotFoundError:
            report.missing += kept_files
            results[Integrity.MISSING] += [kept.pk for kept in kept_files]
            continue
        report.bytes_read += size
        for kept in kept_files:
            report.checked += 1
            if digest == kept.sha256:
                results[Integrity.INTACT].append(kept.pk)
            else:
                report.changed.append(kept)
                results[Integrity.CHANGED].append(kept.pk)
    report.seconds = time.perf_counter() - started
    report.checked += len(report.missing)
    now = timezone.now()
    for integrity, ids in results.items():
        for start in range(0, len(ids), 5000):
            CaptureFile.objects.filter(pk__in=ids[start : start + 5000]).update(
                integrity=integrity, checked_at=now
            )
    return report


def captures_without_kept_files():
    """Captures published cases cite that keep no file."""
    return captures_in_published_use().exclude(
        Exists(CaptureFile.objects.filter(capture_id=OuterRef("pk")))
    )
