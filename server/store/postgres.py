"""The PostgreSQL back end, on asyncpg.

asyncpg speaks PostgreSQL's binary protocol from the event loop itself and prepares each
statement once per connection; measured against psycopg 3 on a check-in's shape of work
(``bench/pg_drivers.py``) it ran 1.7-1.9x the transactions a second at half the client
CPU. Statements keep the store's portable ``?`` placeholders, turned into ``$1, $2, ...``
once per distinct statement.

Values cross the boundary as they do with SQLite: days and instants as ISO strings (the
columns are real ``date`` and ``timestamptz``; text codecs convert on the way in and out,
so ``2026-03-11T12:00:00+00:00`` reads back exactly as it went in), flags as booleans that
also accept 0 and 1.

Reads run in a ``REPEATABLE READ, READ ONLY`` transaction (one snapshot, as SQLite's read
connections give). Writes run in a ``READ COMMITTED`` transaction on a pool connection;
what SQLite's single writer serialised by itself, this back end serialises per user: a
write use case locks the rows of the users it acts for first (``Users.lock``), so two
requests of one person run one after the other while different people write in parallel.
A deadlock or serialization failure between two writes surfaces as ``Contention``
(answered 503, retry), never as a half-done change.

Live events go out with ``NOTIFY`` inside the write transaction, so every instance that
``LISTEN``s on the database (Litestar's asyncpg channels backend) hears a change exactly
when it commits, whichever instance made it.

Migrations are the numbered files in ``migrations_postgresql/``, applied at start-up under
an advisory lock: instances that start together on an empty database wait for the first
one to finish, then find nothing left to do.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from datetime import date, datetime
from functools import lru_cache
from typing import Any, TypeAlias
from urllib.parse import urlsplit
from uuid import UUID

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from server.store.areas.teams import Teams
from server.store.areas.users import Users
from server.store.database import BadText, Connection, Contention, Row
from server.store.migration_files import migration_files as numbered_files
from server.store.transaction import Areas

SCHEMES = ("postgresql", "postgres")
PgConnection: TypeAlias = "asyncpg.Connection[Any] | PoolConnectionProxy[Any]"
# pg_advisory_lock key held while migrating: "RAPP" in ASCII.
MIGRATION_LOCK = 0x52415050


def is_postgres_url(database: str) -> bool:
    return urlsplit(database).scheme in SCHEMES


@lru_cache(maxsize=4096)
def numbered(sql: str) -> str:
    """``?`` placeholders as ``$1, $2, ...`` (a ``?`` inside a quoted string stays)."""
    out: list[str] = []
    n = 0
    for part in re.split(r"('(?:[^']|'')*')", sql):
        if part.startswith("'"):
            out.append(part)
            continue
        pieces = part.split("?")
        for i, piece in enumerate(pieces):
            if i:
                n += 1
                out.append(f"${n}")
            out.append(piece)
    return "".join(out)


def _count(status: str) -> int:
    """Rows a command changed, from its status (``UPDATE 3``, ``INSERT 0 1``)."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


_BAD_TEXT = (
    asyncpg.exceptions.CharacterNotInRepertoireError,
    asyncpg.exceptions.UntranslatableCharacterError,
)


class PostgresConnection:
    """The ``Connection`` interface over one asyncpg connection."""

    __slots__ = ("_conn",)

    def __init__(self, conn: PgConnection) -> None:
        self._conn = conn

    async def fetch_one(self, sql: str, *args: Any) -> Row | None:
        with _storable():
            row: Row | None = await self._conn.fetchrow(numbered(sql), *args)
        return row

    async def fetch_all(self, sql: str, *args: Any) -> Sequence[Row]:
        with _storable():
            rows: Sequence[Row] = await self._conn.fetch(numbered(sql), *args)
        return rows

    async def fetch_value(self, sql: str, *args: Any) -> Any:
        with _storable():
            return await self._conn.fetchval(numbered(sql), *args)

    async def execute(self, sql: str, *args: Any) -> int:
        with _storable():
            return _count(await self._conn.execute(numbered(sql), *args))


