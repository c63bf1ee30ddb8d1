"""The API's JSON parser: bodies of a bounded size and nesting, refused in the error shape.

A body larger than API_MAX_BODY_BYTES is refused (413) before it is read, going by its
Content-Length, or as soon as more than that has been read. A body nested deeper than
API_MAX_JSON_DEPTH (a case with its parts and their citations needs five levels) is
refused (400) before any serializer walks it; so is one too deep for Python's JSON
reader, whose RecursionError would otherwise escape as a 500.
"""

import io

from django.conf import settings
from rest_framework.parsers import JSONParser

# casefile.api.exceptions is imported where it is used: it imports DRF's views, which
# import this module (DEFAULT_PARSER_CLASSES) while they load.


def too_large(limit: int, size: int | None = None):
    from casefile.api.exceptions import ApiError, error_item

    given = f"The body is {size:,} bytes" if size is not None else "The body is larger"
    return ApiError(
        status_code=413,
        code="payload_too_large",
        detail=f"{given}; the limit is {limit:,} bytes.",
        errors=[error_item("body", "", f"At most {limit:,} bytes.", "too_large")],
    )


def too_deep(limit: int):
    from casefile.api.exceptions import ApiError, error_item

    return ApiError(
        status_code=400,
        code="parse_error",
        detail=f"The JSON body is nested more than {limit} levels deep.",
        errors=[error_item("body", "", f"At most {limit} levels of nesting.", "too_deep")],
    )


def deeper_than(data, limit: int) -> bool:
    """Whether arrays and objects nest more than `limit` levels in `data` (a scalar is
    level 0, [] level 1); iterative, so no depth can exhaust the stack."""
    pending = [(data, 0)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth + 1 > limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


def declared_length(parser_context) -> int | None:
    request = (parser_context or {}).get("request")
    if request is None:
        return None
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        size_limit = settings.API_MAX_BODY_BYTES
        depth_limit = settings.API_MAX_JSON_DEPTH
        declared = declared_length(parser_context)
        if declared is not None and declared > size_limit:
            raise too_large(size_limit, declared)
        body = stream.read(size_limit + 1)
        if len(body) > size_limit:
            raise too_large(size_limit)
        try:
            data = super().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError:
            raise too_deep(depth_limit) from None
        if deeper_than(data, depth_limit):
            raise too_deep(depth_limit)
        return data
