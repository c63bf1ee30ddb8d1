"""Rate limits shared by every server process: counters live in the default cache
(PostgreSQL's table, or Redis with REDIS_URL), never in one process's memory.

Fixed windows: one counter per client and window, so each request costs one cache
read and one write. Concurrent requests may race past the limit by a few; that is
the price of not locking.
"""

import time

from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle


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
        self.retry_after = max(1, int((window + 1) * seconds - now + 0.999))
        key = f"throttle:{self.scope}:{client}:{window}"
        count = (cache.get(key) or 0) + 1
        cache.set(key, count, seconds + 1)
        return count <= limit

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
