"""In-process sliding-window counters for abuse limits: failed logins, new accounts, writes.

Per server instance: behind several instances each keeps its own count, so the effective
limit is multiplied by the instance count. A shared store can replace this later.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from datetime import datetime

from server.services.errors import RateLimited
from server.settings import Settings


class SlidingWindowLimiter:
    def __init__(self, *, limit: int, window_seconds: float, max_keys: int = 100_000) -> None:
        self.limit = limit
        self.window = window_seconds
        self.max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: datetime) -> deque[float]:
        hits = self._hits.get(key)
        if hits is None:
            return deque()
        cutoff = now.timestamp() - self.window
        while hits and hits[0] <= cutoff:
            hits.popleft()
        if not hits:
            del self._hits[key]
        return hits

    def retry_after(self, key: str, now: datetime) -> int | None:
        """Seconds until ``key`` may try again, or None when it may try now."""
        hits = self._recent(key, now)
        if len(hits) < self.limit:
            return None
        return max(1, math.ceil(hits[0] + self.window - now.timestamp()))

    def hit(self, key: str, now: datetime) -> None:
        if len(self._hits) >= self.max_keys and key not in self._hits:
            # Forget the oldest key rather than grow without bound under a flood.
            self._hits.pop(next(iter(self._hits)))
        self._hits.setdefault(key, deque()).append(now.timestamp())

    def reset(self, key: str) -> None:
        self._hits.pop(key, None)


@dataclass
class Limits:
    """The per-minute abuse limits, each counted per key (a handle, an address, a user)."""

    login_failures: SlidingWindowLimiter
    registrations: SlidingWindowLimiter
    writes: SlidingWindowLimiter

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            login_failures=SlidingWindowLimiter(
                limit=settings.login_failures_per_minute, window_seconds=60
            ),
            registrations=SlidingWindowLimiter(
                limit=settings.registrations_per_minute, window_seconds=60
            ),
            writes=SlidingWindowLimiter(limit=settings.writes_per_minute, window_seconds=60),
        )


def take(limiter: SlidingWindowLimiter, key: str, what: str, now: datetime) -> None:
    """Count one ``what`` for ``key``; 429 (RateLimited) once the minute's share is used."""
    wait = limiter.retry_after(key, now)
    if wait is not None:
        raise RateLimited(f"too many {what}; try again in {wait} s", retry_after=wait)
    limiter.hit(key, now)
