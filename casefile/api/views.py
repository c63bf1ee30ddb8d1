"""API v1, the public side: published data for everyone, as casefile.cases.visibility
decides. The editors' endpoints are in editor_views.py, the change feed in feed.py."""

from django.db.models import Prefetch
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils.http import http_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from casefile.api import conditional, datapackage, exports, records
from casefile.api.editor_views import kept_files
from casefile.api.exceptions import ApiError
from casefile.api.feed import change_feed
from casefile.api.filtering import StrictFilterBackend, StrictQueryMixin
from casefile.api.pagination import KeysetCursorPagination
from casefile.api.renderers import CsvRenderer, NdjsonRenderer
from casefile.api.serializers import (
    AuthoritySerializer,
    CaseSerializer,
    FacetsSerializer,
    InfoSerializer,
    PersonSerializer,
    SourceSerializer,
    TombstoneSerializer,
)
from casefile.cases import exports as case_exports
from casefile.cases import visibility
from casefile.cases.export_tables import TABLES
from casefile.cases.facets import facet_values
from casefile.cases.filters import CaseFilter
from casefile.cases.visibility import public_cases, public_last_modified
from casefile.core.context_processors import license_info, license_link_header
from casefile.core.converters import PublicIdConverter, RecordIdConverter
from casefile.core.links import absolute_url

FEED_DESCRIPTION = """
With `updated_since`, the list is the **change feed**: every case whose published
record changed at or after that time, oldest change first, followed page by page
through `next`. A case that was published and left the published dataset since then
(retracted, withdrawn because its person is now withheld, or deleted) appears as a
*tombstone* `{"id", "state", "updated_at"}` with `state` ≠ `published`, stamped with
when it left: delete it from your mirror. A case never published never appears.
Other filters narrow the published cases only; tombstones are never filtered (a
tombstone for a case you never had is harmless). `ordering` cannot be
combined with `updated_since`. To poll safely, take `feed_watermark` from
`/api/v1/info/` *before* each poll and use it as the next `updated_since`.
"""


