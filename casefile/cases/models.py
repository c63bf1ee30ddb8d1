import random
import secrets
import unicodedata

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import MD5, ExtractYear
from django.urls import reverse

from casefile.authorities.models import Authority
from casefile.cases.querysets import CaseQuerySet
from casefile.cases.visibility import STAMPED_PUBLIC_SQL
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
from casefile.core.constraints import FieldCheckConstraint, in_vocabulary, plain_text
from casefile.core.currencies import CURRENCIES, CURRENCY_CHOICES
from casefile.core.dates import (
    PartialDateDescriptor,
    not_before_constraint,
    partial_date_constraints,
    precision_field,
)
from casefile.core.expressions import CjkGrams
from casefile.core.history import track_history
from casefile.core.models import TimeStampedModel
from casefile.core.triggers import after_rows_change
from casefile.people.models import Person
from casefile.sources.models import SourceCapture

# Crockford's base32: no I, L, O or U, so an id read aloud or retyped survives.
PUBLIC_ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PUBLIC_ID_LENGTH = 10
_system_random = secrets.SystemRandom()


def new_public_id(rng: random.Random | None = None) -> str:
    """A random, unguessable case id (50 bits): ids reveal neither order nor totals. The
    one generator of the project: forms, the API, the importer (100,000 at a time: the
    bits are drawn at once) and, with a seeded `rng`, the synthetic data."""
    bits = (rng or _system_random).getrandbits(PUBLIC_ID_LENGTH * 5)
    return "".join(PUBLIC_ID_ALPHABET[(bits >> (5 * i)) & 31] for i in range(PUBLIC_ID_LENGTH))


def touch_case_triggers(table: str) -> list:
    """A part changed, so its case changed: updated_at drives ETags and the change feed."""
    return after_rows_change(
        f"touch_case_{table}",
        "UPDATE cases_case SET updated_at = clock_timestamp() "
        "WHERE id IN (SELECT case_id FROM {changed_rows} AS changed);",
    )


def published_only(expression, output_field):
    """`expression` for a published case, NULL for any other (see Case.search_vector)."""
    return models.Case(
        models.When(publication_state=PublicationState.PUBLISHED, then=expression),
        output_field=output_field,
    )


# Columns computed from other columns: not worth keeping in history, not readable by a
# BEFORE trigger.
CASE_DERIVED_FIELDS = (
    "search_text",
    "search_vector",
    "text_grams",
    "listed_year",
    "restriction_kinds",
    "first_public_at",
    "left_public_at",
)


