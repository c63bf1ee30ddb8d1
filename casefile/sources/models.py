import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casefile.core.constraints import FieldCheckConstraint, in_vocabulary, plain_text
from casefile.core.dates import PartialDateDescriptor, partial_date_constraints, precision_field
from casefile.core.history import track_history
from casefile.core.models import PlainTextModel, TimeStampedModel
from casefile.core.triggers import after_rows_change, after_rows_really_change

SHA256_HEX = r"^[0-9a-f]{64}$"


class SourceKind(models.TextChoices):
    NEWS_ARTICLE = "news_article", _("News article")
    COURT_RECORD = "court_record", _("Court record or judgment")
    BLACKLIST_ENTRY = "blacklist_entry", _("Entry on a published blacklist")
    GOVERNMENT_DOCUMENT = "government_document", _("Government document")
    NGO_REPORT = "ngo_report", _("NGO report")
    ACADEMIC = "academic", _("Academic publication")
    SOCIAL_MEDIA = "social_media", _("Social-media post")
    INTERVIEW = "interview", _("Interview")
    OTHER = "other", _("Other")


class SourceRelation(models.TextChoices):
    """How the source stands to the cases it documents."""

    COURT_RECORD = "court_record", _("Court or official record")
    PERSON_CONCERNED = "person_concerned", _("The listed person themself")
    FAMILY_OR_FRIEND = "family_or_friend", _("Family member or friend")
    LAWYER = "lawyer", _("The person's lawyer")
    REPORTER = "reporter", _("Reporter (journalistic account)")
    NGO = "ngo", _("NGO or human-rights defender")
    GOVERNMENT = "government", _("Government or party body")
    RESEARCHER = "researcher", _("Researcher or academic")
    OTHER = "other", _("Other")


class Reliability(models.TextChoices):
    """The HURIDOCS scale for grading a source."""

    HIGHLY_RELIABLE = "highly_reliable", _("Highly reliable")
    LIKELY_RELIABLE = "likely_reliable", _("Likely reliable")
    UNSURE = "unsure", _("Unsure")
    LIKELY_UNRELIABLE = "likely_unreliable", _("Likely unreliable")
    HIGHLY_UNRELIABLE = "highly_unreliable", _("Highly unreliable")
    UNKNOWN = "unknown", _("Unknown")


