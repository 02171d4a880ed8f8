"""A sync page costs what changed since the cursor, not the user's history: the change log
is read from the cursor's version on (a primary-key range), and each entity comes once, at
its latest version."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from server.store.sqlite import SqliteConnection, SqliteDatabase
from server.store.transaction import Transaction
from tests.store.test_board_plans import RecordingConnection

# The SQLite back end's own machinery; the PostgreSQL run leaves it out.
pytestmark = pytest.mark.sqlite_only

VERSIONS = 5_000
KINDS = ("ledger", "checkin", "profile", "habit")


@pytest.fixture
async def history(tmp_path: Path) -> AsyncIterator[tuple[SqliteDatabase, list[tuple]]]:
    db = SqliteDatabase(tmp_path / "sync.db", synchronous="NORMAL")
    await db.open()
    rng = random.Random(7)
    log = []
    for version in range(1, VERSIONS + 1):
        for _ in range(rng.randint(1, 3)):
            log.append(("u1", version, rng.choice(KINDS), f"e{rng.randint(1, 1_500)}"))
    try:
        async with db.write() as conn:
            assert isinstance(conn, SqliteConnection)
            raw = conn._conn
            raw.execute(
                "INSERT INTO users (id, handle, display_name, password_hash, timezone,"
                " day_start_hour, created_at) VALUES ('u1', 'h', 'H', 'x', 'UTC', 0, 'now')"
            )
            raw.executemany("INSERT OR IGNORE INTO changes VALUES (?, ?, ?, ?)", log)
            raw.execute("ANALYZE")
        yield db, log
    finally:
        await db.close()


def _expected(log: list[tuple], after: tuple[int, str, str], limit: int) -> list[tuple]:
    latest: dict[tuple[str, str], int] = {}
    for _, version, kind, entity in log:
        if version >= after[0]:
            latest[(kind, entity)] = max(latest.get((kind, entity), 0), version)
    rows = sorted((v, k, e) for (k, e), v in latest.items() if (v, k, e) > after)
    return rows[:limit]


async def test_a_recent_cursor_reads_only_the_recent_changes(
    history: tuple[SqliteDatabase, list[tuple]],
) -> None:
    db, log = history
    async with db.read() as conn:
        recorder = RecordingConnection(conn)
        q = Transaction(recorder)
        for after in [(VERSIONS - 5, "", ""), (VERSIONS - 200, "ledger", "e9"), (0, "", "")]:
            got = await q.changes.after("u1", after, 200)
            assert got == _expected(log, after, 200), after
        sql, args = recorder.reads[0]
        plan = " | ".join(
            str(r[3]) for r in await conn.fetch_all(f"EXPLAIN QUERY PLAN {sql}", *args)
        )
    assert "sqlite_autoindex_changes_1 (user_id=? AND version>?)" in plan, plan
    assert "changes_entity" not in plan, plan
