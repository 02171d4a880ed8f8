"""The PostgreSQL back end: the same logical schema as SQLite's, migrations that several
instances may start at once, values that read back as they went in, and one user's writes
serialised while different users write in parallel. (Run with ``--store postgresql``.)"""

from __future__ import annotations

import asyncio
import random
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import asyncpg
import pytest

from server.domain.limits import Window
from server.services.limits import SharedLimiter
from server.store.postgres import PostgresDatabase, migration_files
from server.store.sqlite import SqliteDatabase
from server.store.transaction import Transaction
from tests.conftest import Databases
from tests.store.test_board_plans import RecordingConnection

pytestmark = pytest.mark.postgres_only


async def _postgres_schema(url: str) -> dict[str, set[str]]:
    """Table -> column names, and "index:<table>" -> index names, of the URL's schema."""
    conn = await asyncpg.connect(url)
    try:
        schema = await conn.fetchval("SELECT current_schema()")
        found: dict[str, set[str]] = {}
        for r in await conn.fetch(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = $1",
            schema,
        ):
            found.setdefault(r["table_name"], set()).add(r["column_name"])
        for r in await conn.fetch(
            "SELECT tablename, indexname FROM pg_indexes WHERE schemaname = $1", schema
        ):
            if not r["indexname"].endswith(("_pkey", "_key")):  # constraints' own indexes
                found.setdefault(f"index:{r['tablename']}", set()).add(r["indexname"])
        return found
    finally:
        await conn.close()


