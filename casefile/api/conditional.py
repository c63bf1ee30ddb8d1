"""HTTP caching of API responses: ETag and Last-Modified, answered with 304.

A case's ETag is its version (Case.version), which database triggers change with
any part, its person, authority or cited source. A list's ETag is a digest of the
query and of the (id, version) of the rows on the page, taken before the rows'
parts are loaded, so a 304 costs one query. Last-Modified of a list or an export is
when public data last changed (casefile.cases.visibility.public_last_modified): draft
work never moves it.
"""

import hashlib

from django.db import connection
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

CACHE_CONTROL = "public, no-cache"  # store, but revalidate every time (304s are cheap)
# Changes committed within this margin of the watermark may still be in flight on
# another database connection the watermark cannot see.
FEED_SAFETY_MARGIN_SECONDS = 1


def digest_etag(*parts) -> str:
    text = "\x1f".join(str(part) for part in parts)
    return f'W/"{hashlib.blake2b(text.encode(), digest_size=16).hexdigest()}"'


def case_etag(case) -> str:
    return f'"{case.version}"'


def feed_watermark():
    """A time before which every change is already committed and visible.

    A change is stamped with the database clock when its row is written, but becomes
    visible only when its transaction commits. Any transaction still in flight
    started before its rows' stamps, so the oldest such start (or now) bounds what
    may still appear; a small margin covers sessions of other database roles.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT least(clock_timestamp(), (
                SELECT min(xact_start) FROM pg_stat_activity
                WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid()
                  AND datname = current_database()
            )) - make_interval(secs => %s)
            """,
            [FEED_SAFETY_MARGIN_SECONDS],
        )
        return cursor.fetchone()[0]


def respond(request, *, etag: str, last_modified=None, build):
    """The answer to a GET that may be conditional: 304 (or 412) when the client's copy
    is current, else the response `build()` makes, stamped with both validators."""
    cached = not_modified(request, etag, last_modified)
    if cached is not None:
        return cached
    return stamp(build(), etag, last_modified)


def not_modified(request, etag: str, last_modified=None):
    """The 304 (or 412) answer to a conditional request, or None to answer in full."""
    # HTTP dates have whole seconds: If-None-Match (exact) is the validator to prefer.
    timestamp = int(last_modified.timestamp()) if last_modified else None
    response = get_conditional_response(request, etag=etag, last_modified=timestamp)
    if response is not None:
        stamp(response, etag, last_modified)
    return response


def stamp(response, etag: str, last_modified=None):
    response["ETag"] = etag
    if last_modified:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    response["Cache-Control"] = CACHE_CONTROL
    return response
