"""The change log that delta sync reads (see ``0003_changes.sql``), and the hook through
which every change made in a transaction is reported to whoever announces it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from server.store.database import Connection

# (channel, kind of change, entity id, version): called once per change a write makes.
# The write context collects these and announces them once the transaction has committed.
OnChange = Callable[[str, str, str, int], None]


def _ignore(channel: str, kind: str, entity_id: str, version: int) -> None:
    """Reads change nothing; a transaction opened without a listener drops reports."""


# Rows per statement: 4 values each, well under SQLite's and PostgreSQL's limits on
# parameters per statement.
FLUSH_ROWS = 500


class ChangeLog:
    def __init__(self, conn: Connection, on_change: OnChange | None = None) -> None:
        self.conn = conn
        self.on_change = on_change or _ignore
        # The version this transaction gave each user it touched: one bump per transaction.
        self._versions: dict[str, int] = {}
        # Change-log rows not written yet: ``flush`` writes them in one statement.
        self._rows: dict[tuple[str, int, str, str], None] = {}

    async def touched(self, user_id: str, kind: str, entity_id: str) -> None:
        """Record that a write changed ``kind``/``entity_id`` of ``user_id``."""
        version = self._versions.get(user_id)
        if version is None:
            version = int(
                await self.conn.fetch_value(
                    "UPDATE users SET version = version + 1 WHERE id = ? RETURNING version", user_id
                )
                or 0
            )
            self._versions[user_id] = version
        self._rows[(user_id, version, kind, entity_id)] = None
        self.on_change(f"user:{user_id}", kind, entity_id, version)

    async def flush(self) -> None:
        """Write the change-log rows recorded so far (a write transaction does before it
        commits, and before a user it touched may be deleted)."""
        rows = list(self._rows)
        self._rows.clear()
        for start in range(0, len(rows), FLUSH_ROWS):
            if start:
                await asyncio.sleep(0)  # thousands of rows (an import): let others in
            chunk = rows[start : start + FLUSH_ROWS]
            await self.conn.execute(
                "INSERT INTO changes (user_id, version, kind, entity_id) VALUES "
                + ", ".join(["(?, ?, ?, ?)"] * len(chunk))
                + " ON CONFLICT (user_id, version, kind, entity_id) DO NOTHING",
                *(value for row in chunk for value in row),
            )

    def announce(self, channel: str, kind: str, entity_id: str) -> None:
        """Report a change that is not one user's (a board moved)."""
        self.on_change(channel, kind, entity_id, 0)

    async def after(
        self, user_id: str, after: tuple[int, str, str], limit: int
    ) -> list[tuple[int, str, str]]:
        """(version, kind, entity id) of each entity's latest change after ``after``, in
        order; an entity changed several times appears once, at its latest version."""
        await self.flush()
        # Materialised first: left to itself the planner groups along ``changes_entity``
        # and reads the user's whole change history, however recent the cursor.
        rows = await self.conn.fetch_all(
            "WITH recent AS MATERIALIZED ("
            " SELECT version, kind, entity_id FROM changes WHERE user_id = ? AND version >= ?)"
            " SELECT MAX(version) AS v, kind, entity_id FROM recent GROUP BY kind, entity_id"
            " HAVING (MAX(version), kind, entity_id) > (?, ?, ?)"
            " ORDER BY v, kind, entity_id LIMIT ?",
            user_id, after[0], after[0], after[1], after[2], limit,
        )  # fmt: skip
        return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]

    async def user_version(self, user_id: str) -> int:
        value = await self.conn.fetch_value("SELECT version FROM users WHERE id = ?", user_id)
        return int(value or 0)
