"""Absolute links: citations, permanent links, exports and the API's links.

One rule: `SITE_URL` when it is set (the public address of a deployment behind a proxy,
a CDN or several names), otherwise the scheme and host the request came to, so that a
development server on another port (`PORT=8001 make run`) cites that port. Without a
request (a management command, a stored export record) a link stays a path.
"""

from __future__ import annotations

from django.conf import settings


def site_origin(request) -> str:
    """`https://casefile.example.org`: SITE_URL, else the request's scheme and host, else ""."""
    if settings.SITE_URL:
        return settings.SITE_URL
    if request is None:
        return ""
    return request.build_absolute_uri("/").removesuffix("/")


def absolute_url(request, path: str) -> str:
    """`path` (from reverse() or get_absolute_url()) as an absolute URL by the rule above."""
    return f"{site_origin(request)}{path}"
