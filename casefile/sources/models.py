from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.urls import reverse

from casefile.core.constraints import FieldCheckConstraint, in_vocabulary, plain_text
from casefile.core.dates import PartialDateDescriptor, partial_date_constraints, precision_field
from casefile.core.history import track_history
from casefile.core.models import TimeStampedModel
from casefile.core.triggers import after_rows_really_change


class SourceKind(models.TextChoices):
    NEWS_ARTICLE = "news_article", "News article"
    COURT_RECORD = "court_record", "Court record or judgment"
    BLACKLIST_ENTRY = "blacklist_entry", "Entry on a published blacklist"
    GOVERNMENT_DOCUMENT = "government_document", "Government document"
    NGO_REPORT = "ngo_report", "NGO report"
    ACADEMIC = "academic", "Academic publication"
    SOCIAL_MEDIA = "social_media", "Social-media post"
    INTERVIEW = "interview", "Interview"
    OTHER = "other", "Other"


class SourceRelation(models.TextChoices):
    """How the source stands to the cases it documents."""

    COURT_RECORD = "court_record", "Court or official record"
    PERSON_CONCERNED = "person_concerned", "The listed person themself"
    FAMILY_OR_FRIEND = "family_or_friend", "Family member or friend"
    LAWYER = "lawyer", "The person's lawyer"
    REPORTER = "reporter", "Reporter (journalistic account)"
    NGO = "ngo", "NGO or human-rights defender"
    GOVERNMENT = "government", "Government or party body"
    RESEARCHER = "researcher", "Researcher or academic"
    OTHER = "other", "Other"


class Reliability(models.TextChoices):
    """The HURIDOCS scale for grading a source."""

    HIGHLY_RELIABLE = "highly_reliable", "Highly reliable"
    LIKELY_RELIABLE = "likely_reliable", "Likely reliable"
    UNSURE = "unsure", "Unsure"
    LIKELY_UNRELIABLE = "likely_unreliable", "Likely unreliable"
    HIGHLY_UNRELIABLE = "highly_unreliable", "Highly unreliable"
    UNKNOWN = "unknown", "Unknown"


@track_history()
class Source(TimeStampedModel):
    kind = models.CharField(max_length=20, choices=SourceKind.choices)
    title = models.CharField(
        max_length=500,
        blank=True,
        help_text="Blank when the source has no usable title (a syndicated wire story, a "
        "repost, a page known by its address): it is then named by its outlet and date, "
        "or its URL. A source without a title needs its URL.",
    )
    outlet = models.CharField(
        max_length=200, blank=True, help_text="Publisher, newspaper, court or website."
    )
    authors = ArrayField(
        models.CharField(max_length=200),
        default=list,
        blank=True,
        help_text="As credited, one per line, e.g. Nathan VanderKlippe.",
    )
    language = models.CharField(
        max_length=12,
        default="en",
        blank=True,
        help_text="BCP 47 language tag, e.g. en, zh-Hans; blank when not known.",
    )
    published_on = models.DateField(null=True, blank=True)
    published_on_precision = precision_field("published_on")
    url = models.URLField("URL", max_length=1000, blank=True)
    relation = models.CharField(
        max_length=20,
        choices=SourceRelation.choices,
        default=SourceRelation.OTHER,
        help_text="How the source relates to the cases it documents.",
    )
    reliability = models.CharField(
        max_length=20,
        choices=Reliability.choices,
        default=Reliability.UNKNOWN,
        help_text="Grade on the HURIDOCS scale.",
    )
    notes = models.TextField(blank=True, help_text="For editors only; never published.")

    published = PartialDateDescriptor("published_on")

    class Meta:
        ordering = ["-published_on", "title", "id"]
        constraints = [
            in_vocabulary("kind", SourceKind, name="source_kind_valid"),
            in_vocabulary("relation", SourceRelation, name="source_relation_valid"),
            in_vocabulary("reliability", Reliability, name="source_reliability_valid"),
            *partial_date_constraints("published_on", prefix="source"),
            FieldCheckConstraint(
                condition=~Q(title="") | ~Q(url=""),
                name="source_has_title_or_url",
                field="title",
                violation_error_message="Give the source's title, or its URL when it has no "
                "usable title.",
            ),
            *plain_text(
                "title", "outlet", "language", "url", "notes", arrays=("authors",), prefix="source"
            ),
        ]
        indexes = [
            # Editors' duplicate check and autocomplete by URL.
            models.Index(fields=["url"], name="source_url"),
        ]
        # Sources are shown nested in the cases citing them (their notes are not).
        triggers = after_rows_really_change(
            "touch_cases_of_source",
            """
            UPDATE cases_case SET updated_at = clock_timestamp() WHERE id IN (
                SELECT citation.case_id FROM cases_citation AS citation
                JOIN sources_sourcecapture AS capture ON capture.id = citation.capture_id
                WHERE capture.source_id IN (SELECT id FROM {changed_rows} AS changed));
            """,
            columns=(
                "kind",
                "title",
                "outlet",
                "authors",
                "language",
                "published_on",
                "published_on_precision",
                "url",
                "relation",
                "reliability",
            ),
        )

    def __str__(self):
        if not self.title:
            return f"{self.display_title} (untitled)"
        parts = [self.outlet, f"“{self.title}”"]
        if self.published:
            parts.append(str(self.published))
        return ", ".join(part for part in parts if part)

    def get_absolute_url(self):
        return reverse("source-detail", args=[self.pk])

    @property
    def display_title(self) -> str:
        """What pages and citations call the source: its title; an untitled one (a wire
        story syndicated elsewhere, a repost, a paywalled page known by its address) by
        its outlet and date, else by its URL."""
        if self.title:
            return self.title
        if self.outlet:
            return ", ".join([self.outlet, *([str(self.published)] if self.published else [])])
        return self.url or "Untitled source"


