"""A request cancelled at any point (a client hanging up) leaves the connections clean:
the next transaction starts and commits normally."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from server.store.sqlite import SqliteDatabase

# The SQLite back end's own machinery; the PostgreSQL run leaves it out.
pytestmark = pytest.mark.sqlite_only


async def _write(db: SqliteDatabase, n: int) -> None:
    async with db.write() as conn:
        await conn.execute(
            "INSERT INTO user_badges (user_id, slug, earned_at) SELECT id, ?, 'now' FROM users",
            f"b{n}",
        )


async def _read(db: SqliteDatabase) -> int:
    async with db.read() as conn:
        return int(await conn.fetch_value("SELECT COUNT(*) FROM user_badges"))


async def test_cancelled_transactions_leave_connections_usable(tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "c.db", readers=1)
    await db.open()
    try:
        async with db.write() as conn:
            await conn.execute(
                "INSERT INTO users (id, handle, display_name, password_hash, timezone,"
                " day_start_hour, created_at) VALUES ('u', 'h', 'H', 'x', 'UTC', 0, 'now')"
            )
        cancelled = 0
        for n in range(60):
            # Cancel after 0..5 scheduler turns: at BEGIN, mid-transaction or at COMMIT.
            writer = asyncio.ensure_future(_write(db, n))
            reader = asyncio.ensure_future(_read(db))
            for _ in range(n % 6):
                await asyncio.sleep(0)
            writer.cancel()
            reader.cancel()
            for task in (writer, reader):
                try:
                    await task
                except asyncio.CancelledError:
                    cancelled += 1
        assert cancelled > 0
        await _write(db, 1000)  # would fail "within a transaction" if one were left open
        written = await _read(db)
        async with db.write() as conn:
            stored = await conn.fetch_value("SELECT COUNT(*) FROM user_badges")
        assert written == stored
        assert written >= 1
    finally:
        await db.close()
