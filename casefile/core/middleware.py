import logging

from django.conf import settings
from django.db import connection
from django.shortcuts import render

from casefile.core.timeouts import FirstQueryTimeout, is_statement_timeout

logger = logging.getLogger(__name__)

# Researchers may be watched: pages load nothing from another server, and the
# browser is told so. The admin needs inline styles and scripts of its own origin only.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


class PrivacyHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"
        )
        if not settings.DEBUG:
            response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


class StatementTimeoutMiddleware:
    """Every SQL statement of a web request stops after WEB_STATEMENT_TIMEOUT seconds
    (casefile.core.timeouts), and a page whose statement was canceled answers 503 with
    a short page instead of a server error. The API answers 503 in its own error shape
    (casefile.api.exceptions)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.WEB_STATEMENT_TIMEOUT:
            return self.get_response(request)
        timeout = FirstQueryTimeout(settings.WEB_STATEMENT_TIMEOUT)
        with connection.execute_wrapper(timeout):
            try:
                return self.get_response(request)
            finally:
                # A streamed body (an export) runs after this, with its own timeout.
                timeout.restore()

    def process_exception(self, request, exception):
        if not is_statement_timeout(exception):
            return None
        logger.warning("Statement canceled (took too long) in %s %s", request.method, request.path)
        return render(request, "timeout.html", status=503)
