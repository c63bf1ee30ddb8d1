"""API v1 views: published data for everyone, drafts for editors' tokens."""

import heapq
from collections import defaultdict

from django.db.models import Case as SqlCase
from django.db.models import CharField, Exists, OuterRef, Q, Value, When
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
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
from rest_framework import status, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from casefile.api import conditional, exports, records
from casefile.api.exceptions import ApiError, error_item, invalid_parameter, precondition_failed
from casefile.api.filtering import (
    StrictFilterBackend,
    allowed_parameters,
    reject_unknown_parameters,
)
from casefile.api.models import CaseDeletion
from casefile.api.pagination import KeysetCursorPagination, query_signature
from casefile.api.permissions import EditorToken
from casefile.api.renderers import CsvRenderer, NdjsonRenderer
from casefile.api.serializers import (
    AuthoritySerializer,
    CaseInputSerializer,
    CaseSerializer,
    EditableCaseSerializer,
    FacetsSerializer,
    InfoSerializer,
    PersonSerializer,
    SourceSerializer,
    TombstoneSerializer,
    api_error_path,
)
from casefile.authorities.models import Authority
from casefile.cases import exports as case_exports
from casefile.cases import services
from casefile.cases.filters import CaseFilter
from casefile.cases.models import Amount, Case, Citation, Event, Restriction
from casefile.cases.vocabularies import PublicationState
from casefile.core.converters import PublicIdConverter, RecordIdConverter
from casefile.people.models import Person, Privacy
from casefile.sources.models import Source


def load_parts(cases: list[Case]) -> list[Case]:
    """Attach every part a case shows, for CaseSerializer and its subclasses (the
    editors' endpoints; the public ones serve records.case_records): four queries for
    any number of cases.

    Sets `restriction_list`, `amount_list`, `event_list` and `field_citations` on each
    case and `cited` on each part (plain lists: no per-object querysets to build).
    """
    ids = [case.pk for case in cases]
    parts = {
        "restriction_list": Restriction.objects.filter(case_id__in=ids),
        "amount_list": Amount.objects.filter(case_id__in=ids),
        "event_list": Event.objects.filter(case_id__in=ids),
    }
    citations = Citation.objects.filter(case_id__in=ids).select_related("capture__source")
    cited = defaultdict(list)
    for citation in citations:  # in id order (Citation.Meta.ordering within each case)
        if citation.restriction_id:
            key = ("restriction_list", citation.restriction_id)
        elif citation.amount_id:
            key = ("amount_list", citation.amount_id)
        elif citation.event_id:
            key = ("event_list", citation.event_id)
        else:
            key = ("field", citation.case_id)
        cited[key].append(citation)
    by_case = {case.pk: case for case in cases}
    for case in cases:
        case.field_citations = cited[("field", case.pk)]
        for name in parts:
            setattr(case, name, [])
    for name, queryset in parts.items():
        for part in queryset:
            part.cited = cited[(name, part.pk)]
            getattr(by_case[part.case_id], name).append(part)
    return cases