@extend_schema_view(
    list=extend_schema(
        summary="Search published cases, or follow the change feed",
        description=FEED_DESCRIPTION,
        responses={
            200: PolymorphicProxySerializer(
                component_name="CaseOrTombstone",
                serializers=[CaseSerializer, TombstoneSerializer],
                resource_type_field_name=None,
                many=True,
            )
        },
    ),
    retrieve=extend_schema(summary="One published case", responses={200: CaseSerializer}),
)
class CaseViewSet(StrictQueryMixin, viewsets.GenericViewSet):
    serializer_class = CaseSerializer
    filterset_class = CaseFilter
    filter_backends = [StrictFilterBackend]
    pagination_class = KeysetCursorPagination
    lookup_url_kwarg = "key"
    lookup_value_regex = PublicIdConverter.regex  # anything else is 404 before a query

    def get_queryset(self):
        return public_cases().for_display()

    def retrieve(self, request, *args, **kwargs):
        address = visibility.case_at(
            self.kwargs["key"], public_cases().only("id", "public_id", "updated_at")
        )
        if address.gone:
            retracted = address.case
            raise ApiError(
                status_code=410,
                code="gone",
                detail=f"This case was retracted on {retracted.retracted_at:%Y-%m-%d}: "
                f"{retracted.retraction_note}",
            )
        if not address.found:
            raise ApiError(status_code=404, code="not_found", detail="Not found.")
        case = address.case
        return conditional.respond(
            request,
            etag=conditional.case_etag(case),
            last_modified=case.updated_at,
            build=lambda: Response(records.case_records([case.pk], request)[0]),
        )

    def list(self, request, *args, **kwargs):
        filterset = StrictFilterBackend().valid_filterset(request, self.get_queryset(), self)
        if filterset.form.cleaned_data.get("updated_since"):
            return change_feed(request, filterset, self.paginator)
        keys_only = filterset.qs.select_related(None).only("id", "public_id", "updated_at")
        rows = self.paginator.paginate_queryset(keys_only, request, self)
        etag = conditional.digest_etag(
            "cases",
            sorted(request.query_params.lists()),
            [(case.public_id, case.version) for case in rows],
            self.paginator.next_cursor,
        )
        return conditional.respond(
            request,
            etag=etag,
            last_modified=public_last_modified(),
            build=lambda: self.paginator.get_paginated_response(
                records.case_records([case.pk for case in rows], request)
            ),
        )

    @extend_schema(
        summary="Facet counts of the cases a filter matches",
        filters=True,  # the case list's filters, documented here too
        description="The counts the search page shows beside each facet value, for the "
        "same parameters as the case list. Values with no cases are left out. Each value "
        "comes with its `label` and `params`: the query parameters that select exactly "
        'it (`{"notified": "yes"}`, `{"listed_from": "2017", "listed_to": '
        '"2017"}`). Set them in the query you sent, in place of any value it had for '
        "those parameters, to follow the facet; `params` is null for an unknown year or "
        "province, which no filter selects.",
        responses={200: FacetsSerializer},
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def facets(self, request, *args, **kwargs):
        filterset = StrictFilterBackend().valid_filterset(request, self.get_queryset(), self)
        counted = filterset.qs.counted(everything=filterset.is_unfiltered())
        data = {
            "total": counted.total,
            "estimated": counted.estimated,
            **facet_values(counted.facets),
        }
        return conditional.respond(
            request,
            etag=conditional.digest_etag("facets", data),
            last_modified=public_last_modified(),
            build=lambda: Response(data),
        )


class PublicThroughCasesViewSet(StrictQueryMixin, viewsets.GenericViewSet):
    """People, authorities and sources: public only through a public case."""

    pagination_class = KeysetCursorPagination
    lookup_url_kwarg = "key"
    lookup_value_regex = RecordIdConverter.regex
    kind = ""

    def get_object(self):
        key = self.kwargs["key"]
        if not (key.isascii() and key.isdigit()):  # "²" is a digit int() cannot read
            raise ApiError(status_code=404, code="not_found", detail="Not found.")
        obj = self.get_queryset().filter(pk=int(key)).first()
        if obj is None:
            raise ApiError(status_code=404, code="not_found", detail="Not found.")
        return obj

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        return conditional.respond(
            request,
            etag=conditional.digest_etag(self.kind, obj.pk, obj.updated_at.isoformat()),
            last_modified=obj.updated_at,
            build=lambda: Response(self.get_serializer(obj).data),
        )

    def list(self, request, *args, **kwargs):
        rows = self.paginator.paginate_queryset(self.get_queryset().order_by("id"), request, self)
        etag = conditional.digest_etag(
            self.kind,
            sorted(request.query_params.lists()),
            [(row.pk, row.updated_at.isoformat()) for row in rows],
            self.paginator.next_cursor,
        )
        return conditional.respond(
            request,
            etag=etag,
            last_modified=public_last_modified(),
            build=lambda: self.paginator.get_paginated_response(
                self.get_serializer(rows, many=True).data
            ),
        )


@extend_schema_view(
    list=extend_schema(summary="People with at least one published case"),
    retrieve=extend_schema(summary="One person, under their public name"),
)
class PersonViewSet(PublicThroughCasesViewSet):
    serializer_class = PersonSerializer
    kind = "person"

    def get_queryset(self):
        return visibility.public_people().only(
            "id", "privacy", "name_original", "name_romanized", "pseudonym", "occupation",
            "updated_at",
        )  # fmt: skip


@extend_schema_view(
    list=extend_schema(summary="Courts and agencies with at least one published case"),
    retrieve=extend_schema(summary="One authority"),
)
class AuthorityViewSet(PublicThroughCasesViewSet):
    serializer_class = AuthoritySerializer
    kind = "authority"

    def get_queryset(self):
        return visibility.public_authorities()


@extend_schema_view(
    list=extend_schema(summary="Sources cited by at least one published case"),
    retrieve=extend_schema(summary="One source with the captures published cases cite"),
)
class SourceViewSet(PublicThroughCasesViewSet):
    serializer_class = SourceSerializer
    kind = "source"

    def get_queryset(self):
        # Only the captures public cases cite: one cited by drafts only is not public.
        captures = Prefetch(
            "captures",
            queryset=visibility.public_captures().prefetch_related(
                Prefetch("files", queryset=kept_files())
            ),
        )
        return visibility.public_sources().prefetch_related(captures)


# --- bulk exports and the dataset's info document ------------------------------------------


class DataView(StrictQueryMixin, APIView):
    """Parameterless GET endpoints over the whole published dataset."""

    def allowed(self):
        return set()


@extend_schema(
    summary="The dataset at a glance: last change, counts, export links",
    description="Poll this (cheaply, with If-None-Match) to know when to fetch again. "
    "`feed_watermark` is the `updated_since` to use for the next change-feed poll.",
    responses={200: InfoSerializer},
)
class InfoView(DataView):
    def get(self, request, *args, **kwargs):
        last_modified = public_last_modified()
        totals = visibility.public_totals()
        data = {
            "last_modified": last_modified,
            "feed_watermark": conditional.feed_watermark(),
            "counts": {
                "cases": totals["cases"],
                "persons": totals["people"],
                "authorities": totals["authorities"],
                "sources": totals["sources"],
            },
            "exports": {
                "ndjson": absolute(request, "api:export-ndjson"),
                "csv": absolute(request, "api:export-csv"),
                "persons_csv": absolute(request, "api:export-persons-csv"),
                "sources_csv": absolute(request, "api:export-sources-csv"),
                "citations_csv": absolute(request, "api:export-citations-csv"),
                "datapackage": absolute(request, "api:datapackage"),
            },
            "license": license_info(),
            "schema": absolute(request, "api:schema"),
            "documentation": absolute_url(request, reverse("api-docs")),
        }
        response = Response(InfoSerializer(data).data)
        response["Cache-Control"] = conditional.CACHE_CONTROL
        if last_modified:
            response["Last-Modified"] = http_date(last_modified.timestamp())
        return response


def absolute(request, name: str) -> str:
    return absolute_url(request, reverse(name, kwargs={"version": "v1"}))


class ExportView(DataView):
    content_type = ""
    filename = ""
    extra_parameters: tuple[str, ...] = ()
    # The body streams past the renderers; they serve content negotiation (Accept) and
    # render errors, always as JSON.
    renderer_classes = [JSONRenderer]

    def chunks(self, request):
        raise NotImplementedError

    def handle_exception(self, exc):
        # errors are JSON (the Error schema) whatever format was asked for
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)

    def get(self, request, *args, **kwargs):
        last_modified = public_last_modified()
        bom = exports.wants_bom(request) if "bom" in self.extra_parameters else False

        def build():
            exports.check_quota(request)  # a download, not a 304, spends the export quota
            response = StreamingHttpResponse(
                exports.with_bom(self.chunks(request), bom), content_type=self.content_type
            )
            response["Content-Disposition"] = f'attachment; filename="{self.filename}"'
            response["Link"] = license_link_header()
            return response

        return conditional.respond(
            request,
            etag=conditional.digest_etag(self.filename, last_modified, *(["bom"] if bom else [])),
            last_modified=last_modified,
            build=build,
        )


