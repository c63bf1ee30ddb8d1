"""Uploads of files to keep: refused by their size before a byte of the body is read.

Django reads at most CONTENT_LENGTH bytes of a body (the WSGI server gives no more), so a
request declaring more than a kept file may be (CAPTURE_FILE_MAX_BYTES, plus room for
the multipart envelope and the form's other fields) is refused (413) before parsing;
one declaring less cannot carry a larger file. attach_capture_file() checks the file's
own size again.
"""

from django.conf import settings

UPLOAD_OVERHEAD = 64 * 1024  # the multipart envelope and the form's other fields


def declared_length(request) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


def body_too_large(request, limit: int | None = None) -> bool:
    """Whether the body declares more than a file of `limit` bytes (by default the most
    a capture keeps) can need."""
    length = declared_length(request)
    limit = settings.CAPTURE_FILE_MAX_BYTES if limit is None else limit
    return length is not None and length > limit + UPLOAD_OVERHEAD
