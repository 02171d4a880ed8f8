"""Peer confirmations: one person asks a teammate to vouch for a check-in."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from server.store.areas.base import Area
from server.store.records import ConfirmationRecord
from server.store.rows import iso, prefixed, record, records

CONFIRMATION_COLUMNS = (
    "id, checkin_id, from_user, to_user, habit_title, day, created_at, expires_at, status, "
    "decided_at"
)


class Confirmations(Area):
    async def insert(self, c: ConfirmationRecord) -> None:
        await self.conn.execute(
            f"INSERT INTO confirmations ({CONFIRMATION_COLUMNS})"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            c.id, c.checkin_id, c.from_user, c.to_user, c.habit_title, iso(c.day),
            iso(c.created_at), iso(c.expires_at), c.status, iso(c.decided_at),
        )  # fmt: skip

    async def get(self, confirmation_id: str) -> ConfirmationRecord | None:
        row = await self.conn.fetch_one(
            f"SELECT {CONFIRMATION_COLUMNS} FROM confirmations WHERE id = ?", confirmation_id
        )
        return None if row is None else record(ConfirmationRecord, CONFIRMATION_COLUMNS, row)

    async def for_checkin(self, checkin_id: str) -> list[ConfirmationRecord]:
        rows = await self.conn.fetch_all(
            f"SELECT {CONFIRMATION_COLUMNS} FROM confirmations WHERE checkin_id = ?", checkin_id
        )
        return records(ConfirmationRecord, CONFIRMATION_COLUMNS, rows)

    async def pending(
        self, to_user: str, now: datetime
    ) -> list[tuple[ConfirmationRecord, str, str]]:
        """Pending, unexpired confirmations for ``to_user`` with the requester's handle and
        display name."""
        rows = await self.conn.fetch_all(
            f"SELECT {prefixed('c', CONFIRMATION_COLUMNS)}, u.handle, u.display_name"
            " FROM confirmations c JOIN users u ON u.id = c.from_user"
            " WHERE c.to_user = ? AND c.status = 'pending' AND c.expires_at > ?"
            " ORDER BY c.created_at LIMIT 200",
            to_user, iso(now),
        )  # fmt: skip
        n = len(CONFIRMATION_COLUMNS.split(","))
        found = []
        for row in rows:
            values = tuple(row)
            confirmation = record(ConfirmationRecord, CONFIRMATION_COLUMNS, values[:n])
            found.append((confirmation, str(values[n]), str(values[n + 1])))
        return found

    async def set_status(self, confirmation_id: str, status: str, at: datetime | None) -> None:
        await self.conn.execute(
            "UPDATE confirmations SET status = ?, decided_at = ? WHERE id = ?",
            status, iso(at), confirmation_id,
        )  # fmt: skip

    async def count(
        self, *, column: str, user_id: str, status: Sequence[str], since: datetime
    ) -> int:
        assert column in ("from_user", "to_user")
        marks = ", ".join("?" for _ in status)
        when = "created_at" if column == "from_user" else "decided_at"
        value = await self.conn.fetch_value(
            f"SELECT COUNT(*) FROM confirmations WHERE {column} = ? AND status IN ({marks})"
            f" AND {when} >= ?",
            user_id, *status, iso(since),
        )  # fmt: skip
        return int(value or 0)
