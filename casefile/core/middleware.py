import logging

from django.conf import settings
from django.db import connection
from django.shortcuts import render

from casefile.core.text import (
    CONTROL_CHARACTER_CODE,
    control_character_problem,
    normalize_line_breaks,
    visible_control_characters,
)
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


class RefuseControlCharactersMiddleware:
    """No query parameter carries a control character (casefile.core.text) to a view, a
    form or PostgreSQL, which cannot even take a NUL: a request with one in a parameter's
    name or value is refused with 400 before it is routed, in the API's error shape
    under /api/ and as a short page elsewhere. Tabs and line breaks pass, as in text."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problems = query_problems(request.GET)
        if problems:
            return refuse_query(request, problems)
        return self.get_response(request)


def query_problems(query) -> list[tuple[str, str]]:
    """(parameter, message) for each query parameter holding a control character."""
    problems = []
    for name, values in query.lists():
        problem = control_character_problem(normalize_line_breaks(name))
        if problem:
            problems.append((name, f"The parameter's name is not valid. {problem}"))
            continue
        for value in values:
            problem = control_character_problem(normalize_line_breaks(value))
            if problem:
                problems.append((name, problem))
                break
    return problems


def refuse_query(request, problems: list[tuple[str, str]]):
    from casefile.api.exceptions import error_item, error_response, is_api_request

    if is_api_request(request):
        return error_response(
            status=400,
            code="invalid_parameters",
            detail="Some query parameters are not valid.",
            errors=[
                error_item("query", name, message, CONTROL_CHARACTER_CODE)
                for name, message in problems
            ],
        )
    shown = [(visible_control_characters(name), message) for name, message in problems]
    return render(request, "errors/bad_query.html", {"problems": shown}, status=400)
