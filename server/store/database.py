"""The adapter interface each database back end implements.

A back end gives out connections for reading and for writing. A write connection is
inside one transaction for the whole ``async with`` block: committed when the block ends,
rolled back when it raises. Only one write transaction runs at a time per database.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol


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


class Database(Protocol):
    def read(self) -> AbstractAsyncContextManager[Connection]: ...

    def write(self) -> AbstractAsyncContextManager[Connection]: ...

    async def ping(self) -> bool: ...

    async def close(self) -> None: ...
