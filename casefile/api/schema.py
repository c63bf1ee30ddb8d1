"""OpenAPI details drf-spectacular cannot infer: the token scheme, and the error
responses and caching headers every operation shares."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema_field

from casefile.api.serializers import PARTIAL_DATE_SCHEMA
from casefile.cases.filters import PartialDateFilter, RecordIdFilter
from casefile.cases.models import PUBLIC_ID_LENGTH
from casefile.core.converters import PublicIdConverter

# The shared CaseFilter's partial-date and id parameters, as the schema should describe them.
extend_schema_field({**PARTIAL_DATE_SCHEMA, "nullable": False})(PartialDateFilter)
RECORD_ID_SCHEMA = {
    "type": "integer",
    "format": "int64",
    "minimum": 1,
    "maximum": 2**63 - 1,
    "description": "The id of a person, authority or source, as its `id` gives it.",
}
extend_schema_field(RECORD_ID_SCHEMA)(RecordIdFilter)

ERROR_REF = {"$ref": "#/components/schemas/Error"}

# Each operation's operationId, fixed here so that generated clients keep their function
# names whatever the code behind an endpoint is called (test_api_schema checks that every
# operation has one).
OPERATION_IDS = {
    ("get", "/api/v1/cases/"): "list_cases",
    ("get", "/api/v1/cases/{key}/"): "get_case",
    ("get", "/api/v1/cases/facets/"): "get_case_facets",
    ("get", "/api/v1/persons/"): "list_persons",
    ("get", "/api/v1/persons/{key}/"): "get_person",
    ("get", "/api/v1/authorities/"): "list_authorities",
    ("get", "/api/v1/authorities/{key}/"): "get_authority",
    ("get", "/api/v1/sources/"): "list_sources",
    ("get", "/api/v1/sources/{key}/"): "get_source",
    ("get", "/api/v1/info/"): "get_info",
    ("get", "/api/v1/stats/"): "get_stats",
    ("get", "/api/v1/exports/cases.ndjson"): "export_cases_ndjson",
    ("get", "/api/v1/exports/cases.csv"): "export_cases_csv",
    ("get", "/api/v1/exports/persons.csv"): "export_persons_csv",
    ("get", "/api/v1/exports/sources.csv"): "export_sources_csv",
    ("get", "/api/v1/exports/citations.csv"): "export_citations_csv",
    ("get", "/api/v1/exports/datapackage.json"): "get_data_package",
    ("post", "/api/v1/editor/cases/"): "create_case",
    ("get", "/api/v1/editor/cases/{key}/"): "get_editable_case",
    ("patch", "/api/v1/editor/cases/{key}/"): "update_case",
    ("get", "/api/v1/editor/captures/{id}/files/"): "list_capture_files",
    ("post", "/api/v1/editor/captures/{id}/files/"): "keep_capture_file",
    ("get", "/api/v1/editor/captures/{id}/files/{digest}/"): "get_capture_file",
}

# The {key} of a path, as it is: a case's public id, or a row id of the others.
CASE_KEY_SCHEMA = {
    "type": "string",
    "pattern": f"^{PublicIdConverter.regex}$",
    "minLength": PUBLIC_ID_LENGTH,
    "maxLength": PUBLIC_ID_LENGTH,
    "description": "The case's public id: ten characters of Crockford's base32 "
    "(no I, L, O or U), read in either case, e.g. FK2A1DV80A.",
    "example": "FK2A1DV80A",
}
ROW_KEY_SCHEMA = {
    "type": "integer",
    "format": "int64",
    "minimum": 1,
    "maximum": 10**18 - 1,  # casefile.core.converters.RecordIdConverter: 18 digits
    "description": "The record's `id`.",
    "example": 1,
}

ERROR_SCHEMA = {
    "type": "object",
    "description": "The body of every 4xx answer, and of a 503.",
    "required": ["status", "code", "detail", "errors"],
    "properties": {
        "status": {"type": "integer", "description": "The HTTP status code."},
        "code": {
            "type": "string",
            "description": "invalid_parameters, unknown_parameters, validation_failed, "
            "not_authenticated, authentication_failed, permission_denied, not_found, "
            "method_not_allowed, not_acceptable, unsupported_media_type, parse_error, "
            "payload_too_large, throttled, precondition_failed, precondition_required, gone, "
            "service_unavailable, timeout.",
        },
        "detail": {"type": "string", "description": "One sentence for a person."},
        "errors": {
            "type": "array",
            "description": "Each offending parameter, header or body field.",
            "items": {
                "type": "object",
                "required": ["in", "name", "code", "message"],
                "properties": {
                    "in": {"type": "string", "enum": ["query", "body", "header", "path"]},
                    "name": {
                        "type": "string",
                        "description": "Parameter or header name, or the body field as a "
                        "dotted path (`restrictions[0].kind`).",
                    },
                    "code": {"type": "string", "description": "invalid, required, unknown, …"},
                    "message": {"type": "string"},
                },
            },
        },
    },
}

STALE_REF = {"$ref": "#/components/schemas/StaleVersionError"}

STALE_SCHEMA = {
    "description": "The 412 of an update: the case changed since the version sent in "
    "If-Match. Nothing was written. `changes` says what was recorded since, oldest first.",
    "allOf": [
        ERROR_REF,
        {
            "type": "object",
            "required": ["current_etag", "changes"],
            "properties": {
                "current_etag": {
                    "type": "string",
                    "description": "The case's ETag now: fetch the case, reapply, send this.",
                },
                "changes": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["at", "user", "action", "items"],
                        "properties": {
                            "at": {"type": "string", "format": "date-time"},
                            "user": {
                                "type": "string",
                                "description": "Who made the change (empty if unknown).",
                            },
                            "action": {
                                "type": "string",
                                "description": "The workflow step, if it was one: "
                                "submit_for_review, publish, send_back, retract, restore, "
                                "import…; empty for an edit.",
                            },
                            "items": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "required": ["kind", "id", "operation", "fields"],
                                    "properties": {
                                        "kind": {
                                            "type": "string",
                                            "enum": [
                                                "case",
                                                "person",
                                                "restriction",
                                                "amount",
                                                "event",
                                                "citation",
                                                "authority",
                                                "source",
                                                "capture",
                                                "capturefile",
                                            ],
                                        },
                                        "id": {"type": "integer"},
                                        "operation": {
                                            "type": "string",
                                            "enum": ["insert", "update", "delete"],
                                        },
                                        "fields": {
                                            "type": "array",
                                            "items": {"type": "string"},
                                            "description": "The fields changed.",
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    ],
}

COMMON_ERRORS = {
    "400": "A query parameter is unknown or malformed (each is named in `errors`).",
    "401": "The Authorization header is not a valid `Token <key>` (another scheme, a "
    "token that is not valid or revoked), or writing needs a token.",
    "406": "The Accept header asks for a format this endpoint does not produce.",
    "429": "Rate limit reached (or too many tokens that are not valid from this "
    "address); see the Retry-After header.",
    "503": "The database cannot be reached just now (`service_unavailable`: try again "
    "after the Retry-After header's seconds), or the request took longer than the "
    "server allows (`timeout`: narrow the query or try again later).",
}
DETAIL_ERRORS = {"404": "No published record with that id."}
WRITE_ERRORS = {
    "400": "The body is not valid (each field is named in `errors`), or a query "
    "parameter is unknown.",
    "403": "The token is read-only, or its user's role does not allow this write.",
    "413": "The body is larger than the server accepts (API_MAX_BODY_BYTES, 1 MB by default).",
    "415": "The body is not JSON.",
}
# Writes to one case: its id, its version, and the editorial rule for its state.
UPDATE_ERRORS = {
    "403": "The token is read-only, or its user may not edit this case in its current "
    "state (editors: drafts and cases in review; reviewers also published cases; a "
    "retracted case: nobody).",
    "404": "No case with that id.",
    "412": "The case changed since the version sent in If-Match; nothing was written. "
    "The body gives the current ETag and who changed what since.",
    "428": "If-Match is missing.",
}
CACHE_HEADERS = {
    "ETag": {
        "description": "Version of this response; send it back in If-None-Match.",
        "schema": {"type": "string"},
    },
    "Last-Modified": {
        "description": "When the data shown last changed.",
        "schema": {"type": "string"},
    },
}
RATE_HEADERS = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer"},
    },
}


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "casefile.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`. Optional for reads (a token gets a higher rate "
            "limit); writes need a read-write token of an editor.",
        }


def _error(description: str, headers=None, schema=ERROR_REF) -> dict:
    response = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        response["headers"] = headers
    return response


def add_errors_and_caching(result, generator, request, public):
    """Postprocessing hook: fixed operationIds, each {key} as it is, the shared error
    shape on every operation, 304 on reads, the token optional outside the editors'
    endpoints."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    schemas["StaleVersionError"] = STALE_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            operation["operationId"] = OPERATION_IDS.get((method, path), operation["operationId"])
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"] in ("key", "id"):
                    key = CASE_KEY_SCHEMA if "/cases/" in path else ROW_KEY_SCHEMA
                    parameter["schema"] = {k: v for k, v in key.items() if k != "description"}
                    parameter["description"] = key["description"]
            responses = operation.setdefault("responses", {})
            writes = method in ("post", "patch", "put", "delete")
            updates = writes and method != "post"
            errors = {
                **COMMON_ERRORS,
                **(WRITE_ERRORS if writes else {}),
                **(UPDATE_ERRORS if updates else {}),
            }
            if not writes and "{key}" in path:
                errors.update(DETAIL_ERRORS)
                if path.endswith("/cases/{key}/") and "/editor/" not in path:
                    errors["410"] = (
                        "The case was published, then retracted: `detail` gives the date "
                        "and the editors' note. Delete it from a mirror."
                    )
            if "/editor/" not in path:  # reading needs no token: one only raises the limit
                operation["security"] = [{"tokenAuth": []}, {}]
            if "/editor/" in path:
                errors["403"] = (UPDATE_ERRORS if updates else WRITE_ERRORS)["403"]
                errors["401"] = "No token, or the token sent is not valid."
                if method == "get" and "/cases/" in path:
                    errors["403"] = "The token is read-only, or its user may not view cases."
                    errors["404"] = "No case with that id."
                elif method == "get":
                    errors["403"] = "The token is read-only, or its user may not view kept files."
                    errors["404"] = (
                        "No capture with that id, or the capture keeps no file with that digest."
                    )
            for code, description in errors.items():
                previous = responses.get(code, {}).get("description")
                responses[code] = _error(
                    previous if previous and code not in COMMON_ERRORS else description,
                    RATE_HEADERS if code in ("429", "503") else None,
                    STALE_REF if code == "412" and updates else ERROR_REF,
                )
            for code, response in list(responses.items()):
                if code.startswith("4") and "content" not in response:  # a view's own
                    responses[code] = _error(response.get("description", ""), None, ERROR_REF)
            if method == "get" and "/editor/" not in path and not path.endswith("/info/"):
                for code, response in responses.items():
                    if code == "200":
                        response.setdefault("headers", {}).update(CACHE_HEADERS)
                responses["304"] = {
                    "description": "Not modified since the ETag or time sent in "
                    "If-None-Match / If-Modified-Since.",
                    "headers": CACHE_HEADERS,
                }
    return result