class StrictQueryMixin:
    """Every endpoint names the query parameters it does not understand (400)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        reject_unknown_parameters(request, allowed_parameters(self))


FEED_DESCRIPTION = """
With `updated_since`, the list is the **change feed**: every case whose published
record changed at or after that time, oldest change first, followed page by page
through `next`. A case that left the published dataset since then (retracted,
withdrawn, its person withheld, or deleted) appears as a *tombstone*
`{"id", "state", "updated_at"}` with `state` ≠ `published`: delete it from your
mirror. Other filters narrow the published cases only; tombstones are never
filtered (a tombstone for a case you never had is harmless). `ordering` cannot be
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
    queryset = Case.objects.published().for_display()
    serializer_class = CaseSerializer
    filterset_class = CaseFilter
    filter_backends = [StrictFilterBackend]
    pagination_class = KeysetCursorPagination
    lookup_url_kwarg = "key"
    lookup_value_regex = PublicIdConverter.regex  # anything else is 404 before a query

    def retrieve(self, request, *args, **kwargs):
        case = get_object_or_404(
            Case.objects.published().only("id", "public_id", "updated_at"),
            public_id=self.kwargs["key"].upper(),
        )
        etag = conditional.case_etag(case)
        cached = conditional.not_modified(request, etag, case.updated_at)
        if cached is not None:
            return cached
        response = Response(records.case_records([case.pk], request)[0])
        return conditional.stamp(response, etag, case.updated_at)

    def list(self, request, *args, **kwargs):
        backend = StrictFilterBackend()
        filterset = backend.valid_filterset(request, self.get_queryset(), self)
        if filterset.form.cleaned_data.get("updated_since"):
            return self.feed(request, filterset)
        keys_only = filterset.qs.select_related(None).only("id", "public_id", "updated_at")
        rows = self.paginator.paginate_queryset(keys_only, request, self)
        etag = conditional.digest_etag(
            "cases",
            sorted(request.query_params.lists()),
            [(case.public_id, case.version) for case in rows],
            self.paginator.next_cursor,
        )
        last_modified = conditional.dataset_last_modified()
        cached = conditional.not_modified(request, etag, last_modified)
        if cached is not None:
            return cached
        data = records.case_records([case.pk for case in rows], request)
        response = self.paginator.get_paginated_response(data)
        return conditional.stamp(response, etag, last_modified)

    def feed(self, request, filterset):
        if "ordering" in request.query_params:
            raise invalid_parameter(
                "ordering", "The change feed is ordered by updated_at; leave out ordering."
            )
        since = filterset.form.cleaned_data["updated_since"]
        size = self.paginator.page_size_for(request)
        signature = query_signature(request, "feed")
        position = self.paginator.read_cursor(
            request, signature, [Case._meta.get_field(name) for name in ("updated_at", "public_id")]
        )

        # Three index-ordered reads (changed published cases matching the filters; cases
        # that left publication; deleted cases), merged: each stops after one page.
        def page_of(queryset, time_field, state):
            queryset = queryset.order_by(time_field, "public_id")
            if position is not None:
                after_t, after_id = position
                queryset = queryset.filter(
                    Q(**{f"{time_field}__gt": after_t})
                    | Q(**{time_field: after_t, "public_id__gt": after_id})
                )
            return queryset.values_list("public_id", time_field, state)[: size + 1]

        published = Value("published", output_field=CharField())
        left = SqlCase(
            When(publication_state=PublicationState.RETRACTED, then=Value("retracted")),
            default=Value("withdrawn"),
            output_field=CharField(),
        )
        sources = [
            page_of(filterset.qs.annotate(st=published), "updated_at", "st"),
            page_of(
                Case.objects.not_published().filter(updated_at__gte=since).annotate(st=left),
                "updated_at",
                "st",
            ),
            page_of(
                CaseDeletion.objects.filter(deleted_at__gte=since).annotate(
                    st=Value("deleted", output_field=CharField())
                ),
                "deleted_at",
                "st",
            ),
        ]
        changes = list(
            heapq.merge(*(list(rows) for rows in sources), key=lambda row: (row[1], row[0]))
        )[: size + 1]
        next_values = None
        if len(changes) > size:
            changes = changes[:size]
            last_id, last_time, _ = changes[-1]
            next_values = [last_time, last_id]
        self.paginator.paginate_rows(changes, next_values, request, signature)

        etag = conditional.digest_etag("feed", sorted(request.query_params.lists()), changes)
        last_modified = conditional.dataset_last_modified()
        cached = conditional.not_modified(request, etag, last_modified)
        if cached is not None:
            return cached
        published_ids = [public_id for public_id, _, state in changes if state == "published"]
        keys = Case.objects.published().filter(public_id__in=published_ids).values_list("id")
        full = {
            record["id"]: record
            for record in records.case_records([key for (key,) in keys], request)
        }
        results = []
        for public_id, changed_at, state in changes:
            if state != "published":
                results.append(
                    TombstoneSerializer(
                        {"id": public_id, "state": state, "updated_at": changed_at}
                    ).data
                )
            elif public_id in full:  # else it left since the first query: next poll says so
                results.append(full[public_id])
        response = self.paginator.get_paginated_response(results)
        return conditional.stamp(response, etag, last_modified)

    @extend_schema(
        summary="Facet counts of the cases a filter matches",
        description="The counts the search page shows beside each facet value, for the "
        "same parameters as the case list. Values with no cases are left out.",
        responses={200: FacetsSerializer},
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def facets(self, request, *args, **kwargs):
        queryset = StrictFilterBackend().filter_queryset(request, self.get_queryset(), self)
        counts = queryset.facet_counts()
        data = {
            "total": sum(counts["status"].values()),
            **{
                name: [
                    {"value": value, "count": count}
                    for value, count in sorted(
                        counter.items(), key=lambda item: (-item[1], str(item[0]))
                    )
                    if count
                ]
                for name, counter in counts.items()
            },
        }
        etag = conditional.digest_etag("facets", data)
        last_modified = conditional.dataset_last_modified()
        cached = conditional.not_modified(request, etag, last_modified)
        if cached is not None:
            return cached
        return conditional.stamp(Response(data), etag, last_modified)


class VisibleThroughCasesViewSet(StrictQueryMixin, viewsets.GenericViewSet):
    """People, authorities and sources: visible only through a published case."""

    pagination_class = KeysetCursorPagination
    lookup_url_kwarg = "key"
    lookup_value_regex = RecordIdConverter.regex
    kind = ""

    def get_object(self):
        key = self.kwargs["key"]
        if not key.isdigit():
            raise ApiError(status_code=404, code="not_found", detail="Not found.")
        return get_object_or_404(self.get_queryset(), pk=int(key))

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        etag = conditional.digest_etag(self.kind, obj.pk, obj.updated_at.isoformat())
        cached = conditional.not_modified(request, etag, obj.updated_at)
        if cached is not None:
            return cached
        response = Response(self.get_serializer(obj).data)
        return conditional.stamp(response, etag, obj.updated_at)

    def list(self, request, *args, **kwargs):
        rows = self.paginator.paginate_queryset(self.get_queryset().order_by("id"), request, self)
        etag = conditional.digest_etag(
            self.kind,
            sorted(request.query_params.lists()),
            [(row.pk, row.updated_at.isoformat()) for row in rows],
            self.paginator.next_cursor,
        )
        last_modified = conditional.dataset_last_modified()
        cached = conditional.not_modified(request, etag, last_modified)
        if cached is not None:
            return cached
        response = self.paginator.get_paginated_response(self.get_serializer(rows, many=True).data)
        return conditional.stamp(response, etag, last_modified)


@extend_schema_view(
    list=extend_schema(summary="People with at least one published case"),
    retrieve=extend_schema(summary="One person, under their public name"),
)
class PersonViewSet(VisibleThroughCasesViewSet):
    serializer_class = PersonSerializer
    kind = "person"

    def get_queryset(self):
        cases = Case.objects.published().filter(person_id=OuterRef("pk"))
        return (
            Person.objects.exclude(privacy=Privacy.WITHHELD)
            .filter(Exists(cases))
            .only(
                "id",
                "privacy",
                "name_original",
                "name_romanized",
                "pseudonym",
                "occupation",
                "updated_at",
            )
        )


@extend_schema_view(
    list=extend_schema(summary="Courts and agencies with at least one published case"),
    retrieve=extend_schema(summary="One authority"),
)
class AuthorityViewSet(VisibleThroughCasesViewSet):
    serializer_class = AuthoritySerializer
    kind = "authority"

    def get_queryset(self):
        cases = Case.objects.published().filter(authority_id=OuterRef("pk"))
        return Authority.objects.filter(Exists(cases))


@extend_schema_view(
    list=extend_schema(summary="Sources cited by at least one published case"),
    retrieve=extend_schema(summary="One source with its captures"),
)
class SourceViewSet(VisibleThroughCasesViewSet):
    serializer_class = SourceSerializer
    kind = "source"

    def get_queryset(self):
        citing = Citation.objects.filter(
            capture__source_id=OuterRef("pk"), case__in=Case.objects.published()
        )
        return Source.objects.filter(Exists(citing)).prefetch_related("captures")


# --- editors -------------------------------------------------------------------------------

IF_MATCH = OpenApiParameter(
    "If-Match",
    location=OpenApiParameter.HEADER,
    required=True,
    description="The case's current ETag (from a GET or the last write): the update is "
    "refused with 412 if the case changed since.",
)
EDIT_RULE = (
    "Who may change which case is the editorial rule (the admin applies the same one): "
    "editors change drafts and cases in review, reviewers also correct published cases "
    "(the correction is public at once), and a retracted case is changed by nobody; "
    "otherwise 403. The publication state is never written here: publishing, sending "
    "back and retracting are the reviewers' workflow steps."
)


@extend_schema_view(
    create=extend_schema(
        summary="Create a draft case (editors)",
        description="Needs a read-write token of a user who may add cases (the editor, "
        "reviewer and administrator roles). The new case is always a draft.",
        request=CaseInputSerializer,
        responses={201: EditableCaseSerializer},
    ),
    retrieve=extend_schema(
        summary="A case in any state, as editors see it", responses={200: EditableCaseSerializer}
    ),
    partial_update=extend_schema(
        summary="Update a case (editors and reviewers)",
        description=EDIT_RULE,
        request=CaseInputSerializer(partial=True),
        parameters=[IF_MATCH],
        responses={200: EditableCaseSerializer},  # errors: casefile/api/schema.py
    ),
)
class EditorCaseViewSet(StrictQueryMixin, viewsets.GenericViewSet):
    """Writes for editors with a read-write token, through the editorial services (the
    rules and locking the admin uses). Publication is not done here."""

    permission_classes = [EditorToken]
    serializer_class = EditableCaseSerializer
    lookup_url_kwarg = "key"
    lookup_value_regex = PublicIdConverter.regex
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return Case.objects.select_related("person", "authority").defer(
            "search_vector", "text_grams"
        )

    def get_object(self):
        return get_object_or_404(self.get_queryset(), public_id=self.kwargs["key"].upper())

    def respond(self, case, status_code=status.HTTP_200_OK):
        case = self.get_queryset().get(pk=case.pk)  # the version the database has now
        data = self.get_serializer(load_parts([case])[0]).data
        response = Response(data, status=status_code)
        response["ETag"] = conditional.case_etag(case)
        response["Cache-Control"] = "private, no-store"
        if status_code == status.HTTP_201_CREATED:
            response["Location"] = data["api_url"]
        return response

    def retrieve(self, request, *args, **kwargs):
        return self.respond(self.get_object())

    def create(self, request, *args, **kwargs):
        serializer = CaseInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields, parts = serializer.split()
        case = self.run(
            services.create_case_with_parts, by=request.user, fields=fields, parts=parts
        )
        return self.respond(case, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        case = self.get_object()
        expected = request.headers.get("If-Match")
        if not expected:
            raise ApiError(
                status_code=428,
                code="precondition_required",
                detail="Send the case's ETag in If-Match, so a concurrent edit is not lost.",
                errors=[error_item("header", "If-Match", "Required.", "required")],
            )
        serializer = CaseInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields, parts = serializer.split()
        case = self.run(
            services.update_case_with_parts,
            case_id=case.pk,
            by=request.user,
            fields=fields,
            parts=parts,
            expected_version=expected.strip().removeprefix("W/").strip('"'),
        )
        return self.respond(case)

    @staticmethod
    def run(service, **kwargs):
        """Call a service; its refusals become the API's answers (PermissionDenied is 403
        through the error handler)."""
        from django.core.exceptions import ValidationError as ModelValidationError
        from rest_framework.exceptions import ValidationError

        try:
            return service(**kwargs)
        except ModelValidationError as error:
            errors: dict[str, list] = {}
            for path, messages in error.message_dict.items():
                errors.setdefault(api_error_path(path), []).extend(messages)
            raise ValidationError(errors) from None
        except services.StaleVersion as stale:
            etag = conditional.case_etag(stale.case)
            raise precondition_failed(
                f"{stale} Fetch it again and reapply your change.",
                errors=[error_item("header", "If-Match", f"The case is now at {etag}.", "stale")],
                extra={"current_etag": etag, "changes": stale_changes(stale.changes)},
            ) from None


def stale_changes(groups) -> list[dict]:
    """What a StaleVersion says changed since the client's version, for the 412 body:
    who and when, and for each row written its kind, id, operation and the fields
    changed (in the API's names where it has them)."""
    return [
        {
            "at": group.at.isoformat(),
            "user": group.user,
            "action": group.action,
            "items": [
                {
                    "kind": change.kind,
                    "id": change.object_id,
                    "operation": change.operation,
                    "fields": list(
                        dict.fromkeys(api_error_path(field.name) for field in change.fields)
                    ),
                }
                for change in group.changes
            ],
        }
        for group in groups
    ]


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
        last_modified = conditional.dataset_last_modified()
        data = {
            "last_modified": last_modified,
            "feed_watermark": conditional.feed_watermark(),
            "counts": {
                "cases": Case.objects.published().count(),
                "persons": PersonViewSet().get_queryset().count(),
                "authorities": AuthorityViewSet().get_queryset().count(),
                "sources": SourceViewSet().get_queryset().count(),
            },
            "exports": {
                "ndjson": absolute(request, "api:export-ndjson"),
                "csv": absolute(request, "api:export-csv"),
            },
            "schema": absolute(request, "api:schema"),
            "documentation": request.build_absolute_uri(reverse("api-docs")),
        }
        response = Response(InfoSerializer(data).data)
        response["Cache-Control"] = conditional.CACHE_CONTROL
        if last_modified:
            response["Last-Modified"] = http_date(last_modified.timestamp())
        return response


def absolute(request, name: str) -> str:
    return request.build_absolute_uri(reverse(name, kwargs={"version": "v1"}))


class ExportView(DataView):
    content_type = ""
    filename = ""
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
        last_modified = conditional.dataset_last_modified()
        etag = conditional.digest_etag(self.filename, last_modified)
        cached = conditional.not_modified(request, etag, last_modified)
        if cached is not None:
            return cached
        response = StreamingHttpResponse(self.chunks(request), content_type=self.content_type)
        response["Content-Disposition"] = f'attachment; filename="{self.filename}"'
        return conditional.stamp(response, etag, last_modified)


@extend_schema(
    summary="Every published case, one JSON object per line",
    description="Each line is exactly what `/api/v1/cases/{id}/` returns for that case. "
    "Streamed; a consistent snapshot of the dataset.",
    responses={
        (200, "application/x-ndjson"): OpenApiResponse(
            OpenApiTypes.STR, description="One case per line."
        )
    },
)
class NdjsonExportView(ExportView):
    content_type = exports.NDJSON_CONTENT_TYPE
    filename = "casefile-cases.ndjson"
    renderer_classes = [JSONRenderer, NdjsonRenderer]

    def chunks(self, request):
        return exports.ndjson_lines(request)


@extend_schema(
    summary="Every published case, one CSV row per case",
    description="The search page's CSV format (`/cases/export.csv`), for every published "
    "case, by id. Streamed; a consistent snapshot. The first row names the columns:\n\n"
    + case_exports.column_documentation(),
    responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV.")},
)
class CsvExportView(ExportView):
    content_type = exports.CSV_CONTENT_TYPE
    filename = "casefile-cases.csv"
    renderer_classes = [JSONRenderer, CsvRenderer]

    def chunks(self, request):
        return exports.csv_chunks(request)


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
                "documentation": request.build_absolute_uri(reverse("api-docs")),
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
