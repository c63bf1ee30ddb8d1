"""What the API shows and accepts. Every serializer lists its fields.

People appear only under visibility.public_name() with their privacy level; their real
names, aliases, notes and search keys never leave the database through here.
"""

from django.conf import settings
from django.core.validators import ProhibitNullCharactersValidator
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from casefile.authorities.models import Authority, AuthorityKind, Province
from casefile.cases import services
from casefile.cases.vocabularies import (
    AmountKind,
    CaseStatus,
    CitedField,
    EventKind,
    ListName,
    OffenceCategory,
    PublicationState,
    QuoteCheck,
    RestrictionKind,
)
from casefile.core.currencies import CURRENCIES
from casefile.core.dates import PartialDate
from casefile.core.links import absolute_url
from casefile.core.text import normalize_line_breaks, validate_plain_text
from casefile.people.models import Person, Privacy
from casefile.sources.models import (
    Integrity,
    MediaType,
    Reliability,
    Sharing,
    SourceCapture,
    SourceKind,
    SourceRelation,
    TextStatus,
)

PARTIAL_DATE_SCHEMA = {
    "type": "string",
    "nullable": True,
    "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$",
    "description": "A date as precisely as it is known: year (2017), month (2017-03) "
    "or day (2017-03-05).",
    "example": "2017-03",
}

# Feed states: a published case, or a tombstone telling a mirror to delete it.
TOMBSTONE_STATES = {
    "retracted": "retracted by the editors",
    "withdrawn": "no longer public (its person's name and cases are now withheld)",
    "deleted": "deleted outright",
}


# Stands in for a key while a URL prefix is reversed, then split off (the last match: it
# is in the path). reverse() checks keys against the URL patterns: ten digits fit both
# a case's public id and a row id.
PLACEHOLDER = "0000000000"


def api_url(request, name: str, key) -> str:
    path = reverse(f"api:{name}-detail", kwargs={"version": "v1", "key": key})
    return absolute_url(request, path) if request else path


def page_url(request, obj) -> str:
    path = obj.get_absolute_url()
    return absolute_url(request, path) if request else path


@extend_schema_field(PARTIAL_DATE_SCHEMA)
class PartialDateField(serializers.Field):
    """A partial date (descriptor attribute such as `listed`) as an ISO string."""

    default_error_messages = {"invalid": "{message}"}

    def to_representation(self, value):
        return value.iso if value else None

    def to_internal_value(self, data):
        if data in (None, ""):
            return None
        if not isinstance(data, str):
            self.fail("invalid", message="Give a date as a string: YYYY, YYYY-MM or YYYY-MM-DD.")
        try:
            return PartialDate.parse(data)
        except ValueError as error:
            self.fail("invalid", message=str(error))


class LinkedSerializer(serializers.Serializer):
    """Adds `api_url` for a resource reached by `link_name` and its key."""

    link_name = ""
    link_key = "pk"

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, obj) -> str:
        # reverse() once per resource kind and response, not once per object
        prefixes = self.context.setdefault("_api_url_prefixes", {})
        if self.link_name not in prefixes:
            prefixes[self.link_name] = api_url(
                self.context.get("request"), self.link_name, PLACEHOLDER
            ).rsplit(PLACEHOLDER, 1)
        before, after = prefixes[self.link_name]
        return f"{before}{getattr(obj, self.link_key)}{after}"


# --- references nested in a case ----------------------------------------------------


class PersonRefSerializer(LinkedSerializer):
    link_name = "person"
    id = serializers.IntegerField(read_only=True)
    api_url = serializers.SerializerMethodField()
    name = serializers.CharField(
        source="public_name",
        read_only=True,
        help_text="The name as the person's privacy level allows: the real name of a "
        "public figure, else initials or a description.",
    )
    privacy = serializers.ChoiceField(
        choices=[Privacy.PUBLIC, Privacy.PSEUDONYMISED],
        read_only=True,
        help_text="public: `name` is the real name; pseudonymised: it is not.",
    )
    occupation = serializers.CharField(read_only=True)


class AuthorityRefSerializer(LinkedSerializer):
    link_name = "authority"
    id = serializers.IntegerField(read_only=True)
    api_url = serializers.SerializerMethodField()
    name = serializers.CharField(read_only=True)
    name_original = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=AuthorityKind.choices, read_only=True)
    province = serializers.ChoiceField(choices=[("", "Unknown"), *Province.choices], read_only=True)
    city = serializers.CharField(read_only=True)


