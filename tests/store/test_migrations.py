from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from server.store.sqlite import SqliteDatabase, migrate, migration_files


def test_migrations_are_applied_once_and_recorded(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        first = migrate(conn)
        again = migrate(conn)
        rows = conn.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()
        recorded = [row[0] for row in rows]
    finally:
        conn.close()
    assert first == [v for v, _, _ in migration_files()]
    assert again == []
    assert recorded == first


async def test_database_pragmas_are_set(tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "p.db", synchronous="FULL")
    await db.open()
    try:
        async with db.write() as conn:
            assert await conn.fetch_value("PRAGMA journal_mode") == "wal"
            assert await conn.fetch_value("PRAGMA foreign_keys") == 1
            assert await conn.fetch_value("PRAGMA synchronous") == 2  # FULL
        assert await db.ping()
    finally:
        await db.close()


async def test_failed_write_transaction_leaves_nothing(tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "t.db")
    await db.open()
    try:

        async def insert_then_fail() -> None:
            async with db.write() as conn:
                await conn.execute(
                    "INSERT INTO users (id, handle, display_name, password_hash, timezone,"
                    " day_start_hour, created_at) VALUES ('u', 'h', 'H', 'x', 'UTC', 0, 'now')"
                )
                raise RuntimeError("boom")

        with pytest.raises(RuntimeError, match="boom"):
            await insert_then_fail()
        async with db.read() as conn:
            assert await conn.fetch_value("SELECT COUNT(*) FROM users") == 0
    finally:
        await db.close()
