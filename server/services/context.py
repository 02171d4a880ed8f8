"""What every use case needs: the database, the clock, the settings, the catalog, and
where committed changes are announced."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Protocol

import msgspec

from server.catalog import Catalog
from server.clock import Clock
from server.settings import Settings
from server.store.database import Database
from server.store.transaction import Transaction


class Publisher(Protocol):
    """Where committed changes are announced (Litestar's channels plugin in the app)."""

    def publish(self, data: bytes, channels: str | Sequence[str]) -> None: ...


@dataclass
class Context:
    """What every use case needs. What only some need (the password hasher and the abuse
    limits for signing in) is handed to those alone."""

    db: Database
    clock: Clock
    settings: Settings
    catalog: Catalog
    publisher: Publisher | None = None

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