class SourceRefSerializer(LinkedSerializer):
    link_name = "source"
    id = serializers.IntegerField(read_only=True)
    api_url = serializers.SerializerMethodField()
    kind = serializers.ChoiceField(choices=SourceKind.choices, read_only=True)
    title = serializers.CharField(read_only=True)
    outlet = serializers.CharField(read_only=True)
    authors = serializers.ListField(child=serializers.CharField(), read_only=True)
    language = serializers.CharField(read_only=True)
    published = PartialDateField(read_only=True)
    url = serializers.CharField(read_only=True, help_text="Where the source was published.")
    relation = serializers.ChoiceField(choices=SourceRelation.choices, read_only=True)
    reliability = serializers.ChoiceField(choices=Reliability.choices, read_only=True)
    sharing = serializers.ChoiceField(
        choices=Sharing.choices,
        read_only=True,
        help_text="Who may download the files kept of this source's captures: public, "
        "on_request (the editors share a copy with those who ask) or never. A file of a "
        "case whose person is not a public figure is never downloadable.",
    )


class KeptFileSerializer(serializers.Serializer):
    sha256 = serializers.CharField(
        read_only=True,
        help_text="SHA-256 of the file, computed by Casefile on receipt: anyone holding a "
        "copy can check that it is the same file.",
    )
    size = serializers.IntegerField(read_only=True, help_text="In bytes.")
    media_type = serializers.ChoiceField(
        choices=MediaType.choices, read_only=True, help_text="Told from the file's content."
    )
    attached_at = serializers.DateTimeField(read_only=True, help_text="When it was kept.")
    download_url = serializers.SerializerMethodField(
        help_text="The file, where the source's sharing and the people of the cases citing "
        "the capture allow it to be downloaded; otherwise this address answers 404."
    )

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, kept) -> str:
        return absolute(self.context.get("request"), kept.download_url())


def absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request else path


class CaptureSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    page_url = serializers.SerializerMethodField(
        help_text="The capture's page: its kept files and the cases citing it."
    )
    label = serializers.CharField(read_only=True)
    url = serializers.CharField(
        source="effective_url", read_only=True, help_text="The URL that was captured."
    )
    archive_url = serializers.CharField(read_only=True)
    captured_at = serializers.DateTimeField(read_only=True)
    sha256 = serializers.CharField(
        read_only=True,
        help_text="The digest recorded when the capture was made, if any; kept files carry "
        "their own (`files`).",
    )
    files = KeptFileSerializer(
        many=True, read_only=True, help_text="The files Casefile keeps of this capture."
    )

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, capture) -> str:
        return absolute(self.context.get("request"), capture.get_absolute_url())


class CitedCaptureSerializer(CaptureSerializer):
    source = SourceRefSerializer(read_only=True)


class PartCitationSerializer(serializers.Serializer):
    locator = serializers.CharField(read_only=True)
    quote = serializers.CharField(read_only=True)
    quote_verified = serializers.SerializerMethodField(
        help_text="Whether the quote was found in the text of a file kept of the capture "
        "(punctuation, spacing, width and simplified/traditional characters aside)."
    )
    capture = CitedCaptureSerializer(read_only=True)

    def get_quote_verified(self, citation) -> bool:
        return citation.quote_check == QuoteCheck.FOUND


class CaseCitationSerializer(PartCitationSerializer):
    claim = serializers.ChoiceField(
        source="case_field",
        choices=CitedField.choices,
        read_only=True,
        help_text="The part of the case the citation supports.",
    )

    class Meta:
        fields = ["claim", "locator", "quote", "quote_verified", "capture"]


class RestrictionSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RestrictionKind.choices, read_only=True)
    details = serializers.CharField(read_only=True)
    started = PartialDateField(read_only=True)
    ended = PartialDateField(read_only=True)
    citations = PartCitationSerializer(many=True, read_only=True, source="cited")


class AmountSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AmountKind.choices, read_only=True)
    value = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    currency = serializers.ChoiceField(choices=list(CURRENCIES), read_only=True)
    as_reported = serializers.CharField(read_only=True)
    value_cny = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text="The yuan figure, only when a source gives it; never computed.",
    )
    description = serializers.CharField(read_only=True)
    citations = PartCitationSerializer(many=True, read_only=True, source="cited")


class EventSerializer(serializers.Serializer):
    occurred = PartialDateField(read_only=True)
    kind = serializers.ChoiceField(choices=EventKind.choices, read_only=True)
    description = serializers.CharField(read_only=True)
    citations = PartCitationSerializer(many=True, read_only=True, source="cited")