@track_history(exclude=CASE_DERIVED_FIELDS)
class Case(TimeStampedModel):
    public_id = models.CharField(
        "public id",
        max_length=PUBLIC_ID_LENGTH,
        unique=True,
        default=new_public_id,
        editable=False,
        help_text="Stable identifier used in the case's permanent URL and in citations.",
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases")
    list_name = models.CharField(
        "list",
        max_length=30,
        choices=ListName.choices,
        default=ListName.SPC_DISHONEST_DEBTORS,
        help_text="The list the person was put on.",
    )
    authority = models.ForeignKey(
        Authority,
        on_delete=models.PROTECT,
        related_name="cases",
        null=True,
        blank=True,
        help_text="The court or agency that listed the person, when known.",
    )
    docket_number = models.CharField(
        max_length=100, blank=True, help_text="The case (docket) number, e.g. (2016)黔0502执2376号."
    )
    reason_original = models.TextField(
        "stated reason (original)", blank=True, help_text="Verbatim, in the list's own language."
    )
    reason_en = models.TextField("stated reason (English)", blank=True)
    offence_category = models.CharField(
        max_length=20, choices=OffenceCategory.choices, default=OffenceCategory.OTHER
    )
    status = models.CharField(max_length=10, choices=CaseStatus.choices, default=CaseStatus.UNKNOWN)

    listed_on = models.DateField(null=True, blank=True, help_text="When the person was listed.")
    listed_on_precision = precision_field("listed_on")
    discovered_on = models.DateField(
        null=True, blank=True, help_text="When the person learned of the listing."
    )
    discovered_on_precision = precision_field("discovered_on")
    removed_on = models.DateField(
        null=True, blank=True, help_text="When the person was taken off the list."
    )
    removed_on_precision = precision_field("removed_on")

    notified = models.BooleanField(
        null=True, blank=True, help_text="Was the person told of the listing? Blank: unknown."
    )
    appeal_available = models.BooleanField(
        null=True, blank=True, help_text="Was there a route to appeal or object? Blank: unknown."
    )
    appeal_attempted = models.BooleanField(
        null=True, blank=True, help_text="Did the person appeal or object? Blank: unknown."
    )

    summary = models.TextField(blank=True, help_text="One paragraph, in English.")
    narrative = models.TextField(blank=True, help_text="The fuller account, in English.")
    outcome = models.TextField(blank=True, help_text="How the case ended, if it has.")

    publication_state = models.CharField(
        max_length=10, choices=PublicationState.choices, default=PublicationState.DRAFT
    )
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    retracted_at = models.DateTimeField(null=True, blank=True, editable=False)
    retraction_note = models.TextField(
        blank=True, help_text="Shown on the case's URL once the case is retracted."
    )
    # Kept by a database trigger (migration 0012) by the rule of casefile.cases.visibility,
    # on every write of the case and of its person's privacy: the change feed says a case
    # left only if it was public once, as of when it left; draft work moves neither.
    first_public_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the case first became public (published, its person not withheld).",
    )
    left_public_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When a case that was public stopped being so (retracted, or its person "
        "withheld); empty while it is public or if it never was.",
    )
    external_key = models.CharField(
        max_length=100,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text="The spreadsheet importer's stable key (the case_key column): "
        "re-importing a row with the same key updates this case.",
    )
    # db_default: bulk loaders that COPY rows (generate_cases, the importer) may leave
    # the editors' own fields out.
    notes = models.TextField(
        blank=True, default="", db_default="", help_text="For editors only; never published."
    )
    review_comment = models.TextField(
        blank=True,
        default="",
        db_default="",
        help_text="The reviewer's comment when the case was last sent back to draft; for "
        "editors only. Earlier comments are kept in the case's history.",
    )

    restriction_kinds = ArrayField(
        models.CharField(max_length=30),
        default=list,
        editable=False,
        help_text="The kinds of the case's restrictions, kept by a database trigger.",
    )
    listed_year = models.GeneratedField(
        expression=ExtractYear("listed_on"),
        output_field=models.IntegerField(),
        db_persist=True,
    )
    # The search columns are computed for published cases only (NULL otherwise): only
    # published() cases are ever searched, and publishing recomputes them, as any update
    # does. Drafts (100,000 at a time from an import) skip the text, the tsvector, the
    # grams and their GIN index entries.
    # NULL, not "": not computed (a draft), as the generated columns below.
    search_text = models.TextField(  # noqa: DJ001
        null=True,
        blank=True,
        editable=False,
        help_text="What the case page shows beyond the case's own text, for search: the "
        "vocabulary labels and keys of its offence, list, status, restrictions, events and "
        "amounts; its authority, province and city in English and Chinese; its person's "
        "name forms and occupation as the privacy level allows (casefile.cases.visibility); "
        "its restrictions' details, events' and amounts' descriptions; the outlets and "
        "authors of the sources it cites, their titles and the quotations only where the "
        "person is a public figure. Kept by a database trigger from every table it reads "
        "(migration cases 0013), for published cases only.",
    )
    search_vector = models.GeneratedField(
        expression=published_only(
            SearchVector("summary", weight="A", config="english")
            + SearchVector("reason_en", "outcome", "search_text", weight="B", config="english")
            + SearchVector("narrative", weight="C", config="english"),
            SearchVectorField(),
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    text_grams = models.GeneratedField(
        expression=published_only(
            CjkGrams(
                "reason_original", "summary", "narrative", "outcome", "docket_number", "search_text"
            ),
            ArrayField(models.TextField()),
        ),
        output_field=ArrayField(models.TextField()),
        db_persist=True,
    )

    listed = PartialDateDescriptor("listed_on")
    discovered = PartialDateDescriptor("discovered_on")
    removed = PartialDateDescriptor("removed_on")

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-listed_on", "-id"]
        constraints = [
            in_vocabulary("list_name", ListName, name="case_list_name_valid"),
            in_vocabulary("offence_category", OffenceCategory, name="case_offence_category_valid"),
            in_vocabulary("status", CaseStatus, name="case_status_valid"),
            in_vocabulary(
                "publication_state", PublicationState, name="case_publication_state_valid"
            ),
            FieldCheckConstraint(
                condition=Q(restriction_kinds__contained_by=RestrictionKind.values),
                name="case_restriction_kinds_valid",
                field="restriction_kinds",
            ),
            *partial_date_constraints("listed_on", prefix="case"),
            *partial_date_constraints("discovered_on", prefix="case"),
            *partial_date_constraints("removed_on", prefix="case"),
            not_before_constraint(
                "removed_on",
                "listed_on",
                name="case_removed_not_before_listed",
                message="The removal cannot be before the listing.",
            ),
            *plain_text(
                "docket_number",
                "reason_original",
                "reason_en",
                "summary",
                "narrative",
                "outcome",
                "retraction_note",
                "external_key",
                "notes",
                "review_comment",
                prefix="case",
            ),
        ]
        indexes = [
            # Every public query filters on the state; the partial indexes below cover
            # the published rows the public pages and API read.
            models.Index(fields=["publication_state", "updated_at"], name="case_state_updated"),
            # Public listing ordered by date listed; change feed by updated_at.
            models.Index(
                F("listed_on").desc(nulls_last=True),
                F("id").desc(),
                name="case_published_listed",
                condition=Q(publication_state="published"),
            ),
            # ordering=listed (oldest first) keeps undated cases last, as the newest-first
            # order does: a backward scan of the index above would put them first.
            models.Index(
                F("listed_on").asc(nulls_last=True),
                F("id"),
                name="case_published_listed_asc",
                condition=Q(publication_state="published"),
            ),
            # Facet counts (CaseQuerySet.facet_counts) of large result sets by index-only
            # scans: every column they read, in a fraction of the table's width. The
            # authority leads, so that a province filter reads a range of it.
            models.Index(
                fields=[
                    "authority",
                    "listed_year",
                    "offence_category",
                    "list_name",
                    "status",
                    "notified",
                ],
                include=["person", "restriction_kinds"],
                name="case_published_facets",
                condition=Q(publication_state="published"),
            ),
            # removed_from/removed_to (the statistics' years removed are links to them), by
            # index-only scans: a search's page of a year's removals sorts a few thousand
            # index rows rather than walking every case listed after it. Only cases with
            # a removal date (the filter implies one).
            models.Index(
                fields=["removed_on", "listed_on", "id"],
                include=["person", "restriction_kinds"],
                name="case_removed_published",
                condition=Q(publication_state="published", removed_on__isnull=False),
            ),
            # The home page's most recently published cases.
            models.Index(
                F("published_at").desc(nulls_last=True),
                F("id").desc(),
                name="case_published_recent",
                condition=Q(publication_state="published"),
            ),
            # The API's change feed: cases of every state by (updated_at, public_id).
            models.Index(fields=["updated_at", "public_id"], name="case_updated_public_id"),
            # The change feed's tombstones: cases that left the public dataset, by when.
            models.Index(
                fields=["left_public_at", "public_id"],
                name="case_left_public",
                condition=Q(left_public_at__isnull=False),
            ),
            # Restriction facet and filter: restriction_kinds @> '{air_travel}'.
            GinIndex(fields=["restriction_kinds"], name="case_restriction_kinds"),
            # Full-text search over the English narrative fields.
            GinIndex(fields=["search_vector"], name="case_search_vector"),
            # Substring search in Chinese text, including two-character strings.
            GinIndex(fields=["text_grams"], name="case_text_grams"),
            # Docket-number search, case- and width-insensitive.
            models.Index(models.functions.Upper("docket_number"), name="case_docket_upper"),
        ]
        # Public search counts are cached under PublicDataVersion: any statement that
        # writes a case that is (or was, before the statement) public moves it, as stamped
        # by the trigger of migration 0012 (casefile.cases.visibility.STAMPED_PUBLIC_SQL).
        # Parts, people, authorities and sources touch their cases, so their changes move
        # it too; drafts and a withheld person's cases never do.
        triggers = after_rows_change(
            "public_data_changed",
            f"""
            IF EXISTS (SELECT 1 FROM {{changed_rows}} AS changed
                       WHERE {STAMPED_PUBLIC_SQL.format(row="changed")}) THEN
                INSERT INTO cases_publicdataversion (id, changed_at)
                VALUES (1, clock_timestamp())
                ON CONFLICT (id) DO UPDATE SET changed_at = EXCLUDED.changed_at;
            END IF;
            """,
        )
        permissions = [
            ("publish_case", "Can publish cases, send them back to draft and retract them"),
            ("view_case_history", "Can see the full history of a case"),
            ("restore_case", "Can restore an earlier version of a case"),
            ("import_cases", "Can import cases from a spreadsheet"),
        ]

    def __str__(self):
        return f"{self.public_id}: {self.person} ({self.get_list_name_display()})"

    def get_absolute_url(self):
        return reverse("case-detail", args=[self.public_id])

    def save(self, *args, **kwargs):
        # Dockets are typed with full-width brackets as often as half-width ones.
        self.docket_number = "".join(unicodedata.normalize("NFKC", self.docket_number).split())
        super().save(*args, **kwargs)
        # The database stamps updated_at with its own clock on every write (trigger
        # casefile_case_updated_now, migration cases/0006): read it back, so that
        # `version` is the stored row's.
        self.updated_at = (
            type(self).objects.filter(pk=self.pk).values_list("updated_at", flat=True).get()
        )

    @property
    def version(self) -> str:
        """A token that changes whenever the case, one of its parts, its person or a cited
        source changes (triggers touch updated_at). It is the case's ETag, and what an
        editor's form or an API client sends back to show it saw the latest version.
        Read it from a freshly loaded row: triggers change updated_at behind the ORM."""
        return f"{self.public_id}.{self.updated_at:%Y%m%d%H%M%S%f}"


@track_history(indexed=("case",))
class Restriction(TimeStampedModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="restrictions")
    kind = models.CharField(max_length=30, choices=RestrictionKind.choices)
    details = models.TextField(blank=True, help_text="What was refused or imposed, and how.")
    started_on = models.DateField(null=True, blank=True)
    started_on_precision = precision_field("started_on")
    ended_on = models.DateField(null=True, blank=True)
    ended_on_precision = precision_field("ended_on")

    started = PartialDateDescriptor("started_on")
    ended = PartialDateDescriptor("ended_on")

    class Meta:
        ordering = ["case", "kind", "id"]
        constraints = [
            in_vocabulary("kind", RestrictionKind, name="restriction_kind_valid"),
            *partial_date_constraints("started_on", prefix="restriction"),
            *partial_date_constraints("ended_on", prefix="restriction"),
            not_before_constraint(
                "ended_on",
                "started_on",
                name="restriction_ended_not_before_started",
                message="A restriction cannot end before it started.",
            ),
            *plain_text("details", prefix="restriction"),
        ]
        triggers = after_rows_change(
            "case_restriction_kinds",
            """
            UPDATE cases_case AS c
            SET restriction_kinds = ARRAY(
                    SELECT DISTINCT r.kind FROM cases_restriction AS r
                    WHERE r.case_id = c.id ORDER BY r.kind),
                updated_at = clock_timestamp()
            WHERE c.id IN (SELECT case_id FROM {changed_rows} AS changed);
            """,
        )

    def __str__(self):
        return self.get_kind_display()


@track_history(indexed=("case",))
class Amount(TimeStampedModel):
    """A sum of money as a source reports it: never converted."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="amounts")
    kind = models.CharField(max_length=10, choices=AmountKind.choices)
    value = models.DecimalField(max_digits=16, decimal_places=2)
    currency = models.CharField(
        max_length=3, choices=CURRENCY_CHOICES, help_text="ISO 4217 code of the figure as reported."
    )
    as_reported = models.CharField(
        max_length=200, blank=True, help_text='The figure as printed, e.g. "at least $1,330".'
    )
    value_cny = models.DecimalField(
        "original amount in yuan",
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="The yuan figure, only when a source gives it; never computed.",
    )
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["case", "kind", "id"]
        constraints = [
            in_vocabulary("kind", AmountKind, name="amount_kind_valid"),
            FieldCheckConstraint(
                condition=Q(value__gte=0),
                name="amount_value_not_negative",
                field="value",
                violation_error_message="An amount cannot be negative.",
            ),
            FieldCheckConstraint(
                condition=Q(value_cny__isnull=True) | Q(value_cny__gte=0),
                name="amount_value_cny_not_negative",
                field="value_cny",
                violation_error_message="An amount cannot be negative.",
            ),
            FieldCheckConstraint(
                condition=Q(currency__in=list(CURRENCIES)),
                name="amount_currency_iso4217",
                field="currency",
                violation_error_message="Use a three-letter ISO 4217 currency code, e.g. CNY.",
            ),
            *plain_text("as_reported", "description", prefix="amount"),
        ]
        indexes = [
            # Amount-range filter within a currency.
            models.Index(fields=["currency", "value", "case"], name="amount_currency_value"),
            # A search's amounts by kind and currency (casefile.stats), by index-only scans.
            models.Index(
                fields=["case"], include=["kind", "currency", "value"], name="amount_case_figures"
            ),
        ]
        triggers = touch_case_triggers("amount")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.value:,} {self.currency}"


@track_history(indexed=("case",))
class Event(TimeStampedModel):
    """One dated step of a case's timeline."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    occurred_on = models.DateField()
    occurred_on_precision = models.CharField(
        max_length=5,
        choices=precision_field("occurred_on").choices,
        help_text="How precisely the date is known: year, month or day.",
    )
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    description = models.TextField(help_text='In English; may say "late 2013" and the like.')

    occurred = PartialDateDescriptor("occurred_on")

    class Meta:
        ordering = ["case", "occurred_on", "id"]
        constraints = [
            in_vocabulary("kind", EventKind, name="event_kind_valid"),
            *partial_date_constraints("occurred_on", prefix="event"),
            *plain_text("description", prefix="event"),
        ]
        triggers = touch_case_triggers("event")

    def __str__(self):
        return f"{self.occurred}: {self.get_kind_display()}"


@track_history(indexed=("case",), exclude=("quote_check",))
class Citation(TimeStampedModel):
    """A footnote: one capture of a source, supporting one claim of a case.

    The claim is a restriction, an amount, an event, or a field of the case.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="citations")
    # Indexed with the case (citation_capture_case) and, for the claims, only where set
    # (Meta.indexes): each citation has one claim, so a full index per claim column would
    # hold mostly NULLs, and an import writes 400,000 citations.
    capture = models.ForeignKey(
        SourceCapture, on_delete=models.PROTECT, related_name="citations", db_index=False
    )
    restriction = models.ForeignKey(
        Restriction,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
        db_index=False,
    )
    amount = models.ForeignKey(
        Amount,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
        db_index=False,
    )
    event = models.ForeignKey(
        Event,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
        db_index=False,
    )
    case_field = models.CharField(
        "claim",
        max_length=20,
        choices=CitedField.choices,
        blank=True,
        help_text="The part of the case this citation supports, when it is not a "
        "restriction, an amount or an event.",
    )
    locator = models.CharField(
        max_length=200, blank=True, help_text="Where in the source: page, paragraph, timestamp."
    )
    quote = models.TextField(blank=True, help_text="The passage relied on, verbatim.")
    # Derived from the quote and the capture's kept files, so not in the history; every
    # save computes it (casefile.cases.quotes), and attaching a file to the capture or
    # extracting its text again recomputes it for every citation of the capture.
    quote_check = models.CharField(
        max_length=10,
        choices=QuoteCheck.choices,
        blank=True,
        default="",
        db_default="",
        editable=False,
        help_text="Whether the quote was found in the text of the capture's kept files.",
    )

    class Meta:
        ordering = ["case", "id"]
        constraints = [
            in_vocabulary("case_field", CitedField, name="citation_case_field_valid", blank=True),
            in_vocabulary("quote_check", QuoteCheck, name="citation_quote_check_valid", blank=True),
            # A quote always has a result, nothing else has one: every writer checks.
            FieldCheckConstraint(
                condition=Q(quote="", quote_check="") | (~Q(quote="") & ~Q(quote_check="")),
                name="citation_quote_checked",
                field="quote_check",
                violation_error_message="A quote needs the result of the quote check.",
            ),
            FieldCheckConstraint(
                condition=(
                    Q(restriction__isnull=False, amount=None, event=None, case_field="")
                    | Q(restriction=None, amount__isnull=False, event=None, case_field="")
                    | Q(restriction=None, amount=None, event__isnull=False, case_field="")
                    | (Q(restriction=None, amount=None, event=None) & ~Q(case_field=""))
                ),
                name="citation_supports_one_claim",
                field="case_field",
                violation_error_message="A citation supports exactly one claim: a restriction, "
                "an amount, an event, or one field of the case.",
            ),
            *plain_text("locator", "quote", prefix="citation"),
        ]
        indexes = [
            # Cases citing a source (source pages, the `source` filter).
            models.Index(fields=["capture", "case"], name="citation_capture_case"),
            # A claim's citations (deleting a claim deletes them).
            *(
                models.Index(
                    fields=[claim],
                    name=f"citation_{claim}",
                    condition=Q(**{f"{claim}__isnull": False}),
                )
                for claim in ("restriction", "amount", "event")
            ),
        ]
        triggers = [
            *touch_case_triggers("citation"),
            # One check per statement over all its rows: a bulk insert of 100,000
            # citations runs one query, not 100,000 trigger calls. Each row looks its
            # claim up by primary key (a join could be planned as a nested loop over the
            # statistics-less transition table: quadratic).
            *after_rows_change(
                "citation_claim_same_case",
                """
                IF EXISTS (
                    SELECT 1 FROM {changed_rows} AS citation
                    WHERE (citation.restriction_id IS NOT NULL AND citation.case_id
                           IS DISTINCT FROM (SELECT r.case_id FROM cases_restriction AS r
                                             WHERE r.id = citation.restriction_id))
                       OR (citation.amount_id IS NOT NULL AND citation.case_id
                           IS DISTINCT FROM (SELECT a.case_id FROM cases_amount AS a
                                             WHERE a.id = citation.amount_id))
                       OR (citation.event_id IS NOT NULL AND citation.case_id
                           IS DISTINCT FROM (SELECT e.case_id FROM cases_event AS e
                                             WHERE e.id = citation.event_id))
                ) THEN
                    RAISE EXCEPTION 'a citation must support a claim of its own case'
                        USING ERRCODE = 'check_violation';
                END IF;
                """,
                events=("ins", "upd"),
            ),
        ]

    def __str__(self):
        return f"{self.capture} → {self.claim_label}"

    def clean(self):
        for part in ("restriction", "amount", "event"):
            claim = getattr(self, part)
            if claim is not None and self.case_id and claim.case_id != self.case_id:
                raise ValidationError({part: "Choose a claim of this case."})

    def save(self, *args, **kwargs):
        from casefile.cases.quotes import check_quote

        self.normalize_text()
        self.quote_check = check_quote(self.capture_id, self.quote)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "quote_check" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "quote_check"]
        super().save(*args, **kwargs)

    def validate_constraints(self, exclude=None):
        # The result is computed on save, from the quote as saved.
        super().validate_constraints(exclude={*(exclude or ()), "quote_check"})

    @property
    def claim_label(self) -> str:
        if self.restriction_id:
            return f"Restriction: {self.restriction}"
        if self.amount_id:
            return f"Amount: {self.amount}"
        if self.event_id:
            return f"Event: {self.event}"
        return self.get_case_field_display()


@track_history(indexed=("case",))
class NameLeakOverride(TimeStampedModel):
    """A reviewer's acceptance of one finding of the name check (casefile.cases.name_leaks):
    the form found in that place of that case is not the person's name (a common word
    that happens to be one). It applies to this case, place and form only; `created_at`
    is when it was given."""

    # Indexed by name_leak_override_unique, which the case leads.
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="name_leak_overrides", db_index=False
    )
    place = models.CharField(
        max_length=200, help_text="Where the form was found, e.g. “citation #7 quote”."
    )
    form = models.CharField(
        max_length=200, help_text="The name form found, e.g. “刘虎” or “liu hu”."
    )
    reason = models.TextField(help_text="Why this is not the person’s name. For editors only.")
    # PROTECT: who accepted a finding is part of the record; deactivate accounts instead.
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["case", "place", "form"]
        constraints = [
            # One override per finding; its index also serves a case's overrides.
            models.UniqueConstraint(
                fields=["case", "place", "form"], name="name_leak_override_unique"
            ),
            FieldCheckConstraint(
                condition=Q(reason__regex=r"\S"),
                name="name_leak_override_has_reason",
                field="reason",
                violation_error_message="Say why this is not the person’s name.",
            ),
        ]

    def __str__(self):
        return f"“{self.form}” in the {self.place} of case {self.case.public_id}"


@track_history(indexed=("case",))
class QuoteNotFoundReason(TimeStampedModel):
    """A reviewer's reason for publishing a case although a quote of it was not found in
    the text of the capture's kept files (the text may be in an image, a part the
    extractor skips, or worded differently in another version). It applies to this case,
    capture and quote only (a citation written again with the same quote keeps it);
    `created_at` is when it was given."""

    # Indexed by quote_not_found_reason_unique, which the case leads.
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="quote_reasons", db_index=False
    )
    capture = models.ForeignKey(
        SourceCapture, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    quote = models.TextField(help_text="The quote as cited.")
    reason = models.TextField(help_text="Why the case may be published with this quote.")
    # PROTECT: who accepted is part of the record; deactivate accounts instead.
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["case", "id"]
        constraints = [
            # One reason per case, capture and quote (quotes can be long: by their hash).
            models.UniqueConstraint(
                F("case"), F("capture"), MD5("quote"), name="quote_not_found_reason_unique"
            ),
            FieldCheckConstraint(
                condition=Q(reason__regex=r"\S"),
                name="quote_not_found_reason_has_reason",
                field="reason",
                violation_error_message="Say why the case may be published with this quote.",
            ),
            *plain_text("quote", "reason", prefix="quote_not_found_reason"),
        ]

    def __str__(self):
        return f"Reason for an unverified quote of case {self.case.public_id}"


class PublicDataVersion(models.Model):
    """When anything public last changed: one row, moved by a trigger on cases.

    Cached public counts (facets, totals), ETags and Last-Modified are keyed by it
    (casefile.cases.visibility.public_data_version), so they stay valid while editors
    work on drafts and change once a public case changes, is retracted, is deleted or
    loses its person to "withheld". Written with the database clock inside the writing
    transaction, so it becomes visible with the change itself.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    changed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="public_data_version_one_row")
        ]

    def __str__(self):
        return f"public data changed at {self.changed_at:%Y-%m-%d %H:%M:%S.%f}"


class FacetRollup(models.Model):
    """How many public cases have each value of each facet, as rows of counts to add up:
    the counts of the unfiltered search page. A statement-level trigger on cases
    (migration cases 0014) appends what each statement added to and took from the public
    cases (the visibility rule as stamped on each row, casefile.cases.visibility.
    STAMPED_PUBLIC_SQL); appending takes no lock, so reviewers publishing at the same
    time never wait for each other. Readers add the rows up (CaseQuerySet.counted()),
    and fold them into one per value now and then (compact_facet_rollup)."""

    facet = models.CharField(max_length=20)
    value = models.CharField(
        max_length=30, blank=True, help_text='The value as text; "" for none (no year, unknown).'
    )
    count = models.BigIntegerField(default=0)

    class Meta:
        indexes = [
            # Readers add the rows up by value.
            models.Index(fields=["facet", "value"], name="facet_rollup_value"),
        ]

    def __str__(self):
        return f"{self.facet}={self.value}: {self.count:+}"