@track_history()
class SourceCapture(TimeStampedModel):
    """One captured version of a source: what a citation actually points at.

    Articles are revised after publication; citing a capture lets two versions
    that give different figures both be recorded and shown.
    """

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="captures")
    label = models.CharField(
        max_length=200,
        blank=True,
        help_text="Which version this is, e.g. 'as first published' or 'revised version'.",
    )
    url = models.URLField(
        "URL captured",
        max_length=1000,
        blank=True,
        help_text="Blank when the same as the source's.",
    )
    archive_url = models.URLField(
        "archive URL", max_length=1000, blank=True, help_text="e.g. a Wayback Machine capture."
    )
    captured_at = models.DateTimeField(help_text="When this version was captured.")
    sha256 = models.CharField(
        "SHA-256",
        max_length=64,
        blank=True,
        help_text="Hex digest of the captured file, when the file is kept.",
    )
    notes = models.TextField(blank=True, help_text="For editors only; never published.")

    class Meta:
        ordering = ["source", "captured_at", "id"]
        get_latest_by = "captured_at"
        constraints = [
            FieldCheckConstraint(
                condition=Q(sha256="") | Q(sha256__regex=r"^[0-9a-f]{64}$"),
                name="capture_sha256_hex",
                field="sha256",
                violation_error_message="A SHA-256 digest is 64 lower-case hexadecimal characters.",
            ),
            models.UniqueConstraint(
                fields=["source", "captured_at"], name="capture_unique_per_source_time"
            ),
            *plain_text("label", "url", "archive_url", "notes", prefix="capture"),
        ]
        triggers = after_rows_really_change(
            "touch_cases_of_capture",
            "UPDATE cases_case SET updated_at = clock_timestamp() WHERE id IN ("
            "SELECT case_id FROM cases_citation WHERE capture_id IN "
            "(SELECT id FROM {changed_rows} AS changed));",
            columns=("source_id", "label", "url", "archive_url", "captured_at", "sha256"),
        )

    def __str__(self):
        label = f" ({self.label})" if self.label else ""
        return f"{self.source.display_title}{label}, captured {self.captured_at:%Y-%m-%d}"

    @property
    def effective_url(self) -> str:
        return self.url or self.source.url

    def save(self, *args, **kwargs):
        self.sha256 = self.sha256.strip().lower()
        super().save(*args, **kwargs)
