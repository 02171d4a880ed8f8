"""The embedded SQLite back end (aiosqlite).

All writes go through one connection, one transaction at a time (``BEGIN IMMEDIATE``);
reads use a small pool of read-only connections that WAL lets run beside the writer.
PRAGMAs are set in one place, ``_configure``.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import aiosqlite

from server.store.database import Row

Synchronous = Literal["NORMAL", "FULL"]


class SqliteConnection:
    """The ``Connection`` interface over one aiosqlite connection."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def fetch_one(self, sql: str, *args: Any) -> Row | None:
        async with self._conn.execute(sql, args) as cursor:
            row: sqlite3.Row | None = await cursor.fetchone()
            return row

    async def fetch_all(self, sql: str, *args: Any) -> Sequence[Row]:
        async with self._conn.execute(sql, args) as cursor:
            return list(await cursor.fetchall())

    async def fetch_value(self, sql: str, *args: Any) -> Any:
        row = await self.fetch_one(sql, *args)
        return None if row is None else row[0]

    async def execute(self, sql: str, *args: Any) -> int:
        async with self._conn.execute(sql, args) as cursor:
            return cursor.rowcount


class SqliteDatabase:
    def __init__(
        self,
        path: str | Path,
        *,
        readers: int = 2,
        synchronous: Synchronous = "FULL",
        busy_timeout_ms: int = 5000,
    ) -> None:
        self.path = str(path)
        self._reader_count = readers
        self._synchronous = synchronous
        self._busy_timeout_ms = busy_timeout_ms
        self._writer: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()
        self._readers: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
        self._all_readers: list[aiosqlite.Connection] = []

    async def open(self) -> None:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._writer = await self._connect()
            await self._writer.execute("PRAGMA journal_mode = WAL")
            await migrate(self._writer)
            for _ in range(self._reader_count):
                reader = await self._connect()
                self._all_readers.append(reader)
                await reader.execute("PRAGMA query_only = ON")
                self._readers.put_nowait(reader)
        except BaseException:
            # A half-open database would leak connection threads and hang the process.
            await self.close()
            raise

    async def _connect(self) -> aiosqlite.Connection:
        # isolation_level=None: no implicit transactions; ours are explicit.
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        conn.row_factory = sqlite3.Row
        await self._configure(conn)
        return conn

    async def _configure(self, conn: aiosqlite.Connection) -> None:
        await conn.execute("PRAGMA foreign_keys = ON")
        await conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
        await conn.execute(f"PRAGMA synchronous = {self._synchronous}")

    @asynccontextmanager
    async def write(self) -> AsyncIterator[SqliteConnection]:
        if self._writer is None:
            raise RuntimeError("database is not open")
        writer = self._writer
        async with self._write_lock:
            await _begin(writer, "BEGIN IMMEDIATE")
            try:
                yield SqliteConnection(writer)
            except BaseException:
                await _settle(writer.execute("ROLLBACK"))
                raise
            await _settle(writer.execute("COMMIT"))

    @asynccontextmanager
    async def read(self) -> AsyncIterator[SqliteConnection]:
        reader = await self._readers.get()
        try:
            # One snapshot for every statement of the block.
            await _begin(reader, "BEGIN")
            try:
                yield SqliteConnection(reader)
            finally:
                await _settle(reader.execute("COMMIT"))
        finally:
            self._readers.put_nowait(reader)

    async def ping(self) -> bool:
        try:
            async with self.read() as conn:
                return bool(await conn.fetch_value("SELECT 1"))
        except (sqlite3.Error, ValueError):
            return False

    async def close(self) -> None:
        for reader in self._all_readers:
            await reader.close()
        self._all_readers.clear()
        if self._writer is not None:
            await self._writer.close()
            self._writer = None


async def _settle(operation: Awaitable[object]) -> None:
    """Await a transaction boundary to its end even if the caller is cancelled meanwhile.

    aiosqlite runs statements on the connection's own thread: a cancelled await does not
    stop the statement, it only stops waiting for it. Waiting it out keeps the connection
    in a known state (no transaction left open for the next user); the cancellation is
    raised afterwards.
    """
    task = asyncio.ensure_future(operation)
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        await task
        raise


async def _begin(conn: aiosqlite.Connection, statement: str) -> None:
    """Start a transaction; a cancelled start is rolled back before the cancellation
    goes on, so the connection goes back to its pool clean."""
    try:
        await _settle(conn.execute(statement))
    except asyncio.CancelledError:
        if conn.in_transaction:
            await _settle(conn.execute("ROLLBACK"))
        raise


def migration_files() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every numbered migration, in order."""
    folder = resources.files("server.store") / "migrations"
    found = []
    for entry in folder.iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:4].isdigit():
            found.append((int(name[:4]), name, entry.read_text(encoding="utf-8")))
    return sorted(found)


async def migrate(conn: aiosqlite.Connection) -> list[int]:
    """Apply every migration newer than the database; each one in its own transaction."""
    await conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    async with conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations") as cur:
        row = await cur.fetchone()
    current = int(row[0]) if row else 0
    applied = []
    for version, name, sql in migration_files():
        if version <= current:
            continue
        stamp = datetime.now(UTC).isoformat()
        record = (
            "INSERT INTO schema_migrations (version, name, applied_at) "
            f"VALUES ({version}, '{name}', '{stamp}');"
        )
        try:
            await conn.executescript(f"BEGIN IMMEDIATE;\n{sql}\n{record}\nCOMMIT;")
        except sqlite3.Error:
            if conn.in_transaction:
                await conn.execute("ROLLBACK")
            raise
        applied.append(version)
    return applied


def backup(source: str | Path, target: str | Path) -> int:
    """Copy a live database to ``target`` with SQLite's online backup API: a consistent
    snapshot even while the server writes. The number of pages copied."""
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
        return int(dst.execute("PRAGMA page_count").fetchone()[0])
    finally:
        dst.close()
        src.close()
