"""A board read stays an index range scan on a team of 10,000 members with a year of
history: the query planner never scans the board table or sorts it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from server.store.database import Connection, Row
from server.store.sqlite import SqliteConnection, SqliteDatabase
from server.store.transaction import Transaction

# The SQLite back end's own machinery; the PostgreSQL run leaves it out.
pytestmark = pytest.mark.sqlite_only

MEMBERS = 10_000
TEAM = "team:t1"


class RecordingConnection:
    """Runs statements and keeps (sql, args) of every read, to explain them afterwards."""

    def __init__(self, inner: Connection) -> None:
        self.inner = inner
        self.reads: list[tuple[str, tuple[Any, ...]]] = []

    async def fetch_one(self, sql: str, *args: Any) -> Row | None:
        self.reads.append((sql, args))
        return await self.inner.fetch_one(sql, *args)

    async def fetch_all(self, sql: str, *args: Any) -> Sequence[Row]:
        self.reads.append((sql, args))
        return await self.inner.fetch_all(sql, *args)

    async def fetch_value(self, sql: str, *args: Any) -> Any:
        self.reads.append((sql, args))
        return await self.inner.fetch_value(sql, *args)

    async def execute(self, sql: str, *args: Any) -> int:
        return await self.inner.execute(sql, *args)


@pytest.fixture
async def big_team(tmp_path: Path) -> AsyncIterator[SqliteDatabase]:
    db = SqliteDatabase(tmp_path / "big.db", synchronous="NORMAL")
    await db.open()
    try:
        await _fill(db)
        yield db
    finally:
        await db.close()


async def _fill(db: SqliteDatabase) -> None:
    async with db.write() as conn:
        assert isinstance(conn, SqliteConnection)
        raw = conn._conn
        raw.executemany(
            "INSERT INTO users (id, handle, display_name, password_hash, timezone,"
            " day_start_hour, created_at) VALUES (?, ?, ?, 'x', 'UTC', 0, '2025-01-01')",
            [(f"u{i:05d}", f"user{i:05d}", f"User {i}") for i in range(MEMBERS)],
        )
        raw.execute(
            "INSERT INTO teams (id, name, timezone, created_at, member_count)"
            " VALUES ('t1', 'Big', 'UTC', '2025-01-01', ?)",
            (MEMBERS,),
        )
        raw.executemany(
            "INSERT INTO team_members (team_id, user_id, role, alias, joined_at, joined_id)"
            " VALUES ('t1', ?, 'member', ?, '2025-01-01', '0')",
            [(f"u{i:05d}", f"a{i:05d}") for i in range(MEMBERS)],
        )
        # A year of weekly boards plus all-time: ~530,000 board rows.
        weeks = [f"week:{date(2025, 1, 6) + timedelta(weeks=k)}" for k in range(52)]
        for period in [*weeks, "all"]:
            raw.executemany(
                "INSERT INTO board_scores (board, period, user_id, points) VALUES (?, ?, ?, ?)",
                [(TEAM, period, f"u{i:05d}", (i * 7919) % 500) for i in range(MEMBERS)],
            )
        raw.execute("ANALYZE")


async def test_board_reads_use_the_rank_index(big_team: SqliteDatabase) -> None:
    async with big_team.read() as conn:
        recorder = RecordingConnection(conn)
        q = Transaction(recorder)
        page = await q.boards.page(TEAM, "all", below=None, limit=50, hidden_team="t1")
        assert len(page) == 50
        assert [r.points for r in page] == sorted((r.points for r in page), reverse=True)
        nxt = await q.boards.page(
            TEAM, "all", below=(page[-1].points, page[-1].user_id), limit=50, hidden_team="t1"
        )
        assert nxt[0].points <= page[-1].points
        above = await q.boards.count_above(TEAM, "all", page[-1].points, page[-1].user_id)
        assert above == 49
        plans = []
        for sql, args in recorder.reads:
            rows = await conn.fetch_all(f"EXPLAIN QUERY PLAN {sql}", *args)
            plans.append(" | ".join(str(r[3]) for r in rows))
    assert len(plans) == 3
    for plan in plans:
        assert "board_scores_rank" in plan or "sqlite_autoindex_board_scores" in plan, plan
        assert not plan.startswith("SCAN"), plan
        assert "TEMP B-TREE" not in plan, plan
    # The next page and the rank count seek to the key instead of filtering from the top.
    assert "(points,user_id)<(?,?)" in plans[1]
    assert "(points,user_id)>(?,?)" in plans[2]
