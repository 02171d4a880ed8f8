"""In-process sliding-window counters for abuse limits (failed logins).

Per server instance: behind several instances each keeps its own count, so the effective
limit is multiplied by the instance count. A shared store can replace this later.
"""

from __future__ import annotations

import math
from collections import deque
from datetime import datetime


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
