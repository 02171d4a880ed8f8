"""Habits and their settled progress (streak, freezes, strength)."""

from __future__ import annotations

from datetime import date

from server.store.areas.base import Area
from server.store.records import HabitRecord
from server.store.rows import Query, by_ids, iso, record, records

HABIT_COLUMNS = (
    "id, user_id, title, category, schedule, kind, target, difficulty, template, "
    "relationship, archived, anchor_day, created_at, folded_through, streak_current, "
    "streak_best, freezes, freezes_used, strength, total_done, difficulty_log, priced_from, "
    "reminders"
)


class Habits(Area):
    async def insert(self, habit: HabitRecord) -> None:
        await self.conn.execute(
            f"INSERT INTO habits ({HABIT_COLUMNS}) VALUES"
            " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            habit.id, habit.user_id, habit.title, habit.category, habit.schedule, habit.kind,
            habit.target, habit.difficulty, habit.template, habit.relationship,
            habit.archived, iso(habit.anchor_day), iso(habit.created_at),
            iso(habit.folded_through), habit.streak_current, habit.streak_best, habit.freezes,
            habit.freezes_used, habit.strength, habit.total_done, habit.difficulty_log,
            iso(habit.priced_from), habit.reminders,
        )  # fmt: skip
        await self.changes.touched(habit.user_id, "habit", habit.id)

    async def active_count(self, user_id: str) -> int:
        value = await self.conn.fetch_value(
            "SELECT COUNT(*) FROM habits WHERE user_id = ? AND archived = FALSE", user_id
        )
        return int(value or 0)

    async def exists(self, habit_id: str) -> bool:
        return bool(await self.conn.fetch_value("SELECT 1 FROM habits WHERE id = ?", habit_id))

    async def get(self, user_id: str, habit_id: str) -> HabitRecord | None:
        """The habit, if it is the user's."""
        row = await self.conn.fetch_one(
            f"SELECT {HABIT_COLUMNS} FROM habits WHERE id = ? AND user_id = ?", habit_id, user_id
        )
        return None if row is None else record(HabitRecord, HABIT_COLUMNS, row)

    async def many(self, user_id: str, habit_ids: list[str]) -> dict[str, HabitRecord]:
        """``get`` for many ids in one statement: id -> habit, for the user's that exist."""
        return await by_ids(
            self.conn, HabitRecord, HABIT_COLUMNS, "habits", habit_ids, user_id=user_id
        )

    async def of_user(
        self,
        user_id: str,
        *,
        archived: bool | None = False,
        after: tuple[str, str] | None = None,
        limit: int = 1000,
    ) -> list[HabitRecord]:
        """The user's habits in creation order, after the (created_at, id) key if given."""
        query = (
            Query(f"SELECT {HABIT_COLUMNS} FROM habits WHERE user_id = ?", user_id)
            .where("archived = ?", archived)
            .where("(created_at, id) > (?, ?)", after)
            .then(" ORDER BY created_at, id")
            .limit(limit)
        )
        rows = await self.conn.fetch_all(query.sql, *query.args)
        return records(HabitRecord, HABIT_COLUMNS, rows)

    async def update(self, habit: HabitRecord) -> None:
        await self.conn.execute(
            "UPDATE habits SET title = ?, category = ?, schedule = ?, kind = ?, target = ?,"
            " difficulty = ?, relationship = ?, archived = ?, difficulty_log = ?, reminders = ?,"
            " next_ring_at = NULL WHERE id = ?",  # when it rings next: worked out again
            habit.title, habit.category, habit.schedule, habit.kind, habit.target,
            habit.difficulty, habit.relationship, habit.archived, habit.difficulty_log,
            habit.reminders, habit.id,
        )  # fmt: skip
        await self.changes.touched(habit.user_id, "habit", habit.id)

    async def set_priced_from(self, habit_id: str, day: date) -> None:
        await self.conn.execute(
            "UPDATE habits SET priced_from = ? WHERE id = ?", iso(day), habit_id
        )

    async def save_progress(self, habit: HabitRecord) -> None:
        await self.conn.execute(
            "UPDATE habits SET folded_through = ?, streak_current = ?, streak_best = ?,"
            " freezes = ?, freezes_used = ?, strength = ?, total_done = ?"
            " WHERE id = ?",
            iso(habit.folded_through), habit.streak_current, habit.streak_best, habit.freezes,
            habit.freezes_used, habit.strength, habit.total_done, habit.id,
        )  # fmt: skip

    async def delete(self, habit_id: str, user_id: str) -> None:
        await self.conn.execute("DELETE FROM habits WHERE id = ?", habit_id)
        await self.changes.touched(user_id, "habit", habit_id)

    async def total_held_freezes(self, user_id: str) -> int:
        value = await self.conn.fetch_value(
            "SELECT COALESCE(SUM(freezes), 0) FROM habits WHERE user_id = ? AND archived = FALSE",
            user_id,
        )
        return int(value or 0)
