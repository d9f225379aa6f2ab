"""A fixed-window rate limit on Django's cache, keyed by client IP.

With the default local-memory cache each process counts on its own; set CACHE_URL to Redis
to share the count between processes.
"""

import time
from dataclasses import dataclass

from django.core.cache import cache


def client_ip(request) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is whatever the client wants it to be unless a proxy
    # we trust rewrites it, and a proxy like that should set REMOTE_ADDR itself.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


@dataclass(frozen=True)
class RateLimit:
    scope: str
    limit: int  # points per window
    window: int = 60  # seconds

    def _key(self, request, now: float) -> str:
        return f"ratelimit:{self.scope}:{client_ip(request)}:{int(now // self.window)}"

    def retry_after(self, request) -> int | None:
        """Seconds to wait if this client has used up its points; None while it may go on."""
        now = time.time()
        used = cache.get(self._key(request, now), 0)
        if used < self.limit:
            return None
        return max(1, int(self.window - now % self.window) + 1)

    def charge(self, request, cost: int = 1) -> None:
        key = self._key(request, time.time())
        cache.add(key, 0, timeout=self.window + 1)
        try:
            cache.incr(key, cost)
        except ValueError:  # the window ended between add() and incr()
            cache.set(key, cost, timeout=self.window + 1)
