"""The adapter interface each database back end implements.

A back end gives out connections for reading and for writing. A write connection is
inside one transaction for the whole ``async with`` block: committed when the block ends,
rolled back when it raises. Only one write transaction runs at a time per database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from server.store.transaction import Areas


class Row(Protocol):
    def __getitem__(self, key: str | int, /) -> Any: ...

    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    async def fetch_one(self, sql: str, *args: Any) -> Row | None: ...

    async def fetch_all(self, sql: str, *args: Any) -> Sequence[Row]: ...

    async def fetch_value(self, sql: str, *args: Any) -> Any: ...

    async def execute(self, sql: str, *args: Any) -> int:
        """Run a statement; the number of rows it changed."""
        ...


class Contention(Exception):
    """Two write transactions got in each other's way (a deadlock or a serialization
    failure) and this one was rolled back whole: nothing of it happened; try again."""


class BadText(ValueError):
    """A value the database cannot store as text (PostgreSQL refuses NUL characters)."""


class Database(Protocol):
    # The class each area of the gateway is built from on this back end (its dialect).
    areas: Areas
    # Several server processes may serve this database at once (limits must be shared).
    shared: bool

    def read(self, *, snapshot: bool = True) -> AbstractAsyncContextManager[Connection]:
        """A connection for reading; with ``snapshot`` every statement of the block sees
        the same moment (without, a single statement needs no transaction of its own)."""
        ...

    def write(self) -> AbstractAsyncContextManager[Connection]: ...

    def autocommit(self) -> AbstractAsyncContextManager[Connection]:
        """A connection on which each statement commits by itself, for changes that are
        one statement each (a back end without that runs the block as one write)."""
        ...

    async def open(self) -> None:
        """Connect and bring the schema up to date."""
        ...

    async def announce(self, conn: Connection, events: Sequence[tuple[str, bytes]]) -> bool:
        """Send (channel, payload) events with the commit of ``conn``'s transaction to every
        instance listening on this database. False when this back end cannot (the caller
        then publishes them in this process once the transaction has committed)."""
        ...

    async def ping(self) -> bool: ...

    async def close(self) -> None: ...

    def pool_usage(self) -> tuple[int, int] | None:
        """(connections in use, idle) of this process's pool; None without a pool."""
        ...

    def watch_commits(self, hook: Callable[[int, float], None]) -> None:
        """Tell ``hook`` of each COMMIT: write blocks in it, seconds it took (a back end
        without group commit tells nothing)."""
        ...
