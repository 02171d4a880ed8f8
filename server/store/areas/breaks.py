"""Planned breaks of a habit, or of all of a user's habits (``habit_id`` NULL)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from server.store.areas.base import Area
from server.store.records import BreakRecord
from server.store.rows import iso, record, records

BREAK_COLUMNS = "id, user_id, habit_id, starts_on, ends_on, reason, created_at"


class Breaks(Area):
    async def insert(self, pause: BreakRecord) -> None:
        await self.conn.execute(
            f"INSERT INTO breaks ({BREAK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
            pause.id, pause.user_id, pause.habit_id, iso(pause.starts_on), iso(pause.ends_on),
            pause.reason, iso(pause.created_at),
        )  # fmt: skip
        await self._touched(pause)

    async def get(self, user_id: str, break_id: str) -> BreakRecord | None:
        row = await self.conn.fetch_one(
            f"SELECT {BREAK_COLUMNS} FROM breaks WHERE id = ? AND user_id = ?",
            break_id, user_id,
        )  # fmt: skip
        return None if row is None else record(BreakRecord, BREAK_COLUMNS, row)

    async def listed(
        self, user_id: str, habit_id: str | None = None, *, ending_from: date = date.min
    ) -> list[BreakRecord]:
        """One habit's own breaks (``habit_id``) or all of the user's (None), by start,
        those ending on ``ending_from`` or later."""
        habit_test = "" if habit_id is None else " AND habit_id = ?"
        args = () if habit_id is None else (habit_id,)
        rows = await self.conn.fetch_all(
            f"SELECT {BREAK_COLUMNS} FROM breaks WHERE user_id = ?{habit_test}"
            " AND ends_on >= ? ORDER BY starts_on, id",
            user_id, *args, iso(ending_from),
        )  # fmt: skip
        return records(BreakRecord, BREAK_COLUMNS, rows)

    async def covering(
        self, user_id: str, habit_ids: Sequence[str], first: date, last: date
    ) -> list[BreakRecord]:
        """The breaks that pause any of ``habit_ids`` on a day from ``first`` to ``last``:
        their own and the user's all-habits ones."""
        if not habit_ids:
            return []
        marks = ", ".join("?" for _ in habit_ids)
        rows = await self.conn.fetch_all(
            f"SELECT {BREAK_COLUMNS} FROM breaks WHERE user_id = ?"
            f" AND (habit_id IS NULL OR habit_id IN ({marks}))"
            " AND ends_on >= ? AND starts_on <= ?",
            user_id, *habit_ids, iso(first), iso(last),
        )  # fmt: skip
        return records(BreakRecord, BREAK_COLUMNS, rows)

    async def end(self, pause: BreakRecord, ends_on: date | None) -> None:
        """Shorten a break to ``ends_on``, or remove it (None)."""
        if ends_on is None:
            await self.conn.execute("DELETE FROM breaks WHERE id = ?", pause.id)
        else:
            await self.conn.execute(
                "UPDATE breaks SET ends_on = ? WHERE id = ?", iso(ends_on), pause.id
            )
        await self._touched(pause)

    async def _touched(self, pause: BreakRecord) -> None:
        # A break changes what the habit's days read as; an all-habits one, the profile's.
        if pause.habit_id is None:
            await self.changes.touched(pause.user_id, "profile", pause.user_id)
        else:
            await self.changes.touched(pause.user_id, "habit", pause.habit_id)
