"""The recent hits of each (limit, key), for abuse limits every instance shares."""

from __future__ import annotations

from datetime import datetime

import msgspec

from server.store.areas.base import Area
from server.store.rows import iso


class RateLogs(Area):
    async def hold(self, name: str, key: str) -> list[float]:
        """The key's recent hits (epoch seconds), its row held until the transaction ends:
        instances counting the same key take turns."""
        # An upsert that changes nothing still locks the row (PostgreSQL) and takes the
        # write lock (SQLite), and makes the row on first use.
        hits = await self.conn.fetch_value(
            "INSERT INTO rate_logs (name, key, hits, last_at) VALUES (?, ?, '[]', ?)"
            " ON CONFLICT (name, key) DO UPDATE SET hits = rate_logs.hits RETURNING hits",
            name, key, "1970-01-01T00:00:00+00:00",
        )  # fmt: skip
        return msgspec.json.decode(str(hits), type=list[float])

    async def keep(self, name: str, key: str, hits: list[float], at: datetime) -> None:
        await self.conn.execute(
            "UPDATE rate_logs SET hits = ?, last_at = ? WHERE name = ? AND key = ?",
            msgspec.json.encode(hits).decode(), iso(at), name, key,
        )  # fmt: skip

    async def forget_before(self, at: datetime) -> None:
        """Drop the logs of keys with no hit since ``at``."""
        await self.conn.execute("DELETE FROM rate_logs WHERE last_at < ?", iso(at))

    async def peek(self, name: str, key: str) -> list[float]:
        hits = await self.conn.fetch_value(
            "SELECT hits FROM rate_logs WHERE name = ? AND key = ?", name, key
        )
        return [] if hits is None else msgspec.json.decode(str(hits), type=list[float])
