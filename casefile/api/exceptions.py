"""One error shape for every 4xx answer of the API (and its 503 for a request that
took too long).

    {"status": 400, "code": "invalid_parameters", "detail": "One sentence.",
     "errors": [{"in": "query", "name": "amount_min", "code": "invalid",
                 "message": "Enter a number."}]}

`errors` names each offending query parameter, body field (dotted path, e.g.
`restrictions[0].kind`) or header; it is empty when the problem is the request as
a whole (authentication, rate limit, unknown URL).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.urls import Resolver404, resolve
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from casefile.core.timeouts import is_statement_timeout

# code of the response for each kind of DRF exception
CODES = {
    exceptions.ParseError: "parse_error",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
    exceptions.ValidationError: "validation_failed",
}


class ApiError(exceptions.APIException):
    """An error with its own code and per-parameter details."""

    def __init__(
        self, *, status_code: int, code: str, detail: str, errors=(), headers=None, extra=None
    ):
        super().__init__(detail=detail, code=code)
        self.status_code = status_code
        self.code = code
        self.errors = list(errors)
        self.headers = headers or {}
        self.extra = extra or {}  # further members of the body, documented per response


def error_item(location: str, name: str, message: str, code: str = "invalid") -> dict:
    return {"in": location, "name": name, "code": code, "message": str(message)}


def invalid_parameter(name: str, message: str) -> ApiError:
    """400 for one bad query parameter."""
    return ApiError(
        status_code=400,
        code="invalid_parameters",
        detail="Some query parameters are not valid.",
        errors=[error_item("query", name, message)],
    )


def parameter_errors(form_errors, location: str = "query") -> list[dict]:
    """Django form errors ({"field": [ValidationError, ...]}) as error items."""
    items = []
    for name, errors in form_errors.as_data().items():
        for error in errors:
            for message in error.messages:
                items.append(error_item(location, name, message, error.code or "invalid"))
    return items


def flatten(detail, prefix: str = "") -> list[tuple[str, exceptions.ErrorDetail]]:
    """DRF's nested validation errors as (dotted path, error) pairs."""
    if isinstance(detail, dict):
        pairs = []
        for key, value in detail.items():
            if isinstance(key, int):  # DRF reports list items by index
                pairs += flatten(value, f"{prefix}[{key}]")
                continue
            name = key if key != "non_field_errors" else ""
            path = f"{prefix}.{name}" if prefix and name else (prefix or name)
            pairs += flatten(value, path)
        return pairs
    if isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            return [(prefix, item) for item in detail]
        pairs = []
        for index, value in enumerate(detail):
            if value:
                pairs += flatten(value, f"{prefix}[{index}]")
        return pairs
    return [(prefix, detail)]


def error_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):  # the services' refusals say why
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif is_statement_timeout(exc):  # WEB_STATEMENT_TIMEOUT: not a crash, a refusal
        exc = ApiError(
            status_code=503,
            code="timeout",
            detail="The request took too long and was stopped. Narrow the query "
            "(fewer words, more filters) or try again later.",
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a server error: Django logs it and answers 500
    if isinstance(exc, ApiError):
        code, detail, errors = exc.code, str(exc.detail), exc.errors
        for header, value in exc.headers.items():
            response[header] = value
    elif isinstance(exc, exceptions.ValidationError):
        code, detail = "validation_failed", "The request body is not valid."
        errors = [
            error_item("body", path, message, getattr(message, "code", "invalid"))
            for path, message in flatten(exc.detail)
        ]
    else:
        code = next(
            (value for kind, value in CODES.items() if isinstance(exc, kind)),
            "error" if response.status_code >= 500 else "bad_request",
        )
        detail, errors = str(exc.detail), []
        if isinstance(exc, exceptions.Throttled):
            detail = f"Too many requests; try again in {exc.wait or 1:.0f} seconds."
    response.data = {
        "status": response.status_code,
        "code": code,
        "detail": detail,
        "errors": errors,
        **(exc.extra if isinstance(exc, ApiError) else {}),
    }
    return response


def precondition_failed(detail: str, errors=(), extra=None) -> ApiError:
    return ApiError(
        status_code=status.HTTP_412_PRECONDITION_FAILED,
        code="precondition_failed",
        detail=detail,
        errors=errors,
        extra=extra,
    )


def is_api_request(request) -> bool:
    """Whether `request` is for the API or the reconciliation service (their answers are
    JSON in the error shape), also when it has not been routed yet (a middleware's
    answer)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
    return bool({"api", "reconcile"} & set(match.namespaces))


def error_response(*, status: int, code: str, detail: str, errors=(), headers=None) -> JsonResponse:
    """The error shape answered outside the API's views: by a middleware, or by the
    server-error handler."""
    response = JsonResponse(
        {"status": status, "code": code, "detail": detail, "errors": list(errors)},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )
    for header, value in (headers or {}).items():
        response[header] = value
    return response
