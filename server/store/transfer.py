"""Moving a SQLite deployment into an empty PostgreSQL database, table by table.

Both stores hold one logical schema (``tests/store/test_postgres.py`` compares them), so
each row goes across as it is: the PostgreSQL codecs take SQLite's ISO strings and 0/1
flags. Everything is copied in one PostgreSQL transaction: a move that fails halfway
leaves the target as empty as it was.
"""

from __future__ import annotations

from server.store.postgres import PostgresDatabase, numbered
from server.store.sqlite import SqliteDatabase

# Parents before children, so every foreign key finds its row.
TABLES = (
    "users",
    "tokens",
    "habits",
    "checkins",
    "user_days",
    "ledger",
    "user_badges",
    "teams",
    "team_members",
    "team_invites",
    "team_bans",
    "board_scores",
    "team_goal_progress",
    "challenges",
    "challenge_participants",
    "confirmations",
    "changes",
    "server_keys",
    "import_jobs",
    "claimed_exports",
)
# Left behind: the migration bookkeeping (the target has its own) and rate-limit logs,
# which a single SQLite process keeps in memory.
NOT_COPIED = ("schema_migrations", "rate_logs")
BATCH = 5_000


class TargetNotEmpty(RuntimeError):
    pass


async def copy_all(source: SqliteDatabase, target: PostgresDatabase) -> dict[str, int]:
    """Copy every table of ``source`` into ``target`` (migrated, and holding no users);
    the rows copied per table."""
    copied: dict[str, int] = {}
    async with source.read() as src, target.write_raw() as dst:
        if await dst.fetchval("SELECT COUNT(*) FROM users"):
            raise TargetNotEmpty("the target database already has users; move into an empty one")
        for table in TABLES:
            columns = [str(r[1]) for r in await src.fetch_all(f"PRAGMA table_info({table})")]
            names = ", ".join(columns)
            marks = ", ".join("?" for _ in columns)
            insert = numbered(f"INSERT INTO {table} ({names}) VALUES ({marks})")
            copied[table] = 0
            last = 0
            while True:
                rows = await src.fetch_all(
                    f"SELECT rowid, {names} FROM {table} WHERE rowid > ? ORDER BY rowid LIMIT ?",
                    last,
                    BATCH,
                )
                if not rows:
                    break
                last = int(rows[-1][0])
                await dst.executemany(insert, [tuple(r)[1:] for r in rows])
                copied[table] += len(rows)
    async with target.write_raw() as dst:
        # Statistics for the planner now, not whenever autovacuum comes round (or never,
        # where it is off): without them the first hours of traffic run on guessed plans.
        # This schema's tables only (ANALYZE alone would visit every schema of the database).
        tables = await dst.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        )
        await dst.execute("ANALYZE " + ", ".join(f'"{r[0]}"' for r in tables))
    return copied
