"""Absolute links: citations, permanent links, feeds, the sitemap, exports and the API's
links, by one rule.

`SITE_URL` when it is set (the public address of a deployment behind a proxy, a CDN or
several names), otherwise the scheme and host the request came to, so that a
development server on another port (`PORT=8001 make run`) cites that port. Code deep
in a page (the sitemap, the feed, structured data) asks permanent_url() without a
request: RequestOriginMiddleware keeps the request's origin for it. Without a request
at all (a management command, a stored export record) a link stays a path.
"""

from __future__ import annotations

from contextvars import ContextVar

from django.conf import settings

# The origin of the request being answered, for links made where no request is at hand.
_request_origin: ContextVar[str] = ContextVar("casefile_request_origin", default="")


def site_origin(request=None) -> str:
    """`https://casefile.example.org`: SITE_URL, else the request's scheme and host (this
    one, or the one being answered), else ""."""
    if settings.SITE_URL:
        return settings.SITE_URL
    if request is None:
        return _request_origin.get()
    return request.build_absolute_uri("/").removesuffix("/")


def absolute_url(request, path: str) -> str:
    """`path` (from reverse() or get_absolute_url()) as an absolute URL by the rule above."""
    return f"{site_origin(request)}{path}"


def permanent_url(path: str) -> str:
    """`path` as an absolute URL for the request being answered (see above)."""
    return f"{site_origin()}{path}"


class RequestOriginMiddleware:
    """Keeps the request's origin for permanent_url() while the request is answered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_origin.set(request.build_absolute_uri("/").removesuffix("/"))
        try:
            return self.get_response(request)
        finally:
            _request_origin.reset(token)
