"""Users, their bearer tokens and the server's own keys."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

from server.store.areas.base import Area
from server.store.records import UserRecord
from server.store.rows import iso, prefixed, record

DELETE_BATCH = 2_000  # rows a statement deletes when an account goes
USER_COLUMNS = (
    "id, handle, display_name, password_hash, timezone, day_start_hour, points, xp, "
    "total_done, balanced_days, created_at, challenges_completed, peer_confirmed, "
    "hidden_on_boards, quiet_start, quiet_end, streak_at_risk"
)


class Users(Area):
    async def lock(self, user_ids: Sequence[str]) -> None:
        """Hold these users' rows until the transaction ends, so writes for the same
        person run one after another. SQLite's single writer already runs every write
        transaction alone: nothing to do here (the PostgreSQL back end overrides this)."""

    async def insert(self, user: UserRecord) -> bool:
        """False when the handle is taken (also by a registration committing meanwhile)."""
        added = await self.conn.execute(
            f"INSERT INTO users ({USER_COLUMNS})"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (handle) DO NOTHING",
            user.id, user.handle, user.display_name, user.password_hash, user.timezone,
            user.day_start_hour, user.points, user.xp, user.total_done, user.balanced_days,
            iso(user.created_at), user.challenges_completed, user.peer_confirmed,
            user.hidden_on_boards, user.quiet_start, user.quiet_end, user.streak_at_risk,
        )  # fmt: skip
        if not added:
            return False
        await self.changes.touched(user.id, "profile", user.id)
        return True

    async def by_id(self, user_id: str) -> UserRecord | None:
        row = await self.conn.fetch_one(f"SELECT {USER_COLUMNS} FROM users WHERE id = ?", user_id)
        return None if row is None else record(UserRecord, USER_COLUMNS, row)

    async def by_handle(self, handle: str) -> UserRecord | None:
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
        await self.changes.touched(user_id, "profile", user_id)

    async def set_notifications(
        self, user_id: str, quiet_start: str | None, quiet_end: str | None, streak_at_risk: bool
    ) -> None:
        await self.conn.execute(
            "UPDATE users SET quiet_start = ?, quiet_end = ?, streak_at_risk = ? WHERE id = ?",
            quiet_start, quiet_end, streak_at_risk, user_id,
        )  # fmt: skip
        await self.changes.touched(user_id, "profile", user_id)

    async def set_hidden_on_boards(self, user_id: str, hidden: bool) -> None:
        """Hide the user on every board they appear on (or show them again)."""
        await self.conn.execute(
            "UPDATE users SET hidden_on_boards = ? WHERE id = ?", hidden, user_id
        )
        await self.changes.touched(user_id, "profile", user_id)

    async def add_to_totals(
        self, user_id: str, *, points: int = 0, done: int = 0, balanced: int = 0
    ) -> None:
        await self.conn.execute(
            "UPDATE users SET points = points + ?, xp = xp + ?, total_done = total_done + ?,"
            " balanced_days = balanced_days + ? WHERE id = ?",
            points, points, done, balanced, user_id,
        )  # fmt: skip
        await self.changes.touched(user_id, "profile", user_id)

    async def set_totals(
        self, user_id: str, *, points: int, total_done: int, balanced_days: int
    ) -> None:
        await self.conn.execute(
            "UPDATE users SET points = ?, xp = ?, total_done = ?, balanced_days = ? WHERE id = ?",
            points, points, total_done, balanced_days, user_id,
        )  # fmt: skip

    async def bump_counter(self, user_id: str, column: str, delta: int) -> None:
        assert column in ("challenges_completed", "peer_confirmed")
        await self.conn.execute(
            f"UPDATE users SET {column} = {column} + ? WHERE id = ?", delta, user_id
        )

    async def delete(self, user_id: str) -> None:
        """The user and everything of theirs. Years of history are 100,000s of rows: the
        largest tables go first, ``DELETE_BATCH`` rows to a statement with a pause for
        other requests in between, so that the user's own row cascades to little."""
        await self.changes.flush()  # its rows go with it, not after it
        for table in ("checkins", "ledger"):
            await self._in_batches(
                f"DELETE FROM {table} WHERE id IN"
                f" (SELECT id FROM {table} WHERE user_id = ? LIMIT ?)",
                user_id,
            )
        await self._in_batches(
            "DELETE FROM changes WHERE (user_id, version, kind, entity_id) IN"
            " (SELECT user_id, version, kind, entity_id FROM changes WHERE user_id = ? LIMIT ?)",
            user_id,
        )
        await self.conn.execute("DELETE FROM users WHERE id = ?", user_id)

    async def export_claimed(self, signature: str) -> bool:
        found = await self.conn.fetch_value(
            "SELECT 1 FROM claimed_exports WHERE signature = ?", signature
        )
        return found is not None

    async def claim_export(self, signature: str, user_id: str, at: datetime) -> bool:
        """Record that ``user_id`` took in this export's points; False when another
        account did first."""
        claimed = await self.conn.execute(
            "INSERT INTO claimed_exports (signature, user_id, claimed_at) VALUES (?, ?, ?)"
            " ON CONFLICT (signature) DO NOTHING",
            signature, user_id, iso(at),
        )  # fmt: skip
        return claimed == 1

    async def _in_batches(self, sql: str, user_id: str) -> None:
        """Run a ``DELETE ... LIMIT ?`` until it deletes less than a batch."""
        deleted = DELETE_BATCH
        while deleted == DELETE_BATCH:
            deleted = await self.conn.execute(sql, user_id, DELETE_BATCH)
            await asyncio.sleep(0)  # let other requests in between batches

    async def has_history(self, user_id: str) -> bool:
        found = await self.conn.fetch_value(
            "SELECT 1 FROM habits WHERE user_id = ? UNION ALL"
            " SELECT 1 FROM ledger WHERE user_id = ? UNION ALL"
            " SELECT 1 FROM team_members WHERE user_id = ? LIMIT 1",
            user_id, user_id, user_id,
        )  # fmt: skip
        return bool(found)

    async def all_ids(self) -> list[str]:
        return [str(r[0]) for r in await self.conn.fetch_all("SELECT id FROM users ORDER BY id")]

    async def insert_token(
        self, token_hash: str, user_id: str, created_at: datetime, expires_at: datetime
    ) -> None:
        await self.conn.execute(
            "INSERT INTO tokens (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
            token_hash, user_id, iso(created_at), iso(expires_at),
        )  # fmt: skip

    async def for_token(self, token_hash: str, now: datetime) -> UserRecord | None:
        row = await self.conn.fetch_one(
            f"SELECT {prefixed('u', USER_COLUMNS)} FROM tokens t JOIN users u ON u.id = t.user_id"
            " WHERE t.token_hash = ? AND t.revoked_at IS NULL AND t.expires_at > ?",
            token_hash, iso(now),
        )  # fmt: skip
        return None if row is None else record(UserRecord, USER_COLUMNS, row)

    async def revoke_token(self, token_hash: str, now: datetime) -> None:
        await self.conn.execute(
            "UPDATE tokens SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL",
            iso(now), token_hash,
        )  # fmt: skip

    async def server_key_if_any(self, name: str) -> str | None:
        value = await self.conn.fetch_value("SELECT value FROM server_keys WHERE name = ?", name)
        return None if value is None else str(value)

    async def server_key(self, name: str, fresh: str) -> str:
        """The server's secret called ``name``, made from ``fresh`` the first time."""
        await self.conn.execute(
            "INSERT INTO server_keys (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
            name, fresh,
        )  # fmt: skip
        return str(
            await self.conn.fetch_value("SELECT value FROM server_keys WHERE name = ?", name)
        )
