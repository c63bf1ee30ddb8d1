"""Rate limits shared by every server process: fixed windows counted in PostgreSQL.

Each request costs one statement, an atomic INSERT … ON CONFLICT that returns the
window's new count, so concurrent requests in several processes are counted exactly.
Windows that have ended are deleted now and then.

The same windows count the API's requests (per address, or per token), failed API
tokens (per address) and downloads (export_refusal); clients are told apart by
client_address(), the admin's sign-in throttle too (AXES_CLIENT_IP_CALLABLE).
"""

import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from casefile.api.models import RateWindow

# About one request in this many also deletes the windows that have ended.
SWEEP_ONE_REQUEST_IN = 500

# The sweep of ended windows rides in the same statement (never the window counted), so
# a request costs one statement whether it sweeps or not.
COUNT_SQL = f"""
WITH swept AS (
    DELETE FROM {RateWindow._meta.db_table} WHERE %s AND ends_at < %s AND key <> %s
)
INSERT INTO {RateWindow._meta.db_table} (key, ends_at, count) VALUES (%s, %s, 1)
ON CONFLICT (key) DO UPDATE SET count = {RateWindow._meta.db_table}.count + 1
RETURNING count
"""
READ_SQL = f"SELECT count FROM {RateWindow._meta.db_table} WHERE key = %s"


def count_request(key: str, ends_at: datetime) -> int:
    sweep = random.randrange(SWEEP_ONE_REQUEST_IN) == 0
    with connection.cursor() as cursor:
        cursor.execute(COUNT_SQL, [sweep, datetime.now(tz=UTC), key, key, ends_at])
        (count,) = cursor.fetchone()
    return count


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or behind API_NUM_PROXIES trusted proxies the
    address they saw (from X-Forwarded-For). DRF's rule, for every limit."""
    return BaseThrottle().get_ident(request)


@dataclass(frozen=True)
class Window:
    """A client's current fixed window of a rate such as "120/minute"."""

    key: str
    limit: int
    ends_at: datetime
    retry_after: int  # seconds until the window ends, rounded up

    @classmethod
    def current(cls, scope: str, client: str, rate: str) -> "Window":
        limit, seconds = SimpleRateThrottle.parse_rate(None, rate)
        now = time.time()
        window = int(now // seconds)
        window_end = (window + 1) * seconds
        return cls(
            key=f"{scope}:{client}:{window}",
            limit=limit,
            ends_at=datetime.fromtimestamp(window_end, tz=UTC),
            retry_after=max(1, int(window_end - now + 0.999)),
        )

    def count(self) -> int:
        """Count one more; the window's new count."""
        return count_request(self.key, self.ends_at)

    def counted(self) -> int:
        """How many were counted so far, counting none."""
        with connection.cursor() as cursor:
            cursor.execute(READ_SQL, [self.key])
            row = cursor.fetchone()
        return row[0] if row else 0


def export_refusal(request) -> tuple[int, str] | None:
    """Count one download (the search page's CSV, the API's CSV and NDJSON exports)
    against the client's export quota: EXPORT_QUOTA per address, EXPORT_QUOTA_TOKEN per
    API token. None while the quota lasts, else (seconds until it is renewed, why)."""
    token = getattr(request, "auth", None)  # an API request's token; pages have none
    if token is not None:
        rate, whose = settings.EXPORT_QUOTA_TOKEN, "this token"
        window = Window.current("export", f"token-{token.pk}", rate)
    else:
        rate, whose = settings.EXPORT_QUOTA, "your address"
        window = Window.current("export", client_address(request), rate)
    if window.count() <= window.limit:
        return None
    return window.retry_after, (
        f"Too many downloads from {whose}: at most {rate.replace('/', ' per ')}. "
        f"Try again in {window.retry_after} seconds."
    )


def file_download_refusal(request) -> tuple[int, str] | None:
    """Count one public download of a kept file against FILE_DOWNLOAD_QUOTA, per address.
    None while the quota lasts, else (seconds until it is renewed, why)."""
    rate = settings.FILE_DOWNLOAD_QUOTA
    window = Window.current("file", client_address(request), rate)
    if window.count() <= window.limit:
        return None
    return window.retry_after, (
        f"Too many file downloads from your address: at most {rate.replace('/', ' per ')}. "
        f"Try again in {window.retry_after} seconds."
    )


def refused_page_response(refusal: tuple[int, str]) -> HttpResponse:
    """The pages' answer to a refusal above (the API answers with its own error shape)."""
    wait, why = refusal
    return HttpResponse(
        why + "\n",
        status=429,
        content_type="text/plain; charset=utf-8",
        headers={"Retry-After": str(wait)},
    )


class WindowThrottle(BaseThrottle):
    scope = ""

    def client_key(self, request) -> str | None:
        raise NotImplementedError

    def allow_request(self, request, view):
        client = self.client_key(request)
        if client is None:
            return True
        window = Window.current(self.scope, client, api_settings.DEFAULT_THROTTLE_RATES[self.scope])
        self.retry_after = window.retry_after
        return window.count() <= window.limit

    def wait(self):
        return self.retry_after


class AnonymousRateThrottle(WindowThrottle):
    """Requests without a token, counted per client address."""

    scope = "anonymous"

    def client_key(self, request):
        return None if request.auth is not None else self.get_ident(request)


class TokenRateThrottle(WindowThrottle):
    """Requests with a token, counted per token."""

    scope = "token"

    def client_key(self, request):
        return None if request.auth is None else f"token-{request.auth.pk}"
