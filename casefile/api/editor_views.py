"""The editors' endpoints (`/api/v1/editor/cases/`): cases in any state, created and
updated through the editorial services (the rules and locking the admin uses) with a
read-write token. Publication is not done here: it is the reviewers' workflow.

`/api/v1/editor/captures/{id}/files/`: the files kept of a capture, and a multipart
upload that keeps one more through casefile.sources.services.attach_capture_file."""

from collections import defaultdict

from django.conf import settings
from django.core.exceptions import ValidationError as ModelValidationError
from django.db.models import Prefetch
from django.db.models.functions import Length
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from casefile.api import conditional
from casefile.api.exceptions import ApiError, error_item, precondition_failed
from casefile.api.filtering import StrictQueryMixin
from casefile.api.permissions import EditorToken
from casefile.api.serializers import (
    CaptureFileInputSerializer,
    CaseInputSerializer,
    EditableCaseSerializer,
    EditorKeptFileSerializer,
    api_error_path,
)
from casefile.cases import services
from casefile.cases.models import Amount, Case, Citation, Event, Restriction
from casefile.cases.querysets import SEARCH_COLUMNS
from casefile.core.converters import PublicIdConverter
from casefile.sources.models import CaptureFile, SourceCapture
from casefile.sources.services import attach_capture_file
from casefile.sources.uploads import body_too_large


def kept_files():
    """Kept files as records show them: their facts, never their text."""
    return CaptureFile.objects.only(
        "id", "capture_id", "sha256", "size", "media_type", "storage_name", "attached_at"
    ).order_by("attached_at", "id")


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
    citations = (
        Citation.objects.filter(case_id__in=ids)
        .select_related("capture__source")
        .prefetch_related(Prefetch("capture__files", queryset=kept_files()))
    )
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
        return Case.objects.select_related("person", "authority").defer(*SEARCH_COLUMNS)

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
        except services.NameLeakFound as refusal:
            raise ApiError(
                status_code=status.HTTP_400_BAD_REQUEST,
                code="validation_failed",
                detail=f"Nothing was saved: the real name of the person of case "
                f"{refusal.case.public_id} would appear in its public text.",
                errors=[
                    error_item("body", api_error_path(finding.path), str(finding), "name_leak")
                    for finding in refusal.findings
                ],
            ) from None
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


# --- kept files of captures ---------------------------------------------------------------


def editor_files():
    """Kept files as editors' records show them: the length of their text, not the text."""
    return (
        CaptureFile.objects.select_related("attached_by")
        .annotate(text_chars=Length("text"))
        .defer("text", "match_text")
        .order_by("attached_at", "id")
    )


class EditorFileToken(EditorToken):
    """A read-write token whose user may view kept files (GET) or attach them (POST)."""

    def has_permission(self, request, view):
        token = request.auth
        if token is None or not token.can_write or not request.user.is_authenticated:
            return False
        wanted = (
            "sources.add_capturefile" if request.method == "POST" else "sources.view_capturefile"
        )
        return request.user.has_perm(wanted)


FILE_ERRORS = {
    400: OpenApiResponse(
        description="The file is not one a capture keeps (`file`, code `unsupported_type`), "
        "the capture keeps it already (`file`, code `duplicate`), it does not have the SHA-256 "
        "sent (`sha256`, code `mismatch`), or a field is missing or unknown."
    ),
    403: OpenApiResponse(
        description="The token is read-only, its user may not attach files, or a published "
        "case cites the capture and the user is not a reviewer (a correction)."
    ),
    404: OpenApiResponse(description="No capture with that id."),
    413: OpenApiResponse(
        description="The file is larger than CAPTURE_FILE_MAX_BYTES (100 MB by default)."
    ),
    415: OpenApiResponse(description="The body is not multipart/form-data."),
}


