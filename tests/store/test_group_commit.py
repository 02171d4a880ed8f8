"""Group commit: write blocks that queue up share one transaction and one fsync, each
block is still all-or-nothing on its own, and no block returns before its commit."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from server.store.sqlite import SqliteDatabase

# The SQLite back end's own machinery; the PostgreSQL run leaves it out.
pytestmark = pytest.mark.sqlite_only


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[SqliteDatabase]:
    database = SqliteDatabase(tmp_path / "g.db")
    await database.open()
    async with database.write() as conn:
        await conn.execute(
            "INSERT INTO users (id, handle, display_name, password_hash, timezone,"
            " day_start_hour, created_at) VALUES ('u', 'h', 'H', 'x', 'UTC', 0, 'now')"
        )
    try:
        yield database
    finally:
        await database.close()


async def _badge(db: SqliteDatabase, n: int, *, fail: bool = False) -> int:
    async with db.write() as conn:
        await conn.execute(
            "INSERT INTO user_badges (user_id, slug, earned_at) VALUES ('u', ?, 'now')", f"b{n}"
        )
        if fail:
            raise ValueError(f"block {n} changed its mind")
    return n


async def _slugs(db: SqliteDatabase) -> set[str]:
    async with db.read() as conn:
        return {row[0] for row in await conn.fetch_all("SELECT slug FROM user_badges")}


def _on_disk(db: SqliteDatabase) -> set[str]:
    """What a separate connection (another process, after a crash) finds committed."""
    other = sqlite3.connect(db.path)
    try:
        return {row[0] for row in other.execute("SELECT slug FROM user_badges")}
    finally:
        other.close()


async def test_concurrent_blocks_share_one_commit(db: SqliteDatabase) -> None:
    before = db.commits
    done = await asyncio.gather(*(_badge(db, n) for n in range(50)))
    assert sorted(done) == list(range(50))
    # Every block had returned only after its commit: all 50 are on disk already.
    assert _on_disk(db) == {f"b{n}" for n in range(50)}
    assert db.commits - before < 50
    assert db.blocks >= 50


async def test_a_failing_block_rolls_back_alone(db: SqliteDatabase) -> None:
    results = await asyncio.gather(
        *(_badge(db, n, fail=n % 2 == 1) for n in range(20)), return_exceptions=True
    )
    failed = [n for n, r in enumerate(results) if isinstance(r, ValueError)]
    assert failed == list(range(1, 20, 2))
    assert _on_disk(db) == {f"b{n}" for n in range(0, 20, 2)}
    assert await _slugs(db) == {f"b{n}" for n in range(0, 20, 2)}


async def test_a_failed_commit_fails_every_block_in_it(db: SqliteDatabase) -> None:
    async def poison() -> None:
        # A deferred foreign key is only checked at COMMIT: the whole batch's commit fails.
        async with db.write() as conn:
            await conn.execute("PRAGMA defer_foreign_keys = ON")
            await conn.execute(
                "INSERT INTO user_badges (user_id, slug, earned_at) VALUES ('nobody', 'p', 'x')"
            )

    results = await asyncio.gather(_badge(db, 1), poison(), _badge(db, 2), return_exceptions=True)
    assert all(isinstance(r, sqlite3.IntegrityError) for r in results), results
    assert _on_disk(db) == set()
    # The writer is clean again: the next block commits on its own.
    assert await _badge(db, 3) == 3
    assert _on_disk(db) == {"b3"}


async def test_a_block_whose_caller_hangs_up_is_still_committed_whole(
    db: SqliteDatabase,
) -> None:
    task = asyncio.ensure_future(_badge(db, 7))
    await asyncio.sleep(0)  # the block has run and waits for its commit
    task.cancel()  # the client hangs up: no answer, but the block is in the transaction
    with pytest.raises(asyncio.CancelledError):
        await task
    await _badge(db, 8)
    assert _on_disk(db) == {"b7", "b8"}


async def test_a_failing_block_alone_holds_no_write_lock(db: SqliteDatabase) -> None:
    with pytest.raises(ValueError, match="changed its mind"):
        await _badge(db, 1, fail=True)
    other = sqlite3.connect(db.path, isolation_level=None, timeout=0)
    try:
        other.execute("BEGIN IMMEDIATE")  # "database is locked" if a transaction were left
        other.execute("ROLLBACK")
    finally:
        other.close()
    assert await _badge(db, 2) == 2
    assert _on_disk(db) == {"b2"}
