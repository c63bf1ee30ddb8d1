import hashlib
import secrets

from django.conf import settings
from django.db import models

TOKEN_PREFIX = "cf_"


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def issue(self, *, user, name: str, can_write: bool = False) -> tuple["ApiToken", str]:
        """Create a token and return it with its key: the key is shown once, only its hash kept."""
        key = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = self.create(user=user, name=name, can_write=can_write, key_hash=hash_token(key))
        return token, key


class ApiToken(models.Model):
    """A key an NGO's script or an editor's tool sends as `Authorization: Token <key>`.

    Read-only by default: reads with a token get the higher per-token rate limit.
    A token writes only when `can_write` is set, and only what its user's editorial
    role allows (casefile/api/permissions.py).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="Who or what uses it, e.g. 'HRW mirror'.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    can_write = models.BooleanField(
        default=False,
        help_text="Allow creating and editing cases, as far as the user's role allows "
        "(editors: drafts and cases in review; reviewers also published cases).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "API token"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({'read-write' if self.can_write else 'read-only'})"


class CaseDeletion(models.Model):
    """A case that was deleted outright, kept so the change feed can report it.

    Written by a database trigger on cases_case (see migration 0001), so deletes
    from the admin, a script or raw SQL are all recorded.
    """

    public_id = models.CharField(max_length=10)
    deleted_at = models.DateTimeField()

    class Meta:
        ordering = ["deleted_at", "public_id"]
        indexes = [
            # The change feed merges these with cases, both by (time, public_id).
            models.Index(fields=["deleted_at", "public_id"], name="case_deletion_feed"),
        ]

    def __str__(self):
        return f"{self.public_id} deleted {self.deleted_at:%Y-%m-%d %H:%M}"


class RateWindow(models.Model):
    """Requests of one client in one fixed rate-limit window.

    Counted by one atomic INSERT … ON CONFLICT per request (casefile.api.throttling),
    so every server process shares the count and concurrent requests cannot slip
    past the limit. The table is UNLOGGED (migration 0004): counters need not
    survive a crash.
    """

    key = models.CharField(max_length=200, primary_key=True)
    ends_at = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField()

    def __str__(self):
        return f"{self.key}: {self.count} until {self.ends_at:%H:%M:%S}"


class CaseRecord(models.Model):
    """A case's API record as JSON text (records.py), kept so that the NDJSON export
    does not build it again while the case stays the same.

    A record is served only while `updated_at` equals the case's: every change to the
    case, its parts, authority, cited sources and captures (and its person) moves the
    case's updated_at (database triggers), so a changed case's record is never read.
    `format` is records.RECORD_FORMAT, which changes with the record's SQL and URL
    paths. The person is not in it (added per request, by visibility.public_name()) and
    links are paths (made absolute per request). Which cases are exported is decided
    by Case.objects.published() alone: a record of an unpublished case is never read.

    The table is UNLOGGED and its foreign key cascades (migration 0006): a crash
    empties it, and deleting or truncating cases removes their records, however done.
    """

    case = models.OneToOneField(
        "cases.Case",
        primary_key=True,
        on_delete=models.DO_NOTHING,  # the database cascades (migration 0006)
        db_constraint=False,
        related_name="+",
    )
    updated_at = models.DateTimeField(help_text="The case's updated_at the record was built from.")
    format = models.CharField(max_length=16)
    record = models.TextField()

    def __str__(self):
        return f"record of case {self.case_id} as of {self.updated_at:%Y-%m-%d %H:%M:%S.%f}"
