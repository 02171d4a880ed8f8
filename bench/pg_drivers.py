"""Which PostgreSQL driver for the store: asyncpg or psycopg 3 (async), measured.

The shape of the work is a check-in: one transaction of ~27 short statements (point reads
by primary key, upserts, inserts), many transactions at once over a pool. For each driver
this runs the same transaction ``--transactions`` times from ``--concurrency`` tasks over a
pool of ``--pool`` connections, and reports transactions a second and the client's CPU per
transaction (``time.process_time``; the database server's CPU is the same for both, since
they send the same statements).

    .venv/bin/python bench/pg_drivers.py --dsn postgresql:///postgres

It creates and drops its own scratch database. psycopg is not a dependency of Rapport:
install it for the comparison (``.venv/bin/pip install 'psycopg[binary,pool]'``).
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

SCHEMA = [
    "CREATE TABLE users (id text PRIMARY KEY, handle text UNIQUE, points int NOT NULL DEFAULT 0,"
    " version int NOT NULL DEFAULT 0)",
    "CREATE TABLE events (user_id text, version int, kind text, entity text,"
    " PRIMARY KEY (user_id, version, kind, entity))",
    "CREATE TABLE scores (board text, period text, user_id text, points int,"
    " PRIMARY KEY (board, period, user_id))",
]
USERS = 2_000


def statements(user: str, n: int) -> list[tuple[str, tuple[Any, ...]]]:
    """One check-in's worth: reads, an upsert per board period, change-log inserts."""
    out: list[tuple[str, tuple[Any, ...]]] = []
    for _ in range(12):
        out.append(("SELECT id, handle, points, version FROM users WHERE id = $1", (user,)))
    out.append(("UPDATE users SET version = version + 1 WHERE id = $1 RETURNING version", (user,)))
    for k in range(6):
        out.append(
            (
                "INSERT INTO events (user_id, version, kind, entity) VALUES ($1, $2, $3, $4)"
                " ON CONFLICT DO NOTHING",
                (user, n, "checkin", f"{n}-{k}"),
            )
        )
    for period in ("week", "month", "all", "w2", "m2", "a2", "x"):
        out.append(
            (
                "INSERT INTO scores (board, period, user_id, points) VALUES ($1, $2, $3, $4)"
                " ON CONFLICT (board, period, user_id) DO UPDATE"
                " SET points = scores.points + excluded.points RETURNING points",
                ("team:1", period, user, 10),
            )
        )
    out.append(("UPDATE users SET points = points + $1 WHERE id = $2", (10, user)))
    return out


async def run_asyncpg(dsn: str, pool_size: int) -> Callable[[str, int], Awaitable[None]]:
    pool = await asyncpg.create_pool(dsn, min_size=pool_size, max_size=pool_size)

    async def one(user: str, n: int) -> None:
        async with pool.acquire() as conn, conn.transaction():
            for sql, args in statements(user, n):
                await conn.fetch(sql, *args)

    one.close = pool.close  # type: ignore[attr-defined]
    return one


async def run_psycopg(dsn: str, pool_size: int) -> Callable[[str, int], Awaitable[None]]:
    # Not a dependency of Rapport: .venv/bin/pip install 'psycopg[binary,pool]' to compare.
    import psycopg_pool

    pool = psycopg_pool.AsyncConnectionPool(dsn, min_size=pool_size, max_size=pool_size, open=False)
    await pool.open(wait=True)

    async def one(user: str, n: int) -> None:
        async with pool.connection() as conn, conn.transaction():
            for sql, args in statements(user, n):
                # psycopg uses %s placeholders (server-side binding, prepared after 5 uses).
                cur = await conn.execute(
                    sql.replace("$1", "%s")
                    .replace("$2", "%s")
                    .replace("$3", "%s")
                    .replace("$4", "%s"),
                    args,
                )
                if cur.description is not None:
                    await cur.fetchall()

    one.close = pool.close  # type: ignore[attr-defined]
    return one


async def measure(
    name: str,
    make: Callable[[str, int], Awaitable[Callable[[str, int], Awaitable[None]]]],
    dsn: str,
    pool: int,
    transactions: int,
    concurrency: int,
) -> None:
    one = await make(dsn, pool)
    queue = list(range(transactions))

    async def worker(w: int) -> None:
        while queue:
            n = queue.pop()
            await one(f"u{n % USERS}", n)

    for _ in range(2):  # warm up (prepared statements, pool), then measure
        queue = list(range(transactions // 10))
        await asyncio.gather(*(worker(w) for w in range(concurrency)))
        queue = list(range(transactions // 10, transactions))
    wall, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker(w) for w in range(concurrency)))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    done = transactions - transactions // 10
    print(
        f"{name:10} {done / wall:8.0f} tx/s   {cpu / done * 1e3:6.2f} ms client CPU/tx"
        f"   {cpu / done / 27 * 1e6:5.0f} µs/statement"
    )
    await one.close()  # type: ignore[attr-defined]


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dsn", default="postgresql:///postgres")
    parser.add_argument("--transactions", type=int, default=5_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--pool", type=int, default=10)
    args = parser.parse_args()
    name = "bench_drivers_" + secrets.token_hex(4)
    admin = await asyncpg.connect(args.dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    dsn = args.dsn.rsplit("/", 1)[0] + "/" + name
    try:
        setup = await asyncpg.connect(dsn)
        for sql in SCHEMA:
            await setup.execute(sql)
        await setup.executemany(
            "INSERT INTO users (id, handle) VALUES ($1, $2)",
            [(f"u{i}", f"h{i}") for i in range(USERS)],
        )
        await setup.close()
        for _ in range(2):  # twice each, interleaved, to see the noise
            await measure(
                "asyncpg", run_asyncpg, dsn, args.pool, args.transactions, args.concurrency
            )
            await measure(
                "psycopg", run_psycopg, dsn, args.pool, args.transactions, args.concurrency
            )
    finally:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