EXPORT_ERRORS_NOTE = (
    '\n\nEvery download carries `Link: <licence URL>; rel="license"`. Downloads count '
    "against the export quota (`EXPORT_QUOTA`); a 304 does not."
)
BOM_PARAMETER = OpenApiParameter(
    "bom",
    {"type": "string", "enum": ["1", "0", "true", "false", "yes", "no"]},
    OpenApiParameter.QUERY,
    description="`1`: start the file with a UTF-8 byte-order mark, so that spreadsheets "
    "(Excel) read it as UTF-8. Default: none.",
)


@extend_schema_view(
    get=extend_schema(
        summary="Every published case, one JSON object per line",
        description="Each line is exactly what `/api/v1/cases/{id}/` returns for that case. "
        "Streamed; a consistent snapshot of the dataset." + EXPORT_ERRORS_NOTE,
        responses={
            (200, "application/x-ndjson"): OpenApiResponse(
                OpenApiTypes.STR, description="One case per line."
            )
        },
    )
)
class NdjsonExportView(ExportView):
    content_type = exports.NDJSON_CONTENT_TYPE
    filename = "casefile-cases.ndjson"
    renderer_classes = [JSONRenderer, NdjsonRenderer]

    def chunks(self, request):
        return exports.ndjson_lines(request)


