"""Check-ins (undone ones stay as tombstones) and each user's done counts per day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from server.store.areas.base import Area
from server.store.records import CheckinRecord, DayTotals
from server.store.rows import Query, by_ids, iso, record, records

CHECKIN_COLUMNS = (
    "id, habit_id, user_id, day, value, note, skip, witness, request_digest, result, "
    "created_at, deleted_at"
)


# Rows per multi-row insert: 12 values each, well under both stores' limits on parameters.
INSERT_ROWS = 500


class Checkins(Area):
    async def get(self, checkin_id: str) -> CheckinRecord | None:
        """Any check-in with this id, whoever owns it, undone ones included."""
        row = await self.conn.fetch_one(
            f"SELECT {CHECKIN_COLUMNS} FROM checkins WHERE id = ?", checkin_id
        )
        return None if row is None else record(CheckinRecord, CHECKIN_COLUMNS, row)

    async def many(self, checkin_ids: list[str]) -> dict[str, CheckinRecord]:
        """``get`` for many ids in one statement: id -> check-in, for the ids that exist."""
        return await by_ids(self.conn, CheckinRecord, CHECKIN_COLUMNS, "checkins", checkin_ids)

    async def insert(self, checkin: CheckinRecord) -> None:
        await self.insert_many([checkin])

    async def insert_many(self, checkins: Sequence[CheckinRecord]) -> None:
        """Up to ``INSERT_ROWS`` check-ins in one statement (imports write thousands)."""
        if not checkins:
            return
        one = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        await self.conn.execute(
            f"INSERT INTO checkins ({CHECKIN_COLUMNS}) VALUES "
            + ", ".join([one] * len(checkins)),
            *(
                value
                for c in checkins
                for value in (
                    c.id, c.habit_id, c.user_id, iso(c.day), c.value, c.note, c.skip, c.witness,
                    c.request_digest, c.result, iso(c.created_at), iso(c.deleted_at),
                )
            ),
        )  # fmt: skip
        for c in checkins:
            await self.changes.touched(c.user_id, "checkin", c.id)

    async def mark_deleted(self, checkin_id: str, user_id: str, at: datetime) -> None:
        await self.conn.execute(
            "UPDATE checkins SET deleted_at = ? WHERE id = ?", iso(at), checkin_id
        )
        await self.changes.touched(user_id, "checkin", checkin_id)

    async def of_habit(
        self,
        habit_id: str,
        *,
        first: date | None = None,
        last: date | None = None,
        after: tuple[str, str] | None = None,
        limit: int | None = None,
    ) -> list[CheckinRecord]:
        """Live check-ins of a habit, by (day, id), optionally within ``first..last``."""
        query = (
            Query(f"SELECT {CHECKIN_COLUMNS} FROM checkins WHERE habit_id = ?", habit_id)
            .then(" AND deleted_at IS NULL")
            .where("day >= ?", iso(first))
            .where("day <= ?", iso(last))
            .where("(day, id) > (?, ?)", after)
            .then(" ORDER BY day, id")
            .limit(limit)
        )
        rows = await self.conn.fetch_all(query.sql, *query.args)
        return records(CheckinRecord, CHECKIN_COLUMNS, rows)

    async def all_of_habit(self, habit_id: str) -> list[CheckinRecord]:
        """Every check-in of a habit, undone ones included, by (day, id)."""
        rows = await self.conn.fetch_all(
            f"SELECT {CHECKIN_COLUMNS} FROM checkins WHERE habit_id = ? ORDER BY day, id", habit_id
        )
        return records(CheckinRecord, CHECKIN_COLUMNS, rows)

    async def day_values(
        self, habit_id: str, first: date, last: date
    ) -> list[tuple[date, int, bool]]:
        """(day, summed value, any skip) per day with live check-ins in ``first..last``."""
        rows = await self.conn.fetch_all(
            "SELECT day, SUM(value), MAX(CASE WHEN skip = TRUE THEN 1 ELSE 0 END) FROM checkins"
            " WHERE habit_id = ? AND deleted_at IS NULL AND day >= ? AND day <= ?"
            " GROUP BY day ORDER BY day",
            habit_id, iso(first), iso(last),
        )  # fmt: skip
        return [(date.fromisoformat(r[0]), int(r[1]), bool(r[2])) for r in rows]

    async def day_values_of(
        self, firsts: dict[str, date], last: date
    ) -> dict[str, list[tuple[date, int, bool]]]:
        """``day_values`` of several habits in one statement: each habit's days from its
        own first day (``firsts``: habit id -> first day) to ``last``."""
        if not firsts:
            return {}
        marks = ", ".join("?" for _ in firsts)
        rows = await self.conn.fetch_all(
            "SELECT habit_id, day, SUM(value), MAX(CASE WHEN skip = TRUE THEN 1 ELSE 0 END)"
            f" FROM checkins WHERE habit_id IN ({marks}) AND deleted_at IS NULL"
            " AND day >= ? AND day <= ? GROUP BY habit_id, day ORDER BY habit_id, day",
            *firsts, iso(min(firsts.values())), iso(last),
        )  # fmt: skip
        found: dict[str, list[tuple[date, int, bool]]] = {habit_id: [] for habit_id in firsts}
        for r in rows:
            day = date.fromisoformat(r[1])
            if day >= firsts[r[0]]:
                found[r[0]].append((day, int(r[2]), bool(r[3])))
        return found

    async def last_done_on(self, habit_id: str, target: int) -> date | None:
        value = await self.conn.fetch_value(
            "SELECT day FROM checkins WHERE habit_id = ? AND deleted_at IS NULL AND skip = FALSE"
            " GROUP BY day HAVING SUM(value) >= ? ORDER BY day DESC LIMIT 1",
            habit_id, target,
        )  # fmt: skip
        return None if value is None else date.fromisoformat(value)

    async def imported_days(self, habit_id: str) -> set[date]:
        """Days whose live check-ins all came from an import (they carry no points)."""
        rows = await self.conn.fetch_all(
            "SELECT day FROM checkins WHERE habit_id = ? AND deleted_at IS NULL GROUP BY day"
            " HAVING MIN(request_digest) = 'imported' AND MAX(request_digest) = 'imported'",
            habit_id,
        )
        return {date.fromisoformat(r[0]) for r in rows}

    async def add_to_day(self, user_id: str, day: date, category: str, delta: int) -> DayTotals:
        """Move one category's done count for a day; the day's totals afterwards."""
        column = {"results": "results", "relationships": "relationships"}[category]
        row = await self.conn.fetch_one(
            f"INSERT INTO user_days (user_id, day, {column}) VALUES (?, ?, ?)"
            f" ON CONFLICT (user_id, day) DO UPDATE"
            f" SET {column} = user_days.{column} + excluded.{column}"
            " RETURNING results, relationships",
            user_id, iso(day), delta,
        )  # fmt: skip
        assert row is not None  # an upsert always returns its row
        return DayTotals(results=row[0], relationships=row[1])

    async def totals_since(self, user_id: str, first: date, last: date) -> DayTotals:
        row = await self.conn.fetch_one(
            "SELECT COALESCE(SUM(results), 0), COALESCE(SUM(relationships), 0) FROM user_days"
            " WHERE user_id = ? AND day >= ? AND day <= ?",
            user_id, iso(first), iso(last),
        )  # fmt: skip
        assert row is not None
        return DayTotals(results=int(row[0]), relationships=int(row[1]))

    async def day_rows(self, user_id: str) -> dict[date, tuple[int, int]]:
        rows = await self.conn.fetch_all(
            "SELECT day, results, relationships FROM user_days WHERE user_id = ?", user_id
        )
        return {date.fromisoformat(r[0]): (int(r[1]), int(r[2])) for r in rows}

    async def set_day(self, user_id: str, day: date, results: int, relationships: int) -> None:
        await self.conn.execute(
            "DELETE FROM user_days WHERE user_id = ? AND day = ?", user_id, iso(day)
        )
        if results or relationships:
            await self.conn.execute(
                "INSERT INTO user_days (user_id, day, results, relationships) VALUES (?, ?, ?, ?)",
                user_id, iso(day), results, relationships,
            )  # fmt: skip
