"""What every use case needs: the database, the clock, the settings, the catalog."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Protocol

import msgspec
from argon2 import PasswordHasher

from server.catalog import Catalog
from server.clock import Clock
from server.services.errors import RateLimited
from server.services.limits import SlidingWindowLimiter
from server.settings import Settings
from server.store.database import Database
from server.store.transaction import Transaction


class Publisher(Protocol):
    """Where committed changes are announced (Litestar's channels plugin in the app)."""

    def publish(self, data: bytes, channels: str | Sequence[str]) -> None: ...


@dataclass
class Context:
    db: Database
    clock: Clock
    settings: Settings
    catalog: Catalog
    # argon2id with the library's RFC 9106 "low memory" defaults.
    hasher: PasswordHasher = field(default_factory=PasswordHasher)
    publisher: Publisher | None = None
    login_limiter: SlidingWindowLimiter = field(init=False)
    registration_limiter: SlidingWindowLimiter = field(init=False)
    write_limiter: SlidingWindowLimiter = field(init=False)

    def __post_init__(self) -> None:
        self.login_limiter = SlidingWindowLimiter(
            limit=self.settings.login_failures_per_minute, window_seconds=60
        )
        self.registration_limiter = SlidingWindowLimiter(
            limit=self.settings.registrations_per_minute, window_seconds=60
        )
        self.write_limiter = SlidingWindowLimiter(
            limit=self.settings.writes_per_minute, window_seconds=60
        )

    def take(self, limiter: SlidingWindowLimiter, key: str, what: str) -> None:
        """Count one ``what`` for ``key``; 429 (RateLimited) once the minute's share is used."""
        now = self.clock()
        wait = limiter.retry_after(key, now)
        if wait is not None:
            raise RateLimited(f"too many {what}; try again in {wait} s", retry_after=wait)
        limiter.hit(key, now)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Transaction]:
        """One read snapshot."""
        async with self.db.read() as conn:
            yield Transaction(conn)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[Transaction]:
        """One write transaction; what it changed is announced once it has committed."""
        pending = Announcements()
        async with self.db.write() as conn:
            yield Transaction(conn, pending.add)
        if self.publisher is not None:
            for channel, payload in pending.payloads():
                self.publisher.publish(payload, channel)


# Server-sent event names for each kind of change.
EVENT_OF_KIND = {
    "profile": "profile",
    "habit": "habit",
    "checkin": "checkin",
    "ledger": "points",
    "badge": "badge",
    "team": "team",
    "challenge": "challenge",
    "leaderboard": "leaderboard",
}


class Announcements:
    """The changes one write transaction made, each distinct one once, at its last version."""

    def __init__(self) -> None:
        self._pending: dict[tuple[str, str, str], int] = {}

    def add(self, channel: str, kind: str, entity_id: str, version: int) -> None:
        self._pending[(channel, EVENT_OF_KIND[kind], entity_id)] = version

    def payloads(self) -> list[tuple[str, bytes]]:
        """(channel, JSON payload) of each change."""
        return [
            (channel, msgspec.json.encode({"event": event, "id": entity, "version": version}))
            for (channel, event, entity), version in self._pending.items()
        ]
