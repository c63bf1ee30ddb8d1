"""Serving a kept file: never as active content of this site's origin.

Every answer carrying a kept file's bytes has `X-Content-Type-Options: nosniff` and a
Content-Security-Policy whose `sandbox` (with no allow-scripts, no allow-same-origin)
runs no script and gives the document an origin of its own, and which lets it load
nothing from anywhere (`default-src 'none'`: a saved page cannot call home to the site
it was captured from, nor to this one). Downloads are `Content-Disposition: attachment`.
HTML is shown only inside a sandboxed frame of the viewer page (frame_response), the
only answer that may be framed, and by this site only.

Who may have which file is decided before: casefile.cases.visibility for the public
(casefile/sources/views.py), the editors' permission for them (casefile/editorial).
"""

from django.http import FileResponse, Http404, HttpResponse

from casefile.sources.models import MediaType
from casefile.sources.services import open_kept_file

SANDBOX_CSP = (
    "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline' data:; "
    "font-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
FRAME_CSP = SANDBOX_CSP.replace("frame-ancestors 'none'", "frame-ancestors 'self'")


def download_name(capture_file) -> str:
    name = capture_file.storage_name.rsplit("/", 1)[-1]
    extension = name[len(capture_file.sha256) :] if name.startswith(capture_file.sha256) else ""
    return f"casefile-capture-{capture_file.capture_id}-{capture_file.sha256[:12]}{extension}"


def _open(capture_file):
    try:
        return open_kept_file(capture_file)
    except FileNotFoundError:
        raise Http404("The file store no longer has this file.") from None


def _protect(response, csp: str = SANDBOX_CSP):
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = csp
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-cache"
    return response


def not_modified(request, capture_file) -> HttpResponse | None:
    """304 when the client holds these bytes already (the ETag is the digest)."""
    etag = f'"{capture_file.sha256}"'
    sent = request.headers.get("If-None-Match", "")
    if etag in [tag.strip().removeprefix("W/") for tag in sent.split(",")]:
        response = HttpResponse(status=304)
        response["ETag"] = etag
        return _protect(response)
    return None


def download_response(capture_file):
    """The kept file as a download."""
    response = FileResponse(
        _open(capture_file),
        as_attachment=True,
        filename=download_name(capture_file),
        content_type=capture_file.media_type,
    )
    response["ETag"] = f'"{capture_file.sha256}"'
    return _protect(response)


def frame_response(capture_file):
    """A kept HTML page for the viewer's sandboxed frame: shown, never run."""
    if capture_file.media_type != MediaType.HTML:
        raise Http404("Only saved HTML pages are shown in the viewer.")
    response = FileResponse(_open(capture_file), content_type="text/html")
    response["Content-Disposition"] = "inline"
    response["X-Frame-Options"] = "SAMEORIGIN"  # the viewer page of this site only
    response["ETag"] = f'"{capture_file.sha256}"'
    return _protect(response, FRAME_CSP)