@contextmanager
def _storable() -> Iterator[None]:
    """Text PostgreSQL refuses to store (a NUL) as the store's own ``BadText``."""
    try:
        yield
    except _BAD_TEXT as error:
        raise BadText(str(error)) from error


class PostgresWrite(PostgresConnection):
    """A write transaction that begins with its first statement. A first statement that
    carries no parameters travels in one round trip with its ``BEGIN`` (the simple query
    protocol takes both at once); any other is preceded by a ``BEGIN`` of its own."""

    __slots__ = ("begun",)

    def __init__(self, conn: PgConnection) -> None:
        super().__init__(conn)
        self.begun = False

    async def _begin(self) -> None:
        if not self.begun:
            await self._conn.execute("BEGIN")
            self.begun = True

    async def fetch_one(self, sql: str, *args: Any) -> Row | None:
        await self._begin()
        return await super().fetch_one(sql, *args)

    async def fetch_all(self, sql: str, *args: Any) -> Sequence[Row]:
        await self._begin()
        return await super().fetch_all(sql, *args)

    async def fetch_value(self, sql: str, *args: Any) -> Any:
        await self._begin()
        return await super().fetch_value(sql, *args)

    async def execute(self, sql: str, *args: Any) -> int:
        if self.begun or args:
            await self._begin()
            return await super().execute(sql, *args)
        self.begun = True
        return await super().execute(f"BEGIN; {sql}")

    async def finish(self, *, commit: bool) -> None:
        if not self.begun:
            return
        self.begun = False
        await self._conn.execute("COMMIT" if commit else "ROLLBACK")


def _is_uuid(text: str) -> bool:
    try:
        return str(UUID(text)) == text
    except ValueError:
        return False


class PostgresUsers(Users):
    async def lock(self, user_ids: Sequence[str]) -> None:
        # In id order, so two transactions locking the same users cannot deadlock here.
        ids = sorted(set(user_ids))
        if all(_is_uuid(user_id) for user_id in ids):
            # Ids of this store's own making (hex and dashes only) go into the statement
            # itself, so the lock travels with the transaction's BEGIN (PostgresWrite).
            listed = ", ".join(f"'{user_id}'" for user_id in ids)
            await self.conn.execute(
                f"SELECT 1 FROM users WHERE id IN ({listed}) ORDER BY id FOR UPDATE"
            )
            return
        for user_id in ids:
            await self.conn.fetch_value("SELECT 1 FROM users WHERE id = ? FOR UPDATE", user_id)


class PostgresTeams(Teams):
    async def lock(self, team_id: str) -> None:
        # NO KEY UPDATE: rows that merely refer to the team (members, check-ins) go on.
        await self.conn.fetch_value("SELECT 1 FROM teams WHERE id = ? FOR NO KEY UPDATE", team_id)


AREAS = Areas(users=PostgresUsers, teams=PostgresTeams)


def _encode_day(value: date | str) -> str:
    return value if isinstance(value, str) else value.isoformat()


def _encode_instant(value: datetime | str) -> str:
    return value if isinstance(value, str) else value.isoformat()


def _decode_instant(text: str) -> str:
    # '2026-03-11 12:00:00+00' (DateStyle ISO, time zone UTC) as Python writes it.
    return datetime.fromisoformat(text).isoformat()


def _encode_flag(value: object) -> str:
    return "t" if value else "f"


def _decode_flag(text: str) -> bool:
    return text == "t"


async def _configure(conn: PgConnection) -> None:
    await conn.set_type_codec(
        "date", schema="pg_catalog", encoder=_encode_day, decoder=str, format="text"
    )
    await conn.set_type_codec(
        "timestamptz",
        schema="pg_catalog",
        encoder=_encode_instant,
        decoder=_decode_instant,
        format="text",
    )
    await conn.set_type_codec(
        "bool", schema="pg_catalog", encoder=_encode_flag, decoder=_decode_flag, format="text"
    )


async def _keep_session(conn: PgConnection) -> None:
    if conn.is_in_transaction():  # a write whose ROLLBACK never arrived (cancelled)
        await conn.execute("ROLLBACK")


