"""A fixed-window rate limit on Django's cache, charged and checked in one atomic step.

`cache.add` creates the window's counter and `cache.incr` returns the new total in one
operation on both local memory (under its lock) and Redis (INCRBY), so parallel requests each
see a different total and no more than the limit get through. With the default local-memory
cache each process counts on its own; set CACHE_URL to Redis to share the count.
"""

import contextlib
import time
from dataclasses import dataclass

from django.core.cache import cache

# Counters outlive their window by this much, so an increment never lands on a key that
# expired a moment before (Redis would then recreate it without an expiry).
_GRACE_SECONDS = 60


@dataclass(frozen=True)
class Hit:
    key: str
    retry_after: int | None  # None: allowed; else seconds until the window ends

    @property
    def allowed(self) -> bool:
        return self.retry_after is None

    def refund(self, points: int) -> None:
        """Give back points charged in advance that the request turned out not to need."""
        with contextlib.suppress(ValueError):  # evicted meanwhile: nothing to give back
            cache.decr(self.key, points)


@dataclass(frozen=True)
class RateLimit:
    scope: str
    limit: int  # points per window
    window: int = 60  # seconds

    def _key(self, subject: str, now: float) -> str:
        return f"ratelimit:{self.scope}:{subject}:{int(now // self.window)}"

    def hit(self, subject: str, cost: int = 1) -> Hit:
        """Charge `cost` points to `subject` (a client address, an email...) and decide.

        Allowed while the subject had points left before this charge. The charge stays
        either way: hammering a closed window does not reopen it.
        """
        now = time.time()
        key = self._key(subject, now)
        cache.add(key, 0, timeout=self.window + _GRACE_SECONDS)
        try:
            total = cache.incr(key, cost)
        except ValueError:  # evicted or flushed between add() and incr()
            cache.add(key, 0, timeout=self.window + _GRACE_SECONDS)
            total = cache.incr(key, cost)
        if total - cost < self.limit:
            return Hit(key, None)
        return Hit(key, max(1, int(self.window - now % self.window) + 1))
