from django.db.models import Exists, OuterRef
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from casefile.api.throttling import file_download_refusal, refused_page_response
from casefile.cases.models import Citation
from casefile.cases.pages import record_cases_page
from casefile.cases.visibility import (
    file_sharing,
    public_capture_files,
    public_captures,
    public_cases,
    public_sources,
    shareable_capture_files,
)
from casefile.sources import serving
from casefile.sources.models import CaptureFile, MediaType

# What a page shows of kept files: never their text.
FILE_FACTS = ("id", "capture_id", "sha256", "size", "media_type", "storage_name", "attached_at")


def source_detail(request, pk):
    """A public source, the captures of it that public cases cite, and those cases."""
    source = get_object_or_404(public_sources(), pk=pk)
    cases = public_cases().filter(
        Exists(Citation.objects.filter(case=OuterRef("pk"), capture__source=source))
    )
    captures = public_captures().filter(source=source)
    page = record_cases_page(request, cases)
    return render(
        request,
        "sources/source_detail.html",
        {"source": source, "captures": captures, "page": page},
    )


def kept_files_with_sharing(files) -> list[tuple[CaptureFile, str]]:
    """(file, what the public may have of it: "public", "on_request" or "never")."""
    files = list(files)
    sharing = file_sharing(files)
    return [(kept, sharing.get(kept.pk, "never")) for kept in files]


def capture_detail(request, pk):
    """A public capture: what was captured, when, its kept files (hash, size, type, and a
    download where allowed), and the public cases that cite it."""
    capture = get_object_or_404(public_captures().select_related("source"), pk=pk)
    files = (
        public_capture_files()
        .filter(capture=capture)
        .only(*FILE_FACTS)
        .order_by("attached_at", "id")
    )
    cases = public_cases().filter(
        Exists(Citation.objects.filter(case=OuterRef("pk"), capture=capture))
    )
    page = record_cases_page(request, cases)
    return render(
        request,
        "sources/capture_detail.html",
        {
            "capture": capture,
            "source": capture.source,
            "files": kept_files_with_sharing(files),
            "page": page,
        },
    )


def _shareable(pk: int, digest: str, **filters) -> CaptureFile:
    return get_object_or_404(
        shareable_capture_files().only(*FILE_FACTS), capture_id=pk, sha256=digest, **filters
    )


def _quota(request) -> HttpResponse | None:
    refusal = file_download_refusal(request)
    return None if refusal is None else refused_page_response(refusal)


def capture_file(request, pk, digest):
    """A kept file, downloaded: only where visibility.shareable_capture_files() allows."""
    kept = _shareable(pk, digest)
    return serving.not_modified(request, kept) or _quota(request) or serving.download_response(kept)


def capture_file_view(request, pk, digest):
    """A kept HTML page shown in a sandboxed frame (no script runs, nothing loads)."""
    kept = _shareable(pk, digest, media_type=MediaType.HTML)
    return render(
        request,
        "sources/capture_file_view.html",
        {
            "capture": kept.capture,
            "kept": kept,
            "frame_url": reverse("capture-file-frame", args=[pk, digest]),
        },
    )


def capture_file_frame(request, pk, digest):
    kept = _shareable(pk, digest, media_type=MediaType.HTML)
    return serving.not_modified(request, kept) or _quota(request) or serving.frame_response(kept)
