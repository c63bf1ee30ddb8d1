"""Rate limits shared by every server process: fixed windows counted in PostgreSQL.

Each request costs one statement, an atomic INSERT … ON CONFLICT that returns the
window's new count, so concurrent requests in several processes are counted exactly.
Windows that have ended are deleted now and then.
"""

import random
import time
from datetime import UTC, datetime

from django.db import connection
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from casefile.api.models import RateWindow

# About one request in this many also deletes the windows that have ended.
SWEEP_ONE_REQUEST_IN = 500

COUNT_SQL = f"""
INSERT INTO {RateWindow._meta.db_table} (key, ends_at, count) VALUES (%s, %s, 1)
ON CONFLICT (key) DO UPDATE SET count = {RateWindow._meta.db_table}.count + 1
RETURNING count
"""


def count_request(key: str, ends_at: datetime) -> int:
    with connection.cursor() as cursor:
        cursor.execute(COUNT_SQL, [key, ends_at])
        (count,) = cursor.fetchone()
        if random.randrange(SWEEP_ONE_REQUEST_IN) == 0:
            cursor.execute(
                f"DELETE FROM {RateWindow._meta.db_table} WHERE ends_at < %s",
                [datetime.now(tz=UTC)],
            )
    return count


class WindowThrottle(BaseThrottle):
    scope = ""

    def client_key(self, request) -> str | None:
        raise NotImplementedError

    def rate(self) -> tuple[int, int]:
        limit, seconds = SimpleRateThrottle.parse_rate(
            None, api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        )
        return limit, seconds

    def allow_request(self, request, view):
        client = self.client_key(request)
        if client is None:
            return True
        limit, seconds = self.rate()
        now = time.time()
        window = int(now // seconds)
        window_end = (window + 1) * seconds
        self.retry_after = max(1, int(window_end - now + 0.999))
        key = f"{self.scope}:{client}:{window}"
        return count_request(key, datetime.fromtimestamp(window_end, tz=UTC)) <= limit

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
