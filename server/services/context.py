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
from server.services.errors import Busy, Invalid
from server.settings import Settings
from server.store.database import BadText, Contention, Database
from server.store.transaction import Transaction

UNSTORABLE = "text with characters that cannot be stored (a NUL character)"


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
    async def read(self, *, snapshot: bool = True) -> AsyncIterator[Transaction]:
        """One read snapshot (``snapshot=False``: for a block of a single statement)."""
        try:
            async with self.db.read(snapshot=snapshot) as conn:
                yield Transaction(conn, areas=self.db.areas)
        except BadText as error:
            raise Invalid(UNSTORABLE) from error

    @asynccontextmanager
    async def write(self, *acting_for: str) -> AsyncIterator[Transaction]:
        """One write transaction on behalf of the users ``acting_for`` (their writes run one
        after another); what it changed is announced once it has committed."""
        pending = Announcements()
        try:
            async with self.db.write() as conn:
                tx = Transaction(conn, pending.add, self.db.areas)
                if acting_for:
                    await tx.users.lock(acting_for)
                yield tx
                await tx.changes.flush()
                events = pending.payloads()
                # A shared back end sends them with the commit, to every instance.
                shared = await self.db.announce(conn, events)
        except Contention as error:
            raise Busy("the server was busy with a conflicting change; try again") from error
        except BadText as error:
            raise Invalid(UNSTORABLE) from error
        if not shared and self.publisher is not None:
            for channel, payload in events:
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


# Events one write sends a channel before they become one "sync" event.
MAX_EVENTS = 100


class Announcements:
    """The changes one write transaction made, each distinct one once, at its last version."""

    def __init__(self) -> None:
        self._pending: dict[tuple[str, str, str], int] = {}

    def add(self, channel: str, kind: str, entity_id: str, version: int) -> None:
        self._pending[(channel, EVENT_OF_KIND[kind], entity_id)] = version

    def payloads(self) -> list[tuple[str, bytes]]:
        """(channel, JSON payload) of each change; a channel given more than
        ``MAX_EVENTS`` changes at once (an import) gets one ``sync`` event instead, at the
        last version: the client syncs rather than refresh thousands of things one by one."""
        by_channel: dict[str, list[tuple[str, str, int]]] = {}
        for (channel, event, entity), version in self._pending.items():
            by_channel.setdefault(channel, []).append((event, entity, version))
        out = []
        for channel, changes in by_channel.items():
            if len(changes) > MAX_EVENTS:
                last = max(version for _, _, version in changes)
                changes = [("sync", channel.split(":", 1)[-1], last)]
            for event, entity, version in changes:
                payload = {"event": event, "id": entity, "version": version}
                out.append((channel, msgspec.json.encode(payload)))
        return out