class Sharing(models.TextChoices):
    """Who may download the files kept of a source's captures. Many captures are
    copyrighted: nothing is shared unless an editor says so, and only a reviewer makes
    files public (casefile.cases.corrections). Whether one file may then be downloaded
    is casefile.cases.visibility's to say (never a file of a case whose person is not a
    public figure); the hash, size and capture time are public wherever a public case
    cites the capture."""

    PUBLIC = "public", _("Public: anyone may download the kept files")
    ON_REQUEST = "on_request", _("On request: the editors share a copy with those who ask")
    NEVER = "never", _("Never: the kept files are for the editors only")


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
    sharing = models.CharField(
        "sharing of kept files",
        max_length=12,
        choices=Sharing.choices,
        default=Sharing.NEVER,
        db_default=Sharing.NEVER,
        help_text="Who may download the files kept of this source's captures. Making them "
        "public is a reviewer's step; the files of a case whose person is not a public "
        "figure are never public.",
    )
    notes = models.TextField(blank=True, help_text="For editors only; never published.")

    published = PartialDateDescriptor("published_on")

    class Meta:
        ordering = ["-published_on", "title", "id"]
        constraints = [
            in_vocabulary("kind", SourceKind, name="source_kind_valid"),
            in_vocabulary("sharing", Sharing, name="source_sharing_valid"),
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
                "sharing",
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
        help_text="Hex digest of the captured file as recorded when it was captured (e.g. by "
        "the archiving tool). Files kept here carry their own digest, computed on receipt; "
        "when files are kept, this must be one of theirs.",
    )
    notes = models.TextField(blank=True, help_text="For editors only; never published.")

    class Meta:
        ordering = ["source", "captured_at", "id"]
        get_latest_by = "captured_at"
        constraints = [
            FieldCheckConstraint(
                condition=Q(sha256="") | Q(sha256__regex=SHA256_HEX),
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

    def get_absolute_url(self):
        return reverse("capture-detail", args=[self.pk])

    def clean(self):
        super().clean()
        self.sha256 = self.sha256.strip().lower()
        if self.pk and self.sha256:
            kept = set(self.files.values_list("sha256", flat=True))
            if kept and self.sha256 not in kept:
                raise ValidationError(
                    {
                        "sha256": "This digest matches none of the files kept of this "
                        f"capture ({', '.join(sorted(kept))}): a digest typed by hand must "
                        "be that of a kept file."
                    }
                )

    def save(self, *args, **kwargs):
        self.sha256 = self.sha256.strip().lower()
        super().save(*args, **kwargs)


class MediaType(models.TextChoices):
    """The kinds of file a capture may keep, told from their content (casefile.sources.media)."""

    PDF = "application/pdf", _("PDF document")
    HTML = "text/html", _("HTML page (a saved web page)")
    WARC = "application/warc", _("WARC web archive")
    WACZ = "application/wacz", _("WACZ web archive")
    PNG = "image/png", _("PNG image")
    JPEG = "image/jpeg", _("JPEG image")
    TEXT = "text/plain", _("Plain text")


class TextStatus(models.TextChoices):
    PENDING = "pending", _("Not extracted yet")
    EXTRACTED = "extracted", _("Text extracted")
    EMPTY = "empty", _("No text found (e.g. a scanned PDF without a text layer)")
    NOT_APPLICABLE = "not_applicable", _("Images have no text to extract")
    FAILED = "failed", _("Extraction failed")


class Integrity(models.TextChoices):
    """What the last check of the stored bytes found (verify_captures)."""

    INTACT = "intact", _("Intact: the stored bytes have the recorded SHA-256")
    CHANGED = "changed", _("Changed: the stored bytes no longer have the recorded SHA-256")
    MISSING = "missing", _("Missing: the file store no longer has the file")


# Columns of a kept file that never change once written (a database trigger refuses it),
# and that history records: who attached which bytes to which capture, when.
KEPT_FILE_FIELDS = (
    "capture",
    "sha256",
    "size",
    "media_type",
    "storage_name",
    "original_name",
    "attached_by",
    "attached_at",
)


@track_history(
    indexed=("capture",),
    exclude=(
        "text",
        "match_text",
        "text_status",
        "text_error",
        "extractor",
        "extracted_at",
        "integrity",
        "checked_at",
    ),
)
class CaptureFile(PlainTextModel):
    """A file kept of a capture: the bytes as received, in the capture file store, with
    the SHA-256 Casefile computed on receipt, the size, the media type told from the
    content, who attached it and when. A capture may keep several (a WARC and a
    screenshot of the same moment). Kept files are never overwritten or deleted: the
    database refuses to change their identity columns or delete the row, and the
    store's name for the bytes is their digest.

    The text extracted from the file (casefile.sources.extraction) is kept beside it,
    with `match_text` (casefile.core.text.match_key of the text), which quotes are
    checked against. Write through casefile.sources.services.attach_capture_file.
    """

    # Indexed by capture_file_unique_digest, which the capture leads.
    capture = models.ForeignKey(
        SourceCapture, on_delete=models.PROTECT, related_name="files", db_index=False
    )
    sha256 = models.CharField(
        "SHA-256", max_length=64, help_text="Hex digest of the file, computed on receipt."
    )
    size = models.PositiveBigIntegerField(help_text="In bytes.")
    media_type = models.CharField(
        max_length=40, choices=MediaType.choices, help_text="Told from the content."
    )
    storage_name = models.CharField(
        max_length=300, help_text="The file's name in the capture file store."
    )
    original_name = models.CharField(
        max_length=255, blank=True, help_text="The name it was uploaded under. For editors only."
    )
    # PROTECT: who attached a file is part of the record; deactivate accounts instead.
    attached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when attached by a command run without a user.",
    )
    attached_at = models.DateTimeField(default=timezone.now)

    text = models.TextField(blank=True, help_text="The text extracted from the file.")
    match_text = models.TextField(
        blank=True, editable=False, help_text="The text as the quote check compares it."
    )
    text_status = models.CharField(
        max_length=16, choices=TextStatus.choices, default=TextStatus.PENDING
    )
    text_error = models.CharField(
        max_length=500, blank=True, help_text="Why extraction failed, or what it left out."
    )
    extractor = models.CharField(
        max_length=100, blank=True, help_text="What extracted the text, with its version."
    )
    extracted_at = models.DateTimeField(null=True, blank=True)
    integrity = models.CharField(max_length=10, choices=Integrity.choices, default=Integrity.INTACT)
    checked_at = models.DateTimeField(
        null=True, blank=True, help_text="When the stored bytes were last re-hashed."
    )

    class Meta:
        ordering = ["capture", "attached_at", "id"]
        constraints = [
            # A capture keeps the same bytes once; the index serves a capture's files.
            models.UniqueConstraint(
                fields=["capture", "sha256"], name="capture_file_unique_digest"
            ),
            FieldCheckConstraint(
                condition=Q(sha256__regex=SHA256_HEX),
                name="capture_file_sha256_hex",
                field="sha256",
                violation_error_message="A SHA-256 digest is 64 lower-case hexadecimal characters.",
            ),
            in_vocabulary("media_type", MediaType, name="capture_file_media_type_valid"),
            in_vocabulary("text_status", TextStatus, name="capture_file_text_status_valid"),
            in_vocabulary("integrity", Integrity, name="capture_file_integrity_valid"),
            *plain_text(
                "storage_name",
                "original_name",
                "text",
                "match_text",
                "text_error",
                "extractor",
                prefix="capture_file",
            ),
        ]
        indexes = [
            # Editors' search by digest; files sharing stored bytes (content-addressed).
            models.Index(fields=["sha256"], name="capture_file_sha256"),
            # The dashboard's count of files the last integrity check found damaged.
            models.Index(
                fields=["integrity"],
                name="capture_file_damaged",
                condition=~Q(integrity="intact"),
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="kept_file_never_deleted", operation=pgtrigger.Delete),
            pgtrigger.ReadOnly(name="kept_file_never_changed", fields=list(KEPT_FILE_FIELDS)),
            # A kept file is shown (its hash, size, type) wherever its capture is cited:
            # attaching one is a change of the cases citing the capture.
            *after_rows_change(
                "touch_cases_of_capture_file",
                "UPDATE cases_case SET updated_at = clock_timestamp() WHERE id IN ("
                "SELECT case_id FROM cases_citation WHERE capture_id IN "
                "(SELECT capture_id FROM {changed_rows} AS changed));",
                events=("ins",),
            ),
        ]

    def __str__(self):
        return f"{self.get_media_type_display()} {self.sha256[:12]}… of capture #{self.capture_id}"

    def delete(self, *args, **kwargs):
        raise ValidationError("Kept files are never deleted.")

    @property
    def has_text(self) -> bool:
        return self.text_status == TextStatus.EXTRACTED

    @property
    def is_html(self) -> bool:
        return self.media_type == MediaType.HTML

    def download_url(self) -> str:
        """Where the public downloads it, if visibility allows (casefile/sources/views.py)."""
        return reverse("capture-file", args=[self.capture_id, self.sha256])

    def viewer_url(self) -> str:
        return reverse("capture-file-view", args=[self.capture_id, self.sha256])