def _sqlite_schema(path: Path) -> dict[str, set[str]]:
    conn = sqlite3.connect(path)
    try:
        found: dict[str, set[str]] = {}
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            found[table] = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
        for name, table in conn.execute(
            "SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        ):
            found.setdefault(f"index:{table}", set()).add(name)
        return found
    finally:
        conn.close()


async def test_both_stores_have_the_same_tables_columns_and_indexes(
    databases: Databases, tmp_path: Path
) -> None:
    pg = PostgresDatabase(databases.new())
    await pg.open()
    await pg.close()
    lite = SqliteDatabase(tmp_path / "parity.db")
    await lite.open()
    await lite.close()
    assert await _postgres_schema(pg.url) == _sqlite_schema(tmp_path / "parity.db")


async def test_instances_starting_together_on_an_empty_database_migrate_it_once(
    databases: Databases,
) -> None:
    url = databases.new()
    instances = [PostgresDatabase(url, pool_size=2) for _ in range(4)]
    await asyncio.gather(*(db.open() for db in instances))
    try:
        async with instances[0].read() as conn:
            rows = await conn.fetch_all("SELECT version FROM schema_migrations ORDER BY version")
        assert [r[0] for r in rows] == [v for v, _, _ in migration_files()]
        assert all([await db.ping() for db in instances])
    finally:
        await asyncio.gather(*(db.close() for db in instances))


async def test_days_instants_and_flags_read_back_as_they_went_in(databases: Databases) -> None:
    db = PostgresDatabase(databases.new())
    await db.open()
    at = datetime(2026, 3, 11, 12, 0, 0, 123456, tzinfo=UTC)
    try:
        async with db.write() as conn:
            await conn.execute(
                "INSERT INTO users (id, handle, display_name, password_hash, timezone,"
                " day_start_hour, created_at, hidden_on_boards) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                "u1", "ana", "Ana", "x", "UTC", 0, at.isoformat(), 1,
            )  # fmt: skip
            await conn.execute(
                "INSERT INTO user_days (user_id, day, results) VALUES (?, ?, ?)",
                "u1", date(2026, 3, 11), 2,
            )  # fmt: skip
        async with db.read() as conn:
            row = await conn.fetch_one(
                "SELECT created_at, hidden_on_boards FROM users WHERE id = ?", "u1"
            )
            day = await conn.fetch_value("SELECT day FROM user_days WHERE user_id = ?", "u1")
            tx = Transaction(conn, areas=db.areas)
            user = await tx.users.by_handle("ana")
        assert row is not None
        assert (row[0], row[1], day) == ("2026-03-11T12:00:00.123456+00:00", True, "2026-03-11")
        assert user is not None
        assert (user.created_at, user.hidden_on_boards) == (at, True)
    finally:
        await db.close()


@pytest.mark.parametrize(
    ("u1", "u2"),
    [
        # The store's own ids are locked in the statement that begins the transaction.
        ("01a231bd-4c40-70ab-a7e4-8c73b433a0ec", "01a231bd-4c40-70ab-a7e4-8c73b433a0ed"),
        ("u1", "u2"),  # anything else as parameters, one statement each
    ],
)
async def test_one_users_writes_wait_for_each_other_and_others_do_not(
    databases: Databases, u1: str, u2: str
) -> None:
    db = PostgresDatabase(databases.new(), pool_size=4)
    await db.open()
    try:
        async with db.write() as conn:
            for uid in (u1, u2):
                await conn.execute(
                    "INSERT INTO users (id, handle, display_name, password_hash, timezone,"
                    " day_start_hour, created_at) VALUES (?, ?, ?, 'x', 'UTC', 0, ?)",
                    uid, uid, uid, "2026-03-11T12:00:00+00:00",
                )  # fmt: skip
        holding = asyncio.Event()
        release = asyncio.Event()
        order: list[str] = []

        async def first() -> None:
            async with db.write() as conn:
                await Transaction(conn, areas=db.areas).users.lock([u1])
                holding.set()
                await release.wait()
                order.append("first done")

        async def same_user() -> None:
            await holding.wait()
            async with db.write() as conn:
                await Transaction(conn, areas=db.areas).users.lock([u1])
                order.append("same user")

        async def other_user() -> None:
            await holding.wait()
            async with db.write() as conn:
                await Transaction(conn, areas=db.areas).users.lock([u2])
                order.append("other user")

        tasks = [asyncio.create_task(t()) for t in (first, same_user, other_user)]
        await holding.wait()
        for _ in range(50):  # the other user's write finishes while u1 is held
            if "other user" in order:
                break
            await asyncio.sleep(0.01)
        release.set()
        await asyncio.gather(*tasks)
        assert order == ["other user", "first done", "same user"]
    finally:
        await db.close()


async def test_board_reads_on_postgresql_seek_the_rank_index_without_sorting(
    databases: Databases,
) -> None:
    """The board plans of tests/store/test_board_plans.py, on PostgreSQL: a team of
    10,000 members with a year of weekly boards is read page by page through the rank
    index, never by scanning or sorting the board."""
    db = PostgresDatabase(databases.new(), statement_timeout_ms=300_000)  # filling takes a while
    await db.open()
    members, board = 10_000, "team:t1"
    weeks = [f"week:{date(2025, 1, 6).toordinal() + 7 * k}" for k in range(52)]
    try:
        async with db.write_raw() as raw:
            await raw.executemany(
                "INSERT INTO users (id, handle, display_name, password_hash, timezone,"
                " day_start_hour, created_at) VALUES ($1, $1, $1, 'x', 'UTC', 0, '2025-01-01')",
                [(f"u{i:05d}",) for i in range(members)],
            )
            await raw.execute(
                "INSERT INTO teams (id, name, timezone, created_at, member_count)"
                " VALUES ('t1', 'Big', 'UTC', '2025-01-01', $1)",
                members,
            )
            await raw.executemany(
                "INSERT INTO team_members (team_id, user_id, role, alias, joined_at, joined_id)"
                " VALUES ('t1', $1, 'member', $2, '2025-01-01', '0')",
                [(f"u{i:05d}", f"a{i:05d}") for i in range(members)],
            )
            await raw.execute(
                "INSERT INTO board_scores (board, period, user_id, points)"
                " SELECT $1, p, 'u' || lpad(i::text, 5, '0'), (i * 7919) % 500"
                " FROM unnest($2::text[]) AS p, generate_series(0, $3 - 1) AS i",
                board, [*weeks, "all"], members,
            )  # fmt: skip
        async with db.write_raw() as raw:
            # Only this test's tables: the session's database holds every test's schema.
            await raw.execute("ANALYZE users, team_members, board_scores")
        async with db.read() as conn:
            recorder = RecordingConnection(conn)
            q = Transaction(recorder, areas=db.areas)
            page = await q.boards.page(board, "all", below=None, limit=50, hidden_team="t1")
            below = (page[-1].points, page[-1].user_id)
            nxt = await q.boards.page(board, "all", below=below, limit=50, hidden_team="t1")
            assert nxt[0].points <= page[-1].points
            assert await q.boards.count_above(board, "all", *below) == 49
            plans = [
                "\n".join(str(r[0]) for r in await conn.fetch_all(f"EXPLAIN {sql}", *args))
                for sql, args in recorder.reads
            ]
        assert len(plans) == 3
        for plan in plans:
            assert "board_scores_rank" in plan, plan
            assert "Seq Scan on board_scores" not in plan, plan
            assert "Sort" not in plan, plan
        # The next page and the rank count seek to the key instead of filtering from the top.
        assert "ROW(points, user_id) < ROW(" in plans[1].split("Index Cond:")[1]
        assert "ROW(points, user_id) > ROW(" in plans[2].split("Index Cond:")[1]
    finally:
        await db.close()


async def test_a_recent_sync_cursor_reads_only_the_recent_changes_on_postgresql(
    databases: Databases,
) -> None:
    """tests/store/test_sync_plans.py on PostgreSQL: with 5,000 versions of history, a
    cursor 5 versions behind reads the key range after it, not the user's whole log."""
    db = PostgresDatabase(databases.new(), statement_timeout_ms=300_000)
    await db.open()
    rng = random.Random(7)
    log = sorted(
        {
            ("u1", version, rng.choice(("ledger", "checkin", "habit")), f"e{rng.randint(1, 1500)}")
            for version in range(1, 5_001)
            for _ in range(rng.randint(1, 3))
        }
    )
    try:
        async with db.write_raw() as raw:
            await raw.execute(
                "INSERT INTO users (id, handle, display_name, password_hash, timezone,"
                " day_start_hour, created_at) VALUES ('u1', 'h', 'H', 'x', 'UTC', 0, now())"
            )
            await raw.executemany("INSERT INTO changes VALUES ($1, $2, $3, $4)", log)
        async with db.write_raw() as raw:
            await raw.execute("ANALYZE users, changes")
        async with db.read() as conn:
            recorder = RecordingConnection(conn)
            q = Transaction(recorder, areas=db.areas)
            got = await q.changes.after("u1", (4_995, "", ""), 200)
            assert [v for v, _, _ in got] == sorted(v for v, _, _ in got)
            assert {v for v, _, _ in got} == {v for _, v, _, _ in log if v >= 4_995}
            [(sql, args)] = recorder.reads
            plan = "\n".join(str(r[0]) for r in await conn.fetch_all(f"EXPLAIN {sql}", *args))
        assert "changes_pkey" in plan, plan
        assert "(version >= 4995)" in plan, plan
        assert "Seq Scan on changes" not in plan, plan
    finally:
        await db.close()


async def test_a_shared_limit_counts_exactly_when_two_instances_race_for_one_key(
    databases: Databases,
) -> None:
    url = databases.new()
    one, two = PostgresDatabase(url, pool_size=8), PostgresDatabase(url, pool_size=8)
    await one.open()
    await two.open()
    try:
        now = datetime(2026, 3, 11, 12, tzinfo=UTC)
        limiters = [SharedLimiter(db, "writes", Window(7)) for db in (one, two)]
        answers = await asyncio.gather(*(limiters[n % 2].take("u1", now) for n in range(30)))
        assert sum(1 for waited in answers if waited is None) == 7
        assert all(waited == 60 for waited in answers if waited is not None)
        assert await limiters[1].check("u1", now) == 60
        assert await limiters[0].check("u2", now) is None  # other keys are untouched
    finally:
        await one.close()
        await two.close()


async def test_teammates_adding_to_one_weekly_goal_do_not_wait_for_each_other(
    databases: Databases,
) -> None:
    db = PostgresDatabase(databases.new(), pool_size=4)
    await db.open()
    try:
        async with db.write() as conn:
            await conn.execute(
                "INSERT INTO teams (id, name, timezone, created_at) VALUES (?, 'T', 'UTC', ?)",
                "t1", "2026-03-11T12:00:00+00:00",
            )  # fmt: skip
        holding, release = asyncio.Event(), asyncio.Event()

        async def first() -> None:
            async with db.write() as conn:
                await Transaction(conn, areas=db.areas).teams.add_goal_progress(
                    "t1", "2026-W11", "u1", 1
                )
                holding.set()
                await release.wait()

        async def teammate() -> None:
            await holding.wait()
            async with db.write() as conn:
                await Transaction(conn, areas=db.areas).teams.add_goal_progress(
                    "t1", "2026-W11", "u2", 1
                )

        held = asyncio.create_task(first())
        await holding.wait()
        await asyncio.wait_for(teammate(), timeout=5)  # would wait for ``first`` to commit
        release.set()
        await held
        async with db.read() as conn:
            assert (
                await Transaction(conn, areas=db.areas).teams.goal_progress("t1", "2026-W11") == 2
            )
    finally:
        await db.close()
