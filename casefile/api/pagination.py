"""Keyset ("cursor") pagination over any total ordering of a queryset.

The cursor carries the sort-key values of the last row served, so the next page
starts strictly after that row: rows inserted or deleted elsewhere never shift a
page (no offsets). The sort keys are read from the queryset's own `order_by`
(CaseQuerySet.ordered() always ends with the id, so every ordering is total),
with PostgreSQL's NULL placement honoured. Relevance ordering works too: its keys
(name match, rank, date listed, id) are values the database recomputes
identically for the same data.

A cursor is bound to the query it came from (filters and ordering): reusing it
with other parameters is an error, not a silently shifted page. It is signed with
the secret key (django.core.signing, a salt of its own), so a client cannot make one
up; and each value it carries is checked against the type of its sort key before
it reaches a query, so even a signed cursor of another shape is a 400, never a 500.
"""

import datetime
import decimal
import hashlib
import json
import math
import zlib
from dataclasses import dataclass

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator
from django.db import models
from django.db.models import F, FloatField, Q
from django.db.models.expressions import OrderBy
from django.db.models.functions import Cast
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from casefile.api.exceptions import ApiError, error_item, invalid_parameter
from casefile.core.text import control_character_problem

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
CURSOR_PARAM = "cursor"
PAGE_SIZE_PARAM = "page_size"
PAGINATION_PARAMS = {CURSOR_PARAM, PAGE_SIZE_PARAM}
CURSOR_SALT = "casefile.api.pagination.cursor"
# PostgreSQL's bigint, and how far a decimal of no declared size may reach (numeric
# itself takes far more digits than any sort key holds).
BIGINT_RANGE = range(-(2**63), 2**63)
MAX_DECIMAL_EXPONENT = 1000


@dataclass(frozen=True)
class SortKey:
    expression: object
    descending: bool
    nulls_last: bool


def sort_keys(queryset) -> list[SortKey]:
    keys = []
    for item in queryset.query.order_by:
        if isinstance(item, str):
            descending = item.startswith("-")
            name = item.lstrip("-")
            keys.append(SortKey(F("pk" if name == "pk" else name), descending, not descending))
        elif isinstance(item, OrderBy):
            nulls_last = (
                True if item.nulls_last else False if item.nulls_first else not item.descending
            )
            keys.append(SortKey(item.expression, item.descending, nulls_last))
        else:  # a bare expression sorts ascending
            keys.append(SortKey(item, False, True))
    return keys


def after(keys: list[SortKey], values: list) -> Q:
    """Rows strictly after `values` in the order of `keys` (annotated as _k0, _k1, …)."""
    condition, equal = Q(pk__in=[]), Q()
    for index, (key, value) in enumerate(zip(keys, values, strict=True)):
        name = f"_k{index}"
        if value is None:
            later = Q(pk__in=[]) if key.nulls_last else Q(**{f"{name}__isnull": False})
        else:
            later = Q(**{f"{name}__{'lt' if key.descending else 'gt'}": value})
            if key.nulls_last:
                later |= Q(**{f"{name}__isnull": True})
        condition |= equal & later
        equal &= Q(**{f"{name}__isnull": True}) if value is None else Q(**{name: value})
    return condition


def exact(expression, queryset):
    """Floats (a search rank is a `real`) compared as the double they are read as, so
    the row a cursor names is never found again after itself."""
    if isinstance(expression, F) and expression.name in queryset.query.annotations:
        output = queryset.query.annotations[expression.name].output_field
    else:
        output = getattr(expression, "_output_field_or_none", None)
    if isinstance(output, FloatField):
        return Cast(expression, FloatField())
    return expression


def encode_value(value):
    if isinstance(value, datetime.datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"d": value.isoformat()}
    if isinstance(value, decimal.Decimal):
        return {"n": str(value)}
    return value


def _tagged(value, tag: str) -> str:
    """The text of a value encode_value() tagged, e.g. {"dt": "2017-03-01T…"}."""
    if not (isinstance(value, dict) and value.keys() == {tag} and isinstance(value[tag], str)):
        raise ValueError(f"expected a {tag!r} value")
    return value[tag]


def decode_value(value, field: models.Field):
    """A cursor's value as the type its sort key has (`field`: the key's output field),
    ready for a query; ValueError for anything else. NULL fits every key (an undated
    case, a case without amounts) and after() orders it as PostgreSQL does."""
    if value is None:
        return None
    if isinstance(field, models.DateTimeField):  # before DateField: it is one
        moment = datetime.datetime.fromisoformat(_tagged(value, "dt"))
        if moment.tzinfo is None:
            raise ValueError("a time without its offset")
        try:
            return moment.astimezone(datetime.UTC)
        except OverflowError:
            raise ValueError("a time out of range") from None
    if isinstance(field, models.DateField):
        return datetime.date.fromisoformat(_tagged(value, "d"))
    if isinstance(field, models.DecimalField):
        try:
            number = decimal.Decimal(_tagged(value, "n"))
        except decimal.InvalidOperation:
            raise ValueError("not a number") from None
        if not number.is_finite() or abs(number.adjusted()) > MAX_DECIMAL_EXPONENT:
            raise ValueError("a number out of range")
        if field.max_digits is not None:
            try:
                DecimalValidator(field.max_digits, field.decimal_places)(number)
            except ValidationError:
                raise ValueError("a number out of range") from None
        return number
    if isinstance(field, models.FloatField):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError("not a number")
        if not math.isfinite(value):
            raise ValueError("not a finite number")
        return float(value)
    if isinstance(field, models.BooleanField):
        if not isinstance(value, bool):
            raise ValueError("not true or false")
        return value
    if isinstance(field, models.IntegerField):  # ids (AutoFields are IntegerFields too)
        if isinstance(value, bool) or not isinstance(value, int) or value not in BIGINT_RANGE:
            raise ValueError("not a whole number in range")
        return value
    if isinstance(field, (models.CharField, models.TextField)):
        if not isinstance(value, str) or control_character_problem(value):
            raise ValueError("not text")
        if field.max_length is not None and len(value) > field.max_length:
            raise ValueError("text too long")
        return value
    # A sort key of a type not handled here is a mistake in this module, not the client's.
    raise TypeError(f"Cursors cannot carry values of {field.__class__.__name__}.")