class CaseSerializer(LinkedSerializer):
    """A published case with everything it records, nested."""

    link_name = "case"
    link_key = "public_id"

    id = serializers.CharField(source="public_id", read_only=True, help_text="Stable case id.")
    api_url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField(help_text="Always `published` here.")
    person = PersonRefSerializer(read_only=True)
    list = serializers.ChoiceField(source="list_name", choices=ListName.choices, read_only=True)
    authority = AuthorityRefSerializer(read_only=True, allow_null=True)
    docket_number = serializers.CharField(read_only=True)
    reason_original = serializers.CharField(read_only=True)
    reason_en = serializers.CharField(read_only=True)
    offence = serializers.ChoiceField(
        source="offence_category", choices=OffenceCategory.choices, read_only=True
    )
    status = serializers.ChoiceField(choices=CaseStatus.choices, read_only=True)
    listed = PartialDateField(read_only=True)
    discovered = PartialDateField(read_only=True)
    removed = PartialDateField(read_only=True)
    notified = serializers.BooleanField(read_only=True, allow_null=True)
    appeal_available = serializers.BooleanField(read_only=True, allow_null=True)
    appeal_attempted = serializers.BooleanField(read_only=True, allow_null=True)
    summary = serializers.CharField(read_only=True)
    narrative = serializers.CharField(read_only=True)
    outcome = serializers.CharField(read_only=True)
    restrictions = RestrictionSerializer(many=True, read_only=True, source="restriction_list")
    amounts = AmountSerializer(many=True, read_only=True, source="amount_list")
    events = EventSerializer(many=True, read_only=True, source="event_list")
    citations = CaseCitationSerializer(
        many=True,
        read_only=True,
        source="field_citations",
        help_text="Citations of the case's own fields; the parts carry theirs.",
    )
    published_at = serializers.DateTimeField(read_only=True, allow_null=True)
    updated_at = serializers.DateTimeField(read_only=True)
    version = serializers.CharField(
        read_only=True, help_text="Changes whenever anything shown here changes (the ETag)."
    )

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, case) -> str:
        return page_url(self.context.get("request"), case)

    @extend_schema_field({"type": "string", "enum": ["published"]})
    def get_state(self, case) -> str:
        return "published"


class TombstoneSerializer(serializers.Serializer):
    """A case a mirror must delete: it left the published dataset."""

    id = serializers.CharField(read_only=True)
    state = serializers.ChoiceField(choices=list(TOMBSTONE_STATES), read_only=True)
    updated_at = serializers.DateTimeField(read_only=True, help_text="When it left.")


# --- persons, authorities, sources ----------------------------------------------------


class PersonSerializer(PersonRefSerializer):
    page_url = serializers.SerializerMethodField()
    cases_url = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField(read_only=True)

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, person) -> str:
        return page_url(self.context.get("request"), person)

    @extend_schema_field(OpenApiTypes.URI)
    def get_cases_url(self, person) -> str:
        return cases_url(self.context.get("request"), "person", person.pk)


class AuthoritySerializer(AuthorityRefSerializer):
    page_url = serializers.SerializerMethodField()
    cases_url = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField(read_only=True)

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, authority) -> str:
        return page_url(self.context.get("request"), authority)

    @extend_schema_field(OpenApiTypes.URI)
    def get_cases_url(self, authority) -> str:
        return cases_url(self.context.get("request"), "authority", authority.pk)


class SourceSerializer(SourceRefSerializer):
    page_url = serializers.SerializerMethodField()
    captures = CaptureSerializer(many=True, read_only=True)
    cases_url = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField(read_only=True)

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, source) -> str:
        return page_url(self.context.get("request"), source)

    @extend_schema_field(OpenApiTypes.URI)
    def get_cases_url(self, source) -> str:
        return cases_url(self.context.get("request"), "source", source.pk)


def cases_url(request, parameter: str, key) -> str:
    path = reverse("api:case-list", kwargs={"version": "v1"}) + f"?{parameter}={key}"
    return absolute_url(request, path) if request else path


# --- facets, info -----------------------------------------------------------------------


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "additionalProperties": {"type": "string"},
        "description": "The query parameters that select exactly this value, e.g. "
        '`{"notified": "yes"}` or `{"listed_from": "2017", "listed_to": "2017"}`: set them '
        "in the query counted, replacing its values of those parameters. Null for an "
        "unknown year or province, which no filter selects.",
        "example": {"notified": "yes"},
    }
)
class FacetParamsField(serializers.JSONField):
    pass


