from __future__ import annotations

import sqlite3
from pathlib import Path
from uuid import UUID

import pytest

from server.store.sqlite import SqliteDatabase, migrate, migration_files

# The SQLite back end's own machinery; the PostgreSQL run leaves it out.
pytestmark = pytest.mark.sqlite_only


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


def _migrate_below(conn: sqlite3.Connection, version: int) -> None:
    """The database as it was before migration ``version``."""
    conn.execute(
        "CREATE TABLE schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    for number, name, sql in migration_files():
        if number < version:
            conn.executescript(f"BEGIN;\n{sql}\nCOMMIT;")
            conn.execute("INSERT INTO schema_migrations VALUES (?, ?, 'then')", (number, name))


def test_participations_from_before_0006_get_distinct_random_aliases(tmp_path: Path) -> None:
    """Stand-ins on challenge boards (0006_hidden_on_boards.sql): existing participations get
    a UUID each, and every user starts shown on the boards."""
    conn = sqlite3.connect(tmp_path / "a.db", isolation_level=None)
    try:
        _migrate_below(conn, 6)
        conn.executemany(
            "INSERT INTO users (id, handle, display_name, password_hash, timezone,"
            " day_start_hour, created_at) VALUES (?, ?, ?, 'x', 'UTC', 0, 'then')",
            [("u1", "ana", "Ana"), ("u2", "ben", "Ben")],
        )
        conn.execute(
            "INSERT INTO challenges (id, title, description, starts_on, ends_on, target,"
            " reward_points, created_at) VALUES ('c1', 'Run', '', '2026-03-01', '2026-03-31',"
            " 5, 0, 'then')"
        )
        conn.executemany(
            "INSERT INTO challenge_participants (challenge_id, user_id, joined_at)"
            " VALUES ('c1', ?, 'then')",
            [("u1",), ("u2",)],
        )

        assert 6 in migrate(conn)

        aliases = [r[0] for r in conn.execute("SELECT alias FROM challenge_participants")]
        hidden = [r[0] for r in conn.execute("SELECT hidden_on_boards FROM users")]
    finally:
        conn.close()
    assert len(aliases) == len(set(aliases)) == 2
    assert all(UUID(a).version == 4 and str(UUID(a)) == a for a in aliases)
    assert hidden == [0, 0]


def test_team_goal_progress_from_before_0008_is_kept_and_shares_add_to_it(
    tmp_path: Path,
) -> None:
    """0008_team_goal_shares.sql: a week's progress made before stays, on a row of no
    member; members' check-ins after it add rows of their own to the same sum."""
    conn = sqlite3.connect(tmp_path / "a.db", isolation_level=None)
    try:
        _migrate_below(conn, 8)
        conn.execute(
            "INSERT INTO teams (id, name, timezone, created_at) VALUES ('t1', 'T', 'UTC', 'then')"
        )
        conn.execute("INSERT INTO team_goal_progress VALUES ('t1', '2026-W10', 4)")

        assert 8 in migrate(conn)
        conn.execute("INSERT INTO team_goal_progress VALUES ('t1', '2026-W10', 'u1', 2)")
        total = conn.execute(
            "SELECT SUM(done) FROM team_goal_progress WHERE team_id = 't1' AND week = '2026-W10'"
        ).fetchone()[0]
        shares = conn.execute("SELECT user_id, done FROM team_goal_progress ORDER BY 1").fetchall()
    finally:
        conn.close()
    assert total == 6
    assert shares == [("", 4), ("u1", 2)]
