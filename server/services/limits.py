"""Abuse limits per minute: failed logins, new accounts, writes.

Each is a sliding log per key: the times of its hits in the last minute; a try is allowed
while fewer than the limit remain. On SQLite (one process) the logs are kept in memory.
On PostgreSQL, where several instances serve the same users, they are kept in the
database (``rate_logs``), so a limit holds across every instance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from server.services.errors import RateLimited
from server.settings import Settings
from server.store.areas.rates import RateLogs, decoded
from server.store.database import Connection, Contention, Database
from server.store.transaction import Transaction


def recent(hits: list[float], now: datetime, window: float, limit: int) -> list[float]:
    """The hits (epoch seconds, oldest first) still inside the window; the last ``limit``
    of them are all a decision needs."""
    cutoff = now.timestamp() - window
    return [h for h in hits if h > cutoff][-limit:]


def wait(kept: list[float], now: datetime, window: float, limit: int) -> int | None:
    """Seconds until a key with these recent hits may try again; None when it may now."""
    if len(kept) < limit:
        return None
    return max(1, math.ceil(kept[0] + window - now.timestamp()))


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
    """This process's own logs (SQLite: one process serves every request)."""

    def __init__(self, *, limit: int, window_seconds: int = 60, max_keys: int = 100_000) -> None:
        self.limit = limit
        self.window = window_seconds
        self.max_keys = max_keys
        self._hits: dict[str, list[float]] = {}

    def _recent(self, key: str, now: datetime) -> list[float]:
        kept = recent(self._hits.pop(key, []), now, self.window, self.limit)
        if kept:
            self._hits[key] = kept  # re-inserted: the dict stays oldest-used first
        return kept

    async def check(self, key: str, now: datetime) -> int | None:
        return wait(self._recent(key, now), now, self.window, self.limit)

    async def count(self, key: str, now: datetime) -> None:
        kept = self._recent(key, now)
        if not kept and len(self._hits) >= self.max_keys:
            # Forget the longest-unused key rather than grow without bound under a flood.
            self._hits.pop(next(iter(self._hits)))
        self._hits[key] = [*kept, now.timestamp()]

    async def take(self, key: str, now: datetime) -> int | None:
        waited = await self.check(key, now)
        if waited is None:
            await self.count(key, now)
        return waited


class SharedLimiter:
    """The same sliding log, kept in the database so every instance on it shares it.

    A hit reads the key's log, decides, and writes the new log only if the log is still
    what it read (compare and swap); a request that lost the race reads and decides
    again. Two statements, no transaction held open, and exact: concurrent requests on
    several instances can never count past the limit."""

    TRIES = 20  # each lost race means another request's hit was counted

    def __init__(self, db: Database, name: str, *, limit: int, window_seconds: int = 60) -> None:
        self.db = db
        self.name = name
        self.limit = limit
        self.window = window_seconds
        self._swept = 0.0  # when this instance last dropped logs gone quiet

    def _rates(self, conn: Connection) -> RateLogs:
        return Transaction(conn, areas=self.db.areas).rates

    async def check(self, key: str, now: datetime) -> int | None:
        async with self.db.read(snapshot=False) as conn:
            hits = decoded(await self._rates(conn).read(self.name, key))
        return wait(recent(hits, now, self.window, self.limit), now, self.window, self.limit)

    async def count(self, key: str, now: datetime) -> None:
        await self._hit(key, now, only_if_allowed=False)

    async def take(self, key: str, now: datetime) -> int | None:
        return await self._hit(key, now, only_if_allowed=True)

    async def _hit(self, key: str, now: datetime, *, only_if_allowed: bool) -> int | None:
        async with self.db.autocommit() as conn:
            rates = self._rates(conn)
            for _ in range(self.TRIES):
                logged = await rates.read(self.name, key)
                kept = recent(decoded(logged), now, self.window, self.limit)
                waited = wait(kept, now, self.window, self.limit) if only_if_allowed else None
                if waited is not None:
                    return waited
                if await rates.swap(self.name, key, logged, [*kept, now.timestamp()], now):
                    break
            else:
                raise Contention(f"{self.name} for one key changed {self.TRIES} times at once")
            if now.timestamp() - self._swept >= self.window:  # at most once a window
                self._swept = now.timestamp()
                await rates.forget_before(now - timedelta(seconds=self.window))
        return None


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
