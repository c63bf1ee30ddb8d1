"""While the database cannot be reached (restarting, down, out of connections), pages
and the API answer 503 with Retry-After, never a bare 500.

Django turns an exception into a response inside each middleware layer and calls the
handler500 view (casefile.core.views.server_error) while handling it, wherever it was
raised: a view, the sessions or the cache (both in PostgreSQL), the API's throttles.
Nothing needs restarting afterwards: a connection that failed is closed at the end of
its request (Django's close_old_connections: errors_occurred), one left idle across an
outage fails its health check (CONN_HEALTH_CHECKS) and is replaced, and the embedded
server's connections last one request anyway.
"""

import psycopg
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader

# Seconds a client is asked to wait: a restart takes a few.
RETRY_AFTER_SECONDS = 10
# SQLSTATEs that say the server cannot serve now, not that the query was wrong:
# connection exceptions (08…), insufficient resources (53…: too many connections, out
# of memory, disk full), and the server shutting down, crashed or starting up (57P01,
# 57P02, 57P03). A failure to connect at all has no SQLSTATE.
UNAVAILABLE_SQLSTATES = ("08", "53", "57P01", "57P02", "57P03")


def database_unavailable(error: BaseException | None) -> bool:
    """Whether `error` means the database could not be reached or used just now."""
    if isinstance(error, (OperationalError, InterfaceError)):
        error = error.__cause__ or error  # Django's wrapper of psycopg's error
    if isinstance(error, psycopg.InterfaceError | InterfaceError):
        return True  # a connection that is closed or broken
    if isinstance(error, psycopg.OperationalError | OperationalError):
        sqlstate = getattr(error, "sqlstate", None)
        return sqlstate is None or sqlstate.startswith(UNAVAILABLE_SQLSTATES)
    return False


def unavailable_response(request) -> HttpResponse:
    """503 with Retry-After: the API's error shape under /api/, a short page elsewhere,
    made without the database (no request context, no session, no user)."""
    from casefile.api.exceptions import error_response, is_api_request

    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    if is_api_request(request):
        return error_response(
            status=503,
            code="service_unavailable",
            detail="The database cannot be reached just now; try again in "
            f"{RETRY_AFTER_SECONDS} seconds.",
            headers=headers,
        )
    page = loader.render_to_string("errors/unavailable.html", {"retry_after": RETRY_AFTER_SECONDS})
    return HttpResponse(page, status=503, headers=headers)
