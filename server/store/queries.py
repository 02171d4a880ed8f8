"""Every SQL statement the services run, one method each, over any ``Connection``.

Values cross this boundary as ISO strings (dates, instants) and integers; records come
back typed. The SQL stays within what SQLite and PostgreSQL both accept.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import msgspec

from server.store.database import Connection
from server.store.records import (
    BadgeRecord,
    CheckinRecord,
    DayTotals,
    HabitRecord,
    LedgerRecord,
    UserRecord,
)
from server.store.rows import iso, record, records
from server.store.social import SocialQueries

USER_COLUMNS = (
    "id, handle, display_name, password_hash, timezone, day_start_hour, points, xp, "
    "total_done, balanced_days, created_at, challenges_completed, peer_confirmed, "
    "hidden_on_boards"
)
HABIT_COLUMNS = (
    "id, user_id, title, category, schedule, kind, target, difficulty, template, "
    "relationship, archived, anchor_day, created_at, folded_through, streak_current, "
    "streak_best, freezes, freezes_used, strength, total_done, difficulty_log, priced_from"
)
CHECKIN_COLUMNS = (
    "id, habit_id, user_id, day, value, note, skip, witness, request_digest, result, "
    "created_at, deleted_at"
)
LEDGER_COLUMNS = (
    "id, user_id, at, day, amount, reason, habit_id, checkin_id, challenge_id, reverses"
)


# Server-sent event names for each kind of change.
EVENT_OF_KIND = {
    "profile": "profile",
    "habit": "habit",
    "checkin": "checkin",
    "ledger": "points",
    "badge": "badge",
    "team": "team",
    "challenge": "challenge",
}


class Queries(SocialQueries):
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        # Versions this transaction gave each user it touched (see 0003_changes.sql).
        self._versions: dict[str, int] = {}
        self._teams_cache = {}
        # (channel, event, entity id, version) to announce once the transaction commits.
        self._announce: dict[tuple[str, str, str], int] = {}

    def events(self) -> list[tuple[str, bytes]]:
        """(channel, JSON payload) of each distinct change this transaction made."""
        return [
            (
                channel,
                msgspec.json.encode({"event": event, "id": entity, "version": version}),
            )
            for (channel, event, entity), version in self._announce.items()
        ]

    def announce(self, channel: str, event: str, entity_id: str, version: int = 0) -> None:
        self._announce[(channel, event, entity_id)] = version

    # -- change log --------------------------------------------------------------------

    async def touched(self, user_id: str, kind: str, entity_id: str) -> None:
        """Record that a write changed ``kind``/``entity_id`` of ``user_id`` (delta sync)."""
        version = self._versions.get(user_id)
        if version is None:
            version = int(
                await self.conn.fetch_value(
                    "UPDATE users SET version = version + 1 WHERE id = ? RETURNING version", user_id
                )
                or 0
            )
            self._versions[user_id] = version
        await self.conn.execute(
            "INSERT INTO changes (user_id, version, kind, entity_id) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (user_id, version, kind, entity_id) DO NOTHING",
            user_id, version, kind, entity_id,
        )  # fmt: skip
        self.announce(f"user:{user_id}", EVENT_OF_KIND[kind], entity_id, version)

    async def changes_after(
        self, user_id: str, after: tuple[int, str, str], limit: int
    ) -> list[tuple[int, str, str]]:
        """(version, kind, entity id) of each entity's latest change after ``after``, in
        order; an entity changed several times appears once, at its latest version."""
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

    # -- users -------------------------------------------------------------------------

    async def insert_user(self, user: UserRecord) -> bool:
        """False when the handle is taken."""
        taken = await self.conn.fetch_value("SELECT 1 FROM users WHERE handle = ?", user.handle)
        if taken:
            return False
        await self.conn.execute(
            f"INSERT INTO users ({USER_COLUMNS})"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            user.id, user.handle, user.display_name, user.password_hash, user.timezone,
            user.day_start_hour, user.points, user.xp, user.total_done, user.balanced_days,
            iso(user.created_at), user.challenges_completed, user.peer_confirmed,
            int(user.hidden_on_boards),
        )  # fmt: skip
        await self.touched(user.id, "profile", user.id)
        return True

    async def user_by_id(self, user_id: str) -> UserRecord | None:
        row = await self.conn.fetch_one(f"SELECT {USER_COLUMNS} FROM users WHERE id = ?", user_id)
        return None if row is None else record(UserRecord, USER_COLUMNS, row)

    async def user_by_handle(self, handle: str) -> UserRecord | None:
        row = await self.conn.fetch_one(
            f"SELECT {USER_COLUMNS} FROM users WHERE handle = ?", handle
        )
        return None if row is None else record(UserRecord, USER_COLUMNS, row)

    async def update_profile(
        self, user_id: str, display_name: str, timezone: str, day_start_hour: int
    ) -> None:
        await self.conn.execute(
            "UPDATE users SET display_name = ?, timezone = ?, day_start_hour = ? WHERE id = ?",
            display_name, timezone, day_start_hour, user_id,
        )  # fmt: skip
        await self.touched(user_id, "profile", user_id)

    async def set_hidden_on_boards(self, user_id: str, hidden: bool) -> None:
        """Hide the user on every board they appear on (or show them again)."""
        await self.conn.execute(
            "UPDATE users SET hidden_on_boards = ? WHERE id = ?", int(hidden), user_id
        )
        await self.touched(user_id, "profile", user_id)

    async def add_to_user_totals(
        self, user_id: str, *, points: int = 0, done: int = 0, balanced: int = 0
    ) -> None:
        await self.conn.execute(
            "UPDATE users SET points = points + ?, xp = xp + ?, total_done = total_done + ?,"
            " balanced_days = balanced_days + ? WHERE id = ?",
            points, points, done, balanced, user_id,
        )  # fmt: skip
        await self.touched(user_id, "profile", user_id)

    async def delete_user(self, user_id: str) -> None:
        await self.conn.execute("DELETE FROM users WHERE id = ?", user_id)

    # -- tokens ------------------------------------------------------------------------

    async def insert_token(
        self, token_hash: str, user_id: str, created_at: datetime, expires_at: datetime
    ) -> None:
        await self.conn.execute(
            "INSERT INTO tokens (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
            token_hash, user_id, iso(created_at), iso(expires_at),
        )  # fmt: skip

    async def user_for_token(self, token_hash: str, now: datetime) -> UserRecord | None:
        columns = ", ".join(f"u.{c.strip()}" for c in USER_COLUMNS.split(","))
        row = await self.conn.fetch_one(
            f"SELECT {columns} FROM tokens t JOIN users u ON u.id = t.user_id"
            " WHERE t.token_hash = ? AND t.revoked_at IS NULL AND t.expires_at > ?",
            token_hash, iso(now),
        )  # fmt: skip
        return None if row is None else record(UserRecord, USER_COLUMNS, row)

    async def revoke_token(self, token_hash: str, now: datetime) -> None:
        await self.conn.execute(
            "UPDATE tokens SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL",
            iso(now), token_hash,
        )  # fmt: skip

    # -- habits ------------------------------------------------------------------------

    async def insert_habit(self, habit: HabitRecord) -> None:
        await self.conn.execute(
            f"INSERT INTO habits ({HABIT_COLUMNS}) VALUES"
            " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            habit.id, habit.user_id, habit.title, habit.category, habit.schedule, habit.kind,
            habit.target, habit.difficulty, habit.template, habit.relationship,
            int(habit.archived), iso(habit.anchor_day), iso(habit.created_at),
            iso(habit.folded_through), habit.streak_current, habit.streak_best, habit.freezes,
            habit.freezes_used, habit.strength, habit.total_done, habit.difficulty_log,
            iso(habit.priced_from),
        )  # fmt: skip
        await self.touched(habit.user_id, "habit", habit.id)

    async def active_habit_count(self, user_id: str) -> int:
        value = await self.conn.fetch_value(
            "SELECT COUNT(*) FROM habits WHERE user_id = ? AND archived = 0", user_id
        )
        return int(value or 0)

    async def habit_exists(self, habit_id: str) -> bool:
        return bool(await self.conn.fetch_value("SELECT 1 FROM habits WHERE id = ?", habit_id))

    async def habit(self, user_id: str, habit_id: str) -> HabitRecord | None:
        """The habit, if it is the user's."""
        row = await self.conn.fetch_one(
            f"SELECT {HABIT_COLUMNS} FROM habits WHERE id = ? AND user_id = ?", habit_id, user_id
        )
        return None if row is None else record(HabitRecord, HABIT_COLUMNS, row)

    async def habits(
        self,
        user_id: str,
        *,
        archived: bool | None = False,
        after: tuple[str, str] | None = None,
        limit: int = 1000,
    ) -> list[HabitRecord]:
        """The user's habits in creation order, after the (created_at, id) key if given."""
        sql = f"SELECT {HABIT_COLUMNS} FROM habits WHERE user_id = ?"
        args: list[Any] = [user_id]
        if archived is not None:
            sql += " AND archived = ?"
            args.append(int(archived))
        if after is not None:
            sql += " AND (created_at, id) > (?, ?)"
            args += [after[0], after[1]]
        sql += " ORDER BY created_at, id LIMIT ?"
        args.append(limit)
        return records(HabitRecord, HABIT_COLUMNS, await self.conn.fetch_all(sql, *args))

    async def update_habit(self, habit: HabitRecord) -> None:
        await self.conn.execute(
            "UPDATE habits SET title = ?, category = ?, schedule = ?, kind = ?, target = ?,"
            " difficulty = ?, relationship = ?, archived = ?, difficulty_log = ? WHERE id = ?",
            habit.title, habit.category, habit.schedule, habit.kind, habit.target,
            habit.difficulty, habit.relationship, int(habit.archived), habit.difficulty_log,
            habit.id,
        )  # fmt: skip
        await self.touched(habit.user_id, "habit", habit.id)

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

    async def delete_habit(self, habit_id: str, user_id: str) -> None:
        await self.conn.execute("DELETE FROM habits WHERE id = ?", habit_id)
        await self.touched(user_id, "habit", habit_id)

    async def total_held_freezes(self, user_id: str) -> int:
        value = await self.conn.fetch_value(
            "SELECT COALESCE(SUM(freezes), 0) FROM habits WHERE user_id = ? AND archived = 0",
            user_id,
        )
        return int(value or 0)

    # -- check-ins ---------------------------------------------------------------------

    async def checkin(self, checkin_id: str) -> CheckinRecord | None:
        """Any check-in with this id, whoever owns it, undone ones included."""
        row = await self.conn.fetch_one(
            f"SELECT {CHECKIN_COLUMNS} FROM checkins WHERE id = ?", checkin_id
        )
        return None if row is None else record(CheckinRecord, CHECKIN_COLUMNS, row)

    async def insert_checkin(self, checkin: CheckinRecord) -> None:
        await self.conn.execute(
            f"INSERT INTO checkins ({CHECKIN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            checkin.id, checkin.habit_id, checkin.user_id, iso(checkin.day), checkin.value,
            checkin.note, int(checkin.skip), checkin.witness, checkin.request_digest,
            checkin.result, iso(checkin.created_at), iso(checkin.deleted_at),
        )  # fmt: skip
        await self.touched(checkin.user_id, "checkin", checkin.id)

    async def mark_checkin_deleted(self, checkin_id: str, user_id: str, at: datetime) -> None:
        await self.conn.execute(
            "UPDATE checkins SET deleted_at = ? WHERE id = ?", iso(at), checkin_id
        )
        await self.touched(user_id, "checkin", checkin_id)

    async def checkins(
        self,
        habit_id: str,
        *,
        first: date | None = None,
        last: date | None = None,
        after: tuple[str, str] | None = None,
        limit: int | None = None,
    ) -> list[CheckinRecord]:
        """Live check-ins of a habit, by (day, id), optionally within ``first..last``."""
        sql = f"SELECT {CHECKIN_COLUMNS} FROM checkins WHERE habit_id = ? AND deleted_at IS NULL"
        args: list[Any] = [habit_id]
        if first is not None:
            sql += " AND day >= ?"
            args.append(iso(first))
        if last is not None:
            sql += " AND day <= ?"
            args.append(iso(last))
        if after is not None:
            sql += " AND (day, id) > (?, ?)"
            args += [after[0], after[1]]
        sql += " ORDER BY day, id"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(limit)
        return records(CheckinRecord, CHECKIN_COLUMNS, await self.conn.fetch_all(sql, *args))

    async def day_values(
        self, habit_id: str, first: date, last: date
    ) -> list[tuple[date, int, bool]]:
        """(day, summed value, any skip) per day with live check-ins in ``first..last``."""
        rows = await self.conn.fetch_all(
            "SELECT day, SUM(value), MAX(skip) FROM checkins"
            " WHERE habit_id = ? AND deleted_at IS NULL AND day >= ? AND day <= ?"
            " GROUP BY day ORDER BY day",
            habit_id, iso(first), iso(last),
        )  # fmt: skip
        return [(date.fromisoformat(r[0]), int(r[1]), bool(r[2])) for r in rows]

    # -- per-day totals ----------------------------------------------------------------

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

    async def day_totals(self, user_id: str, day: date) -> DayTotals:
        row = await self.conn.fetch_one(
            "SELECT results, relationships FROM user_days WHERE user_id = ? AND day = ?",
            user_id, iso(day),
        )  # fmt: skip
        return DayTotals() if row is None else DayTotals(results=row[0], relationships=row[1])

    async def totals_since(self, user_id: str, first: date, last: date) -> DayTotals:
        row = await self.conn.fetch_one(
            "SELECT COALESCE(SUM(results), 0), COALESCE(SUM(relationships), 0) FROM user_days"
            " WHERE user_id = ? AND day >= ? AND day <= ?",
            user_id, iso(first), iso(last),
        )  # fmt: skip
        assert row is not None
        return DayTotals(results=int(row[0]), relationships=int(row[1]))

    # -- ledger ------------------------------------------------------------------------

    async def insert_ledger(self, entries: Sequence[LedgerRecord]) -> None:
        for e in entries:
            await self.conn.execute(
                f"INSERT INTO ledger ({LEDGER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                e.id, e.user_id, iso(e.at), iso(e.day), e.amount, e.reason, e.habit_id,
                e.checkin_id, e.challenge_id, e.reverses,
            )  # fmt: skip
            await self.touched(e.user_id, "ledger", e.id)

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
        sql = (
            f"SELECT {LEDGER_COLUMNS} FROM ledger e WHERE user_id = ? AND reason IN ({marks})"
            " AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reverses = e.id)"
        )
        args: list[Any] = [user_id, *reasons]
        if checkin_id is not None:
            sql += " AND checkin_id = ?"
            args.append(checkin_id)
        if challenge_id is not None:
            sql += " AND challenge_id = ?"
            args.append(challenge_id)
        return records(
            LedgerRecord, LEDGER_COLUMNS, await self.conn.fetch_all(sql + " ORDER BY id", *args)
        )

    async def last_done_on(self, habit_id: str, target: int) -> date | None:
        value = await self.conn.fetch_value(
            "SELECT day FROM checkins WHERE habit_id = ? AND deleted_at IS NULL AND skip = 0"
            " GROUP BY day HAVING SUM(value) >= ? ORDER BY day DESC LIMIT 1",
            habit_id, target,
        )  # fmt: skip
        return None if value is None else date.fromisoformat(value)

    async def open_day_entry(self, user_id: str, day: date, reason: str) -> LedgerRecord | None:
        """The day's unreversed entry for ``reason`` (the balance bonus), if any."""
        row = await self.conn.fetch_one(
            f"SELECT {LEDGER_COLUMNS} FROM ledger e WHERE user_id = ? AND day = ? AND reason = ?"
            " AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reverses = e.id)",
            user_id, iso(day), reason,
        )  # fmt: skip
        return None if row is None else record(LedgerRecord, LEDGER_COLUMNS, row)

    async def ledger(
        self,
        user_id: str,
        *,
        first: date | None,
        last: date | None,
        after: str | None,
        limit: int,
    ) -> list[LedgerRecord]:
        """Newest first; ``after`` is the id the previous page ended with."""
        sql = f"SELECT {LEDGER_COLUMNS} FROM ledger WHERE user_id = ?"
        args: list[Any] = [user_id]
        if first is not None:
            sql += " AND day >= ?"
            args.append(iso(first))
        if last is not None:
            sql += " AND day <= ?"
            args.append(iso(last))
        if after is not None:
            sql += " AND id < ?"
            args.append(after)
        sql += " ORDER BY id DESC LIMIT ?"
        args.append(limit)
        return records(LedgerRecord, LEDGER_COLUMNS, await self.conn.fetch_all(sql, *args))

    async def all_checkins(self, habit_id: str) -> list[CheckinRecord]:
        """Every check-in of a habit, undone ones included, by (day, id)."""
        rows = await self.conn.fetch_all(
            f"SELECT {CHECKIN_COLUMNS} FROM checkins WHERE habit_id = ? ORDER BY day, id", habit_id
        )
        return records(CheckinRecord, CHECKIN_COLUMNS, rows)

    async def all_ledger(self, user_id: str) -> list[LedgerRecord]:
        rows = await self.conn.fetch_all(
            f"SELECT {LEDGER_COLUMNS} FROM ledger WHERE user_id = ? ORDER BY id", user_id
        )
        return records(LedgerRecord, LEDGER_COLUMNS, rows)

    async def has_history(self, user_id: str) -> bool:
        found = await self.conn.fetch_value(
            "SELECT 1 FROM habits WHERE user_id = ? UNION ALL"
            " SELECT 1 FROM ledger WHERE user_id = ? UNION ALL"
            " SELECT 1 FROM team_members WHERE user_id = ? LIMIT 1",
            user_id, user_id, user_id,
        )  # fmt: skip
        return bool(found)

    async def server_key(self, name: str, fresh: str) -> str:
        """The server's secret called ``name``, made from ``fresh`` the first time."""
        await self.conn.execute(
            "INSERT INTO server_keys (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
            name, fresh,
        )  # fmt: skip
        return str(
            await self.conn.fetch_value("SELECT value FROM server_keys WHERE name = ?", name)
        )

    async def imported_days(self, habit_id: str) -> set[date]:
        """Days whose live check-ins all came from an import (they carry no points)."""
        rows = await self.conn.fetch_all(
            "SELECT day FROM checkins WHERE habit_id = ? AND deleted_at IS NULL GROUP BY day"
            " HAVING MIN(request_digest) = 'imported' AND MAX(request_digest) = 'imported'",
            habit_id,
        )
        return {date.fromisoformat(r[0]) for r in rows}

    async def all_user_ids(self) -> list[str]:
        return [str(r[0]) for r in await self.conn.fetch_all("SELECT id FROM users ORDER BY id")]

    async def ledger_sum(self, user_id: str, *, since_id: str | None = None) -> int:
        sql = "SELECT COALESCE(SUM(amount), 0) FROM ledger WHERE user_id = ?"
        args: list[Any] = [user_id]
        if since_id is not None:
            sql += " AND id >= ?"
            args.append(since_id)
        return int(await self.conn.fetch_value(sql, *args) or 0)

    async def user_day_rows(self, user_id: str) -> dict[date, tuple[int, int]]:
        rows = await self.conn.fetch_all(
            "SELECT day, results, relationships FROM user_days WHERE user_id = ?", user_id
        )
        return {date.fromisoformat(r[0]): (int(r[1]), int(r[2])) for r in rows}

    async def set_user_day(self, user_id: str, day: date, results: int, relationships: int) -> None:
        await self.conn.execute(
            "DELETE FROM user_days WHERE user_id = ? AND day = ?", user_id, iso(day)
        )
        if results or relationships:
            await self.conn.execute(
                "INSERT INTO user_days (user_id, day, results, relationships) VALUES (?, ?, ?, ?)",
                user_id, iso(day), results, relationships,
            )  # fmt: skip

    async def set_user_totals(
        self, user_id: str, *, points: int, total_done: int, balanced_days: int
    ) -> None:
        await self.conn.execute(
            "UPDATE users SET points = ?, xp = ?, total_done = ?, balanced_days = ? WHERE id = ?",
            points, points, total_done, balanced_days, user_id,
        )  # fmt: skip

    async def set_board_score(self, board: str, period: str, user_id: str, points: int) -> None:
        await self.conn.execute(
            "INSERT INTO board_scores (board, period, user_id, points) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (board, period, user_id) DO UPDATE SET points = excluded.points",
            board, period, user_id, points,
        )  # fmt: skip

    async def ledger_entry(self, user_id: str, entry_id: str) -> LedgerRecord | None:
        row = await self.conn.fetch_one(
            f"SELECT {LEDGER_COLUMNS} FROM ledger WHERE id = ? AND user_id = ?", entry_id, user_id
        )
        return None if row is None else record(LedgerRecord, LEDGER_COLUMNS, row)

    async def points_on_day(self, user_id: str, day: date) -> int:
        value = await self.conn.fetch_value(
            "SELECT COALESCE(SUM(amount), 0) FROM ledger WHERE user_id = ? AND day = ?",
            user_id, iso(day),
        )  # fmt: skip
        return int(value or 0)

    # -- badges ------------------------------------------------------------------------

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
        await self.touched(user_id, "badge", slug)
