"""The points ledger (append-only; an entry is taken back by one that reverses it) and
badges."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date, datetime

from server.store.areas.base import Area
from server.store.areas.checkins import INSERT_ROWS
from server.store.records import BadgeRecord, LedgerRecord
from server.store.rows import Query, by_ids, iso, record, records

LEDGER_COLUMNS = (
    "id, user_id, at, day, amount, reason, habit_id, checkin_id, challenge_id, reverses"
)


class Ledger(Area):
    async def insert(self, entries: Sequence[LedgerRecord]) -> None:
        """Entries, ``INSERT_ROWS`` to a statement (an import writes 100,000s), letting
        other requests in between statements."""
        one = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        for start in range(0, len(entries), INSERT_ROWS):
            if start:
                await asyncio.sleep(0)
            chunk = entries[start : start + INSERT_ROWS]
            await self.conn.execute(
                f"INSERT INTO ledger ({LEDGER_COLUMNS}) VALUES " + ", ".join([one] * len(chunk)),
                *(
                    value
                    for e in chunk
                    for value in (
                        e.id, e.user_id, iso(e.at), iso(e.day), e.amount, e.reason, e.habit_id,
                        e.checkin_id, e.challenge_id, e.reverses,
                    )
                ),
            )  # fmt: skip
            for e in chunk:
                await self.changes.touched(e.user_id, "ledger", e.id)

    async def open_habit_entries(self, habit_id: str, first: date) -> list[LedgerRecord]:
        """Entries of a habit's days from ``first`` on that no later entry has reversed."""
        rows = await self.conn.fetch_all(
            f"SELECT {LEDGER_COLUMNS} FROM ledger e WHERE habit_id = ? AND day >= ?"
            " AND reverses IS NULL AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reverses = e.id)"
            " ORDER BY id",
            habit_id, iso(first),
        )  # fmt: skip
        return records(LedgerRecord, LEDGER_COLUMNS, rows)

    async def paid_categories(self, user_id: str, day: date, *, exclude_habit: str) -> set[str]:
        """Categories of the user's other habits whose check-ins pay on ``day``."""
        rows = await self.conn.fetch_all(
            "SELECT h.category FROM ledger e JOIN habits h ON h.id = e.habit_id"
            " WHERE e.user_id = ? AND e.day = ? AND e.habit_id != ?"
            " AND e.reason IN ('checkin', 'rescore:checkin')"
            " AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reverses = e.id)"
            " GROUP BY e.habit_id, h.category HAVING SUM(e.amount) > 0",
            user_id, iso(day), exclude_habit,
        )  # fmt: skip
        return {str(r[0]) for r in rows}

    async def open_entries(
        self,
        user_id: str,
        *,
        reasons: Sequence[str],
        checkin_id: str | None = None,
        challenge_id: str | None = None,
    ) -> list[LedgerRecord]:
        """Unreversed entries of the user for these reasons, for one check-in or challenge."""
        marks = ", ".join("?" for _ in reasons)
        query = (
            Query(
                f"SELECT {LEDGER_COLUMNS} FROM ledger e WHERE user_id = ? AND reason IN ({marks})"
                " AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reverses = e.id)",
                user_id,
                *reasons,
            )
            .where("checkin_id = ?", checkin_id)
            .where("challenge_id = ?", challenge_id)
            .then(" ORDER BY id")
        )
        rows = await self.conn.fetch_all(query.sql, *query.args)
        return records(LedgerRecord, LEDGER_COLUMNS, rows)

    async def open_day_entry(self, user_id: str, day: date, reason: str) -> LedgerRecord | None:
        """The day's unreversed entry for ``reason`` (the balance bonus), if any."""
        row = await self.conn.fetch_one(
            f"SELECT {LEDGER_COLUMNS} FROM ledger e WHERE user_id = ? AND day = ? AND reason = ?"
            " AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reverses = e.id)",
            user_id, iso(day), reason,
        )  # fmt: skip
        return None if row is None else record(LedgerRecord, LEDGER_COLUMNS, row)

    async def page(
        self,
        user_id: str,
        *,
        first: date | None,
        last: date | None,
        after: str | None,
        limit: int,
    ) -> list[LedgerRecord]:
        """Newest first; ``after`` is the id the previous page ended with."""
        query = (
            Query(f"SELECT {LEDGER_COLUMNS} FROM ledger WHERE user_id = ?", user_id)
            .where("day >= ?", iso(first))
            .where("day <= ?", iso(last))
            .where("id < ?", after)
            .then(" ORDER BY id DESC")
            .limit(limit)
        )
        rows = await self.conn.fetch_all(query.sql, *query.args)
        return records(LedgerRecord, LEDGER_COLUMNS, rows)

    async def all_of_user(self, user_id: str) -> list[LedgerRecord]:
        rows = await self.conn.fetch_all(
            f"SELECT {LEDGER_COLUMNS} FROM ledger WHERE user_id = ? ORDER BY id", user_id
        )
        return records(LedgerRecord, LEDGER_COLUMNS, rows)

    async def sum(self, user_id: str, *, since_id: str | None = None) -> int:
        query = Query("SELECT COALESCE(SUM(amount), 0) FROM ledger WHERE user_id = ?", user_id)
        query.where("id >= ?", since_id)
        return int(await self.conn.fetch_value(query.sql, *query.args) or 0)

    async def entry(self, user_id: str, entry_id: str) -> LedgerRecord | None:
        row = await self.conn.fetch_one(
            f"SELECT {LEDGER_COLUMNS} FROM ledger WHERE id = ? AND user_id = ?", entry_id, user_id
        )
        return None if row is None else record(LedgerRecord, LEDGER_COLUMNS, row)

    async def entries(self, user_id: str, entry_ids: list[str]) -> dict[str, LedgerRecord]:
        """``entry`` for many ids in one statement: id -> entry, for the user's that exist."""
        return await by_ids(
            self.conn, LedgerRecord, LEDGER_COLUMNS, "ledger", entry_ids, user_id=user_id
        )

    async def points_on_day(self, user_id: str, day: date) -> int:
        value = await self.conn.fetch_value(
            "SELECT COALESCE(SUM(amount), 0) FROM ledger WHERE user_id = ? AND day = ?",
            user_id, iso(day),
        )  # fmt: skip
        return int(value or 0)

    async def badges(self, user_id: str) -> list[BadgeRecord]:
        rows = await self.conn.fetch_all(
            "SELECT slug, earned_at FROM user_badges WHERE user_id = ? ORDER BY earned_at, slug",
            user_id,
        )
        return [BadgeRecord(slug=r[0], earned_at=datetime.fromisoformat(r[1])) for r in rows]

    async def insert_badge(self, user_id: str, slug: str, at: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO user_badges (user_id, slug, earned_at) VALUES (?, ?, ?)",
            user_id, slug, iso(at),
        )  # fmt: skip
        await self.changes.touched(user_id, "badge", slug)
