"""Pages of a list: opaque cursors (the position of a page's last item, base64-encoded) and
the one way a page is cut from the ``limit + 1`` rows a query returns."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import TypeVar

from server.services.errors import BadCursor

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

T = TypeVar("T")


def encode_cursor(*parts: str) -> str:
    return base64.urlsafe_b64encode("|".join(parts).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, parts: int, *, field: str = "cursor") -> tuple[str, ...]:
    """The ``parts`` values a cursor holds; 400 (BadCursor) for anything else."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = tuple(base64.urlsafe_b64decode(padded.encode()).decode().split("|"))
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise BadCursor(field=field) from exc
    if len(values) != parts or not all(values) or any("\x00" in v for v in values):
        raise BadCursor(field=field)
    return values


def cut(rows: Sequence[T], limit: int, key: Callable[[T], str]) -> tuple[list[T], str | None]:
    """The page from rows fetched with ``limit + 1``, and the cursor after its last item
    (``key`` gives that item's cursor) when the extra row shows there is more."""
    page = list(rows[:limit])
    return page, key(page[-1]) if len(rows) > limit and page else None