def migration_files() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every numbered PostgreSQL migration, in order."""
    return numbered_files("migrations_postgresql")


async def migrate(conn: PgConnection) -> list[int]:
    """Apply every migration newer than the database, each in its own transaction, while
    holding the migration lock (other instances starting now wait here)."""
    await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
    try:
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version integer PRIMARY KEY, name text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
        current = await conn.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
        applied = []
        for version, name, sql in migration_files():
            if version <= current:
                continue
            async with conn.transaction():
                await conn.execute(sql)
                await conn.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                    version,
                    name,
                )
            applied.append(version)
        return applied
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)


class PostgresDatabase:
    areas = AREAS
    shared = True

    def __init__(self, url: str, *, pool_size: int = 10, statement_timeout_ms: int = 5_000) -> None:
        self.url = url
        self._pool_size = pool_size
        self._statement_timeout_ms = statement_timeout_ms
        self._pool: asyncpg.Pool[Any] | None = None

    async def open(self) -> None:
        pool: asyncpg.Pool[Any] = await asyncpg.create_pool(
            self.url,
            min_size=1,
            max_size=self._pool_size,
            init=_configure,
            # A returned connection is left as it is: our transactions change no session
            # state, so asyncpg's reset (a round trip to the server each time) is not needed;
            # only a transaction left open is rolled back.
            reset=_keep_session,
            server_settings={
                "timezone": "UTC",
                "datestyle": "ISO, YMD",
                "statement_timeout": str(self._statement_timeout_ms),
            },
        )
        try:
            async with pool.acquire() as conn:
                await migrate(conn)
        except BaseException:
            await pool.close()
            raise
        self._pool = pool

    def watch_commits(self, hook: Callable[[int, float], None]) -> None:
        """Each write commits by itself here: no group commit to tell of."""

    def pool_usage(self) -> tuple[int, int]:
        """(connections in use, idle) of this process's pool (metrics)."""
        if self._pool is None:
            return 0, 0
        idle = self._pool.get_idle_size()
        return self._pool.get_size() - idle, idle

    def _opened(self) -> asyncpg.Pool[Any]:
        if self._pool is None:
            raise RuntimeError("database is not open")
        return self._pool

    @asynccontextmanager
    async def read(self, *, snapshot: bool = True) -> AsyncIterator[PostgresConnection]:
        async with self._opened().acquire() as conn:
            if not snapshot:  # one statement: no BEGIN and COMMIT round trips
                yield PostgresConnection(conn)
                return
            async with conn.transaction(isolation="repeatable_read", readonly=True):
                yield PostgresConnection(conn)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[PostgresConnection]:
        try:
            async with self._opened().acquire() as conn:
                transaction = PostgresWrite(conn)
                try:
                    yield transaction
                except BaseException:
                    if not conn.is_closed():
                        await transaction.finish(commit=False)
                    raise
                await transaction.finish(commit=True)
        except (
            asyncpg.exceptions.DeadlockDetectedError,
            asyncpg.exceptions.SerializationError,
        ) as error:
            raise Contention(str(error)) from error

    @asynccontextmanager
    async def autocommit(self) -> AsyncIterator[PostgresConnection]:
        async with self._opened().acquire() as conn:
            yield PostgresConnection(conn)

    @asynccontextmanager
    async def write_raw(self) -> AsyncIterator[PgConnection]:
        """A write transaction on the driver's own connection (bulk copies)."""
        async with self._opened().acquire() as conn, conn.transaction():
            yield conn

    async def announce(self, conn: Connection, events: Sequence[tuple[str, bytes]]) -> bool:
        # NOTIFY is transactional: listeners hear it when (and only if) the change commits.
        if events:
            await conn.execute(
                "SELECT pg_notify(c, p) FROM unnest(?::text[], ?::text[]) AS e(c, p)",
                [channel for channel, _ in events],
                [payload.decode() for _, payload in events],
            )
        return True

    async def ping(self) -> bool:
        try:
            async with self.read() as conn:
                return bool(await conn.fetch_value("SELECT 1"))
        except (OSError, asyncpg.PostgresError, RuntimeError):
            return False

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
