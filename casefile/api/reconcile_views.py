"""/reconcile: the reconciliation service OpenRefine talks to (casefile.api.reconciliation).

- GET /reconcile: the service manifest; with `queries=`, a batch (also by POST, form
  encoded, as OpenRefine sends it);
- /reconcile/suggest/entity|property|type?prefix=…: autocompletion;
- /reconcile/preview?id=…: a small HTML card OpenRefine shows in a frame;
- /reconcile/view/<id>: the entity's public page (a redirect).

The JSON endpoints are the API's views: one request, a whole batch included, counts once
against the client's rate limit (OpenRefine sends no token: the anonymous one), and a
malformed request is a 400 in the API's error shape. Any origin may call them (CORS).
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from drf_spectacular.utils import extend_schema
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from casefile.api import reconciliation
from casefile.api.exceptions import ApiError, error_item
from casefile.api.filtering import reject_unknown_parameters
from casefile.api.parsers import BoundedJSONParser
from casefile.cases import visibility
from casefile.cases.models import PUBLIC_ID_ALPHABET, PUBLIC_ID_LENGTH
from casefile.core.links import permanent_url

PREVIEW_WIDTH, PREVIEW_HEIGHT = 400, 160
# The preview is shown in a frame inside OpenRefine: any page may frame it (it shows only
# what the public pages show); nothing else changes from the site's policy.
PREVIEW_POLICY = (
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors *"
)


def _bad(name: str, message: str, location: str = "query") -> ApiError:
    return ApiError(
        status_code=400,
        code="invalid_parameters",
        detail=message,
        errors=[error_item(location, name, message)],
    )


def manifest() -> dict:
    service = permanent_url(reverse("reconcile:service"))
    types = [{"id": key, "name": name} for key, name in reconciliation.TYPES.items()]
    return {
        "versions": ["0.2"],
        "name": "Casefile: public figures and published cases of China's social-credit blacklists",
        "identifierSpace": permanent_url(reverse("reconcile:view", args=["ID"])).replace("ID/", ""),
        "schemaSpace": f"{service}#properties",
        "documentation": permanent_url(reverse("about")) + "#data",
        "defaultTypes": types,
        "view": {
            "url": permanent_url(reverse("reconcile:view", args=["ID"])).replace("ID", "{{id}}")
        },
        "preview": {
            "url": permanent_url(reverse("reconcile:preview")) + "?id={{id}}",
            "width": PREVIEW_WIDTH,
            "height": PREVIEW_HEIGHT,
        },
        "suggest": {
            name: {"service_url": service, "service_path": f"/suggest/{name}"}
            for name in ("entity", "property", "type")
        },
    }


class ReconcileView(APIView):
    """Reading only, whatever the method: POST carries a batch too long for a URL."""

    permission_classes = [AllowAny]
    parser_classes = [FormParser, MultiPartParser, BoundedJSONParser]

    def params(self, request):
        return request.data if request.method == "POST" else request.query_params


@extend_schema(exclude=True)
class ServiceView(ReconcileView):
    def get(self, request, *args, **kwargs):
        reject_unknown_parameters(request, {"queries"})
        if "queries" not in request.query_params:
            return Response(manifest())
        return self.answer(request.query_params.get("queries"), "query")

    def post(self, request, *args, **kwargs):
        reject_unknown_parameters(request, set())
        data = request.data
        if not isinstance(data, dict):
            raise _bad("queries", "Send the batch as the form field `queries`.", "body")
        unknown = sorted(set(data) - {"queries"})
        if unknown:
            raise _bad(unknown[0], f"Unknown field {unknown[0]}: send `queries`.", "body")
        if "queries" not in data:
            raise _bad("queries", "Send the batch as the form field `queries`.", "body")
        queries = data.get("queries")
        if not isinstance(queries, str):  # a JSON body: {"queries": {...}} also reads
            import json

            queries = json.dumps(queries)
        return self.answer(queries, "body")

    def answer(self, raw: str, location: str):
        try:
            queries = reconciliation.parse_batch(raw)
        except reconciliation.BatchError as error:
            raise _bad("queries", str(error), location) from None
        return Response(reconciliation.reconcile(queries))


def _prefix(request) -> str:
    prefix = request.query_params.get("prefix")
    if prefix is None:
        raise _bad("prefix", "Give the text typed so far as `prefix`.")
    if len(prefix) > reconciliation.MAX_QUERY_LENGTH:
        raise _bad(
            "prefix", f"`prefix` is longer than {reconciliation.MAX_QUERY_LENGTH} characters."
        )
    return prefix


@extend_schema(exclude=True)
class SuggestEntityView(ReconcileView):
    def get(self, request, *args, **kwargs):
        reject_unknown_parameters(request, {"prefix", "type", "cursor"})
        prefix = _prefix(request)
        kind = request.query_params.get("type", reconciliation.DEFAULT_TYPE)
        if kind not in reconciliation.TYPES:
            raise _bad("type", f"`type` is one of {', '.join(reconciliation.TYPES)}.")
        cursor = request.query_params.get("cursor", "0")
        if (
            not (cursor.isascii() and cursor.isdigit())
            or int(cursor) > reconciliation.MAX_SUGGEST_CURSOR
        ):
            raise _bad(
                "cursor",
                f"`cursor` is a whole number from 0 to {reconciliation.MAX_SUGGEST_CURSOR}.",
            )
        if not prefix.strip():
            return Response({"result": []})
        found = reconciliation.suggest_entities(prefix, [kind], int(cursor))
        return Response({"result": found})


@extend_schema(exclude=True)
class SuggestPropertyView(ReconcileView):
    options = reconciliation.PROPERTIES

    def get(self, request, *args, **kwargs):
        reject_unknown_parameters(request, {"prefix", "type", "cursor"})
        return Response({"result": reconciliation.suggest_from(self.options, _prefix(request))})


@extend_schema(exclude=True)
class SuggestTypeView(SuggestPropertyView):
    options = {
        key: f"{name}: a {name.lower()} in Casefile" for key, name in reconciliation.TYPES.items()
    }


ID_CHARACTERS = set(PUBLIC_ID_ALPHABET + PUBLIC_ID_ALPHABET.lower())


def _entity(entity_id: str, *, gone_too: bool = False):
    """("person", person) or ("case", case) for a public entity id (or, gone_too, a case
    that was retracted: its page says so); Http404 otherwise."""
    entity_id = (entity_id or "").strip()
    if entity_id.startswith(reconciliation.PERSON_PREFIX):
        number = entity_id.removeprefix(reconciliation.PERSON_PREFIX)
        if number.isascii() and number.isdigit() and len(number) <= 18:
            person = visibility.public_people().filter(pk=int(number)).first()
            if person is not None:
                return "person", person
    elif len(entity_id) == PUBLIC_ID_LENGTH and set(entity_id) <= ID_CHARACTERS:
        address = visibility.case_at(entity_id, visibility.public_cases().for_display())
        if address.found or (gone_too and address.gone):
            return "case", address.case
    raise Http404("No public entity has this id.")


def view(request, entity_id):
    """The public page of an entity id (the manifest's view URL); a retracted case's
    page answers 410 with the editors' note."""
    _kind, entity = _entity(entity_id, gone_too=True)
    return redirect(entity.get_absolute_url())


@xframe_options_exempt
def preview(request):
    kind, entity = _entity(request.GET.get("id", ""))
    context = {"kind": kind, "entity": entity, "width": PREVIEW_WIDTH, "height": PREVIEW_HEIGHT}
    if kind == "person":
        context["cases"] = list(
            visibility.public_cases().filter(person=entity).for_display().order_by("-listed_on")[:4]
        )
        context["total"] = visibility.public_cases().filter(person=entity).count()
    response = render(request, "reconcile/preview.html", context)
    response["Content-Security-Policy"] = PREVIEW_POLICY
    return response