class FacetValueSerializer(serializers.Serializer):
    value = serializers.JSONField(
        help_text="The facet value: a vocabulary key, a year, true/false, or null for unknown."
    )
    label = serializers.CharField(help_text="The value as the search page shows it.")
    count = serializers.IntegerField()
    params = FacetParamsField()


class FacetsSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="Cases matching the filters.")
    estimated = serializers.BooleanField(
        help_text="The counts of a result set larger than 10,000 cases are estimated from a "
        "sample of one case in 64 (and rounded); below that they are exact."
    )
    restriction = FacetValueSerializer(many=True)
    list = FacetValueSerializer(many=True)
    offence = FacetValueSerializer(many=True)
    status = FacetValueSerializer(many=True)
    year = FacetValueSerializer(many=True, help_text="Year listed; null: unknown.")
    notified = FacetValueSerializer(many=True)
    province = FacetValueSerializer(many=True, help_text='Province; "": unknown.')


class CountsSerializer(serializers.Serializer):
    cases = serializers.IntegerField()
    persons = serializers.IntegerField()
    authorities = serializers.IntegerField()
    sources = serializers.IntegerField()


class ExportLinksSerializer(serializers.Serializer):
    ndjson = serializers.URLField(help_text="Every published case, one JSON object per line.")
    csv = serializers.URLField(help_text="Every published case, one CSV row each.")
    persons_csv = serializers.URLField(help_text="People with a published case.")
    sources_csv = serializers.URLField(help_text="Cited sources, one row per capture.")
    citations_csv = serializers.URLField(help_text="Citations: claim, capture, locator, quote.")
    datapackage = serializers.URLField(
        help_text="The Frictionless Data Package describing every export, column by column."
    )


class LicenseSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="SPDX identifier, e.g. CC-BY-4.0.")
    title = serializers.CharField()
    path = serializers.URLField(help_text="The licence's text.")
    exception = serializers.CharField(help_text="What the licence does not cover.")


class InfoSerializer(serializers.Serializer):
    last_modified = serializers.DateTimeField(
        allow_null=True, help_text="When anything in the dataset last changed (or left it)."
    )
    feed_watermark = serializers.DateTimeField(
        help_text="Every change before this time is already visible: pass it as "
        "`updated_since` on your next poll of the change feed."
    )
    counts = CountsSerializer()
    exports = ExportLinksSerializer()
    license = LicenseSerializer(help_text="The licence of Casefile's data.")
    schema = serializers.URLField()
    documentation = serializers.URLField()


# --- editors' writes ----------------------------------------------------------------------


class StrictInputSerializer(serializers.Serializer):
    """Refuses fields it does not know: a misspelt field ("sumary") must not be dropped
    silently while the write succeeds, nor may read-only ones (publication_state)."""

    def to_internal_value(self, data):
        unknown = {}
        if isinstance(data, dict):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = {
                name: ["Unknown field: it cannot be written here."]
                for name in sorted(set(data) - writable)
            }
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            # Report the unknown fields with every other error, not instead of them.
            if unknown and isinstance(error.detail, dict):
                raise serializers.ValidationError({**error.detail, **unknown}) from None
            raise
        if unknown:
            raise serializers.ValidationError(unknown, code="unknown")
        return value


