"""The embedded SQLite back end.

SQLite answers a statement in microseconds from its page cache, far less than handing the
statement to another thread and back, so statements run inline on the event loop's thread
over plain ``sqlite3`` connections (each prepared once and kept in the connection's
statement cache). Only what waits on the disk leaves the loop: ``COMMIT`` with its fsync
runs on one commit thread.

Writes: one connection, one transaction at a time, **group commit**. Each ``write()``
block runs inside ``SAVEPOINT``; blocks that queue up while a commit is on the disk run one
after another in the next transaction, which then commits once for all of them. A block
that raises is rolled back to its savepoint alone. A block's ``async with`` returns only
after the ``COMMIT`` that holds it has returned (``synchronous=FULL``), so nothing is
acknowledged before it is durable; if that commit fails, every block in it fails.

Reads: a small pool of read-only connections, each block in one ``BEGIN`` snapshot, which
WAL lets run beside the writer. PRAGMAs are set in one place, ``_configure``.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from server.store.database import Connection, Row
from server.store.migration_files import migration_files as numbered_files
from server.store.transaction import PORTABLE

Synchronous = Literal["NORMAL", "FULL"]

# Distinct statements kept prepared per connection (the store has about 200).
STATEMENT_CACHE = 512
# Pause between tries while another process holds the write lock.
RETRY_PAUSE_S = 0.002


class SqliteConnection:
    """The ``Connection`` interface over one ``sqlite3`` connection, run inline."""

    __slots__ = ("_conn",)

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    async def fetch_one(self, sql: str, *args: Any) -> Row | None:
        row: sqlite3.Row | None = self._conn.execute(sql, args).fetchone()
        return row

    async def fetch_all(self, sql: str, *args: Any) -> Sequence[Row]:
        rows: list[sqlite3.Row] = self._conn.execute(sql, args).fetchall()
        return rows

    async def fetch_value(self, sql: str, *args: Any) -> Any:
        row = self._conn.execute(sql, args).fetchone()
        return None if row is None else row[0]

    async def execute(self, sql: str, *args: Any) -> int:
        return self._conn.execute(sql, args).rowcount


class _Batch:
    """The write blocks that share one transaction, and the commit they wait for."""

    __slots__ = ("blocks", "committed")

    def __init__(self) -> None:
        self.committed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.blocks = 0  # blocks done in it so far; the first one schedules the commit

    def fail(self, error: BaseException) -> None:
        if not self.committed.done():
            self.committed.set_exception(error)
            # Retrieved here so an unawaited failure is not reported as "never retrieved".
            self.committed.exception()


class SqliteDatabase:
    areas = PORTABLE
    shared = False

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
        self._writer: sqlite3.Connection | None = None
        self._lock = asyncio.Lock()  # one write block, or one commit, at a time
        self._batch: _Batch | None = None
        self._committers: set[asyncio.Task[None]] = set()
        self._commit_thread: ThreadPoolExecutor | None = None
        self._readers: asyncio.Queue[sqlite3.Connection] = asyncio.Queue()
        self._all_readers: list[sqlite3.Connection] = []
        self.commits = 0  # transactions committed, each holding one or more write blocks
        self.blocks = 0  # write blocks committed
        # Told of each COMMIT: (write blocks in it, seconds it took) (metrics).
        self.on_commit: Callable[[int, float], None] | None = None

    async def open(self) -> None:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._writer = self._connect()
            self._writer.execute("PRAGMA journal_mode = WAL")
            migrate(self._writer)
            # Waiting for another process's write lock happens in ``_begin``, off the
            # loop's clock; the writer itself never blocks on it.
            self._writer.execute("PRAGMA busy_timeout = 0")
            for _ in range(self._reader_count):
                reader = self._connect()
                self._all_readers.append(reader)
                reader.execute("PRAGMA query_only = ON")
                self._readers.put_nowait(reader)
            self._commit_thread = ThreadPoolExecutor(1, thread_name_prefix="rapport-commit")
        except BaseException:
            # A half-open database would leak connections.
            await self.close()
            raise

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: no implicit transactions; ours are explicit. A connection
        # is used by one thread at a time (the pool, the write lock), but not always the
        # same one: the writer COMMITs on the commit thread.
        conn = sqlite3.connect(
            self.path,
            isolation_level=None,
            check_same_thread=False,
            cached_statements=STATEMENT_CACHE,
        )
        conn.row_factory = sqlite3.Row
        self._configure(conn)
        return conn

    def _configure(self, conn: sqlite3.Connection) -> None:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
        conn.execute(f"PRAGMA synchronous = {self._synchronous}")

    @asynccontextmanager
    async def write(self) -> AsyncIterator[SqliteConnection]:
        writer = self._writer
        if writer is None:
            raise RuntimeError("database is not open")
        async with self._lock:
            batch = await self._join_batch(writer)
            writer.execute("SAVEPOINT block")
            try:
                yield SqliteConnection(writer)
            except BaseException as error:
                if not writer.in_transaction:  # SQLite rolled it all back: the batch is lost
                    self._abandon(batch, error)
                elif batch.blocks:  # others wait for this transaction: undo this block only
                    writer.execute("ROLLBACK TO block")
                    writer.execute("RELEASE block")
                else:  # alone in it: end the transaction, so no write lock is held idle
                    writer.execute("ROLLBACK")
                    self._batch = None
                raise
            writer.execute("RELEASE block")
            batch.blocks += 1
            if batch.blocks == 1:
                task = asyncio.create_task(self._commit(batch))
                self._committers.add(task)
                task.add_done_callback(self._committers.discard)
        # The commit goes on if this request is cancelled meanwhile; it just stops waiting.
        await asyncio.shield(batch.committed)

    async def _join_batch(self, writer: sqlite3.Connection) -> _Batch:
        """The open transaction's batch, or a new transaction (``BEGIN IMMEDIATE``)."""
        batch = self._batch
        if batch is not None and writer.in_transaction:
            return batch
        if batch is not None:  # its transaction is gone: nobody in it may be acknowledged
            self._abandon(batch, sqlite3.OperationalError("the transaction was rolled back"))
        deadline = time.monotonic() + self._busy_timeout_ms / 1000
        while True:
            try:
                writer.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError as error:
                # Another process (an operator's ``check --repair``) holds the write lock.
                if "locked" not in str(error) or time.monotonic() >= deadline:
                    raise
            await asyncio.sleep(RETRY_PAUSE_S)
        self._batch = _Batch()
        return self._batch

    def _abandon(self, batch: _Batch, error: BaseException) -> None:
        if self._batch is batch:
            self._batch = None
        batch.fail(error)

    async def _commit(self, batch: _Batch) -> None:
        """Commit ``batch`` once the blocks already queued behind it have joined it."""
        writer, thread = self._writer, self._commit_thread
        if writer is None or thread is None:  # close() waits for commits: cannot happen
            raise RuntimeError("database is not open")
        async with self._lock:
            if self._batch is not batch:  # abandoned meanwhile
                return
            self._batch = None
            started = time.perf_counter()
            job = asyncio.get_running_loop().run_in_executor(
                thread, _commit, writer, self._busy_timeout_ms / 1000
            )
            try:
                await asyncio.shield(job)
            except asyncio.CancelledError as cancelled:
                # Not acknowledged (it may still reach the disk); the writer stays locked
                # until the commit thread is done with it.
                batch.fail(cancelled)
                await _wait_out(job)
                raise
            except Exception as error:
                batch.fail(error)
                return
            self.commits += 1
            self.blocks += batch.blocks
            if self.on_commit is not None:
                self.on_commit(batch.blocks, time.perf_counter() - started)
            batch.committed.set_result(None)

    def pool_usage(self) -> tuple[int, int] | None:
        return None  # one writer and a few readers, no pool

    def watch_commits(self, hook: Callable[[int, float], None]) -> None:
        self.on_commit = hook

    def autocommit(self) -> AbstractAsyncContextManager[SqliteConnection]:
        return self.write()  # one writer: the block as one transaction is no slower

    @asynccontextmanager
    async def read(self, *, snapshot: bool = True) -> AsyncIterator[SqliteConnection]:
        # Always a snapshot: on a local file its BEGIN costs next to nothing.
        reader = await self._readers.get()
        try:
            # One snapshot for every statement of the block.
            reader.execute("BEGIN")
            try:
                yield SqliteConnection(reader)
            finally:
                reader.execute("COMMIT")
        finally:
            self._readers.put_nowait(reader)

    async def announce(self, conn: Connection, events: Sequence[tuple[str, bytes]]) -> bool:
        return False  # one process per file: its own broker delivers after the commit

    async def ping(self) -> bool:
        try:
            async with self.read() as conn:
                return bool(await conn.fetch_value("SELECT 1"))
        except (sqlite3.Error, ValueError):
            return False

    async def close(self) -> None:
        # Let the writes whose callers wait for them reach the disk.
        while pending := [task for task in self._committers if not task.done()]:
            await asyncio.gather(*pending, return_exceptions=True)
        for reader in self._all_readers:
            reader.close()
        self._all_readers.clear()
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._commit_thread is not None:
            self._commit_thread.shutdown(wait=True)
            self._commit_thread = None


def _commit(writer: sqlite3.Connection, timeout_s: float) -> None:
    """COMMIT, on the commit thread; a failed commit leaves no transaction behind."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            writer.execute("COMMIT")
            return
        except sqlite3.Error as error:
            busy = isinstance(error, sqlite3.OperationalError) and "locked" in str(error)
            if busy and writer.in_transaction and time.monotonic() < deadline:
                time.sleep(RETRY_PAUSE_S)
                continue
            if writer.in_transaction:
                writer.execute("ROLLBACK")
            raise


async def _wait_out(job: asyncio.Future[None]) -> None:
    """Wait for ``job`` to finish whatever cancellations arrive meanwhile."""
    while not job.done():
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait([job])
    if not job.cancelled():
        job.exception()  # retrieved: the caller reports the cancellation instead


def migration_files() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every numbered SQLite migration, in order."""
    return numbered_files("migrations")


def migrate(conn: sqlite3.Connection) -> list[int]:
    """Apply every migration newer than the database; each one in its own transaction."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    row = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()
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
            conn.executescript(f"BEGIN IMMEDIATE;\n{sql}\n{record}\nCOMMIT;")
        except sqlite3.Error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
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
