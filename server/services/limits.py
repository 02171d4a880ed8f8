"""Abuse limits per minute: failed logins, new accounts, writes.

Each is a sliding log per key: the times of its hits in the last minute; a try is allowed
while fewer than the limit remain. On SQLite (one process) the logs are kept in memory.
On PostgreSQL, where several instances serve the same users, they are kept in the
database (``rate_logs``), so a limit holds across every instance.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from server.services.errors import RateLimited
from server.settings import Settings
from server.store.database import Database
from server.store.transaction import Transaction


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


class Limiter(Protocol):
    async def check(self, key: str, now: datetime) -> int | None:
        """Seconds until ``key`` may try again, or None when it may try now (counts nothing)."""
        ...

    async def count(self, key: str, now: datetime) -> None:
        """Count one for ``key``."""
        ...

    async def take(self, key: str, now: datetime) -> int | None:
        """Count one for ``key`` if the limit allows it; else the seconds to wait."""
        ...


class LocalLimiter:
    """This process's own count (SQLite: one process serves every request)."""

    def __init__(self, *, limit: int, window_seconds: int = 60) -> None:
        self.log = SlidingWindowLimiter(limit=limit, window_seconds=window_seconds)

    async def check(self, key: str, now: datetime) -> int | None:
        return self.log.retry_after(key, now)

    async def count(self, key: str, now: datetime) -> None:
        self.log.hit(key, now)

    async def take(self, key: str, now: datetime) -> int | None:
        wait = self.log.retry_after(key, now)
        if wait is None:
            self.log.hit(key, now)
        return wait


class SharedLimiter:
    """The same sliding log, kept in the database so every instance on it shares it. A key's
    log is held while it is read and written, so instances counting it take turns."""

    def __init__(self, db: Database, name: str, *, limit: int, window_seconds: int = 60) -> None:
        self.db = db
        self.name = name
        self.limit = limit
        self.window = window_seconds
        self._swept = 0.0  # when this instance last dropped logs gone quiet

    def _recent(self, hits: list[float], now: datetime) -> list[float]:
        cutoff = now.timestamp() - self.window
        return [h for h in hits if h > cutoff][-self.limit :]

    def _wait(self, recent: list[float], now: datetime) -> int | None:
        if len(recent) < self.limit:
            return None
        return max(1, math.ceil(recent[0] + self.window - now.timestamp()))

    async def check(self, key: str, now: datetime) -> int | None:
        async with self.db.read() as conn:
            hits = await Transaction(conn, areas=self.db.areas).rates.peek(self.name, key)
        return self._wait(self._recent(hits, now), now)

    async def count(self, key: str, now: datetime) -> None:
        await self._hit(key, now, only_if_allowed=False)

    async def take(self, key: str, now: datetime) -> int | None:
        return await self._hit(key, now, only_if_allowed=True)

    async def _hit(self, key: str, now: datetime, *, only_if_allowed: bool) -> int | None:
        async with self.db.write() as conn:
            rates = Transaction(conn, areas=self.db.areas).rates
            recent = self._recent(await rates.hold(self.name, key), now)
            wait = self._wait(recent, now) if only_if_allowed else None
            if wait is None:
                await rates.keep(self.name, key, [*recent, now.timestamp()], now)
            if now.timestamp() - self._swept >= self.window:  # at most once a window
                await rates.forget_before(now - timedelta(seconds=self.window))
                self._swept = now.timestamp()
        return wait


@dataclass
class Limits:
    """The per-minute abuse limits, each counted per key (a handle, an address, a user)."""

    login_failures: Limiter
    registrations: Limiter
    writes: Limiter

    @classmethod
    def for_database(cls, settings: Settings, db: Database) -> Limits:
        """Shared counts where several instances may serve one database, else local ones."""
        per_minute = {
            "login_failures": settings.login_failures_per_minute,
            "registrations": settings.registrations_per_minute,
            "writes": settings.writes_per_minute,
        }
        made: dict[str, Limiter] = {
            name: SharedLimiter(db, name, limit=limit) if db.shared else LocalLimiter(limit=limit)
            for name, limit in per_minute.items()
        }
        return cls(**made)


async def take(limiter: Limiter, key: str, what: str, now: datetime) -> None:
    """Count one ``what`` for ``key``; 429 (RateLimited) once the minute's share is used."""
    wait = await limiter.take(key, now)
    if wait is not None:
        raise RateLimited(f"too many {what}; try again in {wait} s", retry_after=wait)