class PlainTextField(serializers.CharField):
    """Text as it is stored (casefile.core.text): line breaks as "\\n"; a control
    character other than tab and line feed is refused, by position."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # validate_plain_text refuses a NUL as well, saying where it is
        self.validators = [
            *(v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)),
            validate_plain_text,
        ]

    def to_internal_value(self, data):
        return normalize_line_breaks(super().to_internal_value(data))


class CitationInputSerializer(StrictInputSerializer):
    capture = serializers.PrimaryKeyRelatedField(
        queryset=SourceCapture.objects.all(), help_text="Id of the source capture cited."
    )
    locator = PlainTextField(max_length=200, required=False, allow_blank=True)
    quote = PlainTextField(required=False, allow_blank=True)


class CaseCitationInputSerializer(CitationInputSerializer):
    claim = serializers.ChoiceField(choices=CitedField.choices, source="case_field")


class RestrictionInputSerializer(StrictInputSerializer):
    kind = serializers.ChoiceField(choices=RestrictionKind.choices)
    details = PlainTextField(required=False, allow_blank=True)
    started = PartialDateField(required=False, allow_null=True)
    ended = PartialDateField(required=False, allow_null=True)
    citations = CitationInputSerializer(many=True, required=False)


class AmountInputSerializer(StrictInputSerializer):
    kind = serializers.ChoiceField(choices=AmountKind.choices)
    value = serializers.DecimalField(max_digits=16, decimal_places=2)
    currency = serializers.ChoiceField(choices=list(CURRENCIES))
    as_reported = PlainTextField(max_length=200, required=False, allow_blank=True)
    value_cny = serializers.DecimalField(
        max_digits=16, decimal_places=2, required=False, allow_null=True
    )
    description = PlainTextField(max_length=300, required=False, allow_blank=True)
    citations = CitationInputSerializer(many=True, required=False)


class EventInputSerializer(StrictInputSerializer):
    occurred = PartialDateField()
    kind = serializers.ChoiceField(choices=EventKind.choices)
    description = PlainTextField()
    citations = CitationInputSerializer(many=True, required=False)


# API field name -> model attribute, for the case's own fields.
CASE_INPUT_FIELDS = {
    "person": "person",
    "list": "list_name",
    "authority": "authority",
    "docket_number": "docket_number",
    "reason_original": "reason_original",
    "reason_en": "reason_en",
    "offence": "offence_category",
    "status": "status",
    "listed": "listed",
    "discovered": "discovered",
    "removed": "removed",
    "notified": "notified",
    "appeal_available": "appeal_available",
    "appeal_attempted": "appeal_attempted",
    "summary": "summary",
    "narrative": "narrative",
    "outcome": "outcome",
}
PART_FIELDS = ("restrictions", "amounts", "events", "citations")
# Model field -> the API's name for it, for errors the models report.
MODEL_TO_API_FIELD = {
    **{model: api for api, model in CASE_INPUT_FIELDS.items()},
    **{
        f"{name}_on{suffix}": name
        for name in ("listed", "discovered", "removed", "started", "ended", "occurred")
        for suffix in ("", "_precision")
    },
    "case_field": "claim",
}


def api_error_path(path: str) -> str:
    """A model error's dotted path in the API's names: restrictions[0].ended_on ->
    restrictions[0].ended, offence_category -> offence."""
    *parents, last = path.split(".")
    return ".".join([*parents, MODEL_TO_API_FIELD.get(last, last)])


# The limits of casefile.cases.services.part_limit_errors, for the schema.
PARTS_HELP = (
    f"At most {settings.CASE_MAX_PARTS}; a part has at most {settings.CASE_MAX_PARTS} "
    f"citations, and a case is written with at most {settings.CASE_MAX_CITATIONS} "
    "citations in all (its own and its parts')."
)


class CaseInputSerializer(StrictInputSerializer):
    """A case as an editor writes it. Lists of parts replace the case's parts of that
    kind (with their citations); a list left out leaves those parts as they are."""

    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())
    list = serializers.ChoiceField(choices=ListName.choices, required=False)
    authority = serializers.PrimaryKeyRelatedField(
        queryset=Authority.objects.all(), required=False, allow_null=True
    )
    docket_number = PlainTextField(max_length=100, required=False, allow_blank=True)
    reason_original = PlainTextField(required=False, allow_blank=True)
    reason_en = PlainTextField(required=False, allow_blank=True)
    offence = serializers.ChoiceField(choices=OffenceCategory.choices, required=False)
    status = serializers.ChoiceField(choices=CaseStatus.choices, required=False)
    listed = PartialDateField(required=False, allow_null=True)
    discovered = PartialDateField(required=False, allow_null=True)
    removed = PartialDateField(required=False, allow_null=True)
    notified = serializers.BooleanField(required=False, allow_null=True)
    appeal_available = serializers.BooleanField(required=False, allow_null=True)
    appeal_attempted = serializers.BooleanField(required=False, allow_null=True)
    summary = PlainTextField(required=False, allow_blank=True)
    narrative = PlainTextField(required=False, allow_blank=True)
    outcome = PlainTextField(required=False, allow_blank=True)
    restrictions = RestrictionInputSerializer(many=True, required=False, help_text=PARTS_HELP)
    amounts = AmountInputSerializer(many=True, required=False, help_text=PARTS_HELP)
    events = EventInputSerializer(many=True, required=False, help_text=PARTS_HELP)
    citations = CaseCitationInputSerializer(many=True, required=False, help_text=PARTS_HELP)

    def to_internal_value(self, data):
        # Too many parts is refused before any is validated (each citation looks up its
        # capture): the services' limits, asked of the data as sent.
        errors = services.part_limit_errors(data) if isinstance(data, dict) else {}
        if errors:
            raise serializers.ValidationError(
                {
                    path: [ErrorDetail(message, code="max_length") for message in messages]
                    for path, messages in errors.items()
                }
            )
        return super().to_internal_value(data)

    def split(self) -> tuple[dict, dict]:
        """(case fields by model attribute, parts) from validated data."""
        data = dict(self.validated_data)
        parts = {key: data.pop(key) for key in PART_FIELDS if key in data}
        fields = {CASE_INPUT_FIELDS[key]: value for key, value in data.items()}
        return fields, parts


class CaptureFileInputSerializer(StrictInputSerializer):
    file = serializers.FileField(
        allow_empty_file=True,  # refused with the reason by the service, like any other
        help_text="The file to keep: a PDF, an HTML page, a WARC or WACZ web archive, a PNG "
        "or JPEG image, or plain text (told from the content).",
    )
    sha256 = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=80,
        help_text="The digest your capture tool recorded, as 64 hexadecimal characters: a "
        "file with another digest is refused.",
    )


class EditorKeptFileSerializer(KeptFileSerializer):
    """A kept file as editors see it: who attached it, its text extraction, its last check."""

    id = serializers.IntegerField(read_only=True)
    api_url = serializers.SerializerMethodField()
    capture = serializers.IntegerField(source="capture_id", read_only=True)
    original_name = serializers.CharField(read_only=True)
    attached_by = serializers.SerializerMethodField(help_text="The username, if any.")
    text_status = serializers.ChoiceField(choices=TextStatus.choices, read_only=True)
    text_error = serializers.CharField(read_only=True)
    text_length = serializers.IntegerField(
        source="text_chars", read_only=True, help_text="Characters of text extracted."
    )
    extractor = serializers.CharField(read_only=True)
    extracted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    integrity = serializers.ChoiceField(choices=Integrity.choices, read_only=True)
    checked_at = serializers.DateTimeField(read_only=True, allow_null=True)

    @extend_schema_field(OpenApiTypes.URI)
    def get_api_url(self, kept) -> str:
        path = reverse(
            "api:editor-capture-file",
            kwargs={"version": "v1", "pk": kept.capture_id, "digest": kept.sha256},
        )
        return absolute(self.context.get("request"), path)

    def get_attached_by(self, kept) -> str:
        return kept.attached_by.get_username() if kept.attached_by_id else ""


class EditableCaseSerializer(CaseSerializer):
    """A case as editors see it through the API: any state, with its version."""

    state = serializers.ChoiceField(
        source="publication_state", choices=PublicationState.choices, read_only=True
    )
    person = serializers.IntegerField(source="person_id", read_only=True)
    authority = serializers.IntegerField(source="authority_id", read_only=True, allow_null=True)

    def get_api_url(self, case) -> str:
        path = reverse("api:editor-case-detail", kwargs={"version": "v1", "key": case.public_id})
        request = self.context.get("request")
        return absolute_url(request, path) if request else path


# --- the one error shape (documented in the schema for every 4xx) -----------------------


class ErrorItemSerializer(serializers.Serializer):
    location = serializers.ChoiceField(
        choices=["query", "body", "header", "path"], help_text="Where the problem is."
    )
    name = serializers.CharField(
        help_text="The query parameter, header, or body field as a dotted path "
        "(`restrictions[0].kind`); empty for the body as a whole."
    )
    code = serializers.CharField(help_text="Machine-readable: invalid, required, unknown, …")
    message = serializers.CharField(help_text="What was wrong, in English.")

    def get_fields(self):
        fields = super().get_fields()
        fields["in"] = fields.pop("location")  # "in" is a Python keyword
        return fields


class ErrorSerializer(serializers.Serializer):
    status = serializers.IntegerField(help_text="The HTTP status code.")
    code = serializers.CharField(
        help_text="invalid_parameters, unknown_parameters, validation_failed, "
        "not_authenticated, authentication_failed, permission_denied, not_found, "
        "method_not_allowed, not_acceptable, unsupported_media_type, parse_error, "
        "payload_too_large, throttled, precondition_failed, precondition_required, gone, "
        "service_unavailable, timeout."
    )
    detail = serializers.CharField(help_text="One sentence for a person.")
    errors = ErrorItemSerializer(many=True)
