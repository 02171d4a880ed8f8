"""The recent hits of each (limit, key), for abuse limits every instance shares."""

from __future__ import annotations

from datetime import datetime

import msgspec

from server.store.areas.base import Area
from server.store.rows import iso


class RateLogs(Area):
    """Each log is read, decided on, and written back only if nobody wrote it in between
    (compare and swap): two statements that each commit by themselves, no lock held."""

    async def read(self, name: str, key: str) -> str | None:
        """The key's log as stored (a JSON list of epoch seconds); None before first use."""
        logged = await self.conn.fetch_value(
            "SELECT hits FROM rate_logs WHERE name = ? AND key = ?", name, key
        )
        return None if logged is None else str(logged)

    async def swap(
        self, name: str, key: str, expected: str | None, hits: list[float], at: datetime
    ) -> bool:
        """Store ``hits`` if the log still reads ``expected``; False when another request
        changed it first (read again and decide again)."""
        stored = msgspec.json.encode(hits).decode()
        if expected is None:
            return await self.conn.execute(
                "INSERT INTO rate_logs (name, key, hits, last_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (name, key) DO NOTHING",
                name, key, stored, iso(at),
            ) == 1  # fmt: skip
        return await self.conn.execute(
            "UPDATE rate_logs SET hits = ?, last_at = ? WHERE name = ? AND key = ? AND hits = ?",
            stored, iso(at), name, key, expected,
        ) == 1  # fmt: skip

    async def forget_before(self, name: str, at: datetime) -> None:
        """Drop the logs of ``name``'s keys with no hit since ``at``."""
        await self.conn.execute(
            "DELETE FROM rate_logs WHERE name = ? AND last_at < ?", name, iso(at)
        )

    async def drop(self, name: str, key: str) -> None:
        await self.conn.execute("DELETE FROM rate_logs WHERE name = ? AND key = ?", name, key)


def decoded(logged: str | None) -> list[float]:
    return [] if logged is None else msgspec.json.decode(logged, type=list[float])
