"""The editors' endpoints (`/api/v1/editor/cases/`): cases in any state, created and
updated through the editorial services (the rules and locking the admin uses) with a
read-write token. Publication is not done here: it is the reviewers' workflow."""

from collections import defaultdict

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.response import Response

from casefile.api import conditional
from casefile.api.exceptions import ApiError, error_item, precondition_failed
from casefile.api.filtering import StrictQueryMixin
from casefile.api.permissions import EditorToken
from casefile.api.serializers import (
    CaseInputSerializer,
    EditableCaseSerializer,
    api_error_path,
)
from casefile.cases import services
from casefile.cases.models import Amount, Case, Citation, Event, Restriction
from casefile.cases.querysets import SEARCH_COLUMNS
from casefile.core.converters import PublicIdConverter


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