@extend_schema_view(
    get=extend_schema(
        summary="A capture's kept files (editors)",
        description="Every file kept of the capture, whatever its sharing, with the state "
        "of its text extraction and of its last integrity check.",
        responses={200: EditorKeptFileSerializer(many=True)},
    ),
    post=extend_schema(
        summary="Keep a file of a capture (editors)",
        description="Multipart upload: `file` (a PDF, an HTML page, a WARC or WACZ web "
        "archive, a PNG or JPEG image, or plain text; the kind is told from the content) and "
        "optionally `sha256`, the digest your capture tool recorded (a file with another "
        "digest is refused). Casefile computes the SHA-256 itself, extracts the text and "
        "checks again the quotes citing the capture. A kept file is never replaced or "
        "deleted. Attaching a file to a capture a published case cites is a reviewer's "
        "step.",
        request={"multipart/form-data": CaptureFileInputSerializer},
        responses={201: EditorKeptFileSerializer, **FILE_ERRORS},
    ),
)
class EditorCaptureFilesView(StrictQueryMixin, GenericAPIView):
    permission_classes = [EditorFileToken]
    parser_classes = [MultiPartParser]
    serializer_class = EditorKeptFileSerializer
    pagination_class = None
    filter_backends = []

    def get_capture(self):
        return get_object_or_404(
            SourceCapture.objects.select_related("source"), pk=self.kwargs["pk"]
        )

    def get(self, request, *args, **kwargs):
        capture = self.get_capture()
        files = editor_files().filter(capture=capture)
        data = EditorKeptFileSerializer(files, many=True, context={"request": request}).data
        response = Response(data)
        response["Cache-Control"] = "private, no-store"
        return response

    def post(self, request, *args, **kwargs):
        capture = self.get_capture()
        if body_too_large(request._request):
            limit = settings.CAPTURE_FILE_MAX_BYTES
            raise ApiError(
                status_code=413,
                code="payload_too_large",
                detail=f"The file is larger than {limit:,} bytes, the most a capture keeps.",
                errors=[error_item("body", "file", f"At most {limit:,} bytes.", "too_large")],
            )
        serializer = CaptureFileInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        try:
            kept = attach_capture_file(
                capture=capture,
                file=upload,
                filename=upload.name,
                by=request.user,
                declared_sha256=serializer.validated_data.get("sha256") or None,
            )
        except ModelValidationError as error:
            raise _file_errors(error) from None
        kept = editor_files().get(pk=kept.pk)
        data = EditorKeptFileSerializer(kept, context={"request": request}).data
        response = Response(data, status=status.HTTP_201_CREATED)
        response["Location"] = data["api_url"]
        response["Cache-Control"] = "private, no-store"
        return response


def _file_errors(error: ModelValidationError) -> ApiError:
    items, too_large = [], False
    for name, errors in error.error_dict.items():
        for item in errors:
            code = item.code or "invalid"
            too_large = too_large or code == "too_large"
            for message in item.messages:
                items.append(error_item("body", name, message, code))
    if too_large:
        return ApiError(
            status_code=413,
            code="payload_too_large",
            detail="The file is larger than the most a capture keeps.",
            errors=items,
        )
    return ApiError(
        status_code=400,
        code="validation_failed",
        detail="The file was not kept.",
        errors=items,
    )


@extend_schema_view(
    get=extend_schema(
        summary="One kept file of a capture (editors)",
        responses={200: EditorKeptFileSerializer},
    )
)
class EditorCaptureFileView(StrictQueryMixin, GenericAPIView):
    permission_classes = [EditorFileToken]
    serializer_class = EditorKeptFileSerializer
    pagination_class = None
    filter_backends = []

    def get(self, request, *args, **kwargs):
        kept = get_object_or_404(
            editor_files(),
            capture_id=self.kwargs["pk"],
            sha256=self.kwargs["digest"],
        )
        response = Response(EditorKeptFileSerializer(kept, context={"request": request}).data)
        response["Cache-Control"] = "private, no-store"
        return response