@extend_schema_view(
    get=extend_schema(
        summary="Every published case, one CSV row per case",
        description="The search page's CSV format (`/cases/export.csv`), for every published "
        "case, by id. Streamed; a consistent snapshot. The first row names the columns:\n\n"
        + case_exports.column_documentation()
        + EXPORT_ERRORS_NOTE,
        parameters=[BOM_PARAMETER],
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV.")},
    )
)
class CsvExportView(ExportView):
    content_type = exports.CSV_CONTENT_TYPE
    filename = "casefile-cases.csv"
    renderer_classes = [JSONRenderer, CsvRenderer]
    extra_parameters = ("bom",)

    def chunks(self, request):
        return exports.csv_chunks(request)


class TableExportView(ExportView):
    """persons.csv, sources.csv, citations.csv: casefile.cases.export_tables."""

    content_type = exports.CSV_CONTENT_TYPE
    renderer_classes = [JSONRenderer, CsvRenderer]
    extra_parameters = ("bom",)
    table = ""

    def chunks(self, request):
        return exports.table_chunks(request, self.table)


def table_export_view(name: str):
    table = TABLES[name]
    columns = "\n".join(f"- `{column.name}`: {column.description}" for column in table.columns)
    view = type(
        f"{name.title()}CsvExportView",
        (TableExportView,),
        {"table": name, "filename": f"casefile-{name}.csv"},
    )
    return extend_schema_view(
        get=extend_schema(
            summary=f"{table.title}: every public one, one CSV row each",
            description=f"{table.description} Streamed; a consistent snapshot. The first row "
            f"names the columns:\n\n{columns}{EXPORT_ERRORS_NOTE}",
            parameters=[BOM_PARAMETER],
            responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV.")},
        )
    )(view)


PersonsCsvExportView = table_export_view("persons")
SourcesCsvExportView = table_export_view("sources")
CitationsCsvExportView = table_export_view("citations")


@extend_schema_view(
    get=extend_schema(
        summary="The data package: every export described, column by column",
        description="A Frictionless Data Package (https://specs.frictionlessdata.io/): each "
        "export as a resource, the CSV tables with a Table Schema (each column's type, format, "
        "constraints, vocabulary as `enum`, and meaning), the keys between them, the licence "
        "and the sources. Load it with the `frictionless` tools, R's `frictionless` package "
        "or pandas.",
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="datapackage.json")},
    )
)
class DataPackageView(DataView):
    def get(self, request, *args, **kwargs):
        last_modified = public_last_modified()
        etag = conditional.digest_etag(
            "datapackage", last_modified, request.build_absolute_uri("/"), license_link_header()
        )

        def build():
            response = Response(datapackage.descriptor(request, last_modified))
            response["Link"] = license_link_header()
            return response

        return conditional.respond(request, etag=etag, last_modified=last_modified, build=build)


@extend_schema(exclude=True)
class ApiRootView(DataView):
    def get(self, request, *args, **kwargs):
        return Response(
            {
                "cases": absolute(request, "api:case-list"),
                "facets": absolute(request, "api:case-facets"),
                "persons": absolute(request, "api:person-list"),
                "authorities": absolute(request, "api:authority-list"),
                "sources": absolute(request, "api:source-list"),
                "info": absolute(request, "api:info"),
                "schema": absolute(request, "api:schema"),
                "documentation": absolute_url(request, reverse("api-docs")),
            }
        )


@extend_schema(exclude=True)
@api_view(["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"])
@permission_classes([AllowAny])
def unknown_endpoint(request, *args, **kwargs):
    raise ApiError(
        status_code=404,
        code="not_found",
        detail="No such API endpoint. The API's endpoints are listed at /api/v1/.",
    )