def query_signature(request, extra: str = "") -> str:
    """What a cursor is bound to: every query parameter but the cursor and page size."""
    params = sorted(
        (key, value)
        for key, values in request.query_params.lists()
        if key not in PAGINATION_PARAMS
        for value in values
    )
    return hashlib.sha256(json.dumps([params, extra]).encode()).hexdigest()[:16]


def invalid_cursor(message: str) -> ApiError:
    return ApiError(
        status_code=400,
        code="invalid_parameters",
        detail="The cursor cannot be used here.",
        errors=[error_item("query", CURSOR_PARAM, message)],
    )


class KeysetCursorPagination(BasePagination):
    page_size = DEFAULT_PAGE_SIZE
    max_page_size = MAX_PAGE_SIZE

    def page_size_for(self, request) -> int:
        raw = request.query_params.get(PAGE_SIZE_PARAM)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise invalid_parameter(
                PAGE_SIZE_PARAM, f"Give a whole number from 1 to {self.max_page_size}."
            )
        return size

    def read_cursor(self, request, signature: str, fields: list[models.Field]) -> list | None:
        """The values of the request's cursor, one per sort key, typed as the keys'
        output `fields`; None without a cursor. 400 for a cursor this API did not sign,
        one of another query, or one whose values do not fit the keys."""
        raw = request.query_params.get(CURSOR_PARAM)
        if raw is None:
            return None
        try:
            data = signing.loads(raw, salt=CURSOR_SALT)
        # ValueError: a payload that is not base64 or JSON (only under a valid signature)
        except (signing.BadSignature, ValueError, zlib.error, RecursionError):
            raise invalid_cursor("Not a cursor this API gave out.") from None
        if not (
            isinstance(data, dict)
            and isinstance(data.get("v"), list)
            and data.get("s") == signature
            and len(data["v"]) == len(fields)
        ):
            raise invalid_cursor(
                "This cursor belongs to another query: keep the filters and ordering "
                "of the request that returned it."
            )
        try:
            return [
                decode_value(value, field) for value, field in zip(data["v"], fields, strict=True)
            ]
        except ValueError:
            raise invalid_cursor(
                "This cursor's position does not fit the query's order: follow the "
                "next link of the request that returned it."
            ) from None

    @staticmethod
    def make_cursor(signature: str, values: list) -> str:
        data = {"s": signature, "v": [encode_value(v) for v in values]}
        return signing.dumps(data, salt=CURSOR_SALT)

    def paginate_queryset(self, queryset, request, view=None):
        """One page of rows after the request's cursor, in the queryset's order."""
        self.request = request
        size = self.page_size_for(request)
        keys = sort_keys(queryset)
        signature = query_signature(request, repr([(k.descending, k.nulls_last) for k in keys]))
        annotated = queryset.annotate(
            **{f"_k{index}": exact(key.expression, queryset) for index, key in enumerate(keys)}
        )
        key_fields = [
            annotated.query.annotations[f"_k{index}"].output_field for index in range(len(keys))
        ]
        values = self.read_cursor(request, signature, key_fields)
        if values is not None:
            annotated = annotated.filter(after(keys, values))
        rows = list(annotated[: size + 1])
        self.next_cursor = None
        if len(rows) > size:
            rows = rows[:size]
            last = rows[-1]
            self.next_cursor = self.make_cursor(
                signature, [getattr(last, f"_k{index}") for index in range(len(keys))]
            )
        return rows

    def paginate_rows(self, rows: list, next_values: list | None, request, signature: str):
        """For pages computed elsewhere (the change feed): remember the next cursor."""
        self.request = request
        self.next_cursor = (
            self.make_cursor(signature, next_values) if next_values is not None else None
        )
        return rows

    def next_link(self) -> str | None:
        if self.next_cursor is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, CURSOR_PARAM, self.next_cursor)

    def get_paginated_response(self, data):
        response = Response({"next": self.next_link(), "results": data})
        if self.next_cursor is not None:
            response["Link"] = f'<{self.next_link()}>; rel="next"'
        return response

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": "The next page, or null on the last page.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": CURSOR_PARAM,
                "required": False,
                "in": "query",
                "description": "Opaque position from a previous page's `next` link; "
                "valid only with the same filters and ordering.",
                "schema": {"type": "string"},
            },
            {
                "name": PAGE_SIZE_PARAM,
                "required": False,
                "in": "query",
                "description": f"Results per page (default {DEFAULT_PAGE_SIZE}, "
                f"at most {MAX_PAGE_SIZE}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
        ]
