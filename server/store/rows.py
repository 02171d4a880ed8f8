"""Turning rows into typed records, and values into the strings the SQL stores."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from operator import attrgetter
from typing import Any, TypeVar

import msgspec

from server.store.database import Connection, Row

R = TypeVar("R", bound=msgspec.Struct)
_id_of = attrgetter("id")


def record(kind: type[R], columns: str, row: Row | Sequence[object]) -> R:
    names = [c.strip() for c in columns.split(",")]
    return msgspec.convert({name: row[i] for i, name in enumerate(names)}, kind, strict=False)


def records(kind: type[R], columns: str, rows: Sequence[Row]) -> list[R]:
    return [record(kind, columns, row) for row in rows]


def iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def prefixed(prefix: str, columns: str) -> str:
    """``a, b`` as ``p.a, p.b``: the same columns read through a table alias."""
    return ", ".join(f"{prefix}.{c.strip()}" for c in columns.split(","))


class Query:
    """A statement assembled from optional filters, its arguments kept in step with its
    ``?`` marks.

    ``where`` adds ``AND <condition>`` with its value, or nothing when the value is None
    (that filter was not asked for); a tuple value fills as many marks as it has items.
    """

    def __init__(self, sql: str, *args: Any) -> None:
        self.sql = sql
        self.args: list[Any] = list(args)

    def where(self, condition: str, value: Any) -> Query:
        if value is not None:
            self.sql += f" AND {condition}"
            self.args += list(value) if isinstance(value, tuple) else [value]
        return self

    def then(self, sql: str, *args: Any) -> Query:
        self.sql += sql
        self.args += args
        return self

    def limit(self, limit: int | None) -> Query:
        return self if limit is None else self.then(" LIMIT ?", limit)


async def by_ids(
    conn: Connection,
    kind: type[R],
    columns: str,
    table: str,
    ids: Sequence[str],
    *,
    user_id: str | None = None,
) -> dict[str, R]:
    """The rows of ``table`` with these ids (only ``user_id``'s, when given) in one
    statement, as records keyed by id; ids with no row are left out."""
    if not ids:
        return {}
    query = Query(
        f"SELECT {columns} FROM {table} WHERE id IN ({', '.join('?' * len(ids))})", *ids
    ).where("user_id = ?", user_id)
    found = records(kind, columns, await conn.fetch_all(query.sql, *query.args))
    return {_id_of(r): r for r in found}
